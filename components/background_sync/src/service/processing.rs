//! How the service carries out a request once it is accepted.
//!
//! After every request the service runs one pass (`process`):
//! time out overdue events, end elapsed back-offs, fire what is ready, re-arm
//! the wake-up timer. Every state change on the way takes one path,
//! `store_and_apply`: stored first, applied in memory second,
//! logged third. Start-up
//! recovery lives here too, because it is the same kind of work: turning
//! stored rows into registrations and storing what changed.
//!
//! Two changes are cheaper than that, and both only ever make the file say
//! "fire it again", which delivery allows (it is at-least-once):
//!
//! - Firing writes nothing: a firing registration is stored as pending
//!   (`SyncRegistration::to_stored`), which is what it becomes anyway if
//!   the engine dies before the outcome.
//! - Deferred deletions: a registration deleted because its event ended
//!   (success, or a failed last chance) leaves memory at once, but its row
//!   is deleted with the store's next write, in the same transaction, or
//!   within [`DEFERRED_DELETION_MS`], or when the service is dropped,
//!   whichever comes first. A page registering tag after tag thus pays
//!   one commit per `register()`, not two. A crash inside that window fires
//!   the finished tag once more after the restart.
//!
//! Storage trouble (a write fails: the disk is full, an I/O error) does not
//! stop the service. A change the service makes on its own is applied in
//! memory anyway and its registration marked unwritten; the unwritten ones
//! (memory's value, or a deletion) are written again in one batch after
//! [`FIRST_RETRY_DELAY_MS`], then after twice as long each time it fails, up
//! to [`MAX_RETRY_DELAY_MS`], until it succeeds. Until then, a crash can
//! only fire again what the file still holds, as with deferred deletions.

use std::fmt;

use background_sync_traits::{SyncEventFailure, SyncEventOutcome, SyncState};
use base::id::ServiceWorkerRegistrationId;

use super::{Batch, DisabledReason, DispatchKind, InFlight, SyncService, LOG_TARGET};
use crate::action::{Action, DispatchId};
use crate::manager::SyncRegistration;
use crate::scheduler::{self, Conditions};
use crate::store::{Durability, StoreError, SyncStore};

/// How many registrations one pass fires at most (see `fire_ready`).
pub(crate) const FIRE_SLICE: usize = 100;

/// The first wait before unwritten changes are written again.
pub const FIRST_RETRY_DELAY_MS: u64 = 1_000;

/// The longest wait between two tries.
pub const MAX_RETRY_DELAY_MS: u64 = 60_000;

/// How long a deletion after an event may wait for the store's next write
/// before it is written on its own (see the module docs).
pub const DEFERRED_DELETION_MS: u64 = 50;

impl SyncService {
    /// Loads the store's registrations at start.
    pub(super) fn recover(&mut self) {
        let rows = match self.store.load_all() {
            Ok(rows) => rows,
            Err(error) => {
                self.disable(DisabledReason::Storage(format!(
                    "loading sync registrations: {error}"
                )));
                return;
            }
        };
        let now = self.clock.now_ms();
        for row in rows {
            let sync = SyncRegistration::from_stored(&row, now, &self.policy);
            let info = sync.to_stored(row.registration, &row.tag);
            // Store what restart changed (a back-off capped; firing, which
            // files written before firing stopped being stored can hold, is
            // pending again), so the file tells the truth.
            if info != row {
                if let Err(error) = self.store.put(&info, Durability::Relaxed) {
                    self.unwritten.insert((row.registration, row.tag.clone()));
                    self.storage_trouble(&error, "a loaded registration's repair");
                }
            }
            if row.state == sync.state {
                log::debug!(
                    target: LOG_TARGET,
                    "{} tag {}: loaded from storage as {} ({} of {} attempts failed)",
                    row.registration,
                    Shown(&row.tag),
                    sync.state,
                    sync.num_attempts,
                    sync.max_attempts
                );
            } else {
                log_change(
                    row.registration,
                    &row.tag,
                    Some(row.state),
                    Some(&sync),
                    "loaded from storage; the engine stopped mid-attempt, which is not counted",
                );
            }
            self.registrations
                .set(row.registration, &row.tag, Some(sync));
        }
    }

