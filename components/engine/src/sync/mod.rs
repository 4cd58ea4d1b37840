//! Background sync in the constellation thread: the one host of the
//! profile's [`background_sync::SyncService`].
//!
//! [`BackgroundSync`] owns the service and stands in front of it for every
//! request of a page or worker:
//!
//! - who is asking: a [`SyncClient`], given by the constellation's router
//!   from the channel the request came on, never read from a message.
//!   Pages are connected as top-level windows of their origin when their
//!   document is loaded, workers (as non-window clients of their
//!   registration's origin) when they ask;
//! - whether they may: the spec's checks, in its order, against the
//!   service-worker registry and the denied permissions ([`checks`]);
//! - the service's [`Action`]s, queued until the constellation carries them
//!   out (it alone can start a worker from its stored scripts);
//! - the `sync` events in flight: which worker runs each, and which
//!   embedder waits for a devtools dispatch;
//! - the service's one wake-up timer, as an [`Instant`] for the
//!   constellation's loop;
//! - the event log delivered to the embedder ([`crate::EngineEvent`]).
//!
//! Requests are judged against the registry itself, which is never busy
//! (its jobs wait on actions, not on the constellation thread).

mod checks;
mod permissions;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use background_sync::{Action, Clock, DispatchId, SyncService, SystemClock};
use background_sync_traits::{
    ServiceWorkerRegistrationId, SyncEventFailure, SyncEventOutcome, SyncRequest, SyncState,
};
use base::origin::Origin;
use crossbeam_channel::Sender;
use script_traits::{ClientId, ServiceWorkerId};
use service_worker_registry::ServiceWorkerRegistry;

use self::checks::Client;
pub(crate) use self::checks::SyncClient;
pub use self::permissions::{DeniedPermissions, DenyPermissionError, BACKGROUND_SYNC_PERMISSION};
use crate::events::{EngineEvent, EventCallback, SyncLogEntry, SyncLogKind};
use crate::replies::ReplyChannel;
use crate::sync_listing::{sort_listings, SyncCommandError, SyncRegistrationListing};

const LOG_TARGET: &str = "bgsync::engine::sync";

/// The answer to an embedder's devtools dispatch.
pub(crate) type DispatchReply = Sender<Result<SyncEventOutcome, SyncCommandError>>;

/// A `sync` event dispatched and not over yet.
struct Dispatch {
    registration: ServiceWorkerRegistrationId,
    tag: String,
    /// The worker running it, once the event was sent.
    worker: Option<ServiceWorkerId>,
    /// A devtools dispatch (its outcome changes nothing stored).
    devtools: bool,
    /// The embedder waiting for a devtools dispatch's outcome.
    waiter: Option<DispatchReply>,
}

pub(crate) struct BackgroundSync {
    service: SyncService,
    denied: DeniedPermissions,
    /// The connected pages and workers, with their origins.
    clients: HashMap<SyncClient, Client>,
    actions: VecDeque<Action>,
    dispatches: HashMap<DispatchId, Dispatch>,
    /// Embedders waiting until no `sync` event is in flight.
    idle_waiters: Vec<Sender<()>>,
    /// When to call the service's `wake`.
    wakeup: Option<Instant>,
    events: Option<EventCallback>,
    /// Set by [`BackgroundSync::stop_dispatching`].
    stopping: bool,
}

impl BackgroundSync {
    pub fn new(
        service: SyncService,
        denied: DeniedPermissions,
        events: Option<EventCallback>,
    ) -> BackgroundSync {
        BackgroundSync {
            service,
            denied,
            clients: HashMap::new(),
            actions: VecDeque::new(),
            dispatches: HashMap::new(),
            idle_waiters: Vec::new(),
            wakeup: None,
            events,
            stopping: false,
        }
    }

    /// The engine is shutting down: no new dispatch, whatever the network
    /// does from now on (the service hears "offline"; events in flight run
    /// to their end).
    pub fn stop_dispatching(&mut self) {
        log::info!(target: LOG_TARGET, "shutting down: no new sync events");
        self.stopping = true;
        let actions = self.service.set_online(false);
        self.queue(actions);
    }

