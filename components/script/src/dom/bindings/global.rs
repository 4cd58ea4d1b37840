//! What the binding runtime needs of a global object: [`BindingGlobal`].
//!
//! The runtime (this folder, but for the generated `codegen`) knows no DOM interface. The
//! DOM's global (`GlobalScope`) implements this trait, and the runtime's functions that need
//! a global are generic over it; the generated glue names the DOM's type.

use mozjs::context::JSContext;
use mozjs::jsapi::JSObject;
use mozjs::jsval::JSVal;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::interface::{GlobalKind, InterfaceInfo, NamespaceInfo, PrototypeId};

pub trait BindingGlobal: Sized + 'static {
    /// The global of the realm of `object`.
    ///
    /// # Safety
    /// `object` must be a live object whose global is one of this DOM's globals.
    unsafe fn from_object<'a>(object: *mut JSObject) -> &'a Self;

    /// Its Web IDL global names and whether it is a secure context.
    fn kind(&self) -> &GlobalKind;

    /// The prototype object of interface `id` in this global (null before it is made).
    fn proto(&self, id: PrototypeId) -> *mut JSObject;
    fn set_proto(&self, id: PrototypeId, proto: *mut JSObject);
    /// The interface object of interface `id` in this global (null before it is made).
    fn interface_object(&self, id: PrototypeId) -> *mut JSObject;
    fn set_interface_object(&self, id: PrototypeId, object: *mut JSObject);

    /// Every interface of the DOM, parents before children.
    fn interfaces() -> &'static [&'static InterfaceInfo];
    /// Every namespace of the DOM.
    fn namespaces() -> &'static [&'static NamespaceInfo];
    /// The interface of `id`.
    fn interface(id: PrototypeId) -> &'static InterfaceInfo;

    /// A function object this global keeps under `key` (the accessors of `[LegacyUnforgeable]`
    /// members, one per global, shared by every instance); null if none yet.
    fn cached_function(&self, key: usize) -> *mut JSObject;
    fn cache_function(&self, key: usize, function: *mut JSObject);

    /// Calls the JS function `source` (compiled once per global) with `args`; reports what
    /// it throws, and returns false then.
    ///
    /// # Safety
    /// `cx` in this global's realm.
    unsafe fn evaluate_helper(
        &self,
        cx: &mut JSContext,
        source: &'static str,
        args: &[&JSVal],
    ) -> bool;

    /// A new DOMException (its JS object) of `name` with `message`; the caller roots it
    /// before anything can collect garbage.
    ///
    /// # Safety
    /// `cx` in this global's realm.
    unsafe fn new_dom_exception(
        &self,
        cx: &mut JSContext,
        name: DOMErrorName,
        message: String,
    ) -> *mut JSObject;
}
