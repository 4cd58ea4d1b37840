//! The runtime side of generated JSNatives: `this` checks, argument access, turning Rust
//! errors into exceptions or rejected promises, and object helpers.

use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use mozjs::context::{JSContext, RawJSContext};
use mozjs::jsapi::{
    CallArgs, GetWellKnownSymbol, JSObject, JSTracer, SymbolCode, JSCLASS_IS_DOMJSCLASS,
};
use mozjs::jsid::SymbolId;
use mozjs::jsval::{JSVal, ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    CurrentGlobalOrNull, GetPropertyKeys, JS_DefineProperty, JS_GetProperty, JS_GetPropertyById,
    JS_HasPropertyById, JS_IsExceptionPending, JS_SetProperty, RejectPromise,
};
use mozjs::rust::{get_object_class, HandleValue, IdVector, MutableHandleValue, Trace};

use crate::dom::bindings::conversions::{Conv, FromJs, ToJs};
use crate::dom::bindings::error::{take_pending_exception, throw_error, Error};
use crate::dom::bindings::global::BindingGlobal;
use crate::dom::bindings::interface::DomClass;
use crate::dom::bindings::reflector::{DomObject, IDLInterface};

/// Reserved slot of a DOM object holding its boxed Rust struct.
pub const DOM_OBJECT_SLOT: u32 = 0;

/// The Rust struct behind `object` if it is a DOM object implementing `T`.
///
/// An object of a same-origin frame's realm reaches the caller as a cross-compartment wrapper
/// (a Blob of the page given to its frame's `fetch()`): the wrapper is looked through, as the
/// object it stands for is what the caller passed. Only same-origin frames reach each other's
/// objects (see `htmliframeelement`), so no check of the origin is needed here.
///
/// # Safety
/// `object` must be a live object.
pub unsafe fn unwrap_dom_object_checked<T: IDLInterface>(
    object: *mut JSObject,
) -> Option<*const T> {
    if object.is_null() {
        return None;
    }
    let object = mozjs::glue::UncheckedUnwrapObject(object, false);
    if object.is_null() || !is_instance_of::<T>(object) {
        return None;
    }
    Some(unwrap_dom_object::<T>(object))
}

/// Whether `object` is a DOM object implementing `T` (its class's chain contains `T`), looking
/// through a same-origin frame's wrapper as [`unwrap_dom_object_checked`] does.
///
/// # Safety
/// `object` must be a live object.
pub unsafe fn is_instance_of<T: IDLInterface>(object: *mut JSObject) -> bool {
    let object = mozjs::glue::UncheckedUnwrapObject(object, false);
    if object.is_null() {
        return false;
    }
    let class = get_object_class(object);
    if (*class).flags & JSCLASS_IS_DOMJSCLASS == 0 {
        return false;
    }
    DomClass::of(object).implements(T::PROTO_ID, T::DEPTH)
}

/// The Rust struct behind a DOM object, without checks.
///
/// # Safety
/// `object` must be a DOM object whose struct is (or starts with) `T`.
pub unsafe fn unwrap_dom_object<T>(object: *mut JSObject) -> *const T {
    let mut value = UndefinedValue();
    mozjs::glue::JS_GetReservedSlot(object, DOM_OBJECT_SLOT, &mut value);
    value.to_private() as *const T
}

/// Frees the struct of a finalized DOM object.
///
/// # Safety
/// Only from the finalize hook of `T`'s class.
pub unsafe fn finalize_dom_object<T>(object: *mut JSObject) {
    let mut value = UndefinedValue();
    mozjs::glue::JS_GetReservedSlot(object, DOM_OBJECT_SLOT, &mut value);
    if value.is_undefined() {
        return;
    }
    let ptr = value.to_private() as *mut T;
    if !ptr.is_null() {
        drop(Box::from_raw(ptr));
    }
}

/// Traces the struct of a DOM object (and, for a global, the global's own slots).
///
/// # Safety
/// Only from the trace hook of `T`'s class.
pub unsafe fn trace_dom_object<T: Trace>(
    trc: *mut JSTracer,
    object: *mut JSObject,
    is_global: bool,
) {
    if is_global {
        mozjs::jsapi::JS_GlobalObjectTraceHook(trc, object);
    }
    let mut value = UndefinedValue();
    mozjs::glue::JS_GetReservedSlot(object, DOM_OBJECT_SLOT, &mut value);
    if value.is_undefined() {
        return;
    }
    let ptr = value.to_private() as *const T;
    if !ptr.is_null() {
        (*ptr).trace(trc);
    }
}

