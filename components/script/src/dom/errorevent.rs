//! ErrorEvent (https://html.spec.whatwg.org/multipage/webappapis.html#errorevent).

use mozjs::jsapi::Heap;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::event::Event;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct ErrorEvent {
    event: Event,
    message: String,
    filename: String,
    lineno: u32,
    colno: u32,
    error: Heap<JSVal>,
}

/// What an uncaught exception reports.
#[derive(Clone, Debug)]
pub struct ErrorReport {
    pub message: String,
    pub filename: String,
    pub lineno: u32,
    pub colno: u32,
}

impl ErrorEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        report: ErrorReport,
        error: HandleValue<'_>,
    ) -> DomRoot<ErrorEvent> {
        let event = ErrorEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ErrorEvent {
                event: Event::new_inherited(global),
                message: report.message,
                filename: report.filename,
                lineno: report.lineno,
                colno: report.colno,
                error: Heap::default(),
            }),
        );
        event.error.set(error.get());
        event
    }

    /// The trusted, cancelable `error` event fired for an uncaught exception.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        report: ErrorReport,
        error: HandleValue<'_>,
    ) -> DomRoot<ErrorEvent> {
        let event = Self::create(cx, global, None, report, error);
        event.upcast::<Event>().init("error", false, true);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    pub fn message(&self) -> String {
        self.message.clone()
    }
    pub fn filename(&self) -> String {
        self.filename.clone()
    }
    pub fn lineno(&self) -> u32 {
        self.lineno
    }
    pub fn colno(&self) -> u32 {
        self.colno
    }
    pub fn error_value(&self) -> JSVal {
        self.error.get()
    }
}

impl ErrorEventMethods for ErrorEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &ErrorEventInit,
    ) -> DomRoot<ErrorEvent> {
        let report = ErrorReport {
            message: init.message.clone(),
            filename: init.filename.clone(),
            lineno: init.lineno,
            colno: init.colno,
        };
        rooted!(&in(cx) let error = init.error.as_ref().map_or(UndefinedValue(), |e| e.get()));
        let event = Self::create(cx, global, proto, report, error.handle());
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
        event
    }
    fn Message(&self, _cx: &mut JSContext) -> DOMString {
        self.message.clone()
    }
    fn Filename(&self, _cx: &mut JSContext) -> DOMString {
        self.filename.clone()
    }
    fn Lineno(&self, _cx: &mut JSContext) -> u32 {
        self.lineno
    }
    fn Colno(&self, _cx: &mut JSContext) -> u32 {
        self.colno
    }
    fn Error(&self, _cx: &mut JSContext) -> JSVal {
        self.error.get()
    }
}
