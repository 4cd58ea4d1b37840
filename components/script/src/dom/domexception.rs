//! DOMException (https://webidl.spec.whatwg.org/#idl-DOMException).

use crate::dom::prelude::*;

pub use crate::dom::bindings::error::DOMErrorName;

#[derive(Trace)]
#[repr(C)]
pub struct DOMException {
    reflector: Reflector,
    name: String,
    message: String,
    /// Where script was when the exception was made (file, line, column), for the report
    /// of an uncaught exception.
    location: (String, u32, u32),
}

impl DOMException {
    /// What SpiderMonkey's error reporting asks of an uncaught DOMException: its message
    /// and where it was made.
    pub fn report_info(&self) -> (String, &str, u32, u32) {
        let (file, line, column) = &self.location;
        (
            format!("{}: {}", self.name, self.message),
            file,
            *line,
            *column,
        )
    }
}

fn scripted_caller(cx: &JSContext) -> (String, u32, u32) {
    mozjs::rust::describe_scripted_caller(cx)
        .map(|caller| (caller.filename, caller.line, caller.col))
        .unwrap_or_default()
}

impl DOMException {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        name: DOMErrorName,
        message: String,
    ) -> DomRoot<DOMException> {
        DOMExceptionBinding::Wrap(
            cx,
            global,
            None,
            Box::new(DOMException {
                reflector: Reflector::new(),
                name: name.as_str().to_string(),
                message,
                location: scripted_caller(cx),
            }),
        )
    }
}

impl DOMExceptionMethods for DOMException {
    /// <https://webidl.spec.whatwg.org/#dom-domexception-domexception>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        message: DOMString,
        name: DOMString,
    ) -> DomRoot<DOMException> {
        DOMExceptionBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(DOMException {
                reflector: Reflector::new(),
                name,
                message,
                location: scripted_caller(cx),
            }),
        )
    }
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }
    fn Message(&self, _cx: &mut JSContext) -> DOMString {
        self.message.clone()
    }
    fn Code(&self, _cx: &mut JSContext) -> u16 {
        DOMErrorName::code_of(&self.name)
    }
}
