//! Why a `navigator.serviceWorker` or `ServiceWorkerRegistration` promise
//! rejects.
//!
//! Each variant is one exception of the spec's algorithms and carries a
//! message for the page's console. The script side builds the exception
//! with [`ServiceWorkerError::dom_exception_name`] and the `Display` text
//! (a `TypeError` is a JS `TypeError`, the others are DOMExceptions).

use serde::{Deserialize, Serialize};

/// A rejection of `register()`, `getRegistration()`, `getRegistrations()`,
/// `update()`, `unregister()` or `skipWaiting()`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum ServiceWorkerError {
    /// An origin or scope check failed: insecure origin, cross-origin
    /// script or scope, scope outside the allowed maximum, a script not
    /// served as JavaScript.
    #[error("{0}")]
    Security(String),
    /// A malformed request or a failed fetch (bad URL scheme, 404, network
    /// error, redirect).
    #[error("{0}")]
    Type(String),
    /// The registration is in the wrong state (no worker to update).
    #[error("{0}")]
    InvalidState(String),
    /// The registration or worker named in the request does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The profile database failed; the registry could not keep its word.
    #[error("{0}")]
    Storage(String),
}

impl ServiceWorkerError {
    /// The name of the exception to throw: `"SecurityError"`, `"TypeError"`,
    /// `"InvalidStateError"`, `"NotFoundError"` or `"UnknownError"`.
    pub fn dom_exception_name(&self) -> &'static str {
        match self {
            ServiceWorkerError::Security(_) => "SecurityError",
            ServiceWorkerError::Type(_) => "TypeError",
            ServiceWorkerError::InvalidState(_) => "InvalidStateError",
            ServiceWorkerError::NotFound(_) => "NotFoundError",
            ServiceWorkerError::Storage(_) => "UnknownError",
        }
    }

    /// The message, without the exception name.
    pub fn message(&self) -> &str {
        match self {
            ServiceWorkerError::Security(message)
            | ServiceWorkerError::Type(message)
            | ServiceWorkerError::InvalidState(message)
            | ServiceWorkerError::NotFound(message)
            | ServiceWorkerError::Storage(message) => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_names_its_exception() {
        let cases = [
            (ServiceWorkerError::Security("s".into()), "SecurityError"),
            (ServiceWorkerError::Type("t".into()), "TypeError"),
            (
                ServiceWorkerError::InvalidState("i".into()),
                "InvalidStateError",
            ),
            (ServiceWorkerError::NotFound("n".into()), "NotFoundError"),
            (ServiceWorkerError::Storage("u".into()), "UnknownError"),
        ];
        for (error, name) in cases {
            assert_eq!(error.dom_exception_name(), name);
            assert_eq!(error.to_string(), error.message());
        }
    }
}
