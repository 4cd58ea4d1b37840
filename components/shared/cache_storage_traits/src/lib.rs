//! The vocabulary of CacheStorage that crosses from script threads to the
//! CacheStorage backend: a request and a response as a cache stores them
//! ([`CacheRequest`], [`CacheResponse`]), the query options
//! ([`QueryOptions`]), the operations of a batch ([`CacheOp`]), the messages
//! ([`CacheMsg`], answered by [`CacheReply`]) and the errors they fail with
//! ([`CacheError`], each naming the exception a script thread throws).
//!
//! Nothing here knows JS or fetch: a script thread turns its `Request` and
//! `Response` objects into these plain records (reading the body to the end
//! first) and back.
//!
//! Spec: <https://w3c.github.io/ServiceWorker/#cache-objects>.

mod error;
mod messages;
mod records;

pub use crate::error::{CacheError, CacheErrorName};
pub use crate::messages::{
    CacheAnswer, CacheHandle, CacheMsg, CacheOp, CacheReply, CacheStorageOp, MatchScope,
    RequestNumber,
};
pub use crate::records::{CacheRequest, CacheResponse, QueryOptions};