    /// Tells the service the network state: at start (the spec's "engine
    /// start" moment, when loaded registrations fire) and on every change.
    pub fn set_online(&mut self, online: bool) {
        if self.stopping {
            return;
        }
        let actions = self.service.set_online(online);
        self.queue(actions);
    }

    /// A page's document loaded: it is a top-level window of `origin`.
    pub fn page_loaded(&mut self, page: &ClientId, origin: Origin) {
        self.connect(SyncClient::Page(page.clone()), origin, true);
    }

    pub fn page_gone(&mut self, page: &ClientId) {
        self.disconnect(&SyncClient::Page(page.clone()));
    }

    /// A worker of a registration of `origin` asks something: it is a
    /// client of that origin, not a window.
    pub fn worker_asks(&mut self, worker: ServiceWorkerId, origin: Origin) {
        let client = SyncClient::Worker(worker);
        if !self.clients.contains_key(&client) {
            self.connect(client, origin, false);
        }
    }

    fn connect(&mut self, client: SyncClient, origin: Origin, is_top_level_window: bool) {
        log::debug!(
            target: LOG_TARGET,
            "{client} connected: {}{}",
            origin.ascii_serialization(),
            if is_top_level_window {
                " (top-level window)"
            } else {
                ""
            }
        );
        self.clients.insert(
            client,
            Client {
                origin,
                is_top_level_window,
            },
        );
    }

    /// Forgets a client (its page closed). Returns whether it was
    /// connected.
    fn disconnect(&mut self, client: &SyncClient) -> bool {
        let known = self.clients.remove(client).is_some();
        log::debug!(
            target: LOG_TARGET,
            "{client} disconnected{}",
            if known { "" } else { " (was not connected)" }
        );
        known
    }

    /// The origin recorded for `client`, if connected.
    fn client_origin(&self, client: &SyncClient) -> Option<&Origin> {
        self.clients.get(client).map(|record| &record.origin)
    }

    /// Serves a `SyncManager` request of a connected page or worker; the
    /// answer goes to `replies`, the client's way back.
    pub fn handle_request(
        &mut self,
        client: SyncClient,
        replies: &ReplyChannel,
        request: SyncRequest,
        registry: &ServiceWorkerRegistry,
    ) {
        match request {
            SyncRequest::Register {
                registration,
                tag,
                id,
            } => {
                let result = self.register(&client, registration, &tag, registry);
                replies.responder(id).send(result);
                // The page waits for this answer; on a machine with few cores
                // its thread may be queued behind this one. Let it run first:
                // what follows here (the log, the next message) can wait.
                std::thread::yield_now();
                if result.is_ok() {
                    self.log(registry, registration, &tag, SyncLogKind::Registered);
                }
            }
            SyncRequest::ConfirmRegistration { registration, tag } => {
                let actions = self.confirm_registration(&client, registration, &tag, registry);
                self.queue(actions);
            }
            SyncRequest::GetTags { registration, id } => {
                let result = self.get_tags(&client, registration, registry);
                replies.responder(id).send(result);
            }
        }
    }

    fn queue(&mut self, actions: Vec<Action>) {
        self.actions.extend(actions);
    }

    /// The next action of the service to carry out.
    pub fn next_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The embedder's "dispatch sync now" for a registration with an active
    /// worker; `reply` gets the outcome once the event is over.
    pub fn devtools_dispatch(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        last_chance: bool,
        reply: DispatchReply,
    ) {
        let actions = match self.service.dispatch_now(registration, tag, last_chance) {
            Ok(actions) => actions,
            Err(error) => {
                let error = match self.service.disabled_reason() {
                    Some(reason) => SyncCommandError::Disabled(reason.to_string()),
                    None => SyncCommandError::Rejected(error),
                };
                let _ = reply.send(Err(error));
                return;
            }
        };
        let dispatch = actions.iter().find_map(|action| match action {
            Action::DispatchSyncEvent { dispatch, .. } => Some(*dispatch),
            _ => None,
        });
        if let Some(dispatch) = dispatch {
            self.dispatches.insert(
                dispatch,
                Dispatch {
                    registration,
                    tag: tag.to_owned(),
                    worker: None,
                    devtools: true,
                    waiter: Some(reply),
                },
            );
        }
        self.queue(actions);
    }

