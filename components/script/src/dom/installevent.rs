//! InstallEvent (https://w3c.github.io/ServiceWorker/#installevent): what a service worker's
//! `install` listeners receive. (No `addRoutes()`: there is no static routing yet.)

use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct InstallEvent {
    extendableevent: ExtendableEvent,
}

impl InstallEvent {
    /// The trusted `install` event of the Install algorithm.
    pub fn new_trusted(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<InstallEvent> {
        let event = Self::create(cx, global, None);
        event.upcast::<Event>().init("install", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<InstallEvent> {
        InstallEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(InstallEvent {
                extendableevent: ExtendableEvent::new_inherited(global),
            }),
        )
    }
}

impl InstallEventMethods for InstallEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &ExtendableEventInit,
    ) -> DomRoot<InstallEvent> {
        let event = Self::create(cx, global, proto);
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }
}
