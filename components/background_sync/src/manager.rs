//! The state machine of sync registrations, without I/O.
//!
//! <https://wicg.github.io/background-sync/spec/#sync-registration-state>
//!
//! [`SyncRegistration`] holds one registration; its methods are the spec's
//! transitions (register again, fire, complete, back-off elapsed, restart)
//! and each returns the registration's next value without changing
//! anything. [`SyncRegistrations`] groups them by service-worker
//! registration and tag. The service (`service/`) applies a transition
//! only after storing it, which keeps memory and disk in step; that is why
//! nothing here mutates in place.

use std::collections::{BTreeMap, BTreeSet};

use background_sync_traits::{SyncEventOutcome, SyncRegistrationInfo, SyncState};
use base::id::ServiceWorkerRegistrationId;

use crate::action::DispatchId;
use crate::parameters::RetryPolicy;

/// One sync registration as the running service holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyncRegistration {
    pub state: SyncState,
    pub num_attempts: u32,
    pub max_attempts: u32,
    pub delay_until_ms: Option<u64>,
    /// Whether the context whose `register()` last made this registration
    /// eligible to fire has resolved its promise. Not stored: a
    /// registration loaded from storage counts as confirmed.
    pub confirmed: bool,
    /// The event in flight, while firing or reregistered-while-firing.
    pub dispatch: Option<DispatchId>,
}

/// The registration's next value after an event outcome, and why, for the
/// log.
pub(crate) struct Completion {
    /// `None`: the registration is deleted.
    pub next: Option<SyncRegistration>,
    pub why: String,
}

impl SyncRegistration {
    /// A new registration: pending, no attempts, waiting for confirmation.
    pub fn new(max_attempts: u32) -> SyncRegistration {
        SyncRegistration {
            state: SyncState::Pending,
            num_attempts: 0,
            max_attempts: max_attempts.max(1),
            delay_until_ms: None,
            confirmed: false,
            dispatch: None,
        }
    }

    /// A stored registration as it comes back after an engine restart.
    ///
    /// One that was firing (or reregistered while firing) died with the
    /// engine: it is pending again, and the interrupted attempt is not
    /// counted (attempts are only counted when an outcome arrives). A
    /// back-off deadline is kept, but never further than the policy's
    /// longest wait from `now_ms`, which only a wall clock that jumped
    /// backwards could produce.
    pub fn from_stored(
        info: &SyncRegistrationInfo,
        now_ms: u64,
        policy: &RetryPolicy,
    ) -> SyncRegistration {
        let state = match info.state {
            SyncState::Firing | SyncState::ReregisteredWhileFiring => SyncState::Pending,
            other => other,
        };
        let latest = now_ms.saturating_add(policy.longest_retry_delay_ms());
        SyncRegistration {
            state,
            num_attempts: info.num_attempts,
            max_attempts: info.max_attempts.max(1),
            delay_until_ms: info.delay_until_ms.map(|at| at.min(latest)),
            confirmed: true,
            dispatch: None,
        }
    }

