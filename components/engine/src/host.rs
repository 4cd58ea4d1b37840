//! The constellation's side of its clients and workers, and the
//! [`WorkerHost`] the service-worker registry runs lifecycle events through.
//!
//! The registry is synchronous: `run_install` must return how the install
//! event ended. While the [`Host`] waits for that, it keeps serving the
//! messages of every worker (`clients.claim()` inside `activate`,
//! `client.postMessage()`, `skipWaiting()` inside `install` all need an
//! answer before the event can end), and the pages' `SyncManager` requests
//! (judged against the registration as it is during the wait: a
//! `register()` while the only worker installs is an `InvalidStateError`).
//! Every other page message is held for the constellation, and so is
//! every later message of a page that has one held, so each page's
//! messages keep their order. A worker's requests that need the registry itself
//! (`skipWaiting()`'s activation, `registration.update()`) are queued as
//! [`Deferred`] work, which the constellation runs once the registry is
//! free.
//!
//! The host keeps its own copy of every registration (kept current by
//! [`WorkerHost::worker_state_changed`] and resynced after each registry
//! call), so it can judge `clients.claim()` while the registry is busy.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use base::id::ServiceWorkerRegistrationId;
use base::origin::{ascii_serialization, Origin};
use constellation::service_worker::{
    InstallFailure, ServiceWorkerRegistry, WorkerHost, WorkerScripts,
};
use crossbeam_channel::{select, Receiver};
use script_traits::{
    ClientId, ClientInfo, ClientType, ImportedScript, RegistrationInfo, RegistrationUpdate,
    ScriptMsg, SerializedMessage, ServiceWorkerError, ServiceWorkerId, ServiceWorkerInfo,
    ServiceWorkerRequest, ServiceWorkerState, ToClientMsg, ToWorkerMsg, WorkerEvent,
    WorkerEventOutcome, WorkerMsg,
};
use url::Url;

use crate::clients::{Clients, Controller};
use crate::routing::{ClientMessage, WorkerMessage};
use crate::sync::{BackgroundSync, SyncSender};
use crate::workers::{Evaluation, EventResult, OnDone, Workers};

const LOG_TARGET: &str = "bgsync::engine::host";

/// How long a wait sleeps when no timer is due: any message wakes it.
const NO_DEADLINE_WAIT: Duration = Duration::from_secs(3600);

/// Work for the registry, queued while it was busy.
#[derive(Debug)]
pub(crate) enum Deferred {
    /// `skipWaiting()` in this worker: set its flag and Try Activate.
    SkipWaiting(ServiceWorkerId),
    /// A worker's `registration.update()` / `unregister()`.
    Request {
        worker: ServiceWorkerId,
        origin: Origin,
        request: Box<ServiceWorkerRequest>,
    },
}

pub(crate) struct Host {
    pub clients: Clients,
    pub workers: Workers,
    /// Every registration as the registry last reported it.
    pub registrations: BTreeMap<ServiceWorkerRegistrationId, RegistrationInfo>,
    pub deferred: VecDeque<Deferred>,
    /// The sync service and its bookkeeping. Here rather than in the
    /// constellation so a worker's sync request is answered while the
    /// registry waits on a lifecycle event.
    pub sync: BackgroundSync,
    worker_messages: Receiver<WorkerMessage>,
    /// The pages' messages, read while the registry waits (see the module
    /// docs); `None` until the constellation connects it.
    client_messages: Option<Receiver<ClientMessage>>,
    /// Page messages read while the registry waited, for the constellation.
    held_client_messages: VecDeque<ClientMessage>,
    /// The pages with a held message.
    held_clients: HashSet<ClientId>,
}

impl Host {
    pub fn new(
        workers: Workers,
        worker_messages: Receiver<WorkerMessage>,
        sync: BackgroundSync,
    ) -> Host {
        Host {
            clients: Clients::default(),
            workers,
            registrations: BTreeMap::new(),
            deferred: VecDeque::new(),
            sync,
            worker_messages,
            client_messages: None,
            held_client_messages: VecDeque::new(),
            held_clients: HashSet::new(),
        }
    }

    /// Lets the host read the pages' messages while the registry waits.
    pub fn watch_client_messages(&mut self, client_messages: Receiver<ClientMessage>) {
        self.client_messages = Some(client_messages);
    }

    /// The next page message held while the registry waited, in the order
    /// they came.
    pub fn take_held_client_message(&mut self) -> Option<ClientMessage> {
        let message = self.held_client_messages.pop_front();
        if message.is_none() {
            self.held_clients.clear();
        }
        message
    }

