//! ProgressEvent (https://xhr.spec.whatwg.org/#interface-progressevent): what an
//! XMLHttpRequest (and its upload) fires as a request goes.

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct ProgressEvent {
    event: Event,
    length_computable: bool,
    loaded: f64,
    total: f64,
}

impl ProgressEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        length_computable: bool,
        loaded: f64,
        total: f64,
    ) -> DomRoot<ProgressEvent> {
        ProgressEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ProgressEvent {
                event: Event::new_inherited(global),
                length_computable,
                loaded,
                total,
            }),
        )
    }

    /// <https://xhr.spec.whatwg.org/#concept-event-fire-progress>: a trusted event that
    /// neither bubbles nor can be canceled, its length computable when `total` is not 0.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        event_type: &str,
        loaded: u64,
        total: u64,
    ) -> DomRoot<ProgressEvent> {
        let event = Self::create(cx, global, None, total != 0, loaded as f64, total as f64);
        event.upcast::<Event>().init(event_type, false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl ProgressEventMethods for ProgressEvent {
    /// <https://xhr.spec.whatwg.org/#dom-progressevent-progressevent>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &ProgressEventInit,
    ) -> DomRoot<ProgressEvent> {
        let event = Self::create(
            cx,
            global,
            proto,
            init.length_computable,
            init.loaded,
            init.total,
        );
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }
    fn LengthComputable(&self, _cx: &mut JSContext) -> bool {
        self.length_computable
    }
    fn Loaded(&self, _cx: &mut JSContext) -> f64 {
        self.loaded
    }
    fn Total(&self, _cx: &mut JSContext) -> f64 {
        self.total
    }
}
