//! The binding runtime: what generated code (`codegen`) calls, and what DOM structs use to
//! hold references to each other. Generated from `webidls/` by `components/bindings_codegen`.

pub mod callback;
pub mod codegen;
pub mod conversions;
pub mod error;
pub mod interface;
pub mod promise;
pub mod reflector;
pub mod root;
pub mod structuredclone;
pub mod trusted;
pub mod utils;

/// Everything a DOM implementation file usually needs.
pub mod prelude {
    pub use std::rc::Rc;

    pub use mozjs::context::JSContext;
    pub use mozjs::jsapi::JSObject;
    pub use mozjs::jsval::JSVal;
    pub use mozjs::rust::{HandleObject, HandleValue, MutableHandleValue, Trace};
    pub use script_derive::Trace;

    pub use crate::dom::bindings::codegen::*;
    pub use crate::dom::bindings::conversions::{DOMString, RootedObject, RootedValue, ToJs};
    pub use crate::dom::bindings::error::{Error, Fallible};
    pub use crate::dom::bindings::promise::Promise;
    pub use crate::dom::bindings::reflector::{Castable, DomObject, Reflector};
    pub use crate::dom::bindings::root::{Dom, DomRoot, MutNullableDom};
    pub use crate::dom::globalscope::GlobalScope;
}
