//! Web IDL -> Rust binding generator, run by `components/script/build.rs`.
//!
//! `parse` turns `.webidl` sources into the model in `ir`; `emit` writes the Rust code that the
//! script crate includes. Nothing here links SpiderMonkey: the generated code calls the binding
//! runtime in `script::dom::bindings`.

pub mod ir;
pub mod parse;
