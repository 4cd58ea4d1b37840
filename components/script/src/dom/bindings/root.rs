//! References from Rust to DOM objects.
//!
//! - [`Dom<T>`]: a field of a DOM struct pointing at another DOM object; traced by the owner's
//!   trace hook.
//! - [`DomRoot<T>`]: a reference held on the Rust stack (or in a non-DOM Rust structure for a
//!   while); it keeps the object alive by being in this thread's root list until dropped.
//! - [`MutNullableDom<T>`]: an optional, replaceable `Dom<T>` field.
//!
//! All three trace the target's reflector field, which lives inside the (boxed, never
//! moving) target struct, so a compacting GC updates one place per object.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use mozjs::jsapi::JSTracer;
use mozjs::rust::Trace;

use crate::dom::bindings::reflector::{DomObject, Reflector};

/// Hashes an address for the root tables: addresses are already spread out, and SipHash on
/// every `DomRoot` made and dropped was a visible cost of every DOM call (no attacker chooses
/// these keys).
#[derive(Clone, Copy, Default)]
struct AddressHash;

impl std::hash::BuildHasher for AddressHash {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, address: usize) {
        // Objects are at least 8-byte aligned; the multiply spreads the rest over the bits
        // hashbrown reads.
        self.0 = ((address as u64) >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

thread_local! {
    /// Rooted reflectors with how many DomRoots hold each: O(1) to root and unroot whatever
    /// the order (a Vec searched on drop made large collections quadratic).
    static ROOTS: RefCell<HashMap<*const Reflector, usize, AddressHash>> =
        RefCell::new(HashMap::default());
    /// Heap cells of RootedValue/RootedObject (boxed, so their addresses are stable).
    /// Keyed by the data address: fat-pointer equality also compares vtable addresses, which
    /// differ between codegen units for the same type.
    static HEAP_ROOTS: RefCell<HashMap<*const (), *const dyn Trace, AddressHash>> =
        RefCell::new(HashMap::default());
}

/// Roots a boxed heap cell until [`unroot_heap`]; O(1) both ways, unlike mozjs's
/// RootedTraceableSet (a Vec with removal from the middle).
///
/// # Safety
/// `cell` must stay valid until unrooted.
pub(crate) unsafe fn root_heap(cell: *const dyn Trace) {
    HEAP_ROOTS.with(|roots| roots.borrow_mut().insert(cell as *const (), cell));
}

pub(crate) fn unroot_heap(cell: *const dyn Trace) {
    let _ = HEAP_ROOTS.try_with(|roots| roots.borrow_mut().remove(&(cell as *const ())));
}

/// The thread's root list, registered once as a SpiderMonkey extra-roots tracer.
pub struct RootList;

// SAFETY: traces reflectors of live DOM structs only (DomRoot removes itself on drop).
unsafe impl Trace for RootList {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        ROOTS.with(|roots| {
            for reflector in roots.borrow().keys() {
                (**reflector).trace_edge(trc, c"DomRoot");
            }
        });
        HEAP_ROOTS.with(|roots| {
            for cell in roots.borrow().values() {
                (**cell).trace(trc);
            }
        });
    }
}

/// Registers this thread's root list with the runtime's extra-roots tracer. Call once per JS
/// thread, after creating its runtime.
pub fn register_root_list() {
    static LIST: RootList = RootList;
    // SAFETY: LIST is 'static.
    unsafe { mozjs::gc::RootedTraceableSet::add(&LIST as &dyn Trace as *const dyn Trace) }
}

/// A rooted reference to a DOM object.
pub struct DomRoot<T: DomObject> {
    ptr: NonNull<T>,
}

impl<T: DomObject> DomRoot<T> {
    pub fn from_ref(object: &T) -> DomRoot<T> {
        ROOTS.with(|roots| {
            *roots
                .borrow_mut()
                .entry(object.reflector() as *const Reflector)
                .or_insert(0) += 1
        });
        DomRoot {
            ptr: NonNull::from(object),
        }
    }

