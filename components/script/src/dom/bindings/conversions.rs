//! Web IDL <-> JS value conversions (https://webidl.spec.whatwg.org/#js-type-mapping).
//!
//! [`FromJs`] converts a JS value to the owned Rust form of an IDL type, [`ToJs`] the other way.
//! Generated code calls them with a [`Conv`] that carries the type's extended attributes
//! (`[EnforceRange]`, `[Clamp]`, `[LegacyNullToEmptyString]`) and where the value came from,
//! for error messages.

use std::ptr::NonNull;
use std::rc::Rc;

use mozjs::context::JSContext;
use mozjs::conversions::{
    jsstr_to_string, ConversionBehavior, ConversionResult, FromJSValConvertible, ToJSValConvertible,
};
use mozjs::jsapi::{Heap, JSObject, JSTracer};
use mozjs::jsval::{BooleanValue, DoubleValue, JSVal, NullValue, ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    JS_DefineProperty, JS_GetProperty, JS_NewPlainObject, NewArrayObject1,
};
use mozjs::rust::{HandleValue, MutableHandleValue, Trace};

use crate::dom::bindings::error::Error;
use crate::dom::bindings::reflector::{DomObject, IDLInterface, Reflector};
use crate::dom::bindings::root::DomRoot;
use crate::dom::bindings::utils::{is_instance_of, unwrap_dom_object_checked};

/// Web IDL `DOMString`, `USVString` and `ByteString` are all `String`s in Rust; lone
/// surrogates become U+FFFD on the way in, as for USVString.
pub type DOMString = String;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringKind {
    Dom,
    Usv,
    Byte,
}

/// How to convert one value: the IDL type's extended attributes and its origin.
#[derive(Clone, Copy, Debug)]
pub struct Conv {
    pub enforce_range: bool,
    pub clamp: bool,
    pub null_to_empty: bool,
    pub string: StringKind,
    /// `float`/`double` (not `unrestricted`): NaN and infinities are a TypeError.
    pub restricted: bool,
    /// `Interface.member`, for messages.
    pub context: &'static str,
}

impl Conv {
    pub const fn plain(context: &'static str) -> Conv {
        Conv {
            enforce_range: false,
            clamp: false,
            null_to_empty: false,
            string: StringKind::Dom,
            restricted: false,
            context,
        }
    }
}

pub trait FromJs: Sized {
    /// # Safety
    /// `cx` must be in a realm and `value` rooted.
    unsafe fn from_js(
        cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error>;
}

pub trait ToJs {
    /// # Safety
    /// `cx` must be in a realm and `rval` rooted.
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>);
}

/// Converts `value`; the generic entry point generated code uses.
///
/// # Safety
/// As [`FromJs::from_js`].
pub unsafe fn from_js<T: FromJs>(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    conv: &Conv,
) -> Result<T, Error> {
    T::from_js(cx, value, conv)
}

/// A default value of an optional argument or dictionary member, as the JS value that
/// converts to it.
#[derive(Clone, Copy, Debug)]
pub enum DefaultJs {
    Bool(bool),
    Number(f64),
    Str(&'static str),
    Null,
    Undefined,
    EmptySequence,
    EmptyDictionary,
}

/// Converts the JS equivalent of a default value.
///
/// # Safety
/// `cx` must be in a realm.
pub unsafe fn from_default<T: FromJs>(
    cx: &mut JSContext,
    default: DefaultJs,
    conv: &Conv,
) -> Result<T, Error> {
    rooted!(&in(cx) let mut value = UndefinedValue());
    match default {
        DefaultJs::Bool(b) => value.set(BooleanValue(b)),
        DefaultJs::Number(n) => value.set(DoubleValue(n)),
        DefaultJs::Str(s) => s.to_js(cx, value.handle_mut()),
        DefaultJs::Null => value.set(NullValue()),
        DefaultJs::Undefined | DefaultJs::EmptyDictionary => {}
        DefaultJs::EmptySequence => {
            let array = NewArrayObject1(cx, 0);
            value.set(ObjectValue(array));
        }
    }
    T::from_js(cx, value.handle(), conv)
}

fn conversion_failed(result: Result<ConversionResult<impl Sized>, ()>, conv: &Conv) -> Error {
    match result {
        Err(()) => Error::JSFailed,
        Ok(ConversionResult::Failure(message)) => {
            Error::Type(format!("{}: {}", conv.context, message.to_string_lossy()))
        }
        Ok(ConversionResult::Success(_)) => Error::JSFailed,
    }
}

macro_rules! integer_conversions {
    ($($t:ty),*) => {$(
        impl FromJs for $t {
            unsafe fn from_js(cx: &mut JSContext, value: HandleValue<'_>, conv: &Conv) -> Result<Self, Error> {
                let behavior = if conv.enforce_range {
                    ConversionBehavior::EnforceRange
                } else if conv.clamp {
                    ConversionBehavior::Clamp
                } else {
                    ConversionBehavior::Default
                };
                match <$t as FromJSValConvertible>::from_jsval(cx, value, behavior) {
                    Ok(ConversionResult::Success(v)) => Ok(v),
                    other => Err(conversion_failed(other, conv)),
                }
            }
        }
        impl ToJs for $t {
            unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
                self.to_jsval(cx, rval)
            }
        }
    )*};
}
integer_conversions!(i8, u8, i16, u16, i32, u32, i64, u64);

