//! IDBVersionChangeEvent (https://w3c.github.io/IndexedDB/#events): `upgradeneeded`,
//! `versionchange`, `blocked`, and a deletion's `success`.

use std::cell::Cell;

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBVersionChangeEvent {
    event: Event,
    old_version: Cell<u64>,
    new_version: Cell<Option<u64>>,
}

impl IDBVersionChangeEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        old_version: u64,
        new_version: Option<u64>,
    ) -> DomRoot<IDBVersionChangeEvent> {
        IDBVersionChangeEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(IDBVersionChangeEvent {
                event: Event::new_inherited(global),
                old_version: Cell::new(old_version),
                new_version: Cell::new(new_version),
            }),
        )
    }

    /// A trusted event of the engine, not bubbling, not cancelable.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        type_: &str,
        old_version: u64,
        new_version: Option<u64>,
    ) -> DomRoot<IDBVersionChangeEvent> {
        let event = Self::create(cx, global, None, old_version, new_version);
        event.upcast::<Event>().init(type_, false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl IDBVersionChangeEventMethods for IDBVersionChangeEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &IDBVersionChangeEventInit,
    ) -> DomRoot<IDBVersionChangeEvent> {
        let event = Self::create(cx, global, proto, init.old_version, init.new_version);
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }
    fn OldVersion(&self, _cx: &mut JSContext) -> u64 {
        self.old_version.get()
    }
    fn NewVersion(&self, _cx: &mut JSContext) -> Option<u64> {
        self.new_version.get()
    }
}
