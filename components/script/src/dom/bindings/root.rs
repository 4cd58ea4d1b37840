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
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use mozjs::jsapi::JSTracer;
use mozjs::rust::Trace;

use crate::dom::bindings::reflector::{DomObject, Reflector};

/// A table of rooted things: a root takes a free slot and gives it back when dropped, both in
/// O(1) whatever the order, with no hashing (a hash table cost about a tenth of the script
/// thread on IndexedDB loops, where every DOM call makes and drops roots; a Vec searched on
/// drop made large collections quadratic). Freed slots are reused last-freed first.
struct Slots<T: Copy> {
    entries: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T: Copy> Slots<T> {
    const fn new() -> Self {
        Slots {
            entries: Vec::new(),
            free: Vec::new(),
        }
    }

    fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.entries[slot as usize] = Some(value);
                slot
            }
            None => {
                let slot = u32::try_from(self.entries.len()).expect("fewer than 2^32 roots");
                self.entries.push(Some(value));
                slot
            }
        }
    }

    fn remove(&mut self, slot: u32) {
        if let Some(entry) = self.entries.get_mut(slot as usize) {
            if entry.take().is_some() {
                self.free.push(slot);
            }
        }
    }

    fn values(&self) -> impl Iterator<Item = T> + '_ {
        self.entries.iter().filter_map(|entry| *entry)
    }
}

thread_local! {
    /// The reflectors of this thread's DomRoots, one slot per DomRoot.
    static ROOTS: RefCell<Slots<*const Reflector>> = const { RefCell::new(Slots::new()) };
    /// Heap cells of RootedValue/RootedObject/callbacks (boxed, so their addresses are stable).
    static HEAP_ROOTS: RefCell<Slots<*const dyn Trace>> = const { RefCell::new(Slots::new()) };
}

/// Roots a boxed heap cell until [`unroot_heap`] with the returned slot.
///
/// # Safety
/// `cell` must stay valid until unrooted.
pub(crate) unsafe fn root_heap(cell: *const dyn Trace) -> u32 {
    HEAP_ROOTS.with(|roots| roots.borrow_mut().insert(cell))
}

/// Unroots the heap cell rooted in `slot` by [`root_heap`].
pub(crate) fn unroot_heap(slot: u32) {
    let _ = HEAP_ROOTS.try_with(|roots| roots.borrow_mut().remove(slot));
}

/// The thread's root list, registered once as a SpiderMonkey extra-roots tracer.
pub struct RootList;

// SAFETY: traces reflectors of live DOM structs only (DomRoot removes itself on drop).
unsafe impl Trace for RootList {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        ROOTS.with(|roots| {
            for reflector in roots.borrow().values() {
                (*reflector).trace_edge(trc, c"DomRoot");
            }
        });
        HEAP_ROOTS.with(|roots| {
            for cell in roots.borrow().values() {
                (*cell).trace(trc);
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
    /// Its slot in the thread's root table.
    slot: u32,
}

impl<T: DomObject> DomRoot<T> {
    pub fn from_ref(object: &T) -> DomRoot<T> {
        let slot = ROOTS.with(|roots| {
            roots
                .borrow_mut()
                .insert(object.reflector() as *const Reflector)
        });
        DomRoot {
            ptr: NonNull::from(object),
            slot,
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
        let (ptr, slot) = (root.ptr.cast::<U>(), root.slot);
        std::mem::forget(root);
        DomRoot { ptr, slot }
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
        let slot = self.slot;
        let _ = ROOTS.try_with(|roots| roots.borrow_mut().remove(slot));
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

#[cfg(test)]
mod tests {
    use super::Slots;

    #[test]
    fn slots_are_reused_and_freed_in_any_order() {
        let mut slots = Slots::new();
        let a = slots.insert(1);
        let b = slots.insert(2);
        let c = slots.insert(3);
        // Dropped out of order (the first root first, as a Vec of roots drops).
        slots.remove(a);
        slots.remove(c);
        assert_eq!(slots.values().collect::<Vec<_>>(), vec![2]);
        // The last freed slot is taken first; the table does not grow.
        assert_eq!(slots.insert(4), c);
        assert_eq!(slots.insert(5), a);
        assert_eq!(slots.entries.len(), 3);
        let mut values: Vec<_> = slots.values().collect();
        values.sort();
        assert_eq!(values, vec![2, 4, 5]);
        // Freeing a slot twice frees it once.
        slots.remove(b);
        slots.remove(b);
        assert_eq!(slots.free, vec![b]);
        assert_eq!(slots.insert(6), b);
        assert_eq!(slots.insert(7), 3);
    }
}