macro_rules! float_conversions {
    ($($t:ty),*) => {$(
        impl FromJs for $t {
            unsafe fn from_js(cx: &mut JSContext, value: HandleValue<'_>, conv: &Conv) -> Result<Self, Error> {
                let v = match <$t as FromJSValConvertible>::from_jsval(cx, value, ()) {
                    Ok(ConversionResult::Success(v)) => v,
                    other => return Err(conversion_failed(other, conv)),
                };
                if conv.restricted && !v.is_finite() {
                    return Err(Error::Type(format!("{}: the provided value is non-finite.", conv.context)));
                }
                Ok(v)
            }
        }
        impl ToJs for $t {
            unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
                self.to_jsval(cx, rval)
            }
        }
    )*};
}
float_conversions!(f32, f64);

impl FromJs for bool {
    unsafe fn from_js(
        _cx: &mut JSContext,
        value: HandleValue<'_>,
        _conv: &Conv,
    ) -> Result<Self, Error> {
        Ok(mozjs::rust::ToBoolean(value))
    }
}

impl ToJs for bool {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(BooleanValue(*self))
    }
}

impl ToJs for () {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(UndefinedValue())
    }
}

impl FromJs for String {
    unsafe fn from_js(
        cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if conv.null_to_empty && value.get().is_null() {
            return Ok(String::new());
        }
        let s = if value.get().is_string() {
            let js = NonNull::new(value.get().to_string()).ok_or(Error::JSFailed)?;
            jsstr_to_string(cx, js)
        } else {
            let js = mozjs::rust::ToString(cx, value);
            let js = NonNull::new(js).ok_or(Error::JSFailed)?;
            jsstr_to_string(cx, js)
        };
        if conv.string == StringKind::Byte && s.chars().any(|c| c as u32 > 0xFF) {
            return Err(Error::Type(format!(
                "{}: value is not a valid ByteString.",
                conv.context
            )));
        }
        Ok(s)
    }
}

/// A value converted to a string (ECMAScript ToString), as its UTF-16 code units: lone
/// surrogates kept, for callers that must see them (TextEncoderStream pairs a surrogate cut
/// between chunks).
///
/// # Safety
/// `value` rooted.
pub unsafe fn utf16_of(cx: &mut JSContext, value: HandleValue<'_>) -> Result<Vec<u16>, Error> {
    let js = if value.get().is_string() {
        value.get().to_string()
    } else {
        mozjs::rust::ToString(cx, value)
    };
    let js = NonNull::new(js).ok_or(Error::JSFailed)?;
    let mut length = 0;
    if mozjs::jsapi::JS_DeprecatedStringHasLatin1Chars(js.as_ptr()) {
        let chars =
            mozjs::rust::wrappers2::JS_GetLatin1StringCharsAndLength(cx, js.as_ptr(), &mut length);
        if chars.is_null() {
            return Err(Error::JSFailed);
        }
        let bytes = std::slice::from_raw_parts(chars, length);
        Ok(bytes.iter().map(|&byte| u16::from(byte)).collect())
    } else {
        let chars =
            mozjs::rust::wrappers2::JS_GetTwoByteStringCharsAndLength(cx, js.as_ptr(), &mut length);
        if chars.is_null() {
            return Err(Error::JSFailed);
        }
        Ok(std::slice::from_raw_parts(chars, length).to_vec())
    }
}

impl ToJs for str {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        self.to_jsval(cx, rval)
    }
}

