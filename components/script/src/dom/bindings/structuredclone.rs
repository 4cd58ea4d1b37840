//! Structured serialization (https://html.spec.whatwg.org/#safe-passing-of-structured-data)
//! with SpiderMonkey's structured clone, into bytes that can cross threads and processes
//! (ipc-channel): what `structuredClone()`, IndexedDB and `postMessage` use.
//!
//! No host objects (DOM objects): those fail with DataCloneError. Transfer is the caller's,
//! through SpiderMonkey's callbacks (`serialize_with`/`deserialize_with`; `dom/postmessage.rs`
//! transfers MessagePorts).

use mozjs::context::JSContext;
use mozjs::jsapi::{
    CloneDataPolicy, JSStructuredCloneCallbacks, StructuredCloneScope, JS_STRUCTURED_CLONE_VERSION,
};
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use mozjs::rust::wrappers2::{JS_ReadStructuredClone, JS_WriteStructuredClone};
use mozjs::rust::{HandleValue, JSAutoStructuredCloneBufferWrapper, MutableHandleValue};

use crate::dom::bindings::conversions::{Conv, FromJs};
use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::error::{take_pending_exception, Error};

fn policy() -> CloneDataPolicy {
    CloneDataPolicy {
        allowIntraClusterClonableSharedObjects_: false,
        allowSharedMemoryObjects_: false,
    }
}

/// Turns the pending exception of a failed clone into a DataCloneError with its message.
unsafe fn data_clone_error(cx: &mut JSContext) -> Error {
    rooted!(&in(cx) let mut exception = UndefinedValue());
    let mut message = "The value could not be cloned.".to_string();
    if take_pending_exception(cx, exception.handle_mut()) {
        if let Ok(text) = String::from_js(cx, exception.handle(), &Conv::plain("structuredClone")) {
            message = text;
        }
    }
    Error::dom(DOMErrorName::DataCloneError, message)
}

/// https://html.spec.whatwg.org/#structuredserialize
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn serialize(cx: &mut JSContext, value: HandleValue<'_>) -> Result<Vec<u8>, Error> {
    rooted!(&in(cx) let transfer = UndefinedValue());
    serialize_with(
        cx,
        value,
        transfer.handle(),
        std::ptr::null(),
        std::ptr::null_mut(),
    )
}

/// Serializes `value` with a transfer list (a JS array, or undefined) and the embedder's
/// `callbacks` (what transfers platform objects), given `closure`.
///
/// # Safety
/// `cx` in a realm; `value` and `transfer` rooted; `callbacks` null or valid, and `closure`
/// what they expect.
pub unsafe fn serialize_with(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    transfer: HandleValue<'_>,
    callbacks: *const JSStructuredCloneCallbacks,
    closure: *mut std::ffi::c_void,
) -> Result<Vec<u8>, Error> {
    let buffer =
        JSAutoStructuredCloneBufferWrapper::new(StructuredCloneScope::DifferentProcess, callbacks);
    let data = &raw mut (*buffer.as_raw_ptr()).data_;
    let policy = policy();
    if !JS_WriteStructuredClone(
        cx,
        value,
        data,
        StructuredCloneScope::DifferentProcess,
        &policy,
        callbacks,
        closure,
        transfer,
    ) {
        return Err(data_clone_error(cx));
    }
    let length = mozjs::glue::GetLengthOfJSStructuredCloneData(data);
    let mut bytes = vec![0u8; length];
    mozjs::glue::CopyJSStructuredCloneData(data, bytes.as_mut_ptr());
    Ok(bytes)
}

/// https://html.spec.whatwg.org/#structureddeserialize
///
/// # Safety
/// `cx` in the realm to create the value in; `rval` rooted.
pub unsafe fn deserialize(
    cx: &mut JSContext,
    bytes: &[u8],
    rval: MutableHandleValue<'_>,
) -> Result<(), Error> {
    deserialize_with(cx, bytes, rval, std::ptr::null(), std::ptr::null_mut())
}

/// Deserializes with the embedder's `callbacks` (what makes transferred platform objects),
/// given `closure`.
///
/// # Safety
/// As [`deserialize`]; `callbacks` null or valid, and `closure` what they expect.
pub unsafe fn deserialize_with(
    cx: &mut JSContext,
    bytes: &[u8],
    rval: MutableHandleValue<'_>,
    callbacks: *const JSStructuredCloneCallbacks,
    closure: *mut std::ffi::c_void,
) -> Result<(), Error> {
    let buffer =
        JSAutoStructuredCloneBufferWrapper::new(StructuredCloneScope::DifferentProcess, callbacks);
    let data = &raw mut (*buffer.as_raw_ptr()).data_;
    if !mozjs::glue::WriteBytesToJSStructuredCloneData(bytes.as_ptr(), bytes.len(), data) {
        return Err(Error::dom(
            DOMErrorName::DataCloneError,
            "Out of memory reading cloned data.",
        ));
    }
    let policy = policy();
    if !JS_ReadStructuredClone(
        cx,
        data,
        JS_STRUCTURED_CLONE_VERSION,
        StructuredCloneScope::DifferentProcess,
        rval,
        &policy,
        callbacks,
        closure,
    ) {
        return Err(data_clone_error(cx));
    }
    Ok(())
}

/// Serializes and deserializes `value` in the current realm (`structuredClone()`).
///
/// # Safety
/// `cx` in a realm; `value` rooted. The result must be stored in a rooted place right away.
pub unsafe fn structured_clone(
    cx: &mut JSContext,
    value: HandleValue<'_>,
) -> Result<mozjs::jsval::JSVal, Error> {
    let bytes = serialize(cx, value)?;
    rooted!(&in(cx) let mut result = UndefinedValue());
    deserialize(cx, &bytes, result.handle_mut())?;
    Ok(result.get())
}
