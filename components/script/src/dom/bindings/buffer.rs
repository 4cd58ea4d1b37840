//! Web IDL's buffer types (https://webidl.spec.whatwg.org/#idl-buffer-source-types) as the
//! generated bindings pass them: `ArrayBuffer`, `SharedArrayBuffer`, the typed arrays,
//! `DataView`, and the typedefs `ArrayBufferView`, `BufferSource` and
//! `AllowSharedBufferSource`. Each is a rooted object that conversion checked to be of its
//! type (a TypeError otherwise), so an operation that takes a `Uint8Array` gets one, with no
//! `unsafe` in the DOM code that reads or writes its bytes.

use mozjs::jsapi::JSObject;
use mozjs::jsval::ObjectValue;
use mozjs::rooted;
use mozjs::rust::{HandleValue, MutableHandleValue};
use mozjs::typedarray::{self, CreateWith};

use crate::dom::bindings::conversions::{Conv, FromJs, RootedObject, ToJs};
use crate::dom::bindings::error::{Error, Fallible};
use mozjs::context::JSContext;

/// Whether `object` is an ArrayBuffer view of element type `scalar` (for the typed arrays
/// that mozjs's typedarray module has no alias for).
fn is_view_of(object: *mut JSObject, scalar: mozjs::jsapi::JS::Scalar::Type) -> bool {
    // SAFETY: `object` is a live object of a value being converted.
    unsafe {
        mozjs::jsapi::JS_IsArrayBufferViewObject(object)
            && mozjs::jsapi::JS_GetArrayBufferViewType(object) == scalar
    }
}

fn is_array_buffer(object: *mut JSObject) -> bool {
    typedarray::ArrayBuffer::from(object).is_ok()
}

fn is_shared_array_buffer(object: *mut JSObject) -> bool {
    // SAFETY: as above.
    unsafe { mozjs::jsapi::JS::IsSharedArrayBufferObject(object) }
}

fn is_view(object: *mut JSObject) -> bool {
    typedarray::ArrayBufferView::from(object).is_ok()
}

fn is_data_view(object: *mut JSObject) -> bool {
    // SAFETY: as above.
    is_view(object) && unsafe { !mozjs::jsapi::JS_IsTypedArrayObject(object) }
}

/// A copy of the bytes of an ArrayBuffer (shared or not) or a view's window on its buffer:
/// empty when the buffer is detached.
fn bytes_of(object: *mut JSObject) -> Vec<u8> {
    typedarray::ArrayBuffer::from(object)
        .ok()
        .and_then(|buffer| buffer.to_vec())
        .or_else(|| {
            typedarray::ArrayBufferView::from(object)
                .ok()
                .and_then(|view| view.to_vec())
        })
        .unwrap_or_default()
}

macro_rules! buffer_types {
    ($($(#[$doc:meta])* $name:ident, $what:literal, $is:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name(RootedObject);

        impl $name {
            pub fn get(&self) -> *mut JSObject {
                self.0.get()
            }

            /// A copy of its bytes (for a view, those it shows; empty when detached).
            pub fn to_vec(&self) -> Vec<u8> {
                bytes_of(self.0.get())
            }
        }

        impl FromJs for $name {
            unsafe fn from_js(
                _cx: &mut JSContext,
                value: HandleValue<'_>,
                conv: &Conv,
            ) -> Result<Self, Error> {
                if value.get().is_object() {
                    let object = value.get().to_object();
                    let is: fn(*mut JSObject) -> bool = $is;
                    if is(object) {
                        return Ok($name(RootedObject::new(object)));
                    }
                }
                Err(Error::Type(format!(
                    "{}: value is not {}.",
                    conv.context, $what
                )))
            }
        }

        impl ToJs for $name {
            unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
                rval.set(ObjectValue(self.0.get()))
            }
        }
    )*};
}

buffer_types! {
    ArrayBuffer, "an ArrayBuffer", is_array_buffer;
    SharedArrayBuffer, "a SharedArrayBuffer", is_shared_array_buffer;
    DataView, "a DataView", is_data_view;
    Int8Array, "an Int8Array", |o| typedarray::Int8Array::from(o).is_ok();
    Int16Array, "an Int16Array", |o| typedarray::Int16Array::from(o).is_ok();
    Int32Array, "an Int32Array", |o| typedarray::Int32Array::from(o).is_ok();
    /// `[AllowShared] Uint8Array` too: a view of a SharedArrayBuffer is accepted.
    Uint8Array, "a Uint8Array", |o| typedarray::Uint8Array::from(o).is_ok();
    Uint16Array, "a Uint16Array", |o| typedarray::Uint16Array::from(o).is_ok();
    Uint32Array, "a Uint32Array", |o| typedarray::Uint32Array::from(o).is_ok();
    Uint8ClampedArray, "a Uint8ClampedArray", |o| typedarray::Uint8ClampedArray::from(o).is_ok();
    Float32Array, "a Float32Array", |o| typedarray::Float32Array::from(o).is_ok();
    Float64Array, "a Float64Array", |o| typedarray::Float64Array::from(o).is_ok();
    BigInt64Array, "a BigInt64Array",
        |o| is_view_of(o, mozjs::jsapi::JS::Scalar::Type::BigInt64);
    BigUint64Array, "a BigUint64Array",
        |o| is_view_of(o, mozjs::jsapi::JS::Scalar::Type::BigUint64);
    /// A typed array or a DataView.
    ArrayBufferView, "an ArrayBufferView", is_view;
    /// An ArrayBuffer or a view of one.
    BufferSource, "an ArrayBuffer or ArrayBufferView", |o| is_array_buffer(o) || is_view(o);
    /// BufferSource, or a SharedArrayBuffer (or a view of one).
    AllowSharedBufferSource, "an ArrayBuffer, SharedArrayBuffer or ArrayBufferView",
        |o| is_array_buffer(o) || is_shared_array_buffer(o) || is_view(o);
}

impl Uint8Array {
    /// A new Uint8Array holding a copy of `bytes`, in the current realm.
    pub fn new(cx: &mut JSContext, bytes: &[u8]) -> Fallible<Uint8Array> {
        rooted!(&in(cx) let mut object = std::ptr::null_mut::<JSObject>());
        // SAFETY: `cx` is in a realm (bindings call in one); the result is rooted above.
        let created = unsafe {
            typedarray::Uint8Array::create(cx, CreateWith::Slice(bytes), object.handle_mut())
        };
        if created.is_err() {
            return Err(Error::Range("Out of memory creating a Uint8Array.".into()));
        }
        Ok(Uint8Array(RootedObject::new(object.get())))
    }

    /// Its length in elements (0 when detached).
    pub fn len(&self) -> usize {
        typedarray::Uint8Array::from(self.0.get()).map_or(0, |array| array.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lets `write` fill its bytes in place (nothing when detached), with no script running
    /// meanwhile: the slice is valid for the call only. Returns what `write` returned.
    pub fn write_with<R>(&self, write: impl FnOnce(&mut [u8]) -> R) -> Option<R> {
        let mut array = typedarray::Uint8Array::from(self.0.get()).ok()?;
        // SAFETY: no JS runs while `write` has the slice (it is plain Rust, given no context),
        // so the buffer cannot be detached or moved under it.
        #[allow(deprecated)]
        let slice = unsafe { array.as_mut_slice()? };
        Some(write(slice))
    }
}
