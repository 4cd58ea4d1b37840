//! Event (https://dom.spec.whatwg.org/#interface-event).

use std::cell::{Cell, RefCell};

use crate::dom::eventtarget::EventTarget;
use crate::dom::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Trace)]
#[repr(u16)]
pub enum EventPhase {
    None = 0,
    Capturing = 1,
    AtTarget = 2,
    Bubbling = 3,
}

#[derive(Trace)]
#[repr(C)]
pub struct Event {
    reflector: Reflector,
    event_type: RefCell<String>,
    target: MutNullableDom<EventTarget>,
    current_target: MutNullableDom<EventTarget>,
    phase: Cell<EventPhase>,
    bubbles: Cell<bool>,
    cancelable: Cell<bool>,
    composed: Cell<bool>,
    canceled: Cell<bool>,
    stop_propagation: Cell<bool>,
    stop_immediate: Cell<bool>,
    in_passive_listener: Cell<bool>,
    dispatching: Cell<bool>,
    initialized: Cell<bool>,
    trusted: Cell<bool>,
    /// Set when a listener threw during dispatch (a failed `sync` attempt, for one).
    listener_threw: Cell<bool>,
    time_stamp: f64,
}

impl Event {
    pub fn new_inherited(global: &GlobalScope) -> Event {
        Event {
            reflector: Reflector::new(),
            event_type: RefCell::new(String::new()),
            target: MutNullableDom::default(),
            current_target: MutNullableDom::default(),
            phase: Cell::new(EventPhase::None),
            bubbles: Cell::new(false),
            cancelable: Cell::new(false),
            composed: Cell::new(false),
            canceled: Cell::new(false),
            stop_propagation: Cell::new(false),
            stop_immediate: Cell::new(false),
            in_passive_listener: Cell::new(false),
            dispatching: Cell::new(false),
            initialized: Cell::new(false),
            trusted: Cell::new(false),
            listener_threw: Cell::new(false),
            time_stamp: global.now_ms(),
        }
    }

    /// A new initialized event, for the engine to fire.
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        event_type: &str,
        bubbles: bool,
        cancelable: bool,
    ) -> DomRoot<Event> {
        let event = EventBinding::Wrap(cx, global, None, Box::new(Event::new_inherited(global)));
        event.init(event_type, bubbles, cancelable);
        event
    }

    /// https://dom.spec.whatwg.org/#concept-event-initialize
    pub fn init(&self, event_type: &str, bubbles: bool, cancelable: bool) {
        self.initialized.set(true);
        self.stop_propagation.set(false);
        self.stop_immediate.set(false);
        self.canceled.set(false);
        self.trusted.set(false);
        self.target.set(None);
        *self.event_type.borrow_mut() = event_type.to_string();
        self.bubbles.set(bubbles);
        self.cancelable.set(cancelable);
    }

    pub fn init_from_dict(&self, event_type: &str, init: &EventInit) {
        self.init(event_type, init.bubbles, init.cancelable);
        self.composed.set(init.composed);
    }

    pub fn type_(&self) -> String {
        self.event_type.borrow().clone()
    }
    /// Whether the event's type is `event_type` (`type_() == event_type` without a copy).
    pub fn type_is(&self, event_type: &str) -> bool {
        *self.event_type.borrow() == event_type
    }
    pub fn bubbles(&self) -> bool {
        self.bubbles.get()
    }
    pub fn canceled(&self) -> bool {
        self.canceled.get()
    }
    /// https://dom.spec.whatwg.org/#set-the-canceled-flag
    pub fn cancel(&self) {
        if self.cancelable.get() && !self.in_passive_listener.get() {
            self.canceled.set(true);
        }
    }
    pub fn dispatching(&self) -> bool {
        self.dispatching.get()
    }
    pub fn initialized(&self) -> bool {
        self.initialized.get()
    }
    pub(crate) fn set_dispatching(&self, v: bool) {
        self.dispatching.set(v)
    }
    pub(crate) fn set_target(&self, target: Option<&EventTarget>) {
        self.target.set(target)
    }
    pub(crate) fn set_current_target(&self, target: Option<&EventTarget>) {
        self.current_target.set(target)
    }
    pub(crate) fn set_phase(&self, phase: EventPhase) {
        self.phase.set(phase)
    }
    pub(crate) fn set_in_passive_listener(&self, v: bool) {
        self.in_passive_listener.set(v)
    }
    pub fn listener_threw(&self) -> bool {
        self.listener_threw.get()
    }
    pub(crate) fn set_listener_threw(&self) {
        self.listener_threw.set(true)
    }
    pub fn is_trusted(&self) -> bool {
        self.trusted.get()
    }
    pub fn set_trusted(&self, v: bool) {
        self.trusted.set(v)
    }
    pub(crate) fn stop_propagation_flag(&self) -> bool {
        self.stop_propagation.get()
    }
    pub(crate) fn stop_immediate_propagation_flag(&self) -> bool {
        self.stop_immediate.get()
    }
    /// Sets the stop propagation and stop immediate propagation flags.
    pub(crate) fn stop_immediate_propagation(&self) {
        self.stop_propagation.set(true);
        self.stop_immediate.set(true);
    }
    pub(crate) fn clear_propagation_flags(&self) {
        self.stop_propagation.set(false);
        self.stop_immediate.set(false);
    }
}

