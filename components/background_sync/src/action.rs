//! What the service asks its host to do.
//!
//! The service decides; its host (the constellation) acts: it wakes workers,
//! runs the timer and forwards outcomes back. Keeping the decisions as plain
//! values is what lets the whole state machine run in unit tests with no
//! worker, no thread and no timer.

use std::fmt;

use base::id::ServiceWorkerRegistrationId;

/// Names one `sync` event dispatch, so its outcome finds the right attempt:
/// an outcome that arrives after its attempt was already settled (timed
/// out, unregistered) names a finished dispatch and is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DispatchId(pub u64);

impl fmt::Display for DispatchId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "dispatch-{}", self.0)
    }
}

/// A decision for the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Start the registration's active worker if it is stopped and fire
    /// `SyncEvent { tag, lastChance: last_chance }` at it; report how it
    /// ended with `SyncService::event_outcome(dispatch, ..)`, once. A worker
    /// that cannot be started is a failed attempt
    /// (`SyncEventFailure::WorkerStartFailed`).
    DispatchSyncEvent {
        dispatch: DispatchId,
        registration: ServiceWorkerRegistrationId,
        tag: String,
        last_chance: bool,
    },
    /// The event ran past `max_event_duration_ms` and already counts as
    /// failed: interrupt the worker's script. Any outcome still reported for
    /// this dispatch is ignored.
    AbortSyncEvent { dispatch: DispatchId },
    /// Call `SyncService::wake` at this time (ms since the Unix epoch),
    /// replacing any earlier wake-up. A time in the past means "now".
    ScheduleWakeup { at_ms: u64 },
    /// Nothing is waiting for a time any more: drop the wake-up timer.
    CancelWakeup,
}