    /// A [`Action::DispatchSyncEvent`] is being carried out.
    pub fn dispatch_begins(
        &mut self,
        dispatch: DispatchId,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        last_chance: bool,
        registry: &ServiceWorkerRegistry,
    ) {
        let devtools = self
            .dispatches
            .entry(dispatch)
            .or_insert_with(|| Dispatch {
                registration,
                tag: tag.to_owned(),
                worker: None,
                devtools: false,
                waiter: None,
            })
            .devtools;
        self.log(
            registry,
            registration,
            tag,
            SyncLogKind::Dispatched {
                last_chance,
                devtools,
            },
        );
    }

    /// The event of `dispatch` was sent to `worker`.
    pub fn dispatch_sent(&mut self, dispatch: DispatchId, worker: ServiceWorkerId) {
        if let Some(flight) = self.dispatches.get_mut(&dispatch) {
            flight.worker = Some(worker);
        }
    }

    /// A `sync` event ended (or could not be delivered): the service hears
    /// the outcome, the embedder the story.
    pub fn dispatch_ended(
        &mut self,
        dispatch: DispatchId,
        outcome: SyncEventOutcome,
        registry: &ServiceWorkerRegistry,
    ) {
        self.dispatches_ended(vec![(dispatch, outcome)], registry);
    }

    /// [`BackgroundSync::dispatch_ended`] for events that ended together:
    /// the service takes their outcomes in one step (one commit).
    pub fn dispatches_ended(
        &mut self,
        ended: Vec<(DispatchId, SyncEventOutcome)>,
        registry: &ServiceWorkerRegistry,
    ) {
        let mut flights = Vec::with_capacity(ended.len());
        let mut outcomes = Vec::with_capacity(ended.len());
        for (dispatch, outcome) in ended {
            match self.dispatches.remove(&dispatch) {
                Some(flight) => {
                    flights.push((flight, outcome));
                    outcomes.push((dispatch, outcome));
                }
                // Aborted already (timed out): the service settled it.
                None => {
                    log::debug!(target: LOG_TARGET, "late outcome {outcome} of {dispatch}: ignored")
                }
            }
        }
        if outcomes.is_empty() {
            return;
        }
        let actions = self.service.event_outcomes(&outcomes);
        self.queue(actions);
        for (flight, outcome) in flights {
            self.finish(flight, outcome, registry);
        }
    }

    /// The service timed out `dispatch` (it already counts as failed):
    /// returns the worker to stop.
    pub fn dispatch_aborted(
        &mut self,
        dispatch: DispatchId,
        registry: &ServiceWorkerRegistry,
    ) -> Option<ServiceWorkerId> {
        let flight = self.dispatches.remove(&dispatch)?;
        let worker = flight.worker;
        let outcome = SyncEventOutcome::Failed(SyncEventFailure::TimedOut);
        self.finish(flight, outcome, registry);
        worker
    }

    fn finish(
        &mut self,
        flight: Dispatch,
        outcome: SyncEventOutcome,
        registry: &ServiceWorkerRegistry,
    ) {
        let kind = match outcome {
            SyncEventOutcome::Success => SyncLogKind::Completed {
                devtools: flight.devtools,
            },
            SyncEventOutcome::Failed(reason) => SyncLogKind::Failed {
                reason,
                retry_in: if flight.devtools {
                    None
                } else {
                    self.retry_in(flight.registration, &flight.tag)
                },
                devtools: flight.devtools,
            },
            SyncEventOutcome::Interrupted => SyncLogKind::Interrupted {
                devtools: flight.devtools,
            },
        };
        self.log(registry, flight.registration, &flight.tag, kind);
        if let Some(waiter) = flight.waiter {
            let _ = waiter.send(Ok(outcome));
        }
    }

