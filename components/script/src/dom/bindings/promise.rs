//! Promises created and settled by Rust (`Promise<T>` results of DOM operations).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use mozjs::context::JSContext;
use mozjs::jsapi::PromiseState;
use mozjs::jsval::{BooleanValue, DoubleValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    AddPromiseReactions, GetPromiseState, NewFunctionWithReserved, NewPromiseObject, RejectPromise,
    ResolvePromise, SetAnyPromiseIsHandled,
};
use mozjs::rust::{HandleObject, HandleValue, MutableHandleValue};

use crate::dom::bindings::conversions::{RootedObject, ToJs};
use crate::dom::bindings::error::{take_pending_exception, throw_error, Error};
use crate::dom::bindings::global::BindingGlobal;

/// A JS promise, rooted while Rust holds it.
#[derive(script_derive::Trace)]
pub struct Promise {
    object: RootedObject,
}

impl Promise {
    /// A new pending promise in the current realm.
    ///
    /// # Safety
    /// `cx` in a realm.
    pub unsafe fn new(cx: &mut JSContext) -> Rc<Promise> {
        crate::script_runtime::gc_zeal(cx, "promise");
        let object = NewPromiseObject(cx, HandleObject::null());
        assert!(!object.is_null(), "out of memory creating a promise");
        Rc::new(Promise {
            object: RootedObject::new(object),
        })
    }

    pub fn handle(&self) -> HandleObject<'_> {
        self.object.handle()
    }

    /// The promise object, for a DOM object that keeps it in a traced heap cell (a stream's
    /// pending reads): rooted there only by being traced, so no cycle through a root.
    pub fn object(&self) -> *mut mozjs::jsapi::JSObject {
        self.object.get()
    }

    /// A promise object kept that way, rooted again while Rust holds it.
    ///
    /// # Safety
    /// `object` is a live promise object (traced by its holder).
    pub unsafe fn from_object(object: *mut mozjs::jsapi::JSObject) -> Rc<Promise> {
        Rc::new(Promise {
            object: RootedObject::new(object),
        })
    }

    /// Marks the promise as handled, so that its rejection is never reported as unhandled:
    /// for a promise the engine settles for script that may not be watching it (the spec's
    /// "mark as handled", as for FetchEvent's `handled`).
    ///
    /// # Safety
    /// `cx` in the promise's realm.
    pub unsafe fn mark_handled(&self, cx: &mut JSContext) {
        SetAnyPromiseIsHandled(cx, self.object.handle());
    }

    pub fn is_pending(&self) -> bool {
        // SAFETY: the object is a rooted promise.
        unsafe { GetPromiseState(self.object.handle()) == PromiseState::Pending }
    }

    pub fn is_rejected(&self) -> bool {
        // SAFETY: the object is a rooted promise.
        unsafe { GetPromiseState(self.object.handle()) == PromiseState::Rejected }
    }

    /// # Safety
    /// `cx` in the promise's realm.
    pub unsafe fn resolve<T: ToJs + ?Sized>(&self, cx: &mut JSContext, value: &T) {
        // Settled already (an aborted fetch whose response came anyway): nothing.
        if !self.is_pending() {
            return;
        }
        rooted!(&in(cx) let mut v = UndefinedValue());
        value.to_js(cx, v.handle_mut());
        if !ResolvePromise(cx, self.object.handle(), v.handle()) {
            log::warn!(target: "bgsync::bindings", "resolving a promise failed");
        }
    }

    /// Rejects with the JS form of `error` (a DOMException, TypeError...).
    ///
    /// # Safety
    /// `cx` in the promise's realm.
    pub unsafe fn reject_error<G: BindingGlobal>(
        &self,
        cx: &mut JSContext,
        global: &G,
        error: Error,
    ) {
        if !self.is_pending() {
            return;
        }
        throw_error(cx, global, error);
        rooted!(&in(cx) let mut exception = UndefinedValue());
        if take_pending_exception(cx, exception.handle_mut()) {
            RejectPromise(cx, self.object.handle(), exception.handle());
        }
    }

    /// # Safety
    /// `cx` in the promise's realm.
    pub unsafe fn reject<T: ToJs + ?Sized>(&self, cx: &mut JSContext, value: &T) {
        if !self.is_pending() {
            return;
        }
        rooted!(&in(cx) let mut v = UndefinedValue());
        value.to_js(cx, v.handle_mut());
        RejectPromise(cx, self.object.handle(), v.handle());
    }
}

