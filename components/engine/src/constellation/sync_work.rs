//! Carrying out the sync service's decisions in the constellation thread.
//!
//! The service decides ([`Action`]); the constellation acts: it starts a
//! registration's active worker from its stored scripts when a `sync` event
//! must reach it (the same start-on-demand path as `postMessage`), fires
//! the event, and hands the outcome back; it stops a worker whose event
//! ran past `background_sync.max_event_duration_ms`; it keeps the service's
//! wake-up timer.

use background_sync::{Action, DispatchId};
use background_sync_traits::{ServiceWorkerRegistrationId, SyncEventFailure, SyncEventOutcome};
use script_traits::{WorkerEvent, WorkerEventOutcome};
use url::Url;

use super::{Constellation, LOG_TARGET};
use crate::sync::DispatchReply;
use crate::sync_listing::SyncCommandError;
use crate::workers::{EventResult, OnDone};

impl Constellation {
    /// Hands ended `sync` events to the service and carries out its
    /// actions until none is left. Returns whether there was anything.
    pub(super) fn run_sync_work(&mut self) -> bool {
        let mut worked = false;
        loop {
            let ended = self.host.workers.take_sync_results();
            worked |= !ended.is_empty();
            if !ended.is_empty() {
                let ended = ended
                    .into_iter()
                    .map(|(dispatch, result)| (dispatch, sync_outcome(result)))
                    .collect();
                self.host.sync.dispatches_ended(ended, &self.registry);
            }
            let Some(action) = self.host.sync.next_action() else {
                break;
            };
            worked = true;
            self.carry_out(action);
        }
        worked
    }

    fn carry_out(&mut self, action: Action) {
        match action {
            Action::DispatchSyncEvent {
                dispatch,
                registration,
                tag,
                last_chance,
            } => self.dispatch_sync_event(dispatch, registration, tag, last_chance),
            Action::AbortSyncEvent { dispatch } => {
                let worker = self.host.sync.dispatch_aborted(dispatch, &self.registry);
                if let Some(worker) = worker {
                    // Its script is interrupted; the worker counts as
                    // stopped and starts again when something needs it.
                    self.host.workers.stop(
                        worker,
                        "its sync event ran longer than background_sync.max_event_duration_ms",
                    );
                }
            }
            Action::ScheduleWakeup { at_ms } => self.host.sync.schedule_wakeup(at_ms),
            Action::CancelWakeup => self.host.sync.cancel_wakeup(),
        }
    }

    /// <https://wicg.github.io/background-sync/spec/#fire-a-sync-event>:
    /// start the registration's active worker if it is stopped (a failed
    /// start is a failed attempt), then fire `sync` at it.
    fn dispatch_sync_event(
        &mut self,
        dispatch: DispatchId,
        registration: ServiceWorkerRegistrationId,
        tag: String,
        last_chance: bool,
    ) {
        self.host
            .sync
            .dispatch_begins(dispatch, registration, &tag, last_chance, &self.registry);
        let active = self
            .registry
            .registration(registration)
            .and_then(|found| found.active())
            .map(|worker| worker.id());
        let started = match active {
            Some(worker) => self.start_stored_worker(worker).map(|()| worker),
            None => Err(format!("{registration} has no active worker")),
        };
        let sent = started.and_then(|worker| {
            let event = WorkerEvent::Sync { tag, last_chance };
            self.host
                .workers
                .dispatch(worker, event, OnDone::Sync(dispatch))
                .map(|_| worker)
                .ok_or_else(|| format!("{worker} stopped before its sync event"))
        });
        // Fire Functional Event, last step: a registration whose worker was last checked a
        // day ago or more is checked now (Soft Update).
        if sent.is_ok() && self.registry.update_check_is_stale(registration) {
            self.registry.schedule_soft_update(registration);
        }
        match sent {
            Ok(worker) => self.host.sync.dispatch_sent(dispatch, worker),
            Err(reason) => {
                log::warn!(target: LOG_TARGET, "sync {dispatch} of {registration} failed: {reason}");
                self.host.sync.dispatch_ended(
                    dispatch,
                    SyncEventOutcome::Failed(SyncEventFailure::WorkerStartFailed),
                    &self.registry,
                );
            }
        }
    }

    /// Devtools' "dispatch sync event" on the registration for `scope`.
    pub(super) fn devtools_dispatch(
        &mut self,
        scope: Url,
        tag: &str,
        last_chance: bool,
        reply: DispatchReply,
    ) {
        let Some(registration) = self.registry.registration_by_scope(&scope) else {
            let _ = reply.send(Err(SyncCommandError::NoRegistration(scope)));
            return;
        };
        if registration.active().is_none() {
            let _ = reply.send(Err(SyncCommandError::NoActiveWorker(scope)));
            return;
        }
        let id = registration.id();
        self.host
            .sync
            .devtools_dispatch(id, tag, last_chance, reply);
    }
}

/// How a worker's report of a `sync` event reads for the service.
fn sync_outcome(result: EventResult) -> SyncEventOutcome {
    match result {
        EventResult::Done(WorkerEventOutcome::Completed) => SyncEventOutcome::Success,
        EventResult::Done(WorkerEventOutcome::WaitUntilRejected) => {
            SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected)
        }
        // A message error cannot happen to a sync event; a listener threw.
        EventResult::Done(WorkerEventOutcome::ListenerThrew | WorkerEventOutcome::MessageError) => {
            SyncEventOutcome::Failed(SyncEventFailure::HandlerThrew)
        }
        EventResult::StartFailed(_) => {
            SyncEventOutcome::Failed(SyncEventFailure::WorkerStartFailed)
        }
        EventResult::Stopped => SyncEventOutcome::Failed(SyncEventFailure::WorkerTerminated),
        EventResult::CutOff => SyncEventOutcome::Interrupted,
    }
}
