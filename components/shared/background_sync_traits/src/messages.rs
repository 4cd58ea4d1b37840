//! The messages of the sync service, over ipc-channel.
//!
//! A page or worker running `SyncManager` sends a [`SyncRequest`] to the
//! constellation, which hosts the service. The answer comes back on the
//! global's own channel from the constellation, numbered with the request's
//! [`RequestId`] (`script_traits::Reply`). How a `sync` event ended is a
//! [`SyncEventOutcome`].
//!
//! These messages carry no origin and no sender identity on purpose: the
//! script side wraps them in a message of its channel to the constellation,
//! and the constellation knows from that channel which pipeline or worker
//! (and so which origin) is speaking. A `registration` id in a request is a
//! claim to check against that origin, never proof.

use std::fmt;

use base::id::{RequestId, ServiceWorkerRegistrationId};
use serde::{Deserialize, Serialize};

use crate::error::SyncError;

/// The answer to [`SyncRequest::Register`]: `Ok` once the registration is
/// committed to storage.
pub type RegisterReply = Result<(), SyncError>;

/// The answer to [`SyncRequest::GetTags`]: the tags in every state.
pub type GetTagsReply = Result<Vec<String>, SyncError>;

/// From `SyncManager` (in a window or a worker) to the sync service.
#[derive(Debug, Serialize, Deserialize)]
pub enum SyncRequest {
    /// `register(tag)`: <https://wicg.github.io/background-sync/spec/#dom-syncmanager-register>.
    /// The tag is sent as given; the service checks its length.
    Register {
        registration: ServiceWorkerRegistrationId,
        tag: String,
        id: RequestId<RegisterReply>,
    },
    /// The registering context resolved its `register()` promise, so the
    /// registration may fire now. Sent after every `Ok` reply to `Register`.
    /// Until it arrives, a new registration does not fire (in this run of
    /// the engine).
    ConfirmRegistration {
        registration: ServiceWorkerRegistrationId,
        tag: String,
    },
    /// `getTags()`: <https://wicg.github.io/background-sync/spec/#dom-syncmanager-gettags>.
    GetTags {
        registration: ServiceWorkerRegistrationId,
        id: RequestId<GetTagsReply>,
    },
}

impl SyncRequest {
    /// The request's number, if it expects an answer (see [`RequestId`]).
    pub fn number(&self) -> Option<u64> {
        match self {
            SyncRequest::Register { id, .. } => Some(id.number()),
            SyncRequest::GetTags { id, .. } => Some(id.number()),
            SyncRequest::ConfirmRegistration { .. } => None,
        }
    }
}

/// How one `sync` event ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncEventOutcome {
    /// Every `waitUntil` promise fulfilled, or there was none and the
    /// handler returned.
    Success,
    /// The attempt failed and counts against the registration's attempts.
    Failed(SyncEventFailure),
    /// The attempt was cut off by something that was not its own doing:
    /// its worker was stopped because of another event, or the engine shut
    /// down. Like an attempt a crash cut off, it does not count; the
    /// registration is pending again and fires again at once.
    Interrupted,
}

/// Why a `sync` event attempt failed. Every reason counts the same; the
/// reason is for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncEventFailure {
    /// A `waitUntil` promise rejected.
    WaitUntilRejected,
    /// The `onsync` handler (or a listener) threw.
    HandlerThrew,
    /// The worker was terminated before the event completed.
    WorkerTerminated,
    /// The event ran past `background_sync.max_event_duration_ms`.
    TimedOut,
    /// The stopped worker could not be started to receive the event.
    WorkerStartFailed,
}

impl fmt::Display for SyncEventOutcome {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncEventOutcome::Success => formatter.write_str("success"),
            SyncEventOutcome::Failed(reason) => write!(formatter, "failure ({reason})"),
            SyncEventOutcome::Interrupted => formatter.write_str("interrupted (not counted)"),
        }
    }
}

impl fmt::Display for SyncEventFailure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            SyncEventFailure::WaitUntilRejected => "a waitUntil promise rejected",
            SyncEventFailure::HandlerThrew => "the handler threw",
            SyncEventFailure::WorkerTerminated => "the worker was terminated",
            SyncEventFailure::TimedOut => "the event ran past its maximum duration",
            SyncEventFailure::WorkerStartFailed => "the worker could not be started",
        })
    }
}

#[cfg(test)]
mod tests {
    use ipc_channel::ipc;

    use super::*;

    #[test]
    fn requests_cross_ipc_with_their_number() {
        let (request_sender, request_receiver) = ipc::channel::<SyncRequest>().unwrap();
        request_sender
            .send(SyncRequest::Register {
                registration: ServiceWorkerRegistrationId(1),
                tag: "ünïcödé 🐢".to_owned(),
                id: RequestId::new(3),
            })
            .unwrap();
        let SyncRequest::Register {
            registration,
            tag,
            id,
        } = request_receiver.recv().unwrap()
        else {
            panic!("expected a Register request");
        };
        assert_eq!(registration, ServiceWorkerRegistrationId(1));
        assert_eq!(tag, "ünïcödé 🐢");
        assert_eq!(id.number(), 3);
    }

    #[test]
    fn outcomes_read_well_in_logs() {
        assert_eq!(SyncEventOutcome::Success.to_string(), "success");
        assert_eq!(
            SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected).to_string(),
            "failure (a waitUntil promise rejected)"
        );
    }
}
