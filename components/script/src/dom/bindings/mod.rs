//! The binding runtime: what the generated glue (`crate::dom::codegen`) calls, and what DOM
//! structs use to hold references to each other. It knows no DOM interface: what it needs of
//! a global is the [`global::BindingGlobal`] trait, which the DOM's `GlobalScope`
//! implements.

pub mod buffer;
pub mod callback;
pub mod conversions;
pub mod error;
pub mod global;
pub mod interface;
pub mod promise;
pub mod reflector;
pub mod root;
pub mod structuredclone;
pub mod trusted;
pub mod utils;