impl ToJs for String {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        self.as_str().to_jsval(cx, rval)
    }
}

impl ToJs for JSVal {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        self.to_jsval(cx, rval)
    }
}

impl ToJs for *mut JSObject {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        self.to_jsval(cx, rval)
    }
}

/// A dictionary member of its own dictionary's type, boxed by the generator.
impl<T: FromJs> FromJs for Box<T> {
    unsafe fn from_js(
        cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        T::from_js(cx, value, conv).map(Box::new)
    }
}

impl<T: ToJs> ToJs for Box<T> {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        (**self).to_js(cx, rval)
    }
}

impl<T: FromJs> FromJs for Option<T> {
    unsafe fn from_js(
        cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if value.get().is_null_or_undefined() {
            Ok(None)
        } else {
            T::from_js(cx, value, conv).map(Some)
        }
    }
}

impl<T: ToJs> ToJs for Option<T> {
    unsafe fn to_js(&self, cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        match self {
            Some(v) => v.to_js(cx, rval),
            None => rval.set(NullValue()),
        }
    }
}

impl<T: ToJs + ?Sized> ToJs for &T {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        (**self).to_js(cx, rval)
    }
}

impl<T: ToJs + ?Sized> ToJs for Rc<T> {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        (**self).to_js(cx, rval)
    }
}

impl<T: DomObject + IDLInterface> FromJs for DomRoot<T> {
    unsafe fn from_js(
        _cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if value.get().is_object() {
            if let Some(object) = unwrap_dom_object_checked::<T>(value.get().to_object()) {
                return Ok(DomRoot::from_ref(&*object));
            }
        }
        Err(Error::Type(format!(
            "{}: value is not of type '{}'.",
            conv.context,
            T::NAME
        )))
    }
}

impl<T: DomObject + ToJs> ToJs for DomRoot<T> {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        (**self).to_js(cx, rval)
    }
}

/// Sets `rval` to a reflector's object.
///
/// # Safety
/// The reflector must belong to a live DOM object.
pub unsafe fn reflector_to_js(
    cx: &mut JSContext,
    reflector: &Reflector,
    mut rval: MutableHandleValue<'_>,
) {
    rval.set(ObjectValue(reflector.get()));
    // An object of another global of the thread (a frame's) is seen through a wrapper of the
    // current compartment; in its own compartment this costs one comparison.
    if !mozjs::rust::wrappers2::JS_WrapValue(cx, rval) {
        log::warn!(target: "bgsync::bindings", "cannot wrap a DOM object for another realm");
    }
}

/// A JS value held by Rust outside the JS stack (a dictionary member, a sequence element, a
/// union payload): rooted for as long as it lives.
pub struct RootedValue {
    heap: Box<Heap<JSVal>>,
    /// Its slot in the thread's heap-root table.
    slot: u32,
}

impl RootedValue {
    pub fn new(value: JSVal) -> RootedValue {
        let heap = Heap::boxed(value);
        // SAFETY: removed in Drop before the box is freed.
        let slot = unsafe {
            crate::dom::bindings::root::root_heap(&*heap as &dyn Trace as *const dyn Trace)
        };
        RootedValue { heap, slot }
    }
    pub fn undefined() -> RootedValue {
        RootedValue::new(UndefinedValue())
    }
    pub fn get(&self) -> JSVal {
        self.heap.get()
    }
    pub fn set(&self, value: JSVal) {
        self.heap.set(value)
    }
    pub fn handle(&self) -> HandleValue<'_> {
        // SAFETY: the heap cell is rooted (it is in the traceable set).
        unsafe { HandleValue::from_raw(self.heap.handle()) }
    }
}

impl Drop for RootedValue {
    fn drop(&mut self) {
        // SAFETY: it was added in new().
        crate::dom::bindings::root::unroot_heap(self.slot)
    }
}

impl Clone for RootedValue {
    fn clone(&self) -> Self {
        RootedValue::new(self.get())
    }
}

// SAFETY: traces the held value (also rooted; tracing twice is harmless).
unsafe impl Trace for RootedValue {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.heap.trace(trc)
    }
}

impl FromJs for RootedValue {
    unsafe fn from_js(
        _cx: &mut JSContext,
        value: HandleValue<'_>,
        _conv: &Conv,
    ) -> Result<Self, Error> {
        Ok(RootedValue::new(value.get()))
    }
}

impl ToJs for RootedValue {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        self.get().to_js(cx, rval)
    }
}

