//! The messages between a script thread (a page or a worker) and the
//! CacheStorage backend.
//!
//! A global numbers its own requests; every [`CacheMsg`] is answered by
//! exactly one [`CacheReply`] with the same number. The engine adds the
//! sender's identity (and so its origin) when it routes the message: a
//! message never names its origin, so a global reaches only its origin's
//! caches.
//!
//! A [`CacheHandle`] is what `caches.open()` answers and what a `Cache`
//! object holds: it names one cache of the origin for the global it was
//! given to, and for no one else. It keeps working after
//! `caches.delete(name)` removes the name (the spec's `Cache` object keeps
//! its request-response list) until the global releases it
//! ([`CacheStorageOp::Release`]) or goes away.

use serde::{Deserialize, Serialize};

use crate::{CacheError, CacheRequest, CacheResponse, QueryOptions};

/// A request's number, chosen by its global.
pub type RequestNumber = u64;

/// A cache as a global holds it (a `Cache` object's reference). Numbers are
/// never reused while the engine runs, so a stale handle never names
/// another cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CacheHandle(pub u64);

/// One operation of a batch
/// (<https://w3c.github.io/ServiceWorker/#dictdef-cachebatchoperation>).
/// `cache.put()` and `cache.add()` are a batch of one `Put`, `addAll()` a
/// batch of several, `cache.delete()` a batch of one `Delete`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheOp {
    Put {
        request: CacheRequest,
        response: CacheResponse,
    },
    Delete {
        request: CacheRequest,
        options: QueryOptions,
    },
}

/// Which caches a match looks in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchScope {
    /// `cache.match()`, `cache.matchAll()`: the cache the global holds.
    Cache(CacheHandle),
    /// `caches.match(request, {cacheName})`: the cache of that name, if any
    /// (no such cache is no match, not an error).
    Named(String),
    /// `caches.match(request)`: every cache, in creation order.
    EveryCache,
}

/// What a global asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheStorageOp {
    /// `caches.open(name)`: the cache of that name, created if missing;
    /// answered by [`CacheAnswer::Opened`]. Opening a name twice gives the
    /// same cache (and, while the global holds it, the same handle).
    Open { name: String },
    /// `caches.has(name)`: [`CacheAnswer::Has`].
    Has { name: String },
    /// `caches.delete(name)`: [`CacheAnswer::Deleted`], whether it existed.
    Delete { name: String },
    /// `caches.keys()`: [`CacheAnswer::Names`], in creation order.
    Keys,
    /// `cache.match()`, `cache.matchAll()` and `caches.match()`:
    /// [`CacheAnswer::Responses`], in the caches' creation order then each
    /// cache's insertion order. `request` `None` (`matchAll()` without a
    /// request) is every response; `only_first` stops at the first match
    /// (`match()`).
    MatchAll {
        scope: MatchScope,
        request: Option<CacheRequest>,
        options: QueryOptions,
        only_first: bool,
    },
    /// `cache.keys()`: [`CacheAnswer::Requests`], in insertion order;
    /// `request` `None` is every request.
    CacheKeys {
        cache: CacheHandle,
        request: Option<CacheRequest>,
        options: QueryOptions,
    },
    /// <https://w3c.github.io/ServiceWorker/#batch-cache-operations-algorithm>:
    /// every operation is applied or none is. [`CacheAnswer::Batched`].
    Batch {
        cache: CacheHandle,
        ops: Vec<CacheOp>,
    },
    /// The global holds `cache` no more (its last `Cache` object for it was
    /// collected): a deleted cache nobody holds is removed. Optional: a
    /// global that goes releases everything it held. [`CacheAnswer::Released`].
    Release { cache: CacheHandle },
}

/// A global's message to the backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheMsg {
    pub id: RequestNumber,
    pub op: CacheStorageOp,
}

/// What a successful request yields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheAnswer {
    Opened(CacheHandle),
    Has(bool),
    Deleted(bool),
    Names(Vec<String>),
    Responses(Vec<CacheResponse>),
    Requests(Vec<CacheRequest>),
    /// One per operation, in order: whether it removed an entry (for a
    /// `Delete`, `cache.delete()`'s answer; for a `Put`, whether it
    /// replaced one).
    Batched(Vec<bool>),
    Released,
}

/// The backend's answer to the [`CacheMsg`] numbered `id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheReply {
    pub id: RequestNumber,
    pub result: Result<CacheAnswer, CacheError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_put_survives_serialization() {
        let message = CacheMsg {
            id: 7,
            op: CacheStorageOp::Batch {
                cache: CacheHandle(3),
                ops: vec![CacheOp::Put {
                    request: CacheRequest::get("https://a.test/x"),
                    response: CacheResponse {
                        response_type: "basic".into(),
                        url_list: vec!["https://a.test/x".into()],
                        status: 200,
                        status_text: "OK".into(),
                        headers: vec![("vary".into(), "accept".into())],
                        body: vec![0, 1, 255],
                        redirected: false,
                    },
                }],
            },
        };
        let json = serde_json::to_string(&message).unwrap();
        let back: CacheMsg = serde_json::from_str(&json).unwrap();
        assert_eq!(back, message);
    }
}