    /// What the service reports: the live state.
    pub fn to_info(
        &self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> SyncRegistrationInfo {
        SyncRegistrationInfo {
            registration,
            tag: tag.to_owned(),
            state: self.state,
            num_attempts: self.num_attempts,
            max_attempts: self.max_attempts,
            delay_until_ms: self.delay_until_ms,
        }
    }

    /// The stored form: the live state, except that an event in flight is
    /// not stored. A registration that is firing (or reregistered while
    /// firing) is stored as pending, which is exactly what it becomes if
    /// the engine dies before the outcome arrives (the interrupted attempt
    /// is not counted). So firing costs no write; the outcome does.
    pub fn to_stored(
        &self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> SyncRegistrationInfo {
        SyncRegistrationInfo {
            state: self.stored_state(),
            ..self.to_info(registration, tag)
        }
    }

    fn stored_state(&self) -> SyncState {
        match self.state {
            SyncState::Firing | SyncState::ReregisteredWhileFiring => SyncState::Pending,
            other => other,
        }
    }

    /// Whether `other` differs in what is stored (not only in confirmation,
    /// dispatch or being in flight, which live in memory).
    pub fn differs_in_storage_from(&self, other: &SyncRegistration) -> bool {
        (
            self.stored_state(),
            self.num_attempts,
            self.max_attempts,
            self.delay_until_ms,
        ) != (
            other.stored_state(),
            other.num_attempts,
            other.max_attempts,
            other.delay_until_ms,
        )
    }

    /// `register()` with the tag of this existing registration; `None` when
    /// nothing changes.
    ///
    /// - pending stays pending (and stays confirmed if it was);
    /// - waiting becomes pending and may fire at once: the page asked again,
    ///   so the back-off deadline is dropped, but the attempt count is kept,
    ///   so re-registering cannot buy more than `max_attempts` attempts;
    /// - firing becomes reregistered-while-firing, so it fires again after
    ///   the current event.
    ///
    /// A change waits for the new caller's confirmation, like a new
    /// registration: nothing fires before the registering context resolved
    /// its promise.
    pub fn reregistered(&self) -> Option<SyncRegistration> {
        match self.state {
            SyncState::Pending | SyncState::ReregisteredWhileFiring => None,
            SyncState::Waiting => Some(SyncRegistration {
                state: SyncState::Pending,
                delay_until_ms: None,
                confirmed: false,
                ..self.clone()
            }),
            SyncState::Firing => Some(SyncRegistration {
                state: SyncState::ReregisteredWhileFiring,
                confirmed: false,
                ..self.clone()
            }),
        }
    }

    /// Whether it may fire now, as far as the registration itself can tell:
    /// pending, confirmed, and its delay (if any) passed. The network and the
    /// worker's offline mark are the scheduler's to check.
    pub fn is_ready(&self, now_ms: u64) -> bool {
        self.state == SyncState::Pending
            && self.confirmed
            && self.delay_until_ms.is_none_or(|at| at <= now_ms)
    }

    /// Whether the next attempt is the last one.
    ///
    /// The spec's `num_attempts == max_attempts - 1`, written as `>=`: the
    /// two agree whenever attempts stay below the maximum, and a
    /// registration re-registered while its last attempt was failing (which
    /// fires once more) must still be told it is the last chance.
    pub fn is_last_chance(&self) -> bool {
        self.num_attempts.saturating_add(1) >= self.max_attempts
    }

    /// Pending to firing, for `dispatch`.
    pub fn fired(&self, dispatch: DispatchId) -> SyncRegistration {
        SyncRegistration {
            state: SyncState::Firing,
            dispatch: Some(dispatch),
            ..self.clone()
        }
    }

    /// Waiting to pending: the back-off deadline passed.
    pub fn backoff_elapsed(&self) -> SyncRegistration {
        SyncRegistration {
            state: SyncState::Pending,
            delay_until_ms: None,
            ..self.clone()
        }
    }

    /// The event for this registration ended with `outcome` at `now_ms`.
    ///
    /// - success: deleted; if reregistered while firing, pending again with
    ///   attempts reset, to fire again;
    /// - failure: attempts + 1; if reregistered while firing, pending, to
    ///   fire again; else if attempts remain, waiting until
    ///   `now + initial_retry_delay * factor^(attempts - 1)`; else deleted.
    pub fn completed(
        &self,
        outcome: SyncEventOutcome,
        now_ms: u64,
        policy: &RetryPolicy,
    ) -> Completion {
        let reregistered = self.state == SyncState::ReregisteredWhileFiring;
        let pending = |num_attempts| SyncRegistration {
            state: SyncState::Pending,
            num_attempts,
            delay_until_ms: None,
            dispatch: None,
            ..self.clone()
        };
        match outcome {
            SyncEventOutcome::Success if reregistered => Completion {
                next: Some(pending(0)),
                why: "succeeded; registered again while firing, so it fires again".to_owned(),
            },
            SyncEventOutcome::Success => Completion {
                next: None,
                why: "succeeded".to_owned(),
            },
            SyncEventOutcome::Interrupted => Completion {
                next: Some(pending(self.num_attempts)),
                why: "interrupted by something else; not counted, it fires again".to_owned(),
            },
            SyncEventOutcome::Failed(reason) => {
                let num_attempts = self.num_attempts.saturating_add(1);
                if reregistered {
                    Completion {
                        next: Some(pending(num_attempts)),
                        why: format!(
                            "failed ({reason}); registered again while firing, so it fires again"
                        ),
                    }
                } else if num_attempts < self.max_attempts {
                    let delay_ms = policy.retry_delay_ms(num_attempts);
                    Completion {
                        next: Some(SyncRegistration {
                            state: SyncState::Waiting,
                            num_attempts,
                            delay_until_ms: Some(now_ms.saturating_add(delay_ms)),
                            dispatch: None,
                            ..self.clone()
                        }),
                        why: format!("failed ({reason}); retrying in {delay_ms} ms"),
                    }
                } else {
                    Completion {
                        next: None,
                        why: format!(
                            "failed ({reason}) on its last chance; giving up after {num_attempts} \
                             attempts"
                        ),
                    }
                }
            }
        }
    }
}

/// Every sync registration, by service-worker registration, then tag (in
/// code point order, which is also the order `getTags()` reports, as in
/// Chromium).
#[derive(Debug, Default)]
pub(crate) struct SyncRegistrations {
    by_worker: BTreeMap<ServiceWorkerRegistrationId, BTreeMap<String, SyncRegistration>>,
    /// The keys of waiting registrations (in back-off): what
    /// [`SyncRegistrations::waiting`] walks.
    waiting: BTreeSet<(ServiceWorkerRegistrationId, String)>,
    /// The keys of confirmed pending registrations (ready once online):
    /// what [`SyncRegistrations::confirmed_pending`] walks. With these two,
    /// the scheduler's passes cost what is schedulable, not every
    /// registration: twenty thousand pending tags offline cost nothing.
    confirmed_pending: BTreeSet<(ServiceWorkerRegistrationId, String)>,
}

impl SyncRegistrations {
    pub fn get(
        &self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Option<&SyncRegistration> {
        self.by_worker.get(&registration)?.get(tag)
    }

    /// Marks a registration confirmed; whether it was not yet, `None` if
    /// there is none.
    pub fn confirm(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Option<bool> {
        let sync = self.by_worker.get_mut(&registration)?.get_mut(tag)?;
        let newly = !sync.confirmed;
        sync.confirmed = true;
        let (state, confirmed) = (sync.state, sync.confirmed);
        self.index(registration, tag, Some((state, confirmed)));
        Some(newly)
    }

    /// Keeps the key in the set its state belongs to (`None`: removed).
    fn index(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        value: Option<(SyncState, bool)>,
    ) {
        let key = (registration, tag.to_owned());
        match value {
            Some((SyncState::Waiting, _)) => {
                self.confirmed_pending.remove(&key);
                self.waiting.insert(key);
            }
            Some((SyncState::Pending, true)) => {
                self.waiting.remove(&key);
                self.confirmed_pending.insert(key);
            }
            _ => {
                self.waiting.remove(&key);
                self.confirmed_pending.remove(&key);
            }
        }
    }

    /// The waiting registrations.
    pub fn waiting(
        &self,
    ) -> impl Iterator<Item = (ServiceWorkerRegistrationId, &str, &SyncRegistration)> {
        self.entries(&self.waiting)
    }

    /// The confirmed pending registrations.
    pub fn confirmed_pending(
        &self,
    ) -> impl Iterator<Item = (ServiceWorkerRegistrationId, &str, &SyncRegistration)> {
        self.entries(&self.confirmed_pending)
    }

    fn entries<'a>(
        &'a self,
        keys: &'a BTreeSet<(ServiceWorkerRegistrationId, String)>,
    ) -> impl Iterator<Item = (ServiceWorkerRegistrationId, &'a str, &'a SyncRegistration)> {
        keys.iter().filter_map(move |(registration, tag)| {
            let tag: &'a String = tag;
            self.get(*registration, tag)
                .map(|sync| (*registration, tag.as_str(), sync))
        })
    }

    /// Stores `value` under the key, or removes the key for `None`.
    pub fn set(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        value: Option<SyncRegistration>,
    ) {
        self.index(
            registration,
            tag,
            value.as_ref().map(|sync| (sync.state, sync.confirmed)),
        );
        match value {
            Some(value) => {
                self.by_worker
                    .entry(registration)
                    .or_default()
                    .insert(tag.to_owned(), value);
            }
            None => {
                if let Some(tags) = self.by_worker.get_mut(&registration) {
                    tags.remove(tag);
                    if tags.is_empty() {
                        self.by_worker.remove(&registration);
                    }
                }
            }
        }
    }

    /// The registrations of one service-worker registration, by tag.
    pub fn of(
        &self,
        registration: ServiceWorkerRegistrationId,
    ) -> impl Iterator<Item = (&str, &SyncRegistration)> {
        self.by_worker
            .get(&registration)
            .into_iter()
            .flatten()
            .map(|(tag, sync)| (tag.as_str(), sync))
    }

    /// Every registration with its keys.
    pub fn iter(
        &self,
    ) -> impl Iterator<Item = (ServiceWorkerRegistrationId, &str, &SyncRegistration)> {
        self.by_worker.iter().flat_map(|(registration, tags)| {
            tags.iter()
                .map(move |(tag, sync)| (*registration, tag.as_str(), sync))
        })
    }

    /// Removes and returns the registrations of one service-worker
    /// registration.
    pub fn remove_worker(
        &mut self,
        registration: ServiceWorkerRegistrationId,
    ) -> BTreeMap<String, SyncRegistration> {
        let removed = self.by_worker.remove(&registration).unwrap_or_default();
        for tag in removed.keys() {
            self.index(registration, tag, None);
        }
        removed
    }

    pub fn clear(&mut self) {
        self.by_worker.clear();
        self.waiting.clear();
        self.confirmed_pending.clear();
    }
}

#[cfg(test)]
#[path = "manager_tests.rs"]
mod tests;
