//! Web IDL callback functions and callback interfaces: JS objects that Rust calls back.

use mozjs::context::JSContext;
use mozjs::jsapi::HandleValueArray;
use mozjs::jsval::{JSVal, ObjectValue, UndefinedValue};
use mozjs::rust::wrappers2::{Call, JS_GetProperty};
use mozjs::rust::{HandleObject, HandleValue, MutableHandleValue};
use mozjs::{rooted, rooted_vec};

use crate::dom::bindings::conversions::{is_callable, Conv, RootedObject, RootedValue, ToJs};
use crate::dom::bindings::error::Error;

/// A callable JS object kept alive while Rust holds it.
pub struct CallbackFunction {
    object: RootedObject,
}

/// Implemented by generated callback types, so generic code (event handlers) can build them.
pub trait AsCallback {
    fn from_callback(callback: CallbackFunction) -> Self;
    fn callback(&self) -> &CallbackFunction;
}

unsafe fn call_with(
    cx: &mut JSContext,
    this_arg: HandleValue<'_>,
    function: HandleValue<'_>,
    args: &[&dyn ToJs],
) -> Result<RootedValue, Error> {
    rooted_vec!(let mut argv);
    for a in args {
        rooted!(&in(cx) let mut v = UndefinedValue());
        a.to_js(cx, v.handle_mut());
        argv.push(v.get());
    }
    let array = HandleValueArray::from(&argv);
    rooted!(&in(cx) let mut rval = UndefinedValue());
    if !Call(cx, this_arg, function, &array, rval.handle_mut()) {
        return Err(Error::JSFailed);
    }
    Ok(RootedValue::new(rval.get()))
}

impl CallbackFunction {
    /// # Safety
    /// `value` rooted.
    pub unsafe fn from_js(
        _cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if !is_callable(value) {
            return Err(Error::Type(format!(
                "{}: The callback provided as parameter is not a function.",
                conv.context
            )));
        }
        Ok(CallbackFunction {
            object: RootedObject::new(value.get().to_object()),
        })
    }

    /// Wraps an object that is not checked to be callable (`[LegacyTreatNonObjectAsNull]`
    /// handlers are checked when called).
    ///
    /// # Safety
    /// `object` must be a live object.
    pub unsafe fn new_unchecked(_cx: &mut JSContext, object: *mut mozjs::jsapi::JSObject) -> Self {
        CallbackFunction {
            object: RootedObject::new(object),
        }
    }

    pub fn callable(&self) -> HandleObject<'_> {
        self.object.handle()
    }

    pub fn value(&self) -> JSVal {
        ObjectValue(self.object.get())
    }

    /// Calls the function. A non-callable object (possible for event handlers) is skipped.
    ///
    /// # Safety
    /// `cx` in a realm.
    pub unsafe fn call(
        &self,
        cx: &mut JSContext,
        this_arg: HandleValue<'_>,
        args: &[&dyn ToJs],
    ) -> Result<RootedValue, Error> {
        let function = RootedValue::new(self.value());
        if !is_callable(function.handle()) {
            return Ok(RootedValue::undefined());
        }
        call_with(cx, this_arg, function.handle(), args)
    }
}

impl ToJs for CallbackFunction {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(self.value())
    }
}

impl PartialEq for CallbackFunction {
    fn eq(&self, other: &Self) -> bool {
        self.object.get() == other.object.get()
    }
}

/// An object implementing a callback interface: callable itself, or with a method of the
/// operation's name (like `EventListener.handleEvent`).
pub struct CallbackObject {
    object: RootedObject,
}

impl CallbackObject {
    /// # Safety
    /// `value` rooted.
    pub unsafe fn from_js(
        _cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if !value.get().is_object() {
            return Err(Error::Type(format!(
                "{}: The provided value is not an object.",
                conv.context
            )));
        }
        Ok(CallbackObject {
            object: RootedObject::new(value.get().to_object()),
        })
    }

    pub fn value(&self) -> JSVal {
        ObjectValue(self.object.get())
    }

    /// https://webidl.spec.whatwg.org/#call-a-user-objects-operation
    ///
    /// # Safety
    /// `cx` in a realm.
    pub unsafe fn call_operation(
        &self,
        cx: &mut JSContext,
        operation: &str,
        this_arg: HandleValue<'_>,
        args: &[&dyn ToJs],
    ) -> Result<RootedValue, Error> {
        let object = RootedValue::new(self.value());
        if is_callable(object.handle()) {
            return call_with(cx, this_arg, object.handle(), args);
        }
        rooted!(&in(cx) let mut method = UndefinedValue());
        let name = std::ffi::CString::new(operation).unwrap_or_default();
        if !JS_GetProperty(cx, self.object.handle(), name.as_ptr(), method.handle_mut()) {
            return Err(Error::JSFailed);
        }
        if !is_callable(method.handle()) {
            return Err(Error::Type(format!(
                "The '{operation}' property is not callable."
            )));
        }
        call_with(cx, object.handle(), method.handle(), args)
    }
}

impl ToJs for CallbackObject {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(self.value())
    }
}

impl PartialEq for CallbackObject {
    fn eq(&self, other: &Self) -> bool {
        self.object.get() == other.object.get()
    }
}
