//! The sync service: requests in, decisions out, store writes inside.
//!
//! [`SyncService`] is what the constellation hosts. Every request is a
//! method; every method that can make something happen returns the
//! [`Action`]s the host must carry out. Inside (`processing.rs`), each state
//! change of a sync registration goes the same way: written to the store
//! first, then applied in memory, then logged as one line with target
//! `bgsync::service`. So memory never runs ahead of disk in a way that could
//! lose a registration (the two exceptions, firing and the deletion after an
//! event, can only make the file say "fire it again": see `processing.rs`),
//! and `RUST_LOG=bgsync::service=debug` tells the story of every tag.
//!
//! A store that cannot be read at start disables the service for the run
//! (`register()` and `getTags()` reject with `UnknownError`, nothing
//! fires). A write that fails later (a full disk, an I/O error) does not:
//! the `register()` whose commit failed rejects with `UnknownError`, and a
//! change the service makes on its own is kept in memory, marked unwritten,
//! and written again with back-off (`processing.rs`, "storage trouble")
//! until a write succeeds; the service goes on meanwhile.
//!
//! The host runs the checks that need knowledge the service does not have,
//! in the spec's order: active worker (`InvalidStateError`), then
//! [`SyncService::check_register`] (disabled, tag length), then window client
//! and permission, then [`SyncService::register`]. Origins are the host's
//! business too: every id given to the service has been checked against the
//! caller's origin.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use background_sync_traits::{SyncError, SyncEventOutcome, SyncRegistrationInfo};
use base::id::ServiceWorkerRegistrationId;
use base::prefs::Prefs;

use crate::action::{Action, DispatchId};
use crate::clock::{Clock, SystemClock};
use crate::manager::{SyncRegistration, SyncRegistrations};
use crate::parameters::RetryPolicy;
use crate::scheduler::WakeupTimer;
use crate::store::{Durability, MemorySyncStore, StoreError, SyncStore};

mod processing;

use self::processing::Shown;
pub use self::processing::{DEFERRED_DELETION_MS, FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS};

const LOG_TARGET: &str = "bgsync::service";

/// Why the service is disabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisabledReason {
    /// The `background_sync.enabled` pref is off.
    TurnedOff,
    /// The store failed; the text says how.
    Storage(String),
}

impl fmt::Display for DisabledReason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisabledReason::TurnedOff => formatter.write_str("turned off by the embedder"),
            DisabledReason::Storage(detail) => write!(formatter, "storage failed: {detail}"),
        }
    }
}

/// A `sync` event that was dispatched and has not ended yet.
struct InFlight {
    registration: ServiceWorkerRegistrationId,
    tag: String,
    kind: DispatchKind,
    /// When it counts as timed out; `None` without a limit.
    deadline_ms: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DispatchKind {
    /// An attempt of the registration: its outcome counts.
    Attempt,
    /// The embedder's "dispatch sync now": its outcome changes nothing.
    Devtools,
}

/// The Background Synchronization service of one profile.
pub struct SyncService {
    policy: RetryPolicy,
    store: Box<dyn SyncStore>,
    clock: Box<dyn Clock>,
    disabled: Option<DisabledReason>,
    registrations: SyncRegistrations,
    in_flight: BTreeMap<DispatchId, InFlight>,
    next_dispatch: u64,
    online: bool,
    offline_workers: BTreeSet<ServiceWorkerRegistrationId>,
    timer: WakeupTimer,
    /// Deletions after an event ended that are not written yet (see the
    /// docs of `processing.rs`), in order.
    deferred_deletions: Vec<(ServiceWorkerRegistrationId, String)>,
    /// When they are written at the latest.
    deferred_deadline_ms: Option<u64>,
    /// Registrations whose stored row is behind memory because a write
    /// failed: each is written again (memory's value, or its deletion) at
    /// `retry`.
    unwritten: BTreeSet<(ServiceWorkerRegistrationId, String)>,
    /// Service-worker registrations whose sync rows could not be deleted
    /// when they were unregistered.
    unwritten_unregistered: BTreeSet<ServiceWorkerRegistrationId>,
    /// When the unwritten changes are tried again, and the back-off after.
    retry: Option<Retry>,
    /// The batch of `in_batch`.
    batch: Batch,
}

/// The next try at writing what a failed write left unwritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Retry {
    at_ms: u64,
    /// The wait after this try, if it fails too.
    next_delay_ms: u64,
}