    /// When a registration that just failed fires again; `None` if it is
    /// gone.
    fn retry_in(&self, registration: ServiceWorkerRegistrationId, tag: &str) -> Option<Duration> {
        let current = self
            .service
            .registrations(registration)
            .ok()?
            .into_iter()
            .find(|sync| sync.tag == tag)?;
        match (current.state, current.delay_until_ms) {
            (SyncState::Waiting, Some(at)) => Some(Duration::from_millis(
                at.saturating_sub(SystemClock.now_ms()),
            )),
            _ => Some(Duration::ZERO),
        }
    }

    /// Whether a `sync` event is in flight.
    pub fn in_flight(&self) -> bool {
        !self.dispatches.is_empty()
    }

    /// `waiter` hears once no `sync` event is in flight (at once if none is).
    pub fn when_idle(&mut self, waiter: Sender<()>) {
        self.idle_waiters.push(waiter);
        self.notify_if_idle();
    }

    pub fn notify_if_idle(&mut self) {
        if !self.in_flight() {
            for waiter in self.idle_waiters.drain(..) {
                let _ = waiter.send(());
            }
        }
    }

    pub fn schedule_wakeup(&mut self, at_ms: u64) {
        let wait = Duration::from_millis(at_ms.saturating_sub(SystemClock.now_ms()));
        // One ms late rather than early: the service compares whole ms.
        let wait = wait.saturating_add(Duration::from_millis(1));
        let now = Instant::now();
        // A deadline past what an Instant can hold is "never" in practice.
        self.wakeup = Some(
            now.checked_add(wait)
                .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365)),
        );
    }

    pub fn cancel_wakeup(&mut self) {
        self.wakeup = None;
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.wakeup
    }

    /// Wakes the service if its timer is due.
    pub fn check_timer(&mut self, now: Instant) {
        if self.wakeup.is_some_and(|at| at <= now) {
            self.wakeup = None;
            let actions = self.service.wake();
            self.queue(actions);
        }
    }

    /// A service-worker registration went away (unregistered, or its first
    /// install failed): its sync registrations are deleted. The database
    /// deleted their rows with the service-worker row (foreign key); this
    /// tells the service.
    pub fn registration_removed(&mut self, registration: ServiceWorkerRegistrationId) {
        log::debug!(
            target: LOG_TARGET,
            "{registration} is gone: deleting its sync registrations"
        );
        let actions = self.service.unregister_service_worker(registration);
        self.queue(actions);
        self.dispatches
            .retain(|_, flight| flight.registration != registration || flight.devtools);
    }

    /// Every sync registration, with its scope.
    pub fn listing(
        &self,
        registry: &ServiceWorkerRegistry,
    ) -> Result<Vec<SyncRegistrationListing>, SyncCommandError> {
        let all = self.service.all_registrations().map_err(|_| {
            SyncCommandError::Disabled(
                self.service
                    .disabled_reason()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })?;
        let mut listings: Vec<SyncRegistrationListing> = all
            .into_iter()
            .filter_map(|info| {
                let scope = registry.registration(info.registration)?.scope().clone();
                Some(SyncRegistrationListing::new(scope, info))
            })
            .collect();
        sort_listings(&mut listings);
        Ok(listings)
    }

    fn log(
        &self,
        registry: &ServiceWorkerRegistry,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        kind: SyncLogKind,
    ) {
        let Some(scope) = registry
            .registration(registration)
            .map(|found| found.scope().clone())
        else {
            return;
        };
        let entry = SyncLogEntry {
            scope,
            tag: tag.to_owned(),
            kind,
        };
        log::debug!(target: LOG_TARGET, "{entry}");
        if let Some(events) = &self.events {
            events(EngineEvent::Sync(entry));
        }
    }
}