    /// Times out overdue events, ends elapsed back-offs, fires what is
    /// ready, and re-arms the wake-up timer.
    pub(super) fn process(&mut self) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.disabled.is_none() {
            let now = self.clock.now_ms();
            self.time_out_events(now, &mut actions);
            self.end_backoffs(now);
            self.fire_ready(now, &mut actions);
            if self.deferred_deadline_ms.is_some_and(|at| at <= now) {
                self.write_deferred_deletions();
            }
            if self.retry.is_some_and(|retry| retry.at_ms <= now) {
                self.write_unwritten();
            }
        }
        actions.extend(self.reschedule());
        actions
    }

    /// Times out the overdue events: of one service-worker registration,
    /// only the one dispatched first this pass. They all run on its one
    /// worker, one after the other, so an event overdue behind it was held
    /// up by it: aborting the first stops the worker, and the host reports
    /// the others as interrupted (not counted). One still overdue after
    /// that times out on the next pass.
    fn time_out_events(&mut self, now: u64, actions: &mut Vec<Action>) {
        let mut overdue: Vec<(DispatchId, ServiceWorkerRegistrationId)> = self
            .in_flight
            .iter()
            .filter(|(_, flight)| flight.deadline_ms.is_some_and(|deadline| deadline <= now))
            .map(|(dispatch, flight)| (*dispatch, flight.registration))
            .collect();
        overdue.sort();
        let mut charged = std::collections::HashSet::new();
        let overdue: Vec<DispatchId> = overdue
            .into_iter()
            .filter(|(_, registration)| charged.insert(*registration))
            .map(|(dispatch, _)| dispatch)
            .collect();
        for dispatch in overdue {
            if self.disabled.is_some() {
                return;
            }
            actions.push(Action::AbortSyncEvent { dispatch });
            self.settle(
                dispatch,
                SyncEventOutcome::Failed(SyncEventFailure::TimedOut),
                now,
            );
        }
    }

    fn end_backoffs(&mut self, now: u64) {
        for (registration, tag) in scheduler::due_for_retry(&self.registrations, now) {
            if self.disabled.is_some() {
                return;
            }
            if let Some(current) = self.registrations.get(registration, &tag) {
                let next = current.backoff_elapsed();
                self.apply(registration, &tag, Some(next), "back-off elapsed");
            }
        }
    }

    /// Fires at most [`FIRE_SLICE`] ready registrations; if more are ready,
    /// the wake-up timer is set to now (`reschedule`), and the next slice
    /// fires on the next pass. A thousand tags going online at once thus
    /// reach their worker a slice at a time, the first within a fraction of
    /// a millisecond, and the host serves other requests between slices.
    fn fire_ready(&mut self, now: u64, actions: &mut Vec<Action>) {
        let ready = scheduler::ready_to_fire(
            &self.registrations,
            &Conditions {
                now_ms: now,
                online: self.online,
                offline_workers: &self.offline_workers,
            },
            FIRE_SLICE,
        );
        if ready.is_empty() {
            return;
        }
        // Firing writes nothing (see `SyncRegistration::to_stored`): the
        // stored row stays pending until the outcome arrives.
        let mut fired = Vec::new();
        for (registration, tag) in ready {
            if let Some(dispatch) = self.fire(registration, tag) {
                fired.push(dispatch);
            }
        }
        let deadline_ms = self.event_deadline(now);
        for (dispatch, registration, tag, last_chance) in fired {
            self.in_flight.insert(
                dispatch,
                InFlight {
                    registration,
                    tag: tag.clone(),
                    kind: DispatchKind::Attempt,
                    deadline_ms,
                },
            );
            actions.push(Action::DispatchSyncEvent {
                dispatch,
                registration,
                tag,
                last_chance,
            });
        }
    }

    /// Marks one ready registration firing; returns its dispatch.
    fn fire(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: String,
    ) -> Option<(DispatchId, ServiceWorkerRegistrationId, String, bool)> {
        let current = self.registrations.get(registration, &tag).cloned()?;
        let dispatch = self.next_dispatch_id();
        let last_chance = current.is_last_chance();
        let why = format!(
            "attempt {} of {}, lastChance {last_chance}, {dispatch}",
            current.num_attempts.saturating_add(1),
            current.max_attempts
        );
        self.apply(registration, &tag, Some(current.fired(dispatch)), &why)
            .then_some((dispatch, registration, tag, last_chance))
    }

    /// Runs `work` with the store's writes in one relaxed transaction, begun
    /// at the first write (none: no commit); a failure to begin or commit it
    /// disables the service.
    pub(super) fn in_batch<T>(&mut self, work: impl FnOnce(&mut SyncService) -> T) -> T {
        self.batch = Batch::Wanted;
        let result = work(self);
        let open = self.batch == Batch::Open;
        self.batch = Batch::None;
        if open {
            if let Err(error) = self.store.end_batch() {
                self.disable(DisabledReason::Storage(error.to_string()));
            }
        }
        result
    }

    /// Writes the deferred deletions now, in one relaxed commit. On a
    /// failure they are unwritten changes (see the module docs).
    pub(super) fn write_deferred_deletions(&mut self) {
        if self.deferred_deletions.is_empty() {
            self.deferred_deadline_ms = None;
            return;
        }
        let written = self.with_deferred_deletions(Durability::Relaxed, |_| Ok(()));
        if let Err(error) = written {
            // Written again with the unwritten ones, not at every pass.
            let deletions = std::mem::take(&mut self.deferred_deletions);
            self.unwritten.extend(deletions);
            self.deferred_deadline_ms = None;
            self.storage_trouble(&error, "deletions after events");
        }
    }

    /// A write failed: what it carried stays unwritten (the caller marked
    /// it), and a retry is scheduled if none is.
    pub(super) fn storage_trouble(&mut self, error: &StoreError, what: &str) {
        let behind = !self.unwritten.is_empty() || !self.unwritten_unregistered.is_empty();
        let first = self.retry.is_none();
        if !behind {
            // Nothing was applied without being written (a register() that
            // rejects): nothing to write again.
            log::error!(target: LOG_TARGET, "storage failed ({what}): {error}");
            return;
        }
        if first {
            self.retry = Some(super::Retry {
                at_ms: self.clock.now_ms().saturating_add(FIRST_RETRY_DELAY_MS),
                next_delay_ms: FIRST_RETRY_DELAY_MS.saturating_mul(2),
            });
        }
        log::error!(
            target: LOG_TARGET,
            "storage failed ({what}): {error}; {}",
            if first {
                "sync goes on from memory, and the changes are written again in 1 s".to_owned()
            } else {
                "still retrying".to_owned()
            }
        );
    }

    /// Writes every unwritten change as memory has it now, in one batch.
    /// Success ends the storage trouble; a failure waits twice as long.
    pub(super) fn write_unwritten(&mut self) {
        let keys: Vec<(ServiceWorkerRegistrationId, String)> =
            self.unwritten.iter().cloned().collect();
        let unregistered: Vec<ServiceWorkerRegistrationId> =
            self.unwritten_unregistered.iter().copied().collect();
        let written = self.store.begin_batch(Durability::Relaxed).and_then(|()| {
            let writes = unregistered
                .iter()
                .try_for_each(|registration| match self.store.delete_all(*registration) {
                    Err(StoreError::UnknownServiceWorkerRegistration(_)) => Ok(()),
                    other => other,
                })
                .and_then(|()| {
                    keys.iter().try_for_each(|(registration, tag)| {
                        let result = match self.registrations.get(*registration, tag) {
                            Some(sync) => self
                                .store
                                .put(&sync.to_stored(*registration, tag), Durability::Relaxed),
                            None => self.store.delete(*registration, tag, Durability::Relaxed),
                        };
                        match result {
                            // Unregistered meanwhile: nothing left to write.
                            Err(StoreError::UnknownServiceWorkerRegistration(_)) => Ok(()),
                            other => other,
                        }
                    })
                });
            let committed = self.store.end_batch();
            writes.and(committed)
        });
        match written {
            Ok(()) => {
                log::info!(
                    target: LOG_TARGET,
                    "storage works again: {} unwritten changes written",
                    keys.len() + unregistered.len()
                );
                self.unwritten.clear();
                self.unwritten_unregistered.clear();
                self.retry = None;
            }
            Err(error) => {
                let now = self.clock.now_ms();
                let delay = self
                    .retry
                    .map_or(FIRST_RETRY_DELAY_MS, |retry| retry.next_delay_ms);
                self.retry = Some(super::Retry {
                    at_ms: now.saturating_add(delay),
                    next_delay_ms: delay.saturating_mul(2).min(MAX_RETRY_DELAY_MS),
                });
                log::error!(
                    target: LOG_TARGET,
                    "storage still fails: {error}; {} changes stay unwritten, next try in {delay} ms",
                    keys.len() + unregistered.len()
                );
            }
        }
    }

    /// Runs `write` after the deferred deletions, in the same transaction
    /// (committed with `durability` unless a batch is open, which commits
    /// later).
    fn with_deferred_deletions(
        &mut self,
        durability: Durability,
        write: impl FnOnce(&mut dyn SyncStore) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self.batch {
            Batch::Open => {}
            Batch::Wanted => {
                self.store.begin_batch(Durability::Relaxed)?;
                self.batch = Batch::Open;
            }
            Batch::None if self.deferred_deletions.is_empty() => {
                return write(self.store.as_mut());
            }
            Batch::None => {
                self.store.begin_batch(durability)?;
                let written = self.write_deletions_then(durability, write);
                let committed = self.store.end_batch();
                return written.and(committed);
            }
        }
        self.write_deletions_then(durability, write)
    }

    fn write_deletions_then(
        &mut self,
        durability: Durability,
        write: impl FnOnce(&mut dyn SyncStore) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let deletions = std::mem::take(&mut self.deferred_deletions);
        self.deferred_deadline_ms = None;
        let written = deletions
            .iter()
            .try_for_each(|(registration, tag)| self.store.delete(*registration, tag, durability))
            .and_then(|()| write(self.store.as_mut()));
        if written.is_err() {
            // Gone from memory already: written again with the unwritten ones.
            self.unwritten.extend(deletions);
        }
        written
    }

    /// Deletes a registration whose event ended: from memory now, from the
    /// store later (see the module docs).
    fn delete_deferred(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        now: u64,
        why: &str,
    ) {
        let current = self
            .registrations
            .get(registration, tag)
            .map(|sync| sync.state);
        log_change(registration, tag, current, None, why);
        self.registrations.set(registration, tag, None);
        self.deferred_deletions.push((registration, tag.to_owned()));
        self.deferred_deadline_ms
            .get_or_insert(now.saturating_add(DEFERRED_DELETION_MS));
    }

    /// Ends a dispatch with `outcome`: an attempt moves its registration on,
    /// a devtools dispatch changes nothing.
    pub(super) fn settle(&mut self, dispatch: DispatchId, outcome: SyncEventOutcome, now: u64) {
        let Some(flight) = self.in_flight.remove(&dispatch) else {
            return;
        };
        if flight.kind == DispatchKind::Devtools {
            log::debug!(
                target: LOG_TARGET,
                "{} tag {}: devtools {dispatch} ended with {outcome}; stored state unchanged",
                flight.registration,
                Shown(&flight.tag)
            );
            return;
        }
        let Some(current) = self.registrations.get(flight.registration, &flight.tag) else {
            return;
        };
        if current.dispatch != Some(dispatch) {
            return;
        }
        let completion = current.completed(outcome, now, &self.policy);
        match completion.next {
            Some(next) => {
                self.apply(
                    flight.registration,
                    &flight.tag,
                    Some(next),
                    &completion.why,
                );
            }
            None => self.delete_deferred(flight.registration, &flight.tag, now, &completion.why),
        }
    }

    /// [`SyncService::store_and_apply`] for a change the service makes on
    /// its own (firing, an outcome, a back-off ending), stored relaxed: if
    /// power loss undoes it, the row is back in a state the next start
    /// fires again. Handles a failure: a vanished service-worker
    /// registration is forgotten; any other store failure leaves the change
    /// applied in memory and unwritten (see the module docs). Returns
    /// whether the change was applied.
    fn apply(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        next: Option<SyncRegistration>,
        why: &str,
    ) -> bool {
        match self.store_and_apply(registration, tag, next.clone(), Durability::Relaxed, why) {
            Ok(()) => true,
            Err(StoreError::UnknownServiceWorkerRegistration(_)) => {
                self.forget_worker(registration, "its service-worker registration is gone");
                false
            }
            Err(error) => {
                let current = self
                    .registrations
                    .get(registration, tag)
                    .map(|sync| sync.state);
                log_change(registration, tag, current, next.as_ref(), why);
                self.registrations.set(registration, tag, next);
                self.unwritten.insert((registration, tag.to_owned()));
                self.storage_trouble(&error, "a registration's change");
                true
            }
        }
    }

    /// Writes the registration's next value (`None`: its deletion) to the
    /// store if anything stored changes, then applies it in memory and logs
    /// the state change.
    pub(super) fn store_and_apply(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        next: Option<SyncRegistration>,
        durability: Durability,
        why: &str,
    ) -> Result<(), StoreError> {
        let current = self.registrations.get(registration, tag);
        let needs_write = match (current, &next) {
            (Some(current), Some(next)) => current.differs_in_storage_from(next),
            (None, None) => false,
            _ => true,
        };
        let current = current.map(|sync| sync.state);
        if needs_write {
            self.with_deferred_deletions(durability, |store| match &next {
                Some(sync) => store.put(&sync.to_stored(registration, tag), durability),
                None => store.delete(registration, tag, durability),
            })?;
        }
        log_change(registration, tag, current, next.as_ref(), why);
        self.registrations.set(registration, tag, next);
        if needs_write {
            // Written now: no longer behind.
            self.unwritten.remove(&(registration, tag.to_owned()));
        }
        Ok(())
    }

    /// Drops a service-worker registration's syncs and dispatches from
    /// memory (the store is the caller's concern).
    pub(super) fn forget_worker(&mut self, registration: ServiceWorkerRegistrationId, why: &str) {
        for (tag, sync) in self.registrations.remove_worker(registration) {
            log_change(registration, &tag, Some(sync.state), None, why);
        }
        self.in_flight
            .retain(|_, flight| flight.registration != registration);
    }

    pub(super) fn disable(&mut self, reason: DisabledReason) {
        match &reason {
            DisabledReason::TurnedOff => log::info!(
                target: LOG_TARGET,
                "background sync is disabled: {reason}"
            ),
            DisabledReason::Storage(_) => log::error!(
                target: LOG_TARGET,
                "background sync is disabled for this run: {reason}; register() and getTags() \
                 reject with UnknownError"
            ),
        }
        self.disabled = Some(reason);
        self.registrations.clear();
        self.in_flight.clear();
        self.deferred_deletions.clear();
        self.deferred_deadline_ms = None;
        self.unwritten.clear();
        self.unwritten_unregistered.clear();
        self.retry = None;
    }

    pub(super) fn reschedule(&mut self) -> Option<Action> {
        let next = if self.disabled.is_some() {
            None
        } else {
            scheduler::next_wakeup(
                &self.registrations,
                self.in_flight
                    .values()
                    .filter_map(|flight| flight.deadline_ms),
                &Conditions {
                    now_ms: self.clock.now_ms(),
                    online: self.online,
                    offline_workers: &self.offline_workers,
                },
            )
            .into_iter()
            .chain(self.deferred_deadline_ms)
            .chain(self.retry.map(|retry| retry.at_ms))
            .min()
        };
        self.timer.reschedule(next)
    }

    pub(super) fn event_deadline(&self, now: u64) -> Option<u64> {
        match self.policy.max_event_duration_ms {
            0 => None,
            duration => Some(now.saturating_add(duration)),
        }
    }

    pub(super) fn next_dispatch_id(&mut self) -> DispatchId {
        let id = DispatchId(self.next_dispatch);
        self.next_dispatch += 1;
        id
    }
}