/// A JS object held by Rust: Web IDL `object` and buffer source types; rooted while it lives.
pub struct RootedObject {
    heap: Box<Heap<*mut JSObject>>,
    /// Its slot in the thread's heap-root table.
    slot: u32,
}

impl RootedObject {
    pub fn new(object: *mut JSObject) -> RootedObject {
        let heap = Heap::boxed(object);
        // SAFETY: removed in Drop before the box is freed.
        let slot = unsafe {
            crate::dom::bindings::root::root_heap(&*heap as &dyn Trace as *const dyn Trace)
        };
        RootedObject { heap, slot }
    }
    pub fn get(&self) -> *mut JSObject {
        self.heap.get()
    }
    pub fn handle(&self) -> mozjs::rust::HandleObject<'_> {
        // SAFETY: the heap cell is rooted (it is in the traceable set).
        unsafe { mozjs::rust::HandleObject::from_raw(self.heap.handle()) }
    }
}

impl Drop for RootedObject {
    fn drop(&mut self) {
        // SAFETY: it was added in new().
        crate::dom::bindings::root::unroot_heap(self.slot)
    }
}

// SAFETY: traces the held object.
unsafe impl Trace for RootedObject {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.heap.trace(trc)
    }
}

impl FromJs for RootedObject {
    unsafe fn from_js(
        _cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if !value.get().is_object() {
            return Err(Error::Type(format!(
                "{}: value is not an object.",
                conv.context
            )));
        }
        Ok(RootedObject::new(value.get().to_object()))
    }
}

