//! HashChangeEvent (https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-hashchangeevent-interface):
//! fired at a window when its document's URL changes only in its fragment by a navigation or
//! a traversal (not by `pushState()`).

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct HashChangeEvent {
    event: Event,
    old_url: String,
    new_url: String,
}

impl HashChangeEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        old_url: String,
        new_url: String,
    ) -> DomRoot<HashChangeEvent> {
        HashChangeEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(HashChangeEvent {
                event: Event::new_inherited(global),
                old_url,
                new_url,
            }),
        )
    }

    /// The trusted `hashchange` event of a change from `old_url` to `new_url`.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        old_url: String,
        new_url: String,
    ) -> DomRoot<HashChangeEvent> {
        let event = Self::create(cx, global, None, old_url, new_url);
        event.upcast::<Event>().init("hashchange", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl HashChangeEventMethods for HashChangeEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &HashChangeEventInit,
    ) -> DomRoot<HashChangeEvent> {
        let event = Self::create(
            cx,
            global,
            proto,
            init.old_url.clone(),
            init.new_url.clone(),
        );
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }
    fn OldURL(&self, _cx: &mut JSContext) -> DOMString {
        self.old_url.clone()
    }
    fn NewURL(&self, _cx: &mut JSContext) -> DOMString {
        self.new_url.clone()
    }
}
