//! PopStateEvent (https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-popstateevent-interface):
//! fired at a window when a traversal of its session history reaches an entry of the same
//! document.

use mozjs::jsapi::Heap;

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct PopStateEvent {
    event: Event,
    state: Heap<JSVal>,
    has_ua_visual_transition: bool,
}

impl PopStateEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        has_ua_visual_transition: bool,
    ) -> DomRoot<PopStateEvent> {
        PopStateEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(PopStateEvent {
                event: Event::new_inherited(global),
                state: Heap::default(),
                has_ua_visual_transition,
            }),
        )
    }

    /// The trusted `popstate` event of a traversal to an entry whose state is `state`.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        state: HandleValue<'_>,
    ) -> DomRoot<PopStateEvent> {
        let event = Self::create(cx, global, None, false);
        // Set after boxing, from the caller's root (making the event may move it).
        event.state.set(state.get());
        event.upcast::<Event>().init("popstate", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl PopStateEventMethods for PopStateEvent {
    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-popstateevent-state>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &PopStateEventInit,
    ) -> DomRoot<PopStateEvent> {
        let event = Self::create(cx, global, proto, init.has_ua_visual_transition);
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event.state.set(init.state.get());
        event
    }
    fn State(&self, _cx: &mut JSContext) -> JSVal {
        self.state.get()
    }
    fn HasUAVisualTransition(&self, _cx: &mut JSContext) -> bool {
        self.has_ua_visual_transition
    }
}