impl ToJs for RootedObject {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(ObjectValue(self.get()))
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    unsafe fn from_js(
        cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        if !value.get().is_object() {
            return Err(Error::Type(format!(
                "{}: value can't be converted to a sequence.",
                conv.context
            )));
        }
        let mut out = Vec::new();
        crate::dom::bindings::utils::iterate(cx, value, conv, |cx, item| {
            out.push(T::from_js(cx, item, conv)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        self.as_slice().to_js(cx, rval)
    }
}

/// A `FrozenArray<T>` a method returns: a new array of its elements, frozen
/// (https://webidl.spec.whatwg.org/#js-frozen-array).
pub struct Frozen<T>(pub Vec<T>);

impl<T: ToJs> ToJs for Frozen<T> {
    unsafe fn to_js(&self, cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        self.0.to_js(cx, rval.reborrow());
        if rval.get().is_object() {
            rooted!(&in(cx) let array = rval.get().to_object());
            // Freezing a new plain array fails only on out-of-memory, which is pending then.
            let _ = mozjs::rust::wrappers2::JS_FreezeObject(cx, array.handle());
        }
    }
}

impl<T: ToJs> ToJs for [T] {
    unsafe fn to_js(&self, cx: &mut JSContext, rval: MutableHandleValue<'_>) {
        array_to_js(cx, self.len(), |cx, i, item| self[i].to_js(cx, item), rval);
    }
}

/// A new array of `length` elements, each made by `element(cx, index, rval)`, in `rval`
/// (undefined if it cannot be made). Each element goes into the rooted array as soon as it is
/// made: making the next may collect garbage and move it.
///
/// # Safety
/// `cx` in a realm; `rval` rooted.
pub unsafe fn array_to_js(
    cx: &mut JSContext,
    length: usize,
    mut element: impl FnMut(&mut JSContext, usize, MutableHandleValue<'_>),
    mut rval: MutableHandleValue<'_>,
) {
    rooted!(&in(cx) let array = NewArrayObject1(cx, length));
    if array.get().is_null() {
        rval.set(UndefinedValue());
        return;
    }
    rooted!(&in(cx) let mut item = UndefinedValue());
    for index in 0..length {
        element(cx, index, item.handle_mut());
        mozjs::rust::wrappers2::JS_DefineElement(
            cx,
            array.handle(),
            index as u32,
            item.handle(),
            mozjs::jsapi::JSPROP_ENUMERATE as u32,
        );
    }
    rval.set(ObjectValue(array.get()));
}

impl ToJs for HandleValue<'_> {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(self.get())
    }
}

/// Web IDL `record<DOMString, V>` becomes an object with those properties, in order.
impl<V: ToJs> ToJs for Vec<(String, V)> {
    unsafe fn to_js(&self, cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        let object = new_plain_object(cx);
        for (key, value) in self {
            define_member(cx, &object, key, value);
        }
        rval.set(ObjectValue(object.get()));
    }
}

impl<V: FromJs> FromJs for Vec<(String, V)> {
    unsafe fn from_js(
        cx: &mut JSContext,
        value: HandleValue<'_>,
        conv: &Conv,
    ) -> Result<Self, Error> {
        crate::dom::bindings::utils::record_from_js(cx, value, conv)
    }
}

/// A plain object being built by Rust (a dictionary's JS form).
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn new_plain_object(cx: &mut JSContext) -> RootedObject {
    RootedObject::new(JS_NewPlainObject(cx))
}

/// # Safety
/// `rval` rooted.
pub unsafe fn object_to_js(object: &RootedObject, mut rval: MutableHandleValue<'_>) {
    rval.set(ObjectValue(object.get()))
}

/// Defines one dictionary member on `object`.
///
/// # Safety
/// `cx` in the object's realm.
pub unsafe fn define_member<T: ToJs + ?Sized>(
    cx: &mut JSContext,
    object: &RootedObject,
    name: &str,
    value: &T,
) {
    rooted!(&in(cx) let mut v = UndefinedValue());
    value.to_js(cx, v.handle_mut());
    let name = std::ffi::CString::new(name).unwrap_or_default();
    JS_DefineProperty(
        cx,
        object.handle(),
        name.as_ptr(),
        v.handle(),
        mozjs::jsapi::JSPROP_ENUMERATE as u32,
    );
}

/// The object a dictionary is read from: `None` for undefined and null (all defaults).
///
/// # Safety
/// `value` rooted.
pub unsafe fn dictionary_object(
    value: HandleValue<'_>,
    name: &str,
) -> Result<Option<RootedObject>, Error> {
    let v = value.get();
    if v.is_null_or_undefined() {
        Ok(None)
    } else if v.is_object() {
        Ok(Some(RootedObject::new(v.to_object())))
    } else {
        Err(Error::Type(format!(
            "Value can't be converted to a dictionary ({name})."
        )))
    }
}

unsafe fn get_member(
    cx: &mut JSContext,
    object: &Option<RootedObject>,
    name: &str,
) -> Result<RootedValue, Error> {
    let value = RootedValue::undefined();
    if let Some(object) = object {
        rooted!(&in(cx) let mut v = UndefinedValue());
        let cname = std::ffi::CString::new(name).unwrap_or_default();
        if !JS_GetProperty(cx, object.handle(), cname.as_ptr(), v.handle_mut()) {
            return Err(Error::JSFailed);
        }
        value.set(v.get());
    }
    Ok(value)
}

/// A required dictionary member.
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn dict_required<T: FromJs>(
    cx: &mut JSContext,
    object: &Option<RootedObject>,
    member: &str,
    dictionary: &str,
    conv: &Conv,
) -> Result<T, Error> {
    let value = get_member(cx, object, member)?;
    if value.get().is_undefined() {
        return Err(Error::Type(format!(
            "Failed to read the '{member}' property from '{dictionary}': Required member is undefined."
        )));
    }
    T::from_js(cx, value.handle(), conv)
}

/// An optional dictionary member with a default value.
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn dict_member_or<T: FromJs>(
    cx: &mut JSContext,
    object: &Option<RootedObject>,
    member: &str,
    default: DefaultJs,
    conv: &Conv,
) -> Result<T, Error> {
    let value = get_member(cx, object, member)?;
    if value.get().is_undefined() {
        return from_default(cx, default, conv);
    }
    T::from_js(cx, value.handle(), conv)
}

/// An optional dictionary member without a default: `None` when absent.
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn dict_member<T: FromJs>(
    cx: &mut JSContext,
    object: &Option<RootedObject>,
    member: &str,
    conv: &Conv,
) -> Result<Option<T>, Error> {
    let value = get_member(cx, object, member)?;
    if value.get().is_undefined() {
        return Ok(None);
    }
    T::from_js(cx, value.handle(), conv).map(Some)
}

/// Whether `value` is callable.
///
/// # Safety
/// `value` rooted.
pub unsafe fn is_callable(value: HandleValue<'_>) -> bool {
    value.get().is_object() && mozjs::jsapi::IsCallable(value.get().to_object())
}

/// Whether `value` is a DOM object implementing `T`.
///
/// # Safety
/// `value` rooted.
pub unsafe fn is_instance<T: IDLInterface>(value: HandleValue<'_>) -> bool {
    value.get().is_object() && is_instance_of::<T>(value.get().to_object())
}