/// The `index`th argument as a handle (undefined past the end).
pub fn arg(args: &CallArgs, index: u32) -> HandleValue<'_> {
    // SAFETY: CallArgs' values are rooted by the caller's stack frame.
    unsafe { HandleValue::from_raw(args.get(index)) }
}

/// The return value slot of a native call.
pub fn rval(args: &CallArgs) -> MutableHandleValue<'_> {
    // SAFETY: the slot is rooted by the caller's stack frame.
    unsafe { MutableHandleValue::from_raw(args.rval()) }
}

/// Web IDL: too few arguments is a TypeError.
pub fn check_arg_count(args: &CallArgs, required: usize, context: &str) -> Result<(), Error> {
    let given = args.argc_ as usize;
    if given >= required {
        return Ok(());
    }
    let (iface, member) = context.split_once('.').unwrap_or((context, ""));
    let plural = if required == 1 { "" } else { "s" };
    let what = if member == "constructor" {
        format!("Failed to construct '{iface}'")
    } else {
        format!("Failed to execute '{member}' on '{iface}'")
    };
    Err(Error::Type(format!(
        "{what}: {required} argument{plural} required, but only {given} present."
    )))
}

/// Runs a native's body, catching panics so they never unwind into SpiderMonkey.
unsafe fn guarded(cx: &mut JSContext, body: impl FnOnce(&mut JSContext) -> bool) -> bool {
    match catch_unwind(AssertUnwindSafe(|| body(cx))) {
        Ok(ok) => ok,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            log::error!(target: "bgsync::bindings", "panic in a DOM method: {message}");
            if !JS_IsExceptionPending(cx) {
                mozjs::error::throw_internal_error(
                    cx,
                    &CString::new(format!("internal error: {message}")).unwrap_or_default(),
                );
            }
            false
        }
    }
}

/// Finishes a native: an error becomes a thrown exception, or for a promise-returning
/// operation a promise rejected with it (Web IDL: such operations never throw).
unsafe fn finish<G: BindingGlobal>(
    cx: &mut JSContext,
    args: &CallArgs,
    result: Result<(), Error>,
    returns_promise: bool,
) -> bool {
    let Err(error) = result else { return true };
    let global = G::from_object(CurrentGlobalOrNull(cx));
    throw_error(cx, global, error);
    if !returns_promise {
        return false;
    }
    rooted!(&in(cx) let mut exception = UndefinedValue());
    if !take_pending_exception(cx, exception.handle_mut()) {
        return false;
    }
    rooted!(&in(cx) let promise = mozjs::rust::wrappers2::NewPromiseObject(cx, mozjs::rust::HandleObject::null()));
    if promise.get().is_null() {
        return false;
    }
    RejectPromise(cx, promise.handle(), exception.handle());
    args.rval().set(ObjectValue(promise.get()));
    true
}

/// The body of an instance operation or attribute accessor of interface `T`.
///
/// # Safety
/// Called only as a JSNative with SpiderMonkey's arguments.
pub unsafe fn call_method<T: DomObject + IDLInterface, G: BindingGlobal>(
    raw_cx: *mut RawJSContext,
    argc: u32,
    vp: *mut JSVal,
    iface: &str,
    member: &str,
    returns_promise: bool,
    body: impl FnOnce(&mut JSContext, &T, &CallArgs) -> Result<(), Error>,
) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    let args = CallArgs::from_vp(vp, argc);
    guarded(&mut cx, |cx| {
        let thisv = args.thisv();
        // Web IDL: an undefined or null `this` means the current global (for members of
        // global interfaces called unqualified, like `setTimeout(f)`).
        let this_object = if thisv.get().is_object() {
            thisv.get().to_object()
        } else if thisv.get().is_null_or_undefined() {
            CurrentGlobalOrNull(cx)
        } else {
            std::ptr::null_mut()
        };
        let this = if this_object.is_null() {
            None
        } else {
            unwrap_dom_object_checked::<T>(this_object)
        };
        crate::script_runtime::gc_zeal(cx, "native");
        let result = match this {
            Some(this) => body(cx, &*this, &args),
            None => Err(Error::Type(format!(
                "'{member}' called on an object that does not implement interface {iface}."
            ))),
        };
        finish::<G>(cx, &args, result, returns_promise)
    })
}

