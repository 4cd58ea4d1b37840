//! Why `register()` or `getTags()` rejects.
//!
//! Each variant is one DOMException of the spec's table; the messages are
//! Chromium's, word for word, so pages written against Chromium see the same
//! text. The script side turns a `SyncError` into a DOMException with
//! [`SyncError::dom_exception_name`] and the `Display` text.

use serde::{Deserialize, Serialize};

/// A rejection of `SyncManager.register()` or `getTags()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum SyncError {
    /// The service-worker registration has no active worker.
    #[error("Registration failed - no active Service Worker")]
    InvalidState,
    /// The service is disabled: its storage failed, or the embedder turned
    /// background sync off.
    #[error("Background Sync is disabled.")]
    Unknown,
    /// No top-level window client of the origin exists, or the tag is longer
    /// than the limit.
    #[error("Attempted to register a sync event without a window or registration tag too long.")]
    InvalidAccess,
    /// The "background-sync" permission is denied for the origin.
    #[error("Permission denied.")]
    NotAllowed,
}

impl SyncError {
    /// The `name` of the DOMException the promise rejects with.
    pub fn dom_exception_name(self) -> &'static str {
        match self {
            SyncError::InvalidState => "InvalidStateError",
            SyncError::Unknown => "UnknownError",
            SyncError::InvalidAccess => "InvalidAccessError",
            SyncError::NotAllowed => "NotAllowedError",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_messages_follow_the_spec_table() {
        let table = [
            (
                SyncError::InvalidState,
                "InvalidStateError",
                "Registration failed - no active Service Worker",
            ),
            (
                SyncError::Unknown,
                "UnknownError",
                "Background Sync is disabled.",
            ),
            (
                SyncError::InvalidAccess,
                "InvalidAccessError",
                "Attempted to register a sync event without a window or registration tag too long.",
            ),
            (
                SyncError::NotAllowed,
                "NotAllowedError",
                "Permission denied.",
            ),
        ];
        for (error, name, message) in table {
            assert_eq!(error.dom_exception_name(), name);
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn errors_round_trip_through_json() {
        for error in [
            SyncError::InvalidState,
            SyncError::Unknown,
            SyncError::InvalidAccess,
            SyncError::NotAllowed,
        ] {
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<SyncError>(&json).unwrap(), error);
        }
    }
}
