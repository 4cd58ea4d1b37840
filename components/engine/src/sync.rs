//! Background sync in the constellation thread: the bookkeeping around the
//! sync service that only the engine can do.
//!
//! [`BackgroundSync`] owns the [`SyncHost`] (which owns the
//! [`background_sync::SyncService`] and judges every request against the
//! sender's recorded origin) and adds what the host cannot know:
//!
//! - who is asking: pages are connected to the host as top-level windows
//!   when their document is loaded, workers (as non-window clients of their
//!   registration's origin) when they first ask; the host's client ids are
//!   given here, never read from a message;
//! - the service's [`Action`]s, queued until the constellation carries them
//!   out (it alone can start a worker from its stored scripts);
//! - the `sync` events in flight: which worker runs each, and which
//!   embedder waits for a devtools dispatch;
//! - the service's one wake-up timer, as an [`Instant`] for the
//!   constellation's loop;
//! - the network state the service hears (online unless the embedder's
//!   override says offline; the OS observer comes with issue 6);
//! - the event log delivered to the embedder ([`crate::EngineEvent`]).
//!
//! Requests are judged against the registry itself, which is never busy
//! (its jobs wait on actions, not on the constellation thread).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use background_sync::{Action, Clock, DispatchId, SystemClock};
use background_sync_traits::{
    ServiceWorkerRegistrationId, SyncEventFailure, SyncEventOutcome, SyncRequest, SyncState,
};
use base::origin::Origin;
use constellation::background_sync::{ClientId as SyncClientId, SyncHost};
use constellation::service_worker::ServiceWorkerRegistry;
use crossbeam_channel::Sender;
use script_traits::{ClientId, ServiceWorkerId};

use crate::events::{EngineEvent, EventCallback, SyncLogEntry, SyncLogKind};
use crate::sync_listing::{sort_listings, SyncCommandError, SyncRegistrationListing};

const LOG_TARGET: &str = "bgsync::engine::sync";

/// The answer to an embedder's devtools dispatch.
pub(crate) type DispatchReply = Sender<Result<SyncEventOutcome, SyncCommandError>>;

/// Who sent a sync request, as the constellation's router knows it.
pub(crate) enum SyncSender {
    Page(ClientId),
    Worker {
        worker: ServiceWorkerId,
        /// Its registration's origin.
        origin: Origin,
    },
}

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
    host: SyncHost,
    /// The host's client of each loaded page.
    pages: HashMap<ClientId, SyncClientId>,
    /// The host's client of each worker that asked something.
    workers: HashMap<ServiceWorkerId, SyncClientId>,
    actions: VecDeque<Action>,
    dispatches: HashMap<DispatchId, Dispatch>,
    /// Embedders waiting until no `sync` event is in flight.
    idle_waiters: Vec<Sender<()>>,
    /// When to call the service's `wake`.
    wakeup: Option<Instant>,
    events: Option<EventCallback>,
}

impl BackgroundSync {
    pub fn new(host: SyncHost, events: Option<EventCallback>) -> BackgroundSync {
        BackgroundSync {
            host,
            pages: HashMap::new(),
            workers: HashMap::new(),
            actions: VecDeque::new(),
            dispatches: HashMap::new(),
            idle_waiters: Vec::new(),
            wakeup: None,
            events,
        }
    }

    /// Tells the service the network state: at start (the spec's "engine
    /// start" moment, when loaded registrations fire) and on every change.
    pub fn set_online(&mut self, online: bool) {
        let actions = self.host.service_mut().set_online(online);
        self.queue(actions);
    }

    /// A page's document loaded: it is a top-level window of `origin`.
    pub fn page_loaded(&mut self, page: &ClientId, origin: Origin) {
        let client = self.host.connect_client(origin, true);
        self.pages.insert(page.clone(), client);
    }

    pub fn page_gone(&mut self, page: &ClientId) {
        if let Some(client) = self.pages.remove(page) {
            self.host.disconnect_client(client);
        }
    }