    /// A page message read while the registry waits: a sync request is
    /// served now (unless the page has messages held), anything else held.
    fn client_message_while_busy(&mut self, message: ClientMessage) {
        match message {
            ClientMessage {
                client,
                message: Some(ScriptMsg::Sync(request)),
            } if !self.held_clients.contains(&client) => {
                self.sync
                    .handle_request(SyncSender::Page(client), request, &self.registrations)
            }
            message => {
                self.held_clients.insert(message.client.clone());
                self.held_client_messages.push_back(message);
            }
        }
    }

    /// Forgets a client (its page closed or its channel did).
    pub fn remove_client(&mut self, client: &ClientId) {
        self.clients.remove(client);
        self.sync.page_gone(client);
    }

    pub fn worker_messages(&self) -> &Receiver<WorkerMessage> {
        &self.worker_messages
    }

    /// Makes the host's copy of the registrations the registry's.
    pub fn sync_registrations(&mut self, registry: &ServiceWorkerRegistry) {
        self.registrations = registry
            .registrations()
            .map(|registration| (registration.id(), registration.info()))
            .collect();
        self.sync.registrations_changed(&self.registrations);
    }

    /// Runs `worker` if it is not running (from its stored scripts, or a
    /// first run) and waits until its script was evaluated. Returns what a
    /// first run imported.
    pub fn ensure_running(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: WorkerScripts<'_>,
        first_run: bool,
    ) -> Result<Vec<ImportedScript>, String> {
        if !self.workers.is_running(worker.id) {
            self.workers
                .start(registration, worker, scripts, first_run)?;
        }
        loop {
            match self
                .workers
                .get(worker.id)
                .map(|running| &running.evaluation)
            {
                None => {
                    let reason = self.workers.stop_reason(worker.id);
                    return Err(reason
                        .unwrap_or("the worker stopped before its script finished")
                        .to_owned());
                }
                Some(Evaluation::Ok(imported)) => return Ok(imported.clone()),
                Some(Evaluation::Pending { .. }) => self.wait_for_worker_message(),
            }
        }
    }

    /// Fires `event` at a running worker and waits until it ends.
    fn run_event(&mut self, worker: ServiceWorkerId, event: WorkerEvent) -> EventResult {
        let Some(id) = self.workers.dispatch(worker, event, OnDone::Record) else {
            return EventResult::Stopped;
        };
        loop {
            if let Some(result) = self.workers.take_result(id) {
                return result;
            }
            self.wait_for_worker_message();
        }
    }

    /// Serves one worker message (or a page's sync request, see the module
    /// docs), or the timers if none comes before the next is due.
    fn wait_for_worker_message(&mut self) {
        let timeout = self
            .workers
            .next_deadline()
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
            .unwrap_or(NO_DEADLINE_WAIT);
        let worker_messages = self.worker_messages.clone();
        let client_messages = self
            .client_messages
            .clone()
            .unwrap_or_else(crossbeam_channel::never);
        self.workers.flush();
        self.workers.inbox().wait(timeout, || {
            !worker_messages.is_empty() || !client_messages.is_empty()
        });
        select! {
            recv(worker_messages) -> message => match message {
                Ok(message) => self.handle_worker_message(message),
                // The host holds a sender of this channel itself.
                Err(_) => unreachable!("worker channel closed"),
            },
            recv(client_messages) -> message => {
                if let Ok(message) = message {
                    self.client_message_while_busy(message);
                }
            },
            default => {},
        }
        self.workers.check_timers(Instant::now());
    }

    /// Serves a message of a worker thread.
    pub fn handle_worker_message(&mut self, message: WorkerMessage) {
        let WorkerMessage {
            worker,
            instance,
            message,
        } = message;
        let Some(message) = message else {
            return self.workers.gone(worker, instance);
        };
        let Some(running) = self.workers.instance(worker, instance) else {
            log::debug!(target: LOG_TARGET, "ignoring a message of a stopped run of {worker}");
            return;
        };
        let origin = running.origin.clone();
        match message {
            WorkerMsg::Evaluated(evaluation) => self.workers.evaluated(worker, evaluation),
            WorkerMsg::EventDone { id, outcome } => {
                self.workers.event_done(worker, instance, id, outcome)
            }
            WorkerMsg::SkipWaiting { reply } => {
                // The flag is set once the registry is free; the promise
                // does not wait for the activation.
                let _ = reply.send(());
                self.deferred.push_back(Deferred::SkipWaiting(worker));
            }
            WorkerMsg::GetClient { id, reply } => {
                let client = self
                    .clients
                    .get(&ClientId(id))
                    .filter(|client| client.origin == origin)
                    .and_then(|client| client.info());
                let _ = reply.send(client);
            }
            WorkerMsg::MatchAllClients {
                include_uncontrolled,
                client_type,
                reply,
            } => {
                let clients =
                    self.match_all_clients(worker, &origin, include_uncontrolled, client_type);
                let _ = reply.send(clients);
            }
            WorkerMsg::Claim { reply } => {
                let _ = reply.send(self.claim(worker));
            }
            WorkerMsg::PostMessageToClient { client, message } => {
                self.post_message_to_client(worker, &origin, &client, message)
            }
            WorkerMsg::ServiceWorker(request) => self.deferred.push_back(Deferred::Request {
                worker,
                origin,
                request: Box::new(request),
            }),
            WorkerMsg::Sync(request) => self.sync.handle_request(
                SyncSender::Worker { worker, origin },
                request,
                &self.registrations,
            ),
        }
    }

