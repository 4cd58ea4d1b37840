//! ExtendableEvent (https://w3c.github.io/ServiceWorker/#extendableevent-interface): an event
//! whose handlers can extend its lifetime with `waitUntil` promises.

use std::cell::RefCell;

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct ExtendableEvent {
    event: Event,
    /// The extend lifetime promises.
    promises: RefCell<Vec<Rc<Promise>>>,
    /// One `{settled}` object per promise, set a microtask after the promise settles: the
    /// spec's pending promises count, which drops only in a microtask queued by the
    /// promise's own reaction (so a reaction to the extension may still extend).
    counters: RefCell<Vec<RootedObject>>,
}

/// Watches an extend lifetime promise: its `settled` flag turns true in a microtask queued
/// when the promise settles (https://w3c.github.io/ServiceWorker/#dom-extendableevent-waituntil,
/// step 5).
const WATCH_PROMISE: &str = r#"(function (promise) {
  const counter = { settled: false };
  const settle = () => { Promise.resolve().then(() => { counter.settled = true; }); };
  promise.then(settle, settle);
  return counter;
})"#;

const IS_SETTLED: &str = r#"(function (counter) { return counter.settled === true; })"#;

impl ExtendableEvent {
    pub fn new_inherited(global: &GlobalScope) -> ExtendableEvent {
        ExtendableEvent {
            event: Event::new_inherited(global),
            promises: RefCell::new(Vec::new()),
            counters: RefCell::new(Vec::new()),
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

    /// https://w3c.github.io/ServiceWorker/#extendableevent-active: being dispatched, or its
    /// pending promises count is not zero.
    pub fn is_active(&self, cx: &mut JSContext) -> bool {
        if self.event.dispatching() {
            return true;
        }
        let global = self.global();
        let counters: Vec<JSVal> = self
            .counters
            .borrow()
            .iter()
            .map(|counter| mozjs::jsval::ObjectValue(counter.get()))
            .collect();
        counters.iter().any(|counter| {
            // SAFETY: called from bindings in the event's realm; the counters are rooted.
            let settled =
                unsafe { crate::script_runtime::call_helper(cx, global, IS_SETTLED, &[counter]) };
            !settled.is_ok_and(|value| value.get().is_boolean() && value.get().to_boolean())
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#extendableevent-add-lifetime-promise>: adds `f`
    /// to the extend lifetime promises, counted as pending until a microtask after it
    /// settles.
    pub fn add_lifetime_promise(&self, cx: &mut JSContext, f: Rc<Promise>) -> Fallible<()> {
        let promise = mozjs::jsval::ObjectValue(f.handle().get());
        // SAFETY: bindings call in the event's realm; `f` is rooted.
        let counter = unsafe {
            crate::script_runtime::call_helper(cx, self.global(), WATCH_PROMISE, &[&promise])?
        };
        if counter.get().is_object() {
            self.counters
                .borrow_mut()
                .push(RootedObject::new(counter.get().to_object()));
        }
        self.promises.borrow_mut().push(f);
        Ok(())
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
    ) -> DomRoot<ExtendableEvent> {
        let event = ExtendableEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ExtendableEvent::new_inherited(global)),
        );
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-extendableevent-waituntil>
    fn WaitUntil(&self, cx: &mut JSContext, f: Rc<Promise>) -> Fallible<()> {
        // Step 1: If event's isTrusted attribute is false, throw an "InvalidStateError".
        if !self.event.is_trusted() {
            return Err(Error::invalid_state(
                "Failed to execute 'waitUntil' on 'ExtendableEvent': The event is not trusted.",
            ));
        }
        // Step 2: If event is not active, throw an "InvalidStateError".
        if !self.is_active(cx) {
            return Err(Error::invalid_state("Failed to execute 'waitUntil' on 'ExtendableEvent': The event handler is already finished and no extend lifetime promises are outstanding."));
        }
        // Steps 3-5.
        self.add_lifetime_promise(cx, f)
    }
}
