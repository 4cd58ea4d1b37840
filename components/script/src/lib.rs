//! bgsync's script side: SpiderMonkey event loops, the DOM and its Web IDL bindings.
//!
//! - `dom/bindings`: the binding runtime, which knows no DOM interface (a global is a
//!   `BindingGlobal` to it); `dom/codegen` is the glue generated from `webidls/*.webidl` by
//!   `components/bindings_codegen`; DOM files import `dom::prelude`.
//! - `dom/<interface>.rs`: one Web IDL interface each.
//! - `script_runtime`: the engine, runtimes, script execution and error reporting.
//! - `event_loop`, `timers`: tasks, timers and microtask checkpoints.
//! - `html_parser`: html5ever building a Document, running scripts as it goes.
//! - `page`: running a whole page headless (what the shell uses).
//! - `service_worker_thread`: a service worker's thread, driven by the constellation.
//! - `worker`: what runs on it: evaluating the script, firing events.
//!
//! This crate never depends on the constellation or the services: it talks to them through
//! the message types in `components/shared`.

#[macro_use]
extern crate html5ever;

pub mod animation_frames;
pub mod auxiliary;
pub mod blob_urls;
pub mod broadcast_channels;
pub mod constellation_link;
pub mod dom;
pub mod event_loop;
pub mod fetch;
pub mod html_parser;
pub mod image_probe;
pub mod message_ports;
pub mod modules;
pub mod page;
pub mod script_runtime;
pub mod service_worker_thread;
pub mod timers;
pub mod worker;