/// The body of a static operation or attribute, or a namespace operation.
///
/// # Safety
/// Called only as a JSNative with SpiderMonkey's arguments.
pub unsafe fn call_static<G: BindingGlobal>(
    raw_cx: *mut RawJSContext,
    argc: u32,
    vp: *mut JSVal,
    _context: &str,
    returns_promise: bool,
    body: impl FnOnce(&mut JSContext, &G, &CallArgs) -> Result<(), Error>,
) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    let args = CallArgs::from_vp(vp, argc);
    guarded(&mut cx, |cx| {
        let global = G::from_object(CurrentGlobalOrNull(cx));
        let result = body(cx, global, &args);
        finish::<G>(cx, &args, result, returns_promise)
    })
}

/// The body of an interface's constructor: checks `new`, finds the prototype of `new.target`
/// (so JS subclasses get theirs), runs the overload.
///
/// # Safety
/// Called only as a JSNative with SpiderMonkey's arguments.
pub unsafe fn call_constructor<G: BindingGlobal>(
    raw_cx: *mut RawJSContext,
    argc: u32,
    vp: *mut JSVal,
    iface: &str,
    id: crate::dom::bindings::interface::PrototypeId,
    body: impl FnOnce(
        &mut JSContext,
        &G,
        Option<crate::dom::bindings::conversions::RootedObject>,
        &CallArgs,
    ) -> Result<(), Error>,
) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    let args = CallArgs::from_vp(vp, argc);
    guarded(&mut cx, |cx| {
        let global = G::from_object(CurrentGlobalOrNull(cx));
        if !args.is_constructing() {
            let error = Error::Type(format!(
                "Failed to construct '{iface}': Please use the 'new' operator, this DOM object constructor cannot be called as a function."
            ));
            return finish::<G>(cx, &args, Err(error), false);
        }
        let new_target = args.new_target();
        let mut proto = None;
        if new_target.get().is_object() {
            rooted!(&in(cx) let target = new_target.get().to_object());
            rooted!(&in(cx) let mut p = UndefinedValue());
            if !JS_GetProperty(cx, target.handle(), c"prototype".as_ptr(), p.handle_mut()) {
                return false;
            }
            if p.get().is_object() && p.get().to_object() != global.proto(id) {
                proto = Some(crate::dom::bindings::conversions::RootedObject::new(
                    p.get().to_object(),
                ));
            }
        }
        let result = body(cx, global, proto, &args);
        finish::<G>(cx, &args, result, false)
    })
}

/// `[PutForwards=target]`: `this[attribute][target] = value`.
///
/// # Safety
/// Inside a native.
pub unsafe fn put_forwards(
    cx: &mut JSContext,
    args: &CallArgs,
    attribute: &str,
    target: &str,
) -> Result<(), Error> {
    rooted!(&in(cx) let this = args.thisv().get().to_object());
    rooted!(&in(cx) let mut value = UndefinedValue());
    let attribute = CString::new(attribute).unwrap_or_default();
    if !JS_GetProperty(cx, this.handle(), attribute.as_ptr(), value.handle_mut()) {
        return Err(Error::JSFailed);
    }
    if !value.get().is_object() {
        return Err(Error::Type("PutForwards target is not an object".into()));
    }
    rooted!(&in(cx) let forward = value.get().to_object());
    let target = CString::new(target).unwrap_or_default();
    if !JS_SetProperty(cx, forward.handle(), target.as_ptr(), arg(args, 0)) {
        return Err(Error::JSFailed);
    }
    Ok(())
}

/// `[Replaceable]`: assigning defines an own data property that shadows the accessor.
///
/// # Safety
/// Inside a native.
pub unsafe fn replace_with_data_property(
    cx: &mut JSContext,
    args: &CallArgs,
    attribute: &str,
) -> Result<(), Error> {
    rooted!(&in(cx) let this = args.thisv().get().to_object());
    let attribute = CString::new(attribute).unwrap_or_default();
    if !JS_DefineProperty(
        cx,
        this.handle(),
        attribute.as_ptr(),
        arg(args, 0),
        mozjs::jsapi::JSPROP_ENUMERATE as u32,
    ) {
        return Err(Error::JSFailed);
    }
    Ok(())
}

/// Whether `value` is an ArrayBuffer or a view on one.
///
/// # Safety
/// `value` rooted.
pub unsafe fn is_buffer(value: HandleValue<'_>) -> bool {
    if !value.get().is_object() {
        return false;
    }
    let object = value.get().to_object();
    mozjs::jsapi::JS::IsArrayBufferObject(object)
        || mozjs::jsapi::JS_IsArrayBufferViewObject(object)
}

