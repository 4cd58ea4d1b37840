//! The constellation: the hub of the engine.
//!
//! The constellation runs on its own thread (started by the `engine`
//! crate, which also routes the pages' and workers' channels to it) and
//! owns everything that outlives one page: the list of pages and the origin each
//! runs in, the service-worker registry, the background sync service, and
//! the timers that drive them. Script threads and worker threads reach it
//! only through the messages of `components/shared/` (here
//! [`script_traits::ServiceWorkerRequest`]), and it is the authority on
//! origins: an origin or id sent by a content process is never trusted; the
//! constellation's router looks up the sender's origin in its own records
//! and passes it down as `client_origin`.
//!
//! This crate holds the state it owns, as libraries: the service-worker
//! registry and its job queue ([`service_worker`]), and the host of the
//! background sync service ([`crate::background_sync::SyncHost`]), which checks
//! every sync request against the origin it recorded for the sender.
//! Both are pure Rust (no JS): fetching a script and running a worker's
//! script and `install`/`activate` events are behind the
//! [`service_worker::ScriptFetcher`] and [`service_worker::WorkerHost`]
//! traits, which the `engine` crate implements over `net` and worker
//! threads.

pub mod background_sync;
pub mod service_worker;
