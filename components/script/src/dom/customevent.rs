//! CustomEvent (https://dom.spec.whatwg.org/#interface-customevent).

use mozjs::jsapi::Heap;

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct CustomEvent {
    event: Event,
    detail: Heap<JSVal>,
}

impl CustomEventMethods for CustomEvent {
    /// <https://dom.spec.whatwg.org/#dom-customevent-customevent>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &CustomEventInit,
    ) -> DomRoot<CustomEvent> {
        let event = CustomEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(CustomEvent {
                event: Event::new_inherited(global),
                detail: Heap::default(),
            }),
        );
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        // Set after boxing: a Heap must not move once it holds a GC pointer.
        event.detail.set(init.detail.get());
        event
    }
    fn Detail(&self, _cx: &mut JSContext) -> JSVal {
        self.detail.get()
    }
    /// <https://dom.spec.whatwg.org/#dom-customevent-initcustomevent>
    fn InitCustomEvent(
        &self,
        _cx: &mut JSContext,
        type_: DOMString,
        bubbles: bool,
        cancelable: bool,
        detail: HandleValue<'_>,
    ) {
        let event = self.upcast::<Event>();
        if !event.dispatching() {
            event.init(&type_, bubbles, cancelable);
            self.detail.set(detail.get());
        }
    }
}