    /// `clients.matchAll()`: <https://w3c.github.io/ServiceWorker/#clients-matchall>
    fn match_all_clients(
        &self,
        worker: ServiceWorkerId,
        origin: &Origin,
        include_uncontrolled: bool,
        client_type: Option<ClientType>,
    ) -> Vec<ClientInfo> {
        self.clients
            .loaded_of_origin(origin)
            .filter(|client| {
                include_uncontrolled
                    || client
                        .controller
                        .is_some_and(|controller| controller.worker == worker)
            })
            .filter_map(|client| client.info())
            .filter(|info| client_type.is_none_or(|wanted| wanted == info.client_type))
            .collect()
    }

    /// `clients.claim()`: <https://w3c.github.io/ServiceWorker/#clients-claim>
    fn claim(&mut self, worker: ServiceWorkerId) -> Result<(), ServiceWorkerError> {
        // Step 2: If the service worker is not an active worker, reject with
        // "InvalidStateError".
        let registration = self
            .registrations
            .values()
            .find(|registration| {
                registration
                    .active
                    .as_ref()
                    .is_some_and(|active| active.id == worker)
            })
            .cloned();
        let Some(registration) = registration else {
            log::debug!(target: LOG_TARGET, "{worker} cannot claim: it is not an active worker");
            return Err(ServiceWorkerError::InvalidState(
                "Only the active worker can claim clients.".to_owned(),
            ));
        };
        let Some(active) = registration.active.clone() else {
            return Err(ServiceWorkerError::InvalidState(
                "Only the active worker can claim clients.".to_owned(),
            ));
        };
        // Step 3.1: for each client of the worker's origin whose URL matches
        // this registration, and whose active worker is not this one.
        let origin = registration.scope.origin();
        let registrations = &self.registrations;
        for client in self.clients.loaded_of_origin_mut(&origin) {
            let Some(url) = client.url.as_ref() else {
                continue;
            };
            if match_registration(registrations, url) != Some(registration.id)
                || client
                    .controller
                    .is_some_and(|controller| controller.worker == worker)
            {
                continue;
            }
            client.controller = Some(Controller {
                worker,
                registration: registration.id,
            });
            log::debug!(target: LOG_TARGET, "{worker} claimed client {}", client.id);
            client.send(ToClientMsg::ControllerChanged {
                controller: active.clone(),
            });
        }
        Ok(())
    }

    /// `client.postMessage()` from a worker: only to a loaded client of the
    /// worker's origin.
    fn post_message_to_client(
        &self,
        worker: ServiceWorkerId,
        origin: &Origin,
        client: &ClientId,
        message: SerializedMessage,
    ) {
        let Some(target) = self
            .clients
            .get(client)
            .filter(|target| target.origin == *origin && target.is_loaded())
        else {
            log::warn!(
                target: LOG_TARGET,
                "{worker} posted a message to client {client}, not one of its origin's; dropped"
            );
            return;
        };
        let Some(source) = self.workers.get(worker).map(|running| running.info.clone()) else {
            return;
        };
        target.send(ToClientMsg::Message {
            source,
            origin: ascii_serialization(origin),
            message,
        });
    }

    /// Tells the clients and running workers of `registration`'s origin that
    /// it changed.
    fn broadcast(&self, update: RegistrationUpdate) {
        let origin = update.registration.scope.origin();
        for client in self.clients.loaded_of_origin(&origin) {
            client.send(ToClientMsg::Registration(Box::new(update.clone())));
        }
        for worker in self.workers.running() {
            if worker.origin == origin {
                worker.send(ToWorkerMsg::Registration(Box::new(update.clone())));
            }
        }
    }