/// What runs when a promise settles: with its value (`Ok`) or its reason (`Err`), in the
/// promise's realm.
pub type Reaction = Box<dyn FnOnce(&mut JSContext, Result<HandleValue<'_>, HandleValue<'_>>)>;

thread_local! {
    /// The reactions of [`Promise::when_settled`] not run yet, by number. A reaction whose
    /// promise never settles stays until the thread ends.
    static REACTIONS: RefCell<HashMap<u64, Reaction>> = RefCell::new(HashMap::new());
    static NEXT_REACTION: Cell<u64> = const { Cell::new(0) };
}

impl Promise {
    /// Runs `reaction` once this promise settles, as a microtask, the way
    /// `promise.then(onFulfilled, onRejected)` would, but unforgeable: a page's changes to
    /// `Promise.prototype` do not reach it. False when the reactions could not be added
    /// (out of memory); `reaction` then never runs.
    ///
    /// # Safety
    /// `cx` in the promise's realm.
    pub unsafe fn when_settled(&self, cx: &mut JSContext, reaction: Reaction) -> bool {
        let number = NEXT_REACTION.with(|next| {
            next.set(next.get() + 1);
            next.get()
        });
        REACTIONS.with(|reactions| reactions.borrow_mut().insert(number, reaction));
        let fulfilled = reaction_function(cx, number, true);
        let rejected = reaction_function(cx, number, false);
        let added = match (fulfilled, rejected) {
            (Some(fulfilled), Some(rejected)) => {
                rooted!(&in(cx) let fulfilled = fulfilled);
                rooted!(&in(cx) let rejected = rejected);
                AddPromiseReactions(
                    cx,
                    self.object.handle(),
                    fulfilled.handle(),
                    rejected.handle(),
                )
            }
            _ => false,
        };
        if !added {
            REACTIONS.with(|reactions| reactions.borrow_mut().remove(&number));
        }
        added
    }
}

/// A function that runs reaction `number` with its first argument: the value when
/// `fulfilled`, the reason otherwise.
unsafe fn reaction_function(
    cx: &mut JSContext,
    number: u64,
    fulfilled: bool,
) -> Option<*mut mozjs::jsapi::JSObject> {
    let function = NewFunctionWithReserved(cx, Some(run_reaction), 1, 0, c"".as_ptr());
    if function.is_null() {
        return None;
    }
    let object = mozjs::jsapi::JS_GetFunctionObject(function);
    // Exact as a double: numbers stay below 2^53.
    mozjs::jsapi::js::SetFunctionNativeReserved(object, 0, &DoubleValue(number as f64));
    mozjs::jsapi::js::SetFunctionNativeReserved(object, 1, &BooleanValue(fulfilled));
    Some(object)
}

unsafe extern "C" fn run_reaction(
    raw_cx: *mut mozjs::jsapi::JSContext,
    argc: u32,
    vp: *mut mozjs::jsval::JSVal,
) -> bool {
    let mut cx = JSContext::from_ptr(std::ptr::NonNull::new_unchecked(raw_cx));
    let args = mozjs::jsapi::CallArgs::from_vp(vp, argc);
    let number =
        (*mozjs::jsapi::js::GetFunctionNativeReserved(args.callee(), 0)).to_number() as u64;
    let fulfilled = (*mozjs::jsapi::js::GetFunctionNativeReserved(args.callee(), 1)).to_boolean();
    rooted!(&in(cx) let value = args.get(0).get());
    args.rval().set(UndefinedValue());
    let reaction = REACTIONS.with(|reactions| reactions.borrow_mut().remove(&number));
    if let Some(reaction) = reaction {
        let value = value.handle();
        reaction(&mut cx, if fulfilled { Ok(value) } else { Err(value) });
    }
    true
}

impl ToJs for Promise {
    unsafe fn to_js(&self, _cx: &mut JSContext, mut rval: MutableHandleValue<'_>) {
        rval.set(mozjs::jsval::ObjectValue(self.object.get()))
    }
}

/// Web IDL `Promise<T>` arguments: any value, resolved into a promise
/// (https://webidl.spec.whatwg.org/#es-promise).
impl crate::dom::bindings::conversions::FromJs for Rc<Promise> {
    unsafe fn from_js(
        cx: &mut JSContext,
        value: mozjs::rust::HandleValue<'_>,
        _conv: &crate::dom::bindings::conversions::Conv,
    ) -> Result<Self, Error> {
        let object = mozjs::rust::wrappers2::CallOriginalPromiseResolve(cx, value);
        if object.is_null() {
            return Err(Error::JSFailed);
        }
        Ok(Rc::new(Promise {
            object: RootedObject::new(object),
        }))
    }
}
