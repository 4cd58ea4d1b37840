//! The messages of the sync service, over ipc-channel.
//!
//! Two conversations go through the constellation, which hosts the service:
//!
//! - a page or worker running `SyncManager` sends a [`SyncRequest`] and gets
//!   its answer on the `reply` sender inside it;
//! - the constellation asks a service-worker thread to fire a `sync` event
//!   with a [`SyncWorkerRequest`] and gets a [`SyncEventOutcome`] back.
//!
//! These messages carry no origin and no sender identity on purpose: the
//! script side wraps them in a message of its channel to the constellation,
//! and the constellation knows from that channel which pipeline or worker
//! (and so which origin) is speaking. A `registration` id in a request is a
//! claim to check against that origin, never proof.

use std::fmt;

use base::id::ServiceWorkerRegistrationId;
use ipc_channel::ipc::IpcSender;
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
        reply: IpcSender<RegisterReply>,
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
        reply: IpcSender<GetTagsReply>,
    },
}

/// From the constellation to the thread running a service worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum SyncWorkerRequest {
    /// Fire `SyncEvent { type: "sync", tag, lastChance: last_chance }` at
    /// the worker's global scope and, once every `waitUntil` promise has
    /// settled (or the handler returned without any), send the outcome.
    /// The worker sends exactly one outcome per request.
    DispatchSyncEvent {
        registration: ServiceWorkerRegistrationId,
        tag: String,
        last_chance: bool,
        reply: IpcSender<SyncEventOutcome>,
    },
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
    fn register_request_carries_its_reply_channel_across_ipc() {
        let (request_sender, request_receiver) = ipc::channel::<SyncRequest>().unwrap();
        let (reply_sender, reply_receiver) = ipc::channel::<RegisterReply>().unwrap();
        request_sender
            .send(SyncRequest::Register {
                registration: ServiceWorkerRegistrationId(1),
                tag: "outbox".to_owned(),
                reply: reply_sender,
            })
            .unwrap();
        let SyncRequest::Register {
            registration,
            tag,
            reply,
        } = request_receiver.recv().unwrap()
        else {
            panic!("expected a Register request");
        };
        assert_eq!(registration, ServiceWorkerRegistrationId(1));
        assert_eq!(tag, "outbox");
        reply.send(Err(SyncError::NotAllowed)).unwrap();
        assert_eq!(reply_receiver.recv().unwrap(), Err(SyncError::NotAllowed));
    }

    #[test]
    fn get_tags_reply_keeps_non_ascii_tags_exactly() {
        let (request_sender, request_receiver) = ipc::channel::<SyncRequest>().unwrap();
        let (reply_sender, reply_receiver) = ipc::channel::<GetTagsReply>().unwrap();
        request_sender
            .send(SyncRequest::GetTags {
                registration: ServiceWorkerRegistrationId(2),
                reply: reply_sender,
            })
            .unwrap();
        let SyncRequest::GetTags { reply, .. } = request_receiver.recv().unwrap() else {
            panic!("expected a GetTags request");
        };
        let tags = vec![String::new(), "ünïcödé 🐢".to_owned(), "a\0b".to_owned()];
        reply.send(Ok(tags.clone())).unwrap();
        assert_eq!(reply_receiver.recv().unwrap(), Ok(tags));
    }

    #[test]
    fn worker_reports_one_outcome_per_dispatch() {
        let (request_sender, request_receiver) = ipc::channel::<SyncWorkerRequest>().unwrap();
        let (reply_sender, reply_receiver) = ipc::channel::<SyncEventOutcome>().unwrap();
        request_sender
            .send(SyncWorkerRequest::DispatchSyncEvent {
                registration: ServiceWorkerRegistrationId(5),
                tag: "t".to_owned(),
                last_chance: true,
                reply: reply_sender,
            })
            .unwrap();
        let SyncWorkerRequest::DispatchSyncEvent {
            last_chance, reply, ..
        } = request_receiver.recv().unwrap();
        assert!(last_chance);
        let outcome = SyncEventOutcome::Failed(SyncEventFailure::TimedOut);
        reply.send(outcome).unwrap();
        assert_eq!(reply_receiver.recv().unwrap(), outcome);
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