    /// Serves a `SyncManager` request of a page or worker; the reply goes
    /// on the request's own channel.
    pub fn handle_request(
        &mut self,
        sender: SyncSender,
        request: SyncRequest,
        registrations: &ServiceWorkerRegistry,
    ) {
        let client = match sender {
            SyncSender::Page(page) => match self.pages.get(&page) {
                Some(client) => *client,
                None => {
                    // The constellation refuses requests of unloaded pages
                    // before they get here; dropping the reply rejects.
                    log::warn!(
                        target: LOG_TARGET,
                        "sync request of page {page}, which is not loaded: dropped"
                    );
                    return;
                }
            },
            SyncSender::Worker { worker, origin } => *self
                .workers
                .entry(worker)
                .or_insert_with(|| self.host.connect_client(origin, false)),
        };
        match request {
            SyncRequest::Register {
                registration,
                tag,
                reply,
            } => {
                let result = self
                    .host
                    .register(client, registration, &tag, registrations);
                if let Err(error) = reply.send(result) {
                    log::debug!(target: LOG_TARGET, "cannot answer register of {client}: {error}");
                }
                // The page waits for this answer; on a machine with few cores
                // its thread may be queued behind this one. Let it run first:
                // what follows here (the log, the next message) can wait.
                std::thread::yield_now();
                if result.is_ok() {
                    self.log(registrations, registration, &tag, SyncLogKind::Registered);
                }
            }
            request => {
                let actions = self.host.handle(client, request, registrations);
                self.queue(actions);
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
        let actions = match self
            .host
            .service_mut()
            .dispatch_now(registration, tag, last_chance)
        {
            Ok(actions) => actions,
            Err(error) => {
                let error = match self.host.service().disabled_reason() {
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
        registrations: &ServiceWorkerRegistry,
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
            registrations,
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
        registrations: &ServiceWorkerRegistry,
    ) {
        self.dispatches_ended(vec![(dispatch, outcome)], registrations);
    }

    /// [`BackgroundSync::dispatch_ended`] for events that ended together:
    /// the service takes their outcomes in one step (one commit).
    pub fn dispatches_ended(
        &mut self,
        ended: Vec<(DispatchId, SyncEventOutcome)>,
        registrations: &ServiceWorkerRegistry,
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
        let actions = self.host.service_mut().event_outcomes(&outcomes);
        self.queue(actions);
        for (flight, outcome) in flights {
            self.finish(flight, outcome, registrations);
        }
    }

    /// The service timed out `dispatch` (it already counts as failed):
    /// returns the worker to stop.
    pub fn dispatch_aborted(
        &mut self,
        dispatch: DispatchId,
        registrations: &ServiceWorkerRegistry,
    ) -> Option<ServiceWorkerId> {
        let flight = self.dispatches.remove(&dispatch)?;
        let worker = flight.worker;
        let outcome = SyncEventOutcome::Failed(SyncEventFailure::TimedOut);
        self.finish(flight, outcome, registrations);
        worker
    }

    fn finish(
        &mut self,
        flight: Dispatch,
        outcome: SyncEventOutcome,
        registrations: &ServiceWorkerRegistry,
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
        };
        self.log(registrations, flight.registration, &flight.tag, kind);
        if let Some(waiter) = flight.waiter {
            let _ = waiter.send(Ok(outcome));
        }
    }

    /// When a registration that just failed fires again; `None` if it is
    /// gone.
    fn retry_in(&self, registration: ServiceWorkerRegistrationId, tag: &str) -> Option<Duration> {
        let current = self
            .host
            .service()
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
            let actions = self.host.service_mut().wake();
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
        let actions = self
            .host
            .service_mut()
            .unregister_service_worker(registration);
        self.queue(actions);
        self.dispatches
            .retain(|_, flight| flight.registration != registration || flight.devtools);
    }

    /// Every sync registration, with its scope.
    pub fn listing(
        &self,
        registrations: &ServiceWorkerRegistry,
    ) -> Result<Vec<SyncRegistrationListing>, SyncCommandError> {
        let all = self.host.service().all_registrations().map_err(|_| {
            SyncCommandError::Disabled(
                self.host
                    .service()
                    .disabled_reason()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })?;
        let mut listings: Vec<SyncRegistrationListing> = all
            .into_iter()
            .filter_map(|info| {
                let scope = registrations
                    .registration(info.registration)?
                    .scope()
                    .clone();
                Some(SyncRegistrationListing::new(scope, info))
            })
            .collect();
        sort_listings(&mut listings);
        Ok(listings)
    }

    fn log(
        &self,
        registrations: &ServiceWorkerRegistry,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        kind: SyncLogKind,
    ) {
        let Some(scope) = registrations
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
