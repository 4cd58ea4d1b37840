//! ExtendableEvent (https://w3c.github.io/ServiceWorker/#extendableevent-interface): an event
//! whose handlers can extend its lifetime with `waitUntil` promises.

use std::cell::RefCell;

use mozjs::jsapi::JSTracer;

use crate::dom::bindings::prelude::*;
use crate::dom::event::Event;

#[repr(C)]
pub struct ExtendableEvent {
    event: Event,
    /// The extend lifetime promises.
    promises: RefCell<Vec<Rc<Promise>>>,
}

impl ExtendableEvent {
    pub fn new_inherited(global: &GlobalScope) -> ExtendableEvent {
        ExtendableEvent {
            event: Event::new_inherited(global),
            promises: RefCell::new(Vec::new()),
        }
    }

    /// A trusted lifecycle event (`install`, `activate`) for the worker to fire.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        event_type: &str,
    ) -> DomRoot<ExtendableEvent> {
        let event = ExtendableEventBinding::Wrap(
            cx,
            global,
            None,
            Box::new(ExtendableEvent::new_inherited(global)),
        );
        event.upcast::<Event>().init(event_type, false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    /// https://w3c.github.io/ServiceWorker/#extendableevent-active: being dispatched, or
    /// extended by a promise that has not settled.
    pub fn is_active(&self) -> bool {
        self.event.dispatching() || self.promises.borrow().iter().any(|p| p.is_pending())
    }

    /// The extend lifetime promises so far (what the dispatcher waits on).
    pub fn extend_lifetime_promises(&self) -> Vec<Rc<Promise>> {
        self.promises.borrow().clone()
    }
}

impl ExtendableEventMethods for ExtendableEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &ExtendableEventInit,
    ) -> Fallible<DomRoot<ExtendableEvent>> {
        let event = ExtendableEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ExtendableEvent::new_inherited(global)),
        );
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        Ok(event)
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-extendableevent-waituntil>
    fn WaitUntil(&self, _cx: &mut JSContext, f: Rc<Promise>) -> Fallible<()> {
        // Step 1: If event's isTrusted attribute is false, throw an "InvalidStateError".
        if !self.event.is_trusted() {
            return Err(Error::invalid_state(
                "Failed to execute 'waitUntil' on 'ExtendableEvent': The event is not trusted.",
            ));
        }
        // Step 2: If event is not active, throw an "InvalidStateError".
        if !self.is_active() {
            return Err(Error::invalid_state("Failed to execute 'waitUntil' on 'ExtendableEvent': The event handler is already finished and no extend lifetime promises are outstanding."));
        }
        // Step 3: Add f to event's extend lifetime promises.
        self.promises.borrow_mut().push(f);
        Ok(())
    }
}

// SAFETY: traces its Event part; the promises root themselves.
unsafe impl Trace for ExtendableEvent {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.event.trace(trc);
    }
}
