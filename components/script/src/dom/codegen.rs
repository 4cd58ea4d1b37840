//! The generated bindings (see `components/bindings_codegen`): the glue between the binding
//! runtime (`crate::dom::bindings`) and the DOM interfaces, which it names.
#![allow(
    non_snake_case,
    non_camel_case_types,
    non_upper_case_globals,
    unused_imports,
    unused_variables,
    unused_mut,
    dead_code,
    clippy::all
)]

pub use std::rc::Rc;

pub use mozjs::context::{JSContext, RawJSContext};
pub use mozjs::jsapi::{GCContext, JSObject, JSTracer};
pub use mozjs::jsval::JSVal;
pub use mozjs::rust::{HandleObject, HandleValue, MutableHandleValue};

pub use crate::dom::bindings::callback::{
    AsCallback, CallbackFunction, CallbackObject, CallbackRoot, TracedCallback,
};
pub use crate::dom::bindings::conversions::{
    define_member, dict_member, dict_member_or, dict_required, dictionary_object, from_default,
    from_js, is_callable, is_instance, new_plain_object, object_to_js, reflector_to_js, Conv,
    DOMString, DefaultJs, FromJs, Frozen, RootedObject, RootedValue, StringKind, ToJs,
};
pub use crate::dom::bindings::error::{Error, Fallible};
pub use crate::dom::bindings::interface::{
    dom_class_ops, wrap_dom_object, AsyncIterableNatives, AttributeSpec, ClassOps, ConstValue,
    ConstantSpec, DomClass, IndexedAccess, InterfaceInfo, IterableKind, LegacyFactorySpec,
    NamespaceInfo, OperationSpec, ProtoClass, PrototypeId,
};
pub use crate::dom::bindings::promise::Promise;
pub use crate::dom::bindings::reflector::{
    Castable, DerivedFrom, DomObject, IDLInterface, Reflector,
};
pub use crate::dom::bindings::root::DomRoot;
pub use crate::dom::bindings::utils::{
    arg, call_constructor, call_method, call_static, check_arg_count, event_handler_from_js,
    finalize_dom_object, is_buffer, is_iterable, pairs_to_js, put_forwards,
    replace_with_data_property, rval, trace_dom_object, unwrap_dom_object,
};
pub use crate::dom::eventtarget::{get_event_handler_attribute, set_event_handler_attribute};
pub use crate::dom::globalscope::GlobalScope;

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
