//! MessageChannel (https://html.spec.whatwg.org/multipage/web-messaging.html#message-channels):
//! two entangled MessagePorts of one global.

use crate::dom::messageport::MessagePort;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct MessageChannel {
    reflector: Reflector,
    port1: Dom<MessagePort>,
    port2: Dom<MessagePort>,
}

impl MessageChannelMethods for MessageChannel {
    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messagechannel>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<MessageChannel> {
        let port1 = MessagePort::new(cx, global);
        let port2 = MessagePort::new(cx, global);
        MessagePort::entangle(&port1, &port2);
        MessageChannelBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(MessageChannel {
                reflector: Reflector::new(),
                port1: Dom::from_ref(&port1),
                port2: Dom::from_ref(&port2),
            }),
        )
    }
    fn Port1(&self, _cx: &mut JSContext) -> DomRoot<MessagePort> {
        self.port1.root()
    }
    fn Port2(&self, _cx: &mut JSContext) -> DomRoot<MessagePort> {
        self.port2.root()
    }
}
