//! PromiseRejectionEvent (https://html.spec.whatwg.org/multipage/webappapis.html#promiserejectionevent).

use mozjs::jsapi::Heap;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct PromiseRejectionEvent {
    event: Event,
    promise: Heap<*mut JSObject>,
    reason: Heap<JSVal>,
}

impl PromiseRejectionEvent {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        promise: HandleObject<'_>,
        reason: HandleValue<'_>,
    ) -> DomRoot<PromiseRejectionEvent> {
        let event = PromiseRejectionEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(PromiseRejectionEvent {
                event: Event::new_inherited(global),
                promise: Heap::default(),
                reason: Heap::default(),
            }),
        );
        // From the caller's roots: making the event may collect and move them.
        event.promise.set(promise.get());
        event.reason.set(reason.get());
        event
    }
}

impl PromiseRejectionEventMethods for PromiseRejectionEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &PromiseRejectionEventInit,
    ) -> DomRoot<PromiseRejectionEvent> {
        rooted!(&in(cx) let reason = init.reason.as_ref().map_or(UndefinedValue(), |r| r.get()));
        let event = Self::new(cx, global, proto, init.promise.handle(), reason.handle());
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }
    fn Promise(&self, _cx: &mut JSContext) -> *mut JSObject {
        self.promise.get()
    }
    fn Reason(&self, _cx: &mut JSContext) -> JSVal {
        self.reason.get()
    }
}
