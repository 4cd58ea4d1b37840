//! The errors of CacheStorage requests, each with the exception a script
//! thread rejects the request's promise with.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a CacheStorage request fails with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheErrorName {
    /// A put whose request matches an earlier operation of its batch
    /// (<https://w3c.github.io/ServiceWorker/#batch-cache-operations-algorithm>).
    InvalidState,
    /// The origin's storage is full (`cache_storage.max_bytes_per_origin`, or the disk).
    QuotaExceeded,
    /// A cache handle the sender does not hold (never opened, released, or
    /// its origin's data was cleared).
    NotFound,
    /// A JS `TypeError`, not a DOMException: a put of a request that is not
    /// `GET` or not http(s). Script threads check these before sending; the
    /// backend checks again so a forged message does nothing.
    Type,
    /// The storage failed (I/O, a damaged file).
    Unknown,
}

impl CacheErrorName {
    /// The DOMException's `name`, or `"TypeError"` for [`CacheErrorName::Type`].
    pub fn dom_exception_name(self) -> &'static str {
        match self {
            CacheErrorName::InvalidState => "InvalidStateError",
            CacheErrorName::QuotaExceeded => "QuotaExceededError",
            CacheErrorName::NotFound => "NotFoundError",
            CacheErrorName::Type => "TypeError",
            CacheErrorName::Unknown => "UnknownError",
        }
    }
}

/// A failed CacheStorage request: the exception's name and message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheError {
    pub name: CacheErrorName,
    pub message: String,
}

impl CacheError {
    pub fn new(name: CacheErrorName, message: impl Into<String>) -> CacheError {
        CacheError {
            name,
            message: message.into(),
        }
    }
}

impl fmt::Display for CacheError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}: {}",
            self.name.dom_exception_name(),
            self.message
        )
    }
}

impl std::error::Error for CacheError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_their_exception_name() {
        let error = CacheError::new(CacheErrorName::QuotaExceeded, "full");
        assert_eq!(error.to_string(), "QuotaExceededError: full");
        assert_eq!(CacheErrorName::Type.dom_exception_name(), "TypeError");
    }
}
