//! Errors of DOM operations and how they become JS exceptions.

use std::ffi::CString;

use mozjs::context::JSContext;
use mozjs::jsapi::ExceptionStackBehavior;
use mozjs::jsval::ObjectValue;
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    JS_ClearPendingException, JS_GetPendingException, JS_IsExceptionPending, JS_SetPendingException,
};

use crate::dom::bindings::global::BindingGlobal;

/// The names of the error table of Web IDL, with their legacy codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DOMErrorName {
    IndexSizeError,
    HierarchyRequestError,
    WrongDocumentError,
    InvalidCharacterError,
    NoModificationAllowedError,
    NotFoundError,
    NotSupportedError,
    InUseAttributeError,
    InvalidStateError,
    SyntaxError,
    InvalidModificationError,
    NamespaceError,
    InvalidAccessError,
    TypeMismatchError,
    SecurityError,
    NetworkError,
    AbortError,
    URLMismatchError,
    QuotaExceededError,
    TimeoutError,
    InvalidNodeTypeError,
    DataCloneError,
    EncodingError,
    NotReadableError,
    UnknownError,
    ConstraintError,
    DataError,
    TransactionInactiveError,
    ReadOnlyError,
    VersionError,
    OperationError,
    NotAllowedError,
}

impl DOMErrorName {
    pub fn as_str(&self) -> &'static str {
        use DOMErrorName::*;
        match self {
            IndexSizeError => "IndexSizeError",
            HierarchyRequestError => "HierarchyRequestError",
            WrongDocumentError => "WrongDocumentError",
            InvalidCharacterError => "InvalidCharacterError",
            NoModificationAllowedError => "NoModificationAllowedError",
            NotFoundError => "NotFoundError",
            NotSupportedError => "NotSupportedError",
            InUseAttributeError => "InUseAttributeError",
            InvalidStateError => "InvalidStateError",
            SyntaxError => "SyntaxError",
            InvalidModificationError => "InvalidModificationError",
            NamespaceError => "NamespaceError",
            InvalidAccessError => "InvalidAccessError",
            TypeMismatchError => "TypeMismatchError",
            SecurityError => "SecurityError",
            NetworkError => "NetworkError",
            AbortError => "AbortError",
            URLMismatchError => "URLMismatchError",
            QuotaExceededError => "QuotaExceededError",
            TimeoutError => "TimeoutError",
            InvalidNodeTypeError => "InvalidNodeTypeError",
            DataCloneError => "DataCloneError",
            EncodingError => "EncodingError",
            NotReadableError => "NotReadableError",
            UnknownError => "UnknownError",
            ConstraintError => "ConstraintError",
            DataError => "DataError",
            TransactionInactiveError => "TransactionInactiveError",
            ReadOnlyError => "ReadOnlyError",
            VersionError => "VersionError",
            OperationError => "OperationError",
            NotAllowedError => "NotAllowedError",
        }
    }

    /// The legacy `code` of a name (0 for names without one).
    pub fn code_of(name: &str) -> u16 {
        match name {
            "IndexSizeError" => 1,
            "HierarchyRequestError" => 3,
            "WrongDocumentError" => 4,
            "InvalidCharacterError" => 5,
            "NoModificationAllowedError" => 7,
            "NotFoundError" => 8,
            "NotSupportedError" => 9,
            "InUseAttributeError" => 10,
            "InvalidStateError" => 11,
            "SyntaxError" => 12,
            "InvalidModificationError" => 13,
            "NamespaceError" => 14,
            "InvalidAccessError" => 15,
            "TypeMismatchError" => 17,
            "SecurityError" => 18,
            "NetworkError" => 19,
            "AbortError" => 20,
            "URLMismatchError" => 21,
            "QuotaExceededError" => 22,
            "TimeoutError" => 23,
            "InvalidNodeTypeError" => 24,
            "DataCloneError" => 25,
            _ => 0,
        }
    }
}

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
pub unsafe fn throw_error<G: BindingGlobal>(cx: &mut JSContext, global: &G, error: Error) {
    match error {
        // Already pending, or nothing at all: a script stopped by the interrupt callback
        // (a watchdog's termination) fails without an exception.
        Error::JSFailed => {}
        Error::Type(message) => mozjs::error::throw_type_error(cx, &cstring(&message)),
        Error::Range(message) => mozjs::error::throw_range_error(cx, &cstring(&message)),
        Error::Dom(name, message) => {
            rooted!(&in(cx) let value = ObjectValue(global.new_dom_exception(cx, name, message)));
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
