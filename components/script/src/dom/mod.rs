//! The DOM: one module per Web IDL interface (named after it in lower case; those of
//! `[GeneratedEvent]` interfaces are generated, in `codegen`, and re-exported), plus the
//! binding runtime in `bindings`, the generated glue in `codegen`, and the non-IDL
//! `globalscope`.

pub mod abortcontroller;
pub mod abortsignal;
pub mod bindings;
pub mod blob;
pub mod body;
pub mod broadcastchannel;
pub mod bytelengthqueuingstrategy;
pub mod cache;
pub mod cachestorage;
pub mod characterdata;
pub mod client;
pub mod clients;
pub mod codegen;
pub mod comment;
pub mod console;
pub mod countqueuingstrategy;
pub mod crossoriginwindowproxy;
pub mod cssstyledeclaration;
pub mod customevent;
pub mod dedicatedworkerglobalscope;
pub mod document;
pub mod documentfragment;
pub mod documenttype;
pub mod domexception;
pub mod domimplementation;
pub mod domstringlist;
pub mod domtokenlist;
pub mod element;
pub mod errorevent;
pub mod event;
pub mod eventsource;
pub mod eventtarget;
pub mod extendableevent;
pub mod extendablemessageevent;
pub mod fetchevent;
pub mod file;
pub mod formdata;
pub mod globalscope;
pub mod headers;
pub mod history;
pub mod htmlcollection;
pub mod htmlelement;
pub mod htmlformelement;
pub mod htmliframeelement;
pub mod htmlimageelement;
pub mod htmlinputelement;
pub mod htmlmetaelement;
pub mod htmlscriptelement;
pub mod idbcursor;
pub mod idbcursorwithvalue;
pub mod idbdatabase;
pub mod idbfactory;
pub mod idbindex;
pub mod idbkeyrange;
pub mod idbkeys;
pub mod idbobjectstore;
pub mod idbopendbrequest;
pub mod idbrecord;
pub mod idbrequest;
pub mod idbtransaction;
pub mod installevent;
pub mod location;
pub mod messagechannel;
pub mod messageevent;
pub mod messageport;
pub mod navigationpreloadmanager;
pub mod navigator;
pub mod node;
pub mod nodelist;
pub mod performance;
pub mod performanceentry;
pub mod performancemark;
pub mod performancemeasure;
pub mod performancenavigationtiming;
pub mod performanceobserver;
pub mod performanceobserverentrylist;
pub mod performanceresourcetiming;
pub mod postmessage;
pub mod readablestream;
pub mod readablestreamdefaultcontroller;
pub mod readablestreamdefaultreader;
pub mod request;
pub mod response;
pub mod selectors;
pub mod serialize;
pub mod serviceworker;
pub mod serviceworkercontainer;
pub mod serviceworkerglobalscope;
pub mod serviceworkerregistration;
pub mod streampipe;
pub mod syncmanager;
pub mod text;
pub mod textdecoder;
pub mod textdecoderstream;
pub mod textencoder;
pub mod textencoderstream;
pub mod transformstream;
pub mod transformstreamdefaultcontroller;
pub mod url;
pub mod urlsearchparams;
pub mod window;
pub mod windowclient;
pub mod worker;
pub mod workerglobalscope;
pub mod workerlocation;
pub mod workernavigator;
pub mod writablestream;
pub mod writablestreamdefaultcontroller;
pub mod writablestreamdefaultwriter;
pub mod xmlhttprequest;
pub mod xmlhttprequesteventtarget;
pub mod xmlhttprequestupload;

// Interfaces marked `[GeneratedEvent]` in their Web IDL: the generator writes their DOM
// structs too (`emit_generated_event`), in modules named as these files would be.
pub use codegen::{
    hashchangeevent, idbversionchangeevent, popstateevent, progressevent, promiserejectionevent,
    syncevent,
};

/// Everything a DOM implementation file usually needs.
pub mod prelude {
    pub use std::rc::Rc;

    pub use mozjs::context::JSContext;
    pub use mozjs::jsapi::JSObject;
    pub use mozjs::jsval::JSVal;
    pub use mozjs::rust::{HandleObject, HandleValue, MutableHandleValue, Trace};
    pub use script_derive::Trace;

    pub use crate::dom::bindings::conversions::{
        DOMString, Frozen, RootedObject, RootedValue, ToJs,
    };
    pub use crate::dom::bindings::error::{Error, Fallible};
    pub use crate::dom::bindings::promise::Promise;
    pub use crate::dom::bindings::reflector::{Castable, DomObject, Reflector};
    pub use crate::dom::bindings::root::{Dom, DomRoot, MutNullableDom};
    pub use crate::dom::codegen::*;
    pub use crate::dom::globalscope::{GlobalOf, GlobalScope};
}
