//! Errors of DOM operations and how they become JS exceptions.

use std::ffi::CString;

use mozjs::context::JSContext;
use mozjs::jsapi::ExceptionStackBehavior;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    JS_ClearPendingException, JS_GetPendingException, JS_IsExceptionPending, JS_SetPendingException,
};

use crate::dom::bindings::conversions::ToJs;
use crate::dom::domexception::{DOMErrorName, DOMException};
use crate::dom::globalscope::GlobalScope;

/// The error of a DOM operation.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// A DOMException with this name and message.
    Dom(DOMErrorName, String),
    /// A TypeError with this message.
    Type(String),
    /// A RangeError with this message.
    Range(String),
    /// A JS exception is already pending on the context (a script threw, or a conversion
    /// failed inside SpiderMonkey).
    JSFailed,
}

pub type Fallible<T> = Result<T, Error>;

impl Error {
    pub fn dom(name: DOMErrorName, message: impl Into<String>) -> Error {
        Error::Dom(name, message.into())
    }
    pub fn invalid_state(message: impl Into<String>) -> Error {
        Error::Dom(DOMErrorName::InvalidStateError, message.into())
    }
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::Dom(DOMErrorName::NotFoundError, message.into())
    }
    pub fn syntax(message: impl Into<String>) -> Error {
        Error::Dom(DOMErrorName::SyntaxError, message.into())
    }
    pub fn hierarchy_request(message: impl Into<String>) -> Error {
        Error::Dom(DOMErrorName::HierarchyRequestError, message.into())
    }
    pub fn invalid_character(message: impl Into<String>) -> Error {
        Error::Dom(DOMErrorName::InvalidCharacterError, message.into())
    }
    pub fn not_supported(message: impl Into<String>) -> Error {
        Error::Dom(DOMErrorName::NotSupportedError, message.into())
    }
}

fn cstring(message: &str) -> CString {
    CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Makes `error` the pending exception of `cx`, created in `global`'s realm.
///
/// # Safety
/// `cx` must be in a realm.
pub unsafe fn throw_error(cx: &mut JSContext, global: &GlobalScope, error: Error) {
    match error {
        // Already pending, or nothing at all: a script stopped by the interrupt callback
        // (a watchdog's termination) fails without an exception.
        Error::JSFailed => {}
        Error::Type(message) => mozjs::error::throw_type_error(cx, &cstring(&message)),
        Error::Range(message) => mozjs::error::throw_range_error(cx, &cstring(&message)),
        Error::Dom(name, message) => {
            let exception = DOMException::new(cx, global, name, message);
            rooted!(&in(cx) let mut value = UndefinedValue());
            exception.to_js(cx, value.handle_mut());
            JS_SetPendingException(cx, value.handle(), ExceptionStackBehavior::Capture);
        }
    }
}

/// Takes the pending exception off `cx`, if any.
///
/// # Safety
/// `cx` must be in a realm; `rval` must be rooted.
pub unsafe fn take_pending_exception(
    cx: &mut JSContext,
    rval: mozjs::rust::MutableHandleValue<'_>,
) -> bool {
    if !JS_IsExceptionPending(cx) {
        return false;
    }
    let ok = JS_GetPendingException(cx, rval);
    JS_ClearPendingException(cx);
    ok
}
