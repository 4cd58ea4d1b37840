//! The CacheStorage backend: what the engine's CacheStorage threads run on
//! the origins' SQLite files (<https://w3c.github.io/ServiceWorker/#cache-objects>).
//!
//! The parts: [`matching`], the spec's "request matches cached item" as a
//! pure function; [`store`], one origin's caches and their entries in one
//! SQLite file, with "query cache" and "batch cache operations"; [`layout`],
//! where each origin's file lives and how a damaged one is replaced;
//! [`handles`], which global holds which cache; [`backend`], a thread per
//! origin that owns its file and answers the globals' [`CacheMsg`]s.
//!
//! # Architecture invariants
//!
//! - A batch is all or nothing: its operations run in one SQLite
//!   transaction, and any failure (a duplicate put, a `TypeError`, the
//!   quota, I/O) rolls every one of them back.
//! - The origin never comes from a message: the engine says which origin a
//!   peer belongs to, and a cache is reached only through a handle the
//!   backend gave that peer (a forged number is `NotFoundError`).
//! - A write past the quota (`cache_storage.max_bytes_per_origin`, SQLite's
//!   `max_page_count`) fails with `QuotaExceededError` and loses nothing
//!   already stored.
//! - A file that is not this origin's CacheStorage is moved aside, never
//!   written over; other origins never notice.
//! - A cache deleted with `caches.delete()` keeps working for the globals
//!   that hold it, and its entries go when the last of them releases it or
//!   goes (or when the file is next opened).
//! - Commits are `synchronous=NORMAL` in WAL mode: they survive a crash of
//!   the process, not necessarily a power cut. Cached responses can be
//!   fetched again; they are not the user's data.
//!
//! # API boundary
//!
//! Requests and responses arrive as plain records ([`CacheRequest`],
//! [`CacheResponse`], bodies read to the end). Nothing here knows JS or
//! HTTP beyond comparing header values for `Vary`: script threads make the
//! records, check what the spec makes them check (a put of a 206 response,
//! `Vary: *`) and turn answers back into objects.
//!
//! [`CacheRequest`]: cache_storage_traits::CacheRequest
//! [`CacheResponse`]: cache_storage_traits::CacheResponse

pub mod backend;
pub mod encoding;
pub mod handles;
pub mod layout;
pub mod matching;
pub mod store;

pub use cache_storage_traits::CacheMsg;

pub use crate::backend::{
    Backend, BackendConfig, Cleared, Deliver, Peer, DEFAULT_MAX_BYTES_PER_ORIGIN,
};
pub use crate::store::{CacheId, OpenError, OriginStore};

/// The `log` target of this crate.
const LOG_TARGET: &str = "bgsync::cache_storage";
