//! The DOM: one module per Web IDL interface (named after it in lower case), plus the
//! binding runtime in `bindings` and the non-IDL `globalscope`.

pub mod bindings;

pub mod characterdata;
pub mod comment;
pub mod console;
pub mod customevent;
pub mod document;
pub mod documenttype;
pub mod domexception;
pub mod domimplementation;
pub mod domtokenlist;
pub mod element;
pub mod errorevent;
pub mod event;
pub mod eventtarget;
pub mod extendableevent;
pub mod globalscope;
pub mod htmlcollection;
pub mod htmlelement;
pub mod htmlscriptelement;
pub mod location;
pub mod navigator;
pub mod node;
pub mod nodelist;
pub mod performance;
pub mod promiserejectionevent;
pub mod selectors;
pub mod serialize;
pub mod serviceworkerglobalscope;
pub mod syncevent;
pub mod text;
pub mod url;
pub mod urlsearchparams;
pub mod window;
pub mod workerglobalscope;
