//! Reflectors: the link between a DOM struct and the JS object that owns it.
//!
//! Every DOM object is a Rust struct owned by its JS object (the reflector): the struct is
//! boxed, its pointer lives in reserved slot 0 of the JS object, and the class's finalize hook
//! frees it. DOM structs are `#[repr(C)]` and start with their Web IDL parent's struct, down to
//! a root struct that starts with a [`Reflector`]; that is what lets the bindings upcast with a
//! pointer cast, and find the reflector of any DOM struct at offset 0.

use std::cell::UnsafeCell;

use mozjs::jsapi::{Heap, JSObject, JSTracer};
use mozjs::rust::{HandleObject, Trace};

use crate::dom::bindings::interface::DomClass;
use crate::dom::bindings::interface::PrototypeId;

/// The JS object of a DOM struct. Not traced by its owner: the JS object owns the struct, and
/// the class's `objectMoved` hook keeps this pointer current when the GC compacts.
pub struct Reflector {
    object: UnsafeCell<*mut JSObject>,
}

impl Default for Reflector {
    fn default() -> Self {
        Self::new()
    }
}

impl Reflector {
    pub fn new() -> Reflector {
        Reflector {
            object: UnsafeCell::new(std::ptr::null_mut()),
        }
    }

    pub fn get_jsobject(&self) -> HandleObject<'_> {
        // SAFETY: the reflector field is traced as an edge (by Dom<T>, DomRoot<T> and the
        // root list) or updated by objectMoved, so it is a valid marked location.
        unsafe { HandleObject::from_marked_location(self.object.get()) }
    }

    pub fn get(&self) -> *mut JSObject {
        // SAFETY: a plain read of a pointer only this thread writes.
        unsafe { *self.object.get() }
    }

    /// Called once when the JS object is created, and by the objectMoved hook.
    pub(crate) fn set(&self, object: *mut JSObject) {
        // SAFETY: only this thread touches the reflector.
        unsafe { *self.object.get() = object }
    }

    /// Traces the reflector as a GC edge, keeping its object (and so the struct) alive.
    ///
    /// # Safety
    /// `trc` is a tracer handed to us by SpiderMonkey.
    pub unsafe fn trace_edge(&self, trc: *mut JSTracer, name: &'static std::ffi::CStr) {
        // Heap<*mut JSObject> has the same layout as a pointer; tracing it as a heap edge
        // lets a moving GC update it in place.
        let heap = self.object.get() as *const Heap<*mut JSObject>;
        mozjs::glue::CallObjectTracer(trc, heap as *mut Heap<*mut JSObject>, name.as_ptr());
    }
}

/// A DOM struct: something with a reflector. Implemented by generated code for every interface.
///
/// # Safety
/// The implementor must be `#[repr(C)]` with a Reflector at offset 0 (through its parents).
pub unsafe trait DomObject: 'static {
    fn reflector(&self) -> &Reflector;
}

/// What the bindings know statically about an interface's Rust struct.
pub trait IDLInterface {
    const PROTO_ID: PrototypeId;
    /// Distance from the root of the interface's inheritance chain.
    const DEPTH: usize;
    const NAME: &'static str;
}

/// `Self` derives from `T` in Web IDL, so `&Self` can be viewed as `&T`.
///
/// # Safety
/// Only implemented by generated code, for the ancestors in the Web IDL chain.
pub unsafe trait DerivedFrom<T> {}

/// Up- and downcasts between DOM structs of one inheritance chain.
pub trait Castable: DomObject + Sized {
    fn upcast<T>(&self) -> &T
    where
        Self: DerivedFrom<T>,
    {
        // SAFETY: DerivedFrom guarantees T's struct is at offset 0 of Self's.
        unsafe { &*(self as *const Self as *const T) }
    }

    /// Whether this object's concrete interface is `T` or derives from it.
    fn is<T: IDLInterface>(&self) -> bool {
        // SAFETY: the reflector of a live DOM object is a live DOM object of a DomClass.
        unsafe { DomClass::of(self.reflector().get()).implements(T::PROTO_ID, T::DEPTH) }
    }

    fn downcast<T>(&self) -> Option<&T>
    where
        T: DerivedFrom<Self> + IDLInterface,
    {
        if self.is::<T>() {
            // SAFETY: the class chain says the object's struct starts with T's.
            Some(unsafe { &*(self as *const Self as *const T) })
        } else {
            None
        }
    }
}

impl<T: DomObject> Castable for T {}

// SAFETY: the reflector is not an edge of its owner (see the type's docs).
unsafe impl Trace for Reflector {
    unsafe fn trace(&self, _trc: *mut JSTracer) {}
}