    /// A registration's new active worker takes over the clients its
    /// previous workers controlled.
    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>, steps 6-8.
    fn take_over_clients(&mut self, registration: &RegistrationInfo, worker: &ServiceWorkerInfo) {
        let origin = registration.scope.origin();
        for client in self.clients.loaded_of_origin_mut(&origin) {
            let Some(controller) = client.controller else {
                continue;
            };
            if controller.registration != registration.id || controller.worker == worker.id {
                continue;
            }
            client.controller = Some(Controller {
                worker: worker.id,
                registration: registration.id,
            });
            client.send(ToClientMsg::ControllerChanged {
                controller: worker.clone(),
            });
        }
    }

    /// Stops every worker (engine shutdown).
    pub fn shutdown(&mut self) {
        self.workers.shutdown();
    }
}

/// <https://w3c.github.io/ServiceWorker/#scope-match-algorithm> over the
/// host's copy of the registrations.
pub(crate) fn match_registration(
    registrations: &BTreeMap<ServiceWorkerRegistrationId, RegistrationInfo>,
    client_url: &Url,
) -> Option<ServiceWorkerRegistrationId> {
    let mut client_url = client_url.clone();
    client_url.set_fragment(None);
    let origin = client_url.origin();
    registrations
        .values()
        .filter(|registration| {
            registration.scope.origin() == origin
                && client_url.as_str().starts_with(registration.scope.as_str())
        })
        .max_by_key(|registration| registration.scope.as_str().len())
        .map(|registration| registration.id)
}

fn has_worker(registration: &RegistrationInfo) -> bool {
    registration.installing.is_some()
        || registration.waiting.is_some()
        || registration.active.is_some()
}

impl WorkerHost for Host {
    fn start_worker(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        script: &[u8],
    ) -> Result<Vec<ImportedScript>, String> {
        let scripts = WorkerScripts {
            main: script,
            imported: &[],
        };
        let result = self.ensure_running(registration, worker, scripts, true);
        if result.is_err() {
            self.workers.stop(worker.id, "its script failed");
        }
        result
    }

    fn run_install(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: WorkerScripts<'_>,
    ) -> Result<(), InstallFailure> {
        self.ensure_running(registration, worker, scripts, false)
            .map_err(InstallFailure::ScriptFailed)?;
        match self.run_event(worker.id, WorkerEvent::Install) {
            // Only a rejected extend-lifetime promise fails an install: the
            // Install algorithm does not look at exceptions thrown by
            // listeners (they are reported like any uncaught exception).
            EventResult::Done(WorkerEventOutcome::WaitUntilRejected) => {
                Err(InstallFailure::EventRejected)
            }
            EventResult::Done(
                WorkerEventOutcome::Completed
                | WorkerEventOutcome::ListenerThrew
                | WorkerEventOutcome::MessageError,
            ) => Ok(()),
            EventResult::Stopped => Err(InstallFailure::Terminated),
        }
    }

    fn run_activate(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: WorkerScripts<'_>,
    ) {
        if let Err(reason) = self.ensure_running(registration, worker, scripts, false) {
            log::warn!(target: LOG_TARGET, "{} activates without its event: {reason}", worker.id);
            return;
        }
        let result = self.run_event(worker.id, WorkerEvent::Activate);
        log::debug!(target: LOG_TARGET, "{} activate event: {result:?}", worker.id);
    }

    fn is_in_use(&mut self, registration: &RegistrationInfo) -> bool {
        let used_by_a_client = self.clients.any(|client| {
            client
                .controller
                .is_some_and(|controller| controller.registration == registration.id)
        });
        let active_busy = registration
            .active
            .as_ref()
            .is_some_and(|active| self.workers.has_events(active.id));
        used_by_a_client || active_busy
    }

    fn terminate(&mut self, worker: ServiceWorkerId) {
        self.workers.stop(worker, "it is redundant");
    }

    fn worker_state_changed(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
    ) {
        if has_worker(registration) {
            self.registrations
                .insert(registration.id, registration.clone());
        } else {
            self.registrations.remove(&registration.id);
        }
        if let Some(running) = self.workers.get_mut(worker.id) {
            running.info = worker.clone();
        }
        let update_found = worker.state == ServiceWorkerState::Installing
            && registration.installing.as_ref().map(|w| w.id) == Some(worker.id);
        self.broadcast(RegistrationUpdate {
            registration: registration.clone(),
            changed_worker: Some(worker.clone()),
            update_found,
        });
        match worker.state {
            ServiceWorkerState::Activating
                if registration.active.as_ref().map(|w| w.id) == Some(worker.id) =>
            {
                self.take_over_clients(registration, worker)
            }
            ServiceWorkerState::Redundant => self.workers.stop(worker.id, "it is redundant"),
            _ => {}
        }
    }
}
