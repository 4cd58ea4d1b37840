//! Web IDL callback functions and callback interfaces: JS objects that Rust calls back.
//!
//! A callback keeps its object alive in one of two ways. On its own (an argument being
//! converted, a timer's callback, a promise reaction) it is a root. Stored by a DOM object
//! that traces it (an `EventTarget`'s listeners and handler attributes), it is a [`Held`]:
//! no longer a root, but an edge of that object's reflector, so a request whose `onsuccess`
//! closure refers to the request is a cycle the GC collects, and setting or finalizing a
//! handler costs no root-table update. The rule that keeps this safe: a callback is unrooted
//! only while at least one `Held` has it, and the last `Held` to let go roots it again if
//! anyone else (a dispatch's listener snapshot) still has it.

use std::cell::Cell;
use std::rc::Rc;

use mozjs::context::JSContext;
use mozjs::jsapi::{HandleValueArray, Heap, JSObject, JSTracer};
use mozjs::jsval::{JSVal, ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::wrappers2::{Call, JS_GetProperty};
use mozjs::rust::{HandleObject, HandleValue, MutableHandleValue, Trace};

use crate::dom::bindings::conversions::{is_callable, Conv, RootedValue, ToJs};
use crate::dom::bindings::error::Error;
use crate::dom::bindings::root::{root_heap, unroot_heap};

/// A callback's object, rooted unless [`Held`] by a tracing DOM object (see the module docs);
/// tracing it traces the object (the flags hold no GC thing).
#[derive(script_derive::Trace)]
pub struct CallbackRoot {
    heap: Box<Heap<*mut JSObject>>,
    /// Its slot in the thread's heap-root table while rooted.
    rooted: Cell<Option<u32>>,
    /// How many `Held`s have it.
    holders: Cell<usize>,
}

impl CallbackRoot {
    fn new(object: *mut JSObject) -> CallbackRoot {
        let root = CallbackRoot::unrooted(object);
        root.root();
        root
    }

    fn unrooted(object: *mut JSObject) -> CallbackRoot {
        CallbackRoot {
            heap: Heap::boxed(object),
            rooted: Cell::new(None),
            holders: Cell::new(0),
        }
    }

    fn as_trace(&self) -> *const dyn Trace {
        &*self.heap as &dyn Trace as *const dyn Trace
    }

    fn root(&self) {
        if self.rooted.get().is_none() {
            // SAFETY: the boxed cell lives until Drop, which unroots it.
            self.rooted.set(Some(unsafe { root_heap(self.as_trace()) }));
        }
    }

    fn unroot(&self) {
        if let Some(slot) = self.rooted.take() {
            unroot_heap(slot);
        }
    }

    pub fn get(&self) -> *mut JSObject {
        self.heap.get()
    }

    pub fn handle(&self) -> HandleObject<'_> {
        // SAFETY: the cell is rooted, or traced by whoever holds it (see `Held`).
        unsafe { HandleObject::from_raw(self.heap.handle()) }
    }
}

impl Drop for CallbackRoot {
    fn drop(&mut self) {
        self.unroot();
    }
}

/// Generated callback types: where their object is kept.
pub trait TracedCallback {
    fn callback_root(&self) -> &CallbackRoot;
}

/// A callback stored in a DOM object that traces it (its reflector's trace hook reaches
/// this): unrooted while held. Not `Clone`: each `Held` counts once.
pub struct Held<T: TracedCallback>(Rc<T>);

impl<T: TracedCallback> Held<T> {
    pub fn new(callback: Rc<T>) -> Held<T> {
        let root = callback.callback_root();
        root.holders.set(root.holders.get() + 1);
        root.unroot();
        Held(callback)
    }

    pub fn get(&self) -> &Rc<T> {
        &self.0
    }
}

impl<T: TracedCallback> Drop for Held<T> {
    fn drop(&mut self) {
        let root = self.0.callback_root();
        let holders = root.holders.get() - 1;
        root.holders.set(holders);
        // Someone else (a listener snapshot in the middle of a dispatch) still has it, and no
        // traced holder remains: it must be a root again before this `Held` is gone.
        if holders == 0 && Rc::strong_count(&self.0) > 1 {
            root.root();
        }
    }
}

// SAFETY: traces the callback's object.
unsafe impl<T: TracedCallback> Trace for Held<T> {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.0.callback_root().trace(trc);
    }
}

/// A callable JS object kept alive while Rust holds it.
pub struct CallbackFunction {
    object: CallbackRoot,
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
    // A stack root: SpiderMonkey traces it in minor collections too (`rooted_vec!`'s
    // extra-roots tracer is skipped there), and converting an argument may collect.
    rooted!(&in(cx) let mut argv = Vec::<JSVal>::with_capacity(args.len()));
    for (i, a) in args.iter().enumerate() {
        argv.push(UndefinedValue());
        a.to_js(cx, argv.handle_mut_at(i));
    }
    crate::script_runtime::gc_zeal(cx, "callback");
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
            object: CallbackRoot::new(value.get().to_object()),
        })
    }

    /// Wraps an object that is not checked to be callable (`[LegacyTreatNonObjectAsNull]`
    /// handlers are checked when called).
    ///
    /// # Safety
    /// `object` must be a live object.
    pub unsafe fn new_unchecked(_cx: &mut JSContext, object: *mut mozjs::jsapi::JSObject) -> Self {
        CallbackFunction {
            object: CallbackRoot::new(object),
        }
    }

    /// [`CallbackFunction::new_unchecked`] for a callback about to be [`Held`] (an event
    /// handler attribute being set): never rooted, which would be undone at once.
    ///
    /// # Safety
    /// `object` must be a live object, and the callback must be `Held` before anything can
    /// collect garbage.
    pub unsafe fn new_for_holder(_cx: &mut JSContext, object: *mut JSObject) -> Self {
        CallbackFunction {
            object: CallbackRoot::unrooted(object),
        }
    }

    pub fn callable(&self) -> HandleObject<'_> {
        self.object.handle()
    }

    pub fn value(&self) -> JSVal {
        ObjectValue(self.object.get())
    }

    pub fn root(&self) -> &CallbackRoot {
        &self.object
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
        rooted!(&in(cx) let function = self.value());
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
    object: CallbackRoot,
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
            object: CallbackRoot::new(value.get().to_object()),
        })
    }

    pub fn value(&self) -> JSVal {
        ObjectValue(self.object.get())
    }

    pub fn root(&self) -> &CallbackRoot {
        &self.object
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
        rooted!(&in(cx) let object = self.value());
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
