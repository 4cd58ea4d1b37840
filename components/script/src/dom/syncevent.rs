//! SyncEvent (https://wicg.github.io/background-sync/spec/#sync-event): what a service worker's
//! `sync` handler receives.

use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct SyncEvent {
    extendableevent: ExtendableEvent,
    tag: String,
    last_chance: bool,
}

impl SyncEvent {
    /// The trusted `sync` event the service fires (https://wicg.github.io/background-sync/spec/#fire-a-sync-event).
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        tag: String,
        last_chance: bool,
    ) -> DomRoot<SyncEvent> {
        let event = Self::create(cx, global, None, tag, last_chance);
        event.upcast::<Event>().init("sync", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        tag: String,
        last_chance: bool,
    ) -> DomRoot<SyncEvent> {
        SyncEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(SyncEvent {
                extendableevent: ExtendableEvent::new_inherited(global),
                tag,
                last_chance,
            }),
        )
    }
}

impl SyncEventMethods for SyncEvent {
    /// <https://wicg.github.io/background-sync/spec/#dom-syncevent-syncevent>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &SyncEventInit,
    ) -> DomRoot<SyncEvent> {
        let event = Self::create(cx, global, proto, init.tag.clone(), init.last_chance);
        event
            .upcast::<Event>()
            .init_from_dict(&type_, &init.parent.parent);
        event
    }
    fn Tag(&self, _cx: &mut JSContext) -> DOMString {
        self.tag.clone()
    }
    fn LastChance(&self, _cx: &mut JSContext) -> bool {
        self.last_chance
    }
}