/// One log line for a state change of a registration; nothing if the state
/// stayed the same (a confirmation, a dispatch id).
fn log_change(
    registration: ServiceWorkerRegistrationId,
    tag: &str,
    from: Option<SyncState>,
    to: Option<&SyncRegistration>,
    why: &str,
) {
    if from == to.map(|sync| sync.state) {
        return;
    }
    let from = from.map_or("new", SyncState::as_str);
    match to {
        Some(sync) => {
            let until = sync
                .delay_until_ms
                .map(|at| format!(", until {at}"))
                .unwrap_or_default();
            log::debug!(
                target: LOG_TARGET,
                "{registration} tag {}: {from} -> {} ({} of {} attempts failed{until}): {why}",
                Shown(tag),
                sync.state,
                sync.num_attempts,
                sync.max_attempts
            );
        }
        None => log::debug!(
            target: LOG_TARGET,
            "{registration} tag {}: {from} -> deleted: {why}",
            Shown(tag)
        ),
    }
}

/// A tag as logged: quoted, and cut after 64 characters (a tag may be
/// 10 KB).
pub(super) struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN_CHARS: usize = 64;
        match self.0.char_indices().nth(SHOWN_CHARS) {
            None => write!(formatter, "{:?}", self.0),
            Some((cut, _)) => write!(formatter, "{:?}… ({} bytes)", &self.0[..cut], self.0.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tags_are_cut_in_logs() {
        assert_eq!(Shown("outbox").to_string(), "\"outbox\"");
        let long = "é".repeat(100);
        let shown = Shown(&long).to_string();
        assert!(shown.ends_with("… (200 bytes)"), "{shown}");
        assert_eq!(shown.matches('é').count(), 64);
    }
}
