//! Identifiers that name engine objects across threads and processes.
//!
//! An id is only a name: holding one proves nothing. The constellation checks
//! every id that arrives from a content process against what it knows about
//! the sender (its origin) before acting on it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A service-worker registration, as numbered by the profile database
/// (`service_worker_registrations.id`). Ids are never reused within a
/// profile, so a stale id names nothing rather than someone else's
/// registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServiceWorkerRegistrationId(pub i64);

impl fmt::Display for ServiceWorkerRegistrationId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "sw-registration-{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_id_displays_with_its_kind() {
        assert_eq!(
            ServiceWorkerRegistrationId(7).to_string(),
            "sw-registration-7"
        );
    }

    #[test]
    fn registration_id_travels_over_an_ipc_channel() {
        let (sender, receiver) = ipc_channel::ipc::channel().unwrap();
        sender.send(ServiceWorkerRegistrationId(42)).unwrap();
        assert_eq!(receiver.recv().unwrap(), ServiceWorkerRegistrationId(42));
    }
}