/// Whether `value` has a `Symbol.iterator` (so it converts to a sequence).
///
/// # Safety
/// `value` rooted, `cx` in a realm.
pub unsafe fn is_iterable(cx: &mut JSContext, value: HandleValue<'_>) -> Result<bool, Error> {
    rooted!(&in(cx) let object = value.get().to_object());
    rooted!(&in(cx) let id = SymbolId(GetWellKnownSymbol(cx.raw_cx(), SymbolCode::iterator)));
    let mut found = false;
    if !JS_HasPropertyById(cx, object.handle(), id.handle(), &mut found) {
        return Err(Error::JSFailed);
    }
    Ok(found)
}

/// Runs `each` for every value the iterable `value` yields (Web IDL sequence conversion).
///
/// # Safety
/// `value` rooted, `cx` in a realm.
pub unsafe fn iterate(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    conv: &Conv,
    mut each: impl FnMut(&mut JSContext, HandleValue<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    if !is_iterable(cx, value)? {
        return Err(Error::Type(format!(
            "{}: value can't be converted to a sequence (it is not iterable).",
            conv.context
        )));
    }
    let mut failure: Option<Error> = None;
    let result = mozjs::rust::for_of(cx, value, |cx: &mut JSContext, item| match each(cx, item) {
        Ok(()) => Ok(std::ops::ControlFlow::Continue(())),
        Err(e) => {
            failure = Some(e);
            Err(mozjs::rust::ForOfIterationFailure::<()>::JSFailed)
        }
    });
    match (result, failure) {
        (_, Some(e)) => Err(e),
        (Ok(()), None) => Ok(()),
        (Err(_), None) => Err(Error::JSFailed),
    }
}

/// Web IDL `record<DOMString, V>`: the object's own enumerable string-keyed properties.
///
/// # Safety
/// `value` rooted, `cx` in a realm.
pub unsafe fn record_from_js<V: FromJs>(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    conv: &Conv,
) -> Result<Vec<(String, V)>, Error> {
    if !value.get().is_object() {
        return Err(Error::Type(format!(
            "{}: value is not an object.",
            conv.context
        )));
    }
    rooted!(&in(cx) let object = value.get().to_object());
    let mut ids = IdVector::new(cx);
    if !GetPropertyKeys(
        cx,
        object.handle(),
        mozjs::jsapi::JSITER_OWNONLY,
        ids.handle_mut(),
    ) {
        return Err(Error::JSFailed);
    }
    let mut out = Vec::new();
    for id in ids.iter() {
        rooted!(&in(cx) let id = *id);
        if !id.get().is_string() {
            continue;
        }
        rooted!(&in(cx) let mut key = UndefinedValue());
        mozjs::rust::wrappers2::JS_IdToValue(cx, id.get(), key.handle_mut());
        let key: String = FromJs::from_js(cx, key.handle(), conv)?;
        rooted!(&in(cx) let mut item = UndefinedValue());
        if !JS_GetPropertyById(cx, object.handle(), id.handle(), item.handle_mut()) {
            return Err(Error::JSFailed);
        }
        out.push((key, V::from_js(cx, item.handle(), conv)?));
    }
    Ok(out)
}

/// An iterable's pair snapshot as an array of `[key, value]` arrays.
///
/// # Safety
/// `cx` in a realm, `rval` rooted.
pub unsafe fn pairs_to_js<K: ToJs, V: ToJs>(
    cx: &mut JSContext,
    pairs: &[(K, V)],
    rval: MutableHandleValue<'_>,
) {
    struct Pair<'a, K, V>(&'a K, &'a V);
    impl<K: ToJs, V: ToJs> ToJs for Pair<'_, K, V> {
        unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
            let both: [&dyn ToJs; 2] = [self.0, self.1];
            both.as_slice().to_js(cx, rval)
        }
    }
    let list: Vec<Pair<'_, K, V>> = pairs.iter().map(|(k, v)| Pair(k, v)).collect();
    list.to_js(cx, rval)
}

/// `[LegacyTreatNonObjectAsNull]` event handler conversion: a non-object is null.
///
/// # Safety
/// `value` rooted, `cx` in a realm.
pub unsafe fn event_handler_from_js<C: crate::dom::bindings::callback::AsCallback>(
    cx: &mut JSContext,
    value: HandleValue<'_>,
) -> Result<Option<std::rc::Rc<C>>, Error> {
    if !value.get().is_object() {
        return Ok(None);
    }
    let callback = crate::dom::bindings::callback::CallbackFunction::new_unchecked(
        cx,
        value.get().to_object(),
    );
    Ok(Some(std::rc::Rc::new(C::from_callback(callback))))
}
