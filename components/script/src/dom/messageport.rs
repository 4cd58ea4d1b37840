//! MessagePort (https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports), for
//! ports that stay in the global that made them (a MessageChannel's two ends): a message
//! posted on one end is a `message` event at the other, in a task of its own, once that end
//! is started (`start()`, or setting `onmessage`). Until then messages wait in its queue.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::structuredclone::{deserialize, serialize_for_post_message};
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::messageevent::MessageEvent;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct MessagePort {
    eventtarget: EventTarget,
    /// The other end, until either end is closed.
    entangled: MutNullableDom<MessagePort>,
    /// The port message queue: serialized messages not yet dispatched.
    #[no_trace]
    queue: RefCell<VecDeque<Vec<u8>>>,
    /// The port message queue is enabled (`start()`, or `onmessage` was set).
    started: Cell<bool>,
    /// A task to dispatch the queue is on its way.
    draining: Cell<bool>,
    closed: Cell<bool>,
}

impl MessagePort {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<MessagePort> {
        MessagePortBinding::Wrap(
            cx,
            global,
            None,
            Box::new(MessagePort {
                eventtarget: EventTarget::new_inherited(),
                entangled: MutNullableDom::default(),
                queue: RefCell::new(VecDeque::new()),
                started: Cell::new(false),
                draining: Cell::new(false),
                closed: Cell::new(false),
            }),
        )
    }

    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#entangle>
    pub fn entangle(a: &MessagePort, b: &MessagePort) {
        a.entangled.set(Some(b));
        b.entangled.set(Some(a));
    }

    /// `bytes` arrives in this port's queue; dispatched now (in a task) if the port is
    /// started, else when it is.
    fn enqueue(&self, cx: &mut JSContext, bytes: Vec<u8>) {
        if self.closed.get() {
            return;
        }
        self.queue.borrow_mut().push_back(bytes);
        // Setting `onmessage` starts the port ("the first time onmessage is set").
        if !self.started.get() && self.eventtarget.get_event_handler(cx, "message").is_some() {
            self.started.set(true);
        }
        self.drain_later();
    }

    /// Queues a task that dispatches what the queue holds, if the port is started.
    fn drain_later(&self) {
        if !self.started.get() || self.queue.borrow().is_empty() || self.draining.replace(true) {
            return;
        }
        let port = DomRoot::from_ref(self);
        self.global()
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                port.draining.set(false);
                // One message per task, as each is a task of its own in the spec.
                let next = port.queue.borrow_mut().pop_front();
                if let Some(bytes) = next {
                    // SAFETY: tasks run in the port's realm.
                    unsafe { port.dispatch(cx, &bytes) };
                }
                port.drain_later();
            }));
    }

    /// Fires the `message` event of `bytes` (or `messageerror`).
    ///
    /// # Safety
    /// `cx` in the port's realm.
    unsafe fn dispatch(&self, cx: &mut JSContext, bytes: &[u8]) {
        if self.closed.get() {
            return;
        }
        let target = self.upcast::<EventTarget>();
        rooted!(&in(cx) let mut data = UndefinedValue());
        if deserialize(cx, bytes, data.handle_mut()).is_err() {
            target.fire_event(cx, "messageerror");
            return;
        }
        let event = MessageEvent::new_port_message(cx, self.global(), data.get());
        target.dispatch_event(cx, event.upcast::<Event>());
    }
}

impl MessagePortMethods for MessagePort {
    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-postmessage>
    fn PostMessage(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        options: &StructuredSerializeOptions,
    ) -> Fallible<()> {
        // Serialized even with no other end: a value that cannot be cloned still throws.
        // SAFETY: bindings call in the port's realm; `message` is rooted by the caller.
        let bytes =
            unsafe { serialize_for_post_message(cx, message, &options.transfer, "MessagePort")? };
        if let Some(other) = self.entangled.get() {
            other.enqueue(cx, bytes);
        }
        Ok(())
    }
    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-start>
    fn Start(&self, _cx: &mut JSContext) {
        self.started.set(true);
        self.drain_later();
    }
    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-close>:
    /// both ends are disentangled; messages not yet dispatched here are dropped; the other
    /// end gets a `close` event.
    fn Close(&self, _cx: &mut JSContext) {
        if self.closed.replace(true) {
            return;
        }
        self.queue.borrow_mut().clear();
        if let Some(other) = self.entangled.get() {
            self.entangled.set(None);
            other.entangled.set(None);
            let other = DomRoot::from_ref(&*other);
            self.global()
                .event_loop()
                .queue_task(Box::new(move |cx: &mut JSContext| {
                    // SAFETY: tasks run in the port's realm.
                    unsafe { other.upcast::<EventTarget>().fire_event(cx, "close") };
                }));
        }
    }
}