impl EventMethods for Event {
    /// <https://dom.spec.whatwg.org/#dom-event-event>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &EventInit,
    ) -> DomRoot<Event> {
        let event = EventBinding::Wrap(cx, global, proto, Box::new(Event::new_inherited(global)));
        event.init_from_dict(&type_, init);
        event
    }
    fn Type(&self, _cx: &mut JSContext) -> DOMString {
        self.type_()
    }
    fn Target(&self, _cx: &mut JSContext) -> Option<DomRoot<EventTarget>> {
        self.target.get()
    }
    fn SrcElement(&self, _cx: &mut JSContext) -> Option<DomRoot<EventTarget>> {
        self.target.get()
    }
    fn CurrentTarget(&self, _cx: &mut JSContext) -> Option<DomRoot<EventTarget>> {
        self.current_target.get()
    }
    fn EventPhase(&self, _cx: &mut JSContext) -> u16 {
        self.phase.get() as u16
    }
    /// <https://dom.spec.whatwg.org/#dom-event-stoppropagation>
    fn StopPropagation(&self, _cx: &mut JSContext) {
        self.stop_propagation.set(true);
    }
    fn CancelBubble(&self, _cx: &mut JSContext) -> bool {
        self.stop_propagation.get()
    }
    fn SetCancelBubble(&self, _cx: &mut JSContext, value: bool) {
        if value {
            self.stop_propagation.set(true);
        }
    }
    /// <https://dom.spec.whatwg.org/#dom-event-stopimmediatepropagation>
    fn StopImmediatePropagation(&self, _cx: &mut JSContext) {
        self.stop_propagation.set(true);
        self.stop_immediate.set(true);
    }
    fn Bubbles(&self, _cx: &mut JSContext) -> bool {
        self.bubbles.get()
    }
    fn Cancelable(&self, _cx: &mut JSContext) -> bool {
        self.cancelable.get()
    }
    fn ReturnValue(&self, _cx: &mut JSContext) -> bool {
        !self.canceled.get()
    }
    fn SetReturnValue(&self, _cx: &mut JSContext, value: bool) {
        if !value {
            self.cancel();
        }
    }
    /// <https://dom.spec.whatwg.org/#dom-event-preventdefault>
    fn PreventDefault(&self, _cx: &mut JSContext) {
        self.cancel();
    }
    fn DefaultPrevented(&self, _cx: &mut JSContext) -> bool {
        self.canceled.get()
    }
    fn Composed(&self, _cx: &mut JSContext) -> bool {
        self.composed.get()
    }
    fn IsTrusted(&self, _cx: &mut JSContext) -> bool {
        self.trusted.get()
    }
    fn TimeStamp(&self, _cx: &mut JSContext) -> f64 {
        self.time_stamp
    }
    /// <https://dom.spec.whatwg.org/#dom-event-initevent>
    fn InitEvent(&self, _cx: &mut JSContext, type_: DOMString, bubbles: bool, cancelable: bool) {
        if !self.dispatching.get() {
            self.init(&type_, bubbles, cancelable);
        }
    }
}
