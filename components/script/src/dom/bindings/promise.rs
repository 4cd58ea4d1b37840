//! Promises created and settled by Rust (`Promise<T>` results of DOM operations).

use std::rc::Rc;

use mozjs::context::JSContext;
use mozjs::jsapi::PromiseState;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    GetPromiseState, NewPromiseObject, RejectPromise, ResolvePromise, SetAnyPromiseIsHandled,
};
use mozjs::rust::{HandleObject, MutableHandleValue};

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
        let object = NewPromiseObject(cx, HandleObject::null());
        assert!(!object.is_null(), "out of memory creating a promise");
        Rc::new(Promise {
            object: RootedObject::new(object),
        })
    }

    pub fn handle(&self) -> HandleObject<'_> {
        self.object.handle()
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
