//! A request and a response as a cache stores them, and the options of a
//! query (<https://w3c.github.io/ServiceWorker/#dictdef-cachequeryoptions>).

use serde::{Deserialize, Serialize};

/// A request as a cache stores it: what "request matches cached item" and
/// `cache.keys()` need of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheRequest {
    /// The request's URL, serialized (absolute). A fragment may be present:
    /// it is kept (`keys()` returns it) and ignored by every comparison.
    pub url: String,
    /// The normalized method (`GET`, not `get`).
    pub method: String,
    /// The header list in order, names lower-case.
    pub headers: Vec<(String, String)>,
}

impl CacheRequest {
    /// A `GET` of `url` without headers.
    pub fn get(url: impl Into<String>) -> CacheRequest {
        CacheRequest {
            url: url.into(),
            method: "GET".to_owned(),
            headers: Vec::new(),
        }
    }
}

/// A response as a cache stores it, its body read to the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheResponse {
    /// `"basic"`, `"cors"`, `"default"` or `"opaque"`.
    pub response_type: String,
    pub url_list: Vec<String>,
    pub status: u16,
    pub status_text: String,
    /// The header list in order.
    pub headers: Vec<(String, String)>,
    /// Encoded as one byte string, not byte by byte.
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
    pub redirected: bool,
}

/// <https://w3c.github.io/ServiceWorker/#dictdef-cachequeryoptions>; the
/// `cacheName` of `caches.match()` is [`crate::MatchScope::Named`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryOptions {
    pub ignore_search: bool,
    pub ignore_method: bool,
    pub ignore_vary: bool,
}