/// Where the writes of `SyncService::in_batch` stand: the store's batch
/// begins with the first write, so work that writes nothing commits
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Batch {
    None,
    Wanted,
    Open,
}

impl fmt::Debug for SyncService {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SyncService")
            .field("policy", &self.policy)
            .field("disabled", &self.disabled)
            .field("online", &self.online)
            .field("registrations", &self.registrations.iter().count())
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl SyncService {
    /// Starts the service with the policy of `prefs`, loading what `store`
    /// holds (see [`SyncService::with_policy`]). Disabled if the
    /// `background_sync.enabled` pref is off.
    pub fn new(prefs: &Prefs, store: Box<dyn SyncStore>, clock: Box<dyn Clock>) -> SyncService {
        let policy = RetryPolicy::from_prefs(prefs);
        if !prefs.background_sync_enabled() {
            let mut service = SyncService::empty(policy, store, clock);
            service.disable(DisabledReason::TurnedOff);
            return service;
        }
        SyncService::with_policy(policy, store, clock)
    }

    /// Starts the service, recovering from the last run: every stored
    /// registration is loaded and counts as confirmed; one that was firing
    /// when the engine stopped is pending again, its interrupted attempt not
    /// counted; back-off deadlines are kept. A store that cannot be read
    /// leaves the service disabled.
    ///
    /// The service starts offline and fires nothing until the host reports
    /// the network with [`SyncService::set_online`], which it should do
    /// right away: that first call is "engine start" in the spec's list of
    /// moments when ready registrations fire.
    pub fn with_policy(
        policy: RetryPolicy,
        store: Box<dyn SyncStore>,
        clock: Box<dyn Clock>,
    ) -> SyncService {
        let mut service = SyncService::empty(policy, store, clock);
        service.recover();
        service
    }

    /// A service that could not get storage at all (the profile database
    /// did not open): every request answers `UnknownError`.
    pub fn disabled(reason: DisabledReason) -> SyncService {
        let mut service = SyncService::empty(
            RetryPolicy::default(),
            Box::new(MemorySyncStore::new()),
            Box::new(SystemClock),
        );
        service.disable(reason);
        service
    }

    fn empty(policy: RetryPolicy, store: Box<dyn SyncStore>, clock: Box<dyn Clock>) -> SyncService {
        SyncService {
            policy,
            store,
            clock,
            disabled: None,
            registrations: SyncRegistrations::default(),
            in_flight: BTreeMap::new(),
            next_dispatch: 1,
            online: false,
            offline_workers: BTreeSet::new(),
            timer: WakeupTimer::default(),
            deferred_deletions: Vec::new(),
            deferred_deadline_ms: None,
            unwritten: BTreeSet::new(),
            unwritten_unregistered: BTreeSet::new(),
            retry: None,
            batch: Batch::None,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.disabled.is_none()
    }

    pub fn disabled_reason(&self) -> Option<&DisabledReason> {
        self.disabled.as_ref()
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The checks of `register()` that the service owns, in the spec's
    /// order: the service is enabled (else `UnknownError`), the tag is at
    /// most `max_tag_length_bytes` UTF-8 bytes (else `InvalidAccessError`).
    pub fn check_register(&self, tag: &str) -> Result<(), SyncError> {
        if self.disabled.is_some() {
            return Err(SyncError::Unknown);
        }
        if !self.policy.tag_fits(tag) {
            return Err(SyncError::InvalidAccess);
        }
        Ok(())
    }

    /// <https://wicg.github.io/background-sync/spec/#dom-syncmanager-register>,
    /// from step "if registration's active worker has a sync registration
    /// with tag" on: creates the registration (pending, committed to the
    /// store before this returns) or re-registers the existing one. Fires
    /// nothing: the registration waits for [`SyncService::confirm_registration`].
    pub fn register(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Result<(), SyncError> {
        self.check_register(tag)?;
        let next = match self.registrations.get(registration, tag) {
            None => SyncRegistration::new(self.policy.max_attempts),
            Some(existing) => match existing.reregistered() {
                Some(next) => next,
                None => {
                    log::debug!(
                        target: LOG_TARGET,
                        "{registration} tag {}: registered again; stays {}",
                        Shown(tag),
                        existing.state
                    );
                    return Ok(());
                }
            },
        };
        // Durable: the promise this answers says the registration survives.
        match self.store_and_apply(
            registration,
            tag,
            Some(next),
            Durability::Durable,
            "registered",
        ) {
            Ok(()) => Ok(()),
            Err(StoreError::UnknownServiceWorkerRegistration(_)) => {
                self.forget_worker(registration, "its service-worker registration is gone");
                Err(SyncError::InvalidState)
            }
            Err(error) => {
                // Not stored, so not promised: this register() fails, the
                // service goes on.
                self.storage_trouble(&error, "register() rejects with UnknownError");
                Err(SyncError::Unknown)
            }
        }
    }

    /// The registering context resolved its `register()` promise: the
    /// registration may fire from now on.
    pub fn confirm_registration(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Vec<Action> {
        match self.registrations.confirm(registration, tag) {
            Some(newly) => {
                if newly {
                    log::debug!(
                        target: LOG_TARGET,
                        "{registration} tag {}: confirmed by its registering context",
                        Shown(tag)
                    );
                }
            }
            None => {
                log::debug!(
                    target: LOG_TARGET,
                    "{registration} tag {}: ignoring confirmation of an unknown registration",
                    Shown(tag)
                );
                return Vec::new();
            }
        }
        self.process()
    }

    /// <https://wicg.github.io/background-sync/spec/#dom-syncmanager-gettags>:
    /// the tags in every state, in code point order.
    pub fn get_tags(
        &self,
        registration: ServiceWorkerRegistrationId,
    ) -> Result<Vec<String>, SyncError> {
        if self.disabled.is_some() {
            return Err(SyncError::Unknown);
        }
        Ok(self
            .registrations
            .of(registration)
            .map(|(tag, _)| tag.to_owned())
            .collect())
    }

    /// The registrations of one service-worker registration, for devtools.
    pub fn registrations(
        &self,
        registration: ServiceWorkerRegistrationId,
    ) -> Result<Vec<SyncRegistrationInfo>, SyncError> {
        if self.disabled.is_some() {
            return Err(SyncError::Unknown);
        }
        Ok(self
            .registrations
            .of(registration)
            .map(|(tag, sync)| sync.to_info(registration, tag))
            .collect())
    }

    /// Every registration of the profile, for devtools.
    pub fn all_registrations(&self) -> Result<Vec<SyncRegistrationInfo>, SyncError> {
        if self.disabled.is_some() {
            return Err(SyncError::Unknown);
        }
        Ok(self
            .registrations
            .iter()
            .map(|(registration, tag, sync)| sync.to_info(registration, tag))
            .collect())
    }

    /// The network went online or offline. Online fires every ready
    /// registration; offline only stops new dispatches (events in flight
    /// run to their end).
    pub fn set_online(&mut self, online: bool) -> Vec<Action> {
        if self.online != online {
            log::info!(
                target: LOG_TARGET,
                "network is {}",
                if online { "online" } else { "offline" }
            );
        }
        self.online = online;
        self.process()
    }

    /// The embedder marked a service worker offline (or back online), like
    /// devtools' per-worker offline switch: its registrations do not fire
    /// meanwhile.
    pub fn set_worker_offline(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        offline: bool,
    ) -> Vec<Action> {
        if offline {
            self.offline_workers.insert(registration);
        } else {
            self.offline_workers.remove(&registration);
        }
        self.process()
    }

    /// How a dispatched event ended. An outcome of a dispatch that is no
    /// longer in flight (it timed out, its registration was deleted, or it
    /// was already reported) is ignored.
    pub fn event_outcome(
        &mut self,
        dispatch: DispatchId,
        outcome: SyncEventOutcome,
    ) -> Vec<Action> {
        self.event_outcomes(&[(dispatch, outcome)])
    }

    /// [`SyncService::event_outcome`] for several events that ended
    /// together (a thousand tags fired at once end in bursts): their
    /// changes are stored in one commit, and one pass follows.
    pub fn event_outcomes(&mut self, outcomes: &[(DispatchId, SyncEventOutcome)]) -> Vec<Action> {
        let known: Vec<(DispatchId, SyncEventOutcome)> = outcomes
            .iter()
            .copied()
            .filter(|(dispatch, outcome)| {
                let known = self.in_flight.contains_key(dispatch);
                if !known {
                    log::debug!(
                        target: LOG_TARGET,
                        "ignoring outcome {outcome} of {dispatch}: it is not in flight"
                    );
                }
                known
            })
            .collect();
        if known.is_empty() {
            return Vec::new();
        }
        let now = self.clock.now_ms();
        self.in_batch(|service| {
            for (dispatch, outcome) in known {
                service.settle(dispatch, outcome, now);
            }
        });
        self.process()
    }

    /// The wake-up the host scheduled is due.
    pub fn wake(&mut self) -> Vec<Action> {
        self.timer.fired();
        self.process()
    }

    /// The service-worker registration was unregistered (or its origin's
    /// data cleared): its sync registrations are deleted, firing ones
    /// included, and outcomes of their events will be ignored.
    pub fn unregister_service_worker(
        &mut self,
        registration: ServiceWorkerRegistrationId,
    ) -> Vec<Action> {
        // Deleting them all covers their deferred deletions.
        self.deferred_deletions
            .retain(|(owner, _)| *owner != registration);
        if self.disabled.is_none() {
            match self.store.delete_all(registration) {
                Ok(()) | Err(StoreError::UnknownServiceWorkerRegistration(_)) => {}
                Err(error) => {
                    self.unwritten_unregistered.insert(registration);
                    self.storage_trouble(&error, "an unregistration's sync rows stay for now");
                }
            }
        }
        self.unwritten.retain(|(owner, _)| *owner != registration);
        self.forget_worker(registration, "service worker unregistered");
        self.offline_workers.remove(&registration);
        self.process()
    }

    /// The embedder's "dispatch sync now" (as in Chromium's devtools): fire
    /// `sync` with `tag` and `last_chance` at the worker at once, whatever
    /// the network, without creating, changing or counting anything stored.
    pub fn dispatch_now(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        last_chance: bool,
    ) -> Result<Vec<Action>, SyncError> {
        self.check_register(tag)?;
        let dispatch = self.next_dispatch_id();
        let deadline_ms = self.event_deadline(self.clock.now_ms());
        self.in_flight.insert(
            dispatch,
            InFlight {
                registration,
                tag: tag.to_owned(),
                kind: DispatchKind::Devtools,
                deadline_ms,
            },
        );
        log::debug!(
            target: LOG_TARGET,
            "{registration} tag {}: devtools {dispatch} (lastChance {last_chance}); stored state \
             unchanged",
            Shown(tag)
        );
        let mut actions = vec![Action::DispatchSyncEvent {
            dispatch,
            registration,
            tag: tag.to_owned(),
            last_chance,
        }];
        actions.extend(self.reschedule());
        Ok(actions)
    }
}

impl Drop for SyncService {
    /// Writes the deferred deletions, so a clean stop leaves the file as
    /// the service last saw it.
    fn drop(&mut self) {
        if self.disabled.is_none() {
            self.write_deferred_deletions();
            if !self.unwritten.is_empty() || !self.unwritten_unregistered.is_empty() {
                self.write_unwritten();
            }
        }
    }
}
