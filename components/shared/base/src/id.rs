//! Identifiers that name engine objects across threads and processes.
//!
//! An id is only a name: holding one proves nothing. The constellation checks
//! every id that arrives from a content process against what it knows about
//! the sender (its origin) before acting on it.

use std::fmt;
use std::marker::PhantomData;

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

/// Numbers a request a page or worker sends to the constellation, so that
/// the answer, which comes back on the global's own channel from the
/// constellation, finds the promise it settles. Numbers are unique per global
/// (never reused while the global lives); `T` is the answer's type, so the
/// constellation cannot answer a request with the wrong kind of value.
///
/// On the wire it is only the number: a request costs no channel and no file
/// descriptor, however many are in flight.
#[derive(Serialize, Deserialize)]
#[serde(transparent, bound = "")]
pub struct RequestId<T> {
    number: u64,
    #[serde(skip)]
    answer: PhantomData<fn() -> T>,
}

impl<T> RequestId<T> {
    pub fn new(number: u64) -> RequestId<T> {
        RequestId {
            number,
            answer: PhantomData,
        }
    }

    pub fn number(self) -> u64 {
        self.number
    }
}

impl<T> Clone for RequestId<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for RequestId<T> {}

impl<T> PartialEq for RequestId<T> {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number
    }
}

impl<T> Eq for RequestId<T> {}

impl<T> fmt::Debug for RequestId<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "request-{}", self.number)
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

    #[test]
    fn a_request_id_crosses_ipc_whatever_its_answer_type() {
        // The answer type need not be serializable: only the number travels.
        struct NotSerializable;
        let (sender, receiver) = ipc_channel::ipc::channel().unwrap();
        sender.send(RequestId::<NotSerializable>::new(9)).unwrap();
        let received: RequestId<NotSerializable> = receiver.recv().unwrap();
        assert_eq!(received.number(), 9);
        assert_eq!(format!("{received:?}"), "request-9");
    }
}