    pub fn as_traced(&self) -> Dom<T> {
        Dom::from_ref(self)
    }

    /// Reinterprets a root of a derived struct as a root of its ancestor.
    pub fn upcast<U: DomObject>(root: DomRoot<T>) -> DomRoot<U>
    where
        T: crate::dom::bindings::reflector::DerivedFrom<U>,
    {
        let ptr = root.ptr.cast::<U>();
        std::mem::forget(root);
        DomRoot { ptr }
    }
}

impl<T: DomObject> Deref for DomRoot<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: rooted, so the owning JS object (and the struct) is alive.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: DomObject> Clone for DomRoot<T> {
    fn clone(&self) -> Self {
        DomRoot::from_ref(&**self)
    }
}

impl<T: DomObject> Drop for DomRoot<T> {
    fn drop(&mut self) {
        let reflector = (**self).reflector() as *const Reflector;
        let _ = ROOTS.try_with(|roots| {
            let mut roots = roots.borrow_mut();
            if let Some(count) = roots.get_mut(&reflector) {
                *count -= 1;
                if *count == 0 {
                    roots.remove(&reflector);
                }
            }
        });
    }
}

impl<T: DomObject> PartialEq for DomRoot<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

// SAFETY: traces the target's reflector.
unsafe impl<T: DomObject> Trace for DomRoot<T> {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.reflector().trace_edge(trc, c"DomRoot");
    }
}

/// A traced reference from one DOM struct to another.
pub struct Dom<T: DomObject> {
    ptr: NonNull<T>,
    _marker: PhantomData<T>,
}

impl<T: DomObject> Dom<T> {
    pub fn from_ref(object: &T) -> Dom<T> {
        Dom {
            ptr: NonNull::from(object),
            _marker: PhantomData,
        }
    }

    pub fn root(&self) -> DomRoot<T> {
        DomRoot::from_ref(&**self)
    }
}

impl<T: DomObject> Deref for Dom<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the owner traces this edge, so the target lives as long as the owner.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: DomObject> Clone for Dom<T> {
    fn clone(&self) -> Self {
        Dom::from_ref(&**self)
    }
}

impl<T: DomObject> PartialEq for Dom<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

// SAFETY: traces the target's reflector.
unsafe impl<T: DomObject> Trace for Dom<T> {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.reflector().trace_edge(trc, c"Dom");
    }
}

/// An optional, replaceable traced reference.
pub struct MutNullableDom<T: DomObject> {
    ptr: Cell<Option<NonNull<T>>>,
}

impl<T: DomObject> Default for MutNullableDom<T> {
    fn default() -> Self {
        Self::new(None)
    }
}

impl<T: DomObject> MutNullableDom<T> {
    pub fn new(initial: Option<&T>) -> Self {
        MutNullableDom {
            ptr: Cell::new(initial.map(NonNull::from)),
        }
    }

    pub fn get(&self) -> Option<DomRoot<T>> {
        // SAFETY: traced by the owner, so alive.
        self.ptr
            .get()
            .map(|p| DomRoot::from_ref(unsafe { p.as_ref() }))
    }

    pub fn set(&self, value: Option<&T>) {
        self.ptr.set(value.map(NonNull::from));
    }

    pub fn is_some(&self) -> bool {
        self.ptr.get().is_some()
    }

    /// Returns the current value, creating and storing it first if there is none.
    pub fn or_init(&self, init: impl FnOnce() -> DomRoot<T>) -> DomRoot<T> {
        if let Some(v) = self.get() {
            return v;
        }
        let value = init();
        self.set(Some(&value));
        value
    }
}

// SAFETY: traces the target's reflector, if any.
unsafe impl<T: DomObject> Trace for MutNullableDom<T> {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        if let Some(p) = self.ptr.get() {
            p.as_ref().reflector().trace_edge(trc, c"MutNullableDom");
        }
    }
}
