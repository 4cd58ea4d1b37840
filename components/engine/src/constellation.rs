//! The constellation thread: owns the service-worker registry, the clients
//! and the running workers, and serves the embedder's commands and the
//! messages of pages and workers, one at a time.
//!
//! **It waits on nobody.** The thread blocks in one place, the wait at the
//! top of [`Constellation::run`]'s loop, for its next message, command,
//! answer or timer. Anything slow is started elsewhere and its end comes
//! back as a message: a worker script's fetch runs on its own thread
//! (`fetcher`), a worker's script and its events run on the worker's
//! thread, and the registry's jobs and the sync service are state machines
//! that return actions and resume on their answers (`registry_work`,
//! `sync_work`). So a slow server or a slow `install` handler holds only
//! the job that asked for it.
//!
//! Every page's and worker's ipc receiver is routed into a crossbeam
//! channel tagged with the id the constellation gave it (see `routing`),
//! so the origin a request is judged by is always the one recorded here.
//! The main loop selects over embedder commands, page messages, worker
//! messages (`worker_work`), script fetches' answers, the network
//! observer's reports (`network_work`), the worker timers (idle stop, event
//! time limit), the sync service's wake-up timer and the update checks due after navigations
//! (`soft_updates`); after each, it carries
//! out what the registry and the sync service decided. A bad
//! message (unknown ids, another origin's worker, a second
//! `DocumentLoaded`) is logged and dropped; the engine stays up.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base::id::ServiceWorkerRegistrationId;
use base::origin::{ascii_serialization, Origin};
use crossbeam_channel::{select, Receiver, Sender};
use ipc_channel::ipc::IpcReceiver;
use script_traits::{
    ClientId, ClientSetup, ClientType, FetchRequestData, FrameType, RegistrationInfo, ScriptMsg,
    SerializedMessage, ServiceWorkerError, ServiceWorkerId, ServiceWorkerRequest, ToClientMsg,
    WorkerEvent, WorkerMsg,
};
use service_worker_registry::{JobCompletion, JobId, JobOutcome, JobResult, ServiceWorkerRegistry};
use url::Url;

use crate::clients::{same_document_origin, Controller};
use crate::events::EventCallback;
use crate::fetcher::{Fetched, ScriptFetches};
use crate::host::Host;
use crate::network::NetworkLink;
use crate::postman::Postman;
use crate::replies::{ReplyChannel, Responder};
use crate::routing::{ClientMessage, WorkerMessage};
use crate::sync::{DispatchReply, SyncClient};
use crate::sync_listing::{SyncCommandError, SyncRegistrationListing};
use crate::workers::{FetchNotice, MessageDoneNotice, OnDone};

pub use self::site_data::SiteDataCleared;
pub(crate) use self::storage_work::{StorageLink, StoragePeer};

mod navigation_work;
mod network_work;
mod registry_work;
mod router_work;
mod site_data;
mod soft_updates;
mod storage_work;
mod sync_work;
mod worker_work;

pub(crate) use router_work::Race;

const LOG_TARGET: &str = "bgsync::engine::constellation";

/// How long the loop sleeps when no worker timer is due.
const NO_DEADLINE_WAIT: Duration = Duration::from_secs(3600);

/// What the embedder asks of the constellation.
pub(crate) enum Command {
    /// Record a client about to load `url` and route its messages.
    AddClient {
        url: Url,
        /// A page, or a page's dedicated worker.
        client_type: ClientType,
        /// `TopLevel` for a page, `Nested` for a page's frame, `None` for a worker.
        frame_type: FrameType,
        to_client: Postman<ToClientMsg>,
        from_client: IpcReceiver<ScriptMsg>,
        /// Dropped once the client is gone and all it sent was served.
        gone: Option<Sender<()>>,
    },
    StartWorker {
        scope: Url,
        reply: Sender<Result<(), String>>,
    },
    StopWorker {
        scope: Url,
        reply: Sender<bool>,
    },
    IsWorkerRunning {
        scope: Url,
        reply: Sender<bool>,
    },
    Registrations {
        reply: Sender<Vec<RegistrationInfo>>,
    },
    SyncRegistrations {
        reply: Sender<Result<Vec<SyncRegistrationListing>, SyncCommandError>>,
    },
    /// Devtools' "dispatch sync event": answered when the event is over.
    DispatchSync {
        scope: Url,
        tag: String,
        last_chance: bool,
        reply: DispatchReply,
    },
    /// Answer once no `sync` event is in flight.
    WhenSyncIdle {
        reply: Sender<()>,
    },
    /// Delete an origin's IndexedDB and service-worker (and so sync) registrations.
    ClearSiteData {
        origin: base::origin::Origin,
        reply: Sender<SiteDataCleared>,
    },
    /// The embedder is shutting down: dispatch no new `sync` event.
    StopDispatching,
    Shutdown,
}

pub(crate) struct Constellation {
    registry: ServiceWorkerRegistry,
    /// Worker scripts being fetched for the registry's jobs.
    fetches: ScriptFetches,
    /// New workers whose first evaluation a job waits for.
    evaluating: HashMap<ServiceWorkerId, JobId>,
    host: Host,
    commands: Receiver<Command>,
    client_messages: Receiver<ClientMessage>,
    client_sender: Sender<ClientMessage>,
    network: NetworkLink,
    /// The embedder's events (the sync service has its own copy).
    events: Option<EventCallback>,
    /// A worker message read while coalescing ends of events, served next.
    held_worker_message: Option<WorkerMessage>,
    /// The IndexedDB and CacheStorage backends, and their answers for workers.
    storage: StorageLink,
    /// The static router's cache lookups in flight.
    router: router_work::RouterLookups,
    /// `WindowClient.navigate()` requests in flight.
    navigations: navigation_work::ClientNavigations,
    /// Update checks due after navigations.
    soft_updates: soft_updates::SoftUpdates,
}

/// At most this many ends of events are served before the work they cause.
const MAX_COALESCED_EVENT_ENDS: usize = 256;

impl Constellation {
    pub fn new(
        registry: ServiceWorkerRegistry,
        fetches: ScriptFetches,
        host: Host,
        commands: Receiver<Command>,
        network: NetworkLink,
        events: Option<EventCallback>,
        storage: StorageLink,
    ) -> Constellation {
        let (client_sender, client_messages) = crossbeam_channel::unbounded();
        let mut host = host;
        host.workers.set_online(network.is_online());
        Constellation {
            registry,
            fetches,
            evaluating: HashMap::new(),
            host,
            commands,
            client_messages,
            client_sender,
            network,
            events,
            held_worker_message: None,
            storage,
            router: Default::default(),
            navigations: Default::default(),
            soft_updates: Default::default(),
        }
    }

    /// Serves `first` and, if it ends an event, the ends of events queued
    /// right behind it, before the work they cause (`after_work`): a burst
    /// of `sync` events that end together reaches the sync service as one
    /// step, with one commit, instead of a step per event. The first other
    /// message is held for the next turn of the loop.
    fn handle_worker_messages(&mut self, first: WorkerMessage, queue: &Receiver<WorkerMessage>) {
        let ends_event =
            |message: &WorkerMessage| matches!(message.message, Some(WorkerMsg::EventDone { .. }));
        let coalesce = ends_event(&first);
        self.handle_worker_message(first);
        if !coalesce {
            return;
        }
        for _ in 1..MAX_COALESCED_EVENT_ENDS {
            match queue.try_recv() {
                Ok(next) if ends_event(&next) => self.handle_worker_message(next),
                Ok(next) => {
                    self.held_worker_message = Some(next);
                    return;
                }
                Err(_) => return,
            }
        }
    }

    /// Runs until [`Command::Shutdown`] or until the embedder is gone, then
    /// stops every worker.
    pub fn run(mut self) {
        // A worker loaded as waiting had its activation cut short: Try
        // Activate runs in `after_work`.
        // Engine start: registrations loaded ready (a registration that was
        // firing when the engine died among them) fire now if online.
        log::info!(target: LOG_TARGET, "the network is {} at start", self.network.state());
        self.host.sync.set_online(self.network.is_online());
        self.after_work();
        let commands = self.commands.clone();
        let client_messages = self.client_messages.clone();
        let worker_messages = self.host.worker_messages().clone();
        let fetch_answers = self.fetches.answers().clone();
        let mut network_changes = self.network.changes().clone();
        let storage_answers = self.storage.worker_answers.clone();
        let router_answers = self.storage.router_answers.clone();
        loop {
            if let Some(message) = self.held_worker_message.take() {
                self.handle_worker_message(message);
                self.after_work();
            }
            let deadline = [
                self.host.workers.next_deadline(),
                self.host.sync.next_deadline(),
                self.soft_updates.next_deadline(),
            ]
            .into_iter()
            .flatten()
            .min();
            let timeout = deadline
                .map(|deadline| deadline.saturating_duration_since(Instant::now()))
                .unwrap_or(NO_DEADLINE_WAIT);
            self.host.workers.flush();
            self.host.workers.inbox().wait(timeout, || {
                !commands.is_empty()
                    || !client_messages.is_empty()
                    || !worker_messages.is_empty()
                    || !fetch_answers.is_empty()
                    || !network_changes.is_empty()
                    || !storage_answers.is_empty()
                    || !router_answers.is_empty()
            });
            select! {
                recv(commands) -> command => match command {
                    Ok(Command::Shutdown) | Err(_) => break,
                    Ok(command) => self.handle_command(command),
                },
                recv(client_messages) -> message => {
                    if let Ok(message) = message {
                        self.handle_client_message(message);
                    }
                },
                recv(worker_messages) -> message => {
                    if let Ok(message) = message {
                        self.handle_worker_messages(message, &worker_messages);
                    }
                },
                recv(storage_answers) -> answer => {
                    if let Ok((worker, instance, message)) = answer {
                        self.storage_answer(worker, instance, message);
                    }
                },
                recv(router_answers) -> answer => {
                    if let Ok((lookup, reply)) = answer {
                        self.router_cache_answer(lookup, reply);
                    }
                },
                recv(fetch_answers) -> answer => match answer {
                    Ok(Fetched::Script { job, result }) => self.registry.script_fetched(job, result),
                    Ok(Fetched::Imports { job, results }) => {
                        self.registry.imported_scripts_fetched(job, results)
                    }
                    Ok(Fetched::Preload { worker, event, response }) => {
                        self.host.workers.preload_response(worker, event, response)
                    }
                    Err(_) => {}
                },
                recv(network_changes) -> change => match change {
                    Ok(change) => self.network_changed(change),
                    Err(_) => {
                        // The observer is gone (not while the engine holds
                        // it): the state stays as it was.
                        log::warn!(target: LOG_TARGET, "the network observer is gone");
                        network_changes = crossbeam_channel::never();
                    }
                },
                default => {},
            }
            let now = Instant::now();
            self.host.workers.check_timers(now);
            self.host.sync.check_timer(now);
            for registration in self.soft_updates.take_due(now) {
                self.registry.schedule_soft_update(registration);
            }
            self.after_work();
        }
        log::debug!(target: LOG_TARGET, "shutting down");
        self.host.shutdown();
        self.shutdown_storage();
    }

    /// Runs what the last message or timer left to do: Try Activate on
    /// registrations with a waiting worker (a client went away, an event
    /// ended), the registry's actions, then the sync service's decisions,
    /// until none has any (starting a worker for a sync event may end a
    /// lifecycle event, and registry work may end sync events), and message
    /// events a stop cut off are delivered again.
    fn after_work(&mut self) {
        loop {
            self.registry.try_activate_all(&self.host);
            let registry_worked = self.run_registry_work();
            let messages_worked = self.redeliver_messages();
            if !self.run_sync_work() && !registry_worked && !messages_worked {
                break;
            }
        }
        self.host.sync.notify_if_idle();
    }

    fn handle_command(&mut self, command: Command) {
        match command {
            Command::AddClient {
                url,
                client_type,
                frame_type,
                to_client,
                from_client,
                gone,
            } => {
                let id = self
                    .host
                    .clients
                    .add(url, client_type, frame_type, to_client, gone);
                self.host
                    .workers
                    .inbox()
                    .route_client(from_client, id, self.client_sender.clone());
            }
            Command::StartWorker { scope, reply } => {
                let _ = reply.send(self.start_worker_of(&scope));
            }
            Command::StopWorker { scope, reply } => {
                let workers = self.workers_of(&scope);
                let mut stopped = false;
                for worker in workers {
                    if self.host.workers.is_running(worker) {
                        self.host.workers.stop(worker, "the embedder asked");
                        stopped = true;
                    }
                }
                let _ = reply.send(stopped);
            }
            Command::IsWorkerRunning { scope, reply } => {
                let running = self
                    .workers_of(&scope)
                    .into_iter()
                    .any(|worker| self.host.workers.is_running(worker));
                let _ = reply.send(running);
            }
            Command::Registrations { reply } => {
                let _ = reply.send(self.registry.registrations().map(|r| r.info()).collect());
            }
            Command::SyncRegistrations { reply } => {
                let _ = reply.send(self.host.sync.listing(&self.registry));
            }
            Command::DispatchSync {
                scope,
                tag,
                last_chance,
                reply,
            } => self.devtools_dispatch(scope, &tag, last_chance, reply),
            Command::WhenSyncIdle { reply } => self.host.sync.when_idle(reply),
            Command::ClearSiteData { origin, reply } => self.clear_site_data(origin, Some(reply)),
            Command::StopDispatching => self.host.sync.stop_dispatching(),
            Command::Shutdown => {}
        }
    }

    /// The ids of the workers in the slots of the registration for `scope`.
    fn workers_of(&self, scope: &Url) -> Vec<ServiceWorkerId> {
        self.registry
            .registration_by_scope(scope)
            .map(|registration| {
                [
                    registration.installing(),
                    registration.waiting(),
                    registration.active(),
                ]
                .into_iter()
                .flatten()
                .map(|worker| worker.id())
                .collect()
            })
            .unwrap_or_default()
    }

    /// Starts the active worker (or else the newest) of the registration
    /// for `scope`, from its stored scripts.
    fn start_worker_of(&mut self, scope: &Url) -> Result<(), String> {
        let registration = self
            .registry
            .registration_by_scope(scope)
            .ok_or_else(|| format!("no registration for scope {scope}"))?;
        let worker = registration
            .active()
            .or_else(|| registration.newest_worker())
            .ok_or_else(|| format!("the registration for {scope} has no worker"))?;
        self.start_stored_worker(worker.id()).map(drop)
    }

    /// Makes sure a registered worker runs, starting it from the scripts
    /// stored with it. Events sent to it wait until its script ran; if the
    /// script fails, they fail with [`crate::workers::EventResult::StartFailed`].
    fn start_stored_worker(&mut self, worker: ServiceWorkerId) -> Result<(), String> {
        if self.host.workers.is_running(worker) {
            return Ok(());
        }
        let registration = self
            .registry
            .registration_of_worker(worker)
            .ok_or_else(|| format!("{worker} is not registered"))?;
        let info = registration.info();
        let stored = [
            registration.installing(),
            registration.waiting(),
            registration.active(),
        ]
        .into_iter()
        .flatten()
        .find(|stored| stored.id() == worker)
        .ok_or_else(|| format!("{worker} is not registered"))?;
        let result = self
            .host
            .workers
            .start(&info, &stored.info(), &stored.scripts(), false);
        if let Err(reason) = &result {
            log::warn!(target: LOG_TARGET, "cannot start {worker}: {reason}");
        }
        result
    }

    fn handle_client_message(&mut self, message: ClientMessage) {
        let ClientMessage { client, message } = message;
        let Some(message) = message else {
            self.storage_peer_gone(StoragePeer::Client(client.clone()));
            self.navigations_of_gone_client(&client);
            return self.host.remove_client(&client);
        };
        let Some(record) = self.host.clients.get(&client) else {
            log::debug!(target: LOG_TARGET, "message of a closed client {client}: {message:?}");
            return;
        };
        let origin = record.origin.clone();
        let loaded = record.is_loaded();
        let replies = record.reply_channel();
        match message {
            ScriptMsg::DocumentLoaded { url } => {
                self.document_loaded(&client, url);
                self.navigated_client_loaded(&client);
            }
            ScriptMsg::NavigationFetch { request } if !loaded => {
                self.navigation_fetch(&client, request)
            }
            ScriptMsg::NavigationStarted { token } if !loaded => {
                self.navigation_started(&client, token)
            }
            ScriptMsg::Closed => {
                self.storage_peer_gone(StoragePeer::Client(client.clone()));
                self.navigations_of_gone_client(&client);
                self.host.remove_client(&client)
            }
            message if !loaded => {
                log::warn!(
                    target: LOG_TARGET,
                    "client {client} sent {message:?} before its document loaded; refused"
                );
                let number = match &message {
                    ScriptMsg::ServiceWorker(request) => Some(request.number()),
                    ScriptMsg::Sync(request) => request.number(),
                    _ => None,
                };
                if let Some(number) = number {
                    replies.refuse(number);
                }
            }
            ScriptMsg::ServiceWorker(request) => {
                self.serve_service_worker_request(&origin, &replies, request)
            }
            ScriptMsg::PostMessageToWorker {
                worker,
                message,
                token,
            } => self.post_message_to_worker(&client, &origin, worker, message, token),
            ScriptMsg::IndexedDb(message) => {
                self.indexeddb_message(&origin, StoragePeer::Client(client), message)
            }
            ScriptMsg::CacheStorage(message) => {
                self.cache_storage_message(&origin, StoragePeer::Client(client), message)
            }
            ScriptMsg::Fetch { token, request } => self.fetch_from_client(&client, token, request),
            ScriptMsg::NavigationFetch { .. } | ScriptMsg::NavigationStarted { .. } => {
                log::warn!(target: LOG_TARGET, "client {client} navigated after its document loaded; ignored")
            }
            ScriptMsg::NavigationRefused { token, reason } => {
                self.navigation_refused(&client, token, reason)
            }
            ScriptMsg::ClearSiteData { url } => self.clear_site_data_for_client(&origin, &url),
            ScriptMsg::Sync(request) => self.host.sync.handle_request(
                SyncClient::Page(client),
                &replies,
                request,
                &self.registry,
            ),
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#dfn-service-worker-client>
    /// creation: the client's final URL, and its controller.
    fn document_loaded(&mut self, client: &ClientId, url: Url) {
        let Some(record) = self.host.clients.get(client) else {
            return;
        };
        if record.is_loaded() {
            log::warn!(target: LOG_TARGET, "client {client} sent DocumentLoaded twice; refused");
            record.send(ToClientMsg::Setup(Err(
                "the document was loaded already".into()
            )));
            return;
        }
        if !same_document_origin(&record.requested_url, &url) {
            let refusal = format!(
                "client {client} for {} says it loaded {url}, another origin; refused",
                record.requested_url
            );
            log::warn!(target: LOG_TARGET, "{refusal}");
            record.send(ToClientMsg::Setup(Err(refusal)));
            return;
        }
        // A page (or a page's dedicated worker) inside an active
        // registration's scope is controlled by its active worker. (A worker
        // from a blob URL matches no scope: it is not controlled.)
        let is_window = record.client_type == ClientType::Window;
        let controller = self
            .registry
            .match_registration(&url)
            .and_then(|registration| {
                registration
                    .active()
                    .map(|active| (registration.id(), active.info()))
            });
        let Some(record) = self.host.clients.get_mut(client) else {
            return;
        };
        record.url = Some(url);
        let origin = record.origin.clone();
        record.controller = controller
            .as_ref()
            .map(|(registration, worker)| Controller {
                worker: worker.id,
                registration: *registration,
            });
        let Some(info) = record.info() else {
            return;
        };
        // A top-level window of its origin, which `register()` needs.
        if is_window {
            self.host.sync.page_loaded(client, origin);
        }
        log::debug!(
            target: LOG_TARGET,
            "client {client} loaded {}, controller {:?}",
            info.url,
            record.controller
        );
        let setup = ClientSetup {
            client: info,
            controller: controller.map(|(_, worker)| worker),
            online: self.network.is_online(),
        };
        record.send(ToClientMsg::Setup(Ok(setup)));
    }

    /// `serviceWorker.postMessage()`: the worker must be a registered worker
    /// of the client's origin; it is started if it is stopped.
    fn post_message_to_worker(
        &mut self,
        client: &ClientId,
        origin: &Origin,
        worker: ServiceWorkerId,
        message: SerializedMessage,
        token: u64,
    ) {
        // Whatever happens, the page hears that this message is over.
        let Some(sender) = self.host.clients.get(client).map(|c| c.sender.clone()) else {
            return;
        };
        let notice = MessageDoneNotice {
            client: sender,
            token,
            delivered: false,
        };
        if !self.is_worker_of(worker, origin) {
            log::warn!(
                target: LOG_TARGET,
                "client {client} posted a message to {worker}, not a worker of its origin; dropped"
            );
            return;
        }
        let Some(source) = self.host.clients.get(client).and_then(|c| c.info()) else {
            return;
        };
        let event = WorkerEvent::Message {
            source,
            origin: ascii_serialization(origin),
            message,
        };
        self.deliver_message(worker, event, Some(notice));
    }

    /// Whether `worker` is a worker of a registration of `origin`: the only workers a page or
    /// worker of `origin` may post to.
    fn is_worker_of(&self, worker: ServiceWorkerId, origin: &Origin) -> bool {
        self.registry
            .containing_registration(worker)
            .is_some_and(|registration| registration.scope().origin() == *origin)
    }

    /// `serviceWorker.postMessage()` from the worker `sender` (of `origin`) to `worker`, itself
    /// or another worker of its origin: a `message` event whose source is the sender
    /// (https://w3c.github.io/ServiceWorker/#service-worker-postmessage-options, with a
    /// ServiceWorkerGlobalScope as the incumbent global).
    pub(super) fn post_message_from_worker(
        &mut self,
        sender: ServiceWorkerId,
        origin: &Origin,
        worker: ServiceWorkerId,
        message: SerializedMessage,
    ) {
        if !self.is_worker_of(worker, origin) {
            log::warn!(
                target: LOG_TARGET,
                "{sender} posted a message to {worker}, not a worker of its origin; dropped"
            );
            return;
        }
        let Some(source) = self
            .registry
            .containing_registration(sender)
            .and_then(|registration| {
                [
                    registration.installing(),
                    registration.waiting(),
                    registration.active(),
                ]
                .into_iter()
                .flatten()
                .find(|candidate| candidate.id() == sender)
                .map(|candidate| candidate.info())
            })
        else {
            return;
        };
        let event = WorkerEvent::MessageFromWorker {
            source,
            origin: ascii_serialization(origin),
            message,
        };
        self.deliver_message(worker, event, None);
    }

    /// Whether `worker`'s script added a `fetch` listener: as it reported when it ran in this
    /// engine run, else as stored when it last ran (`None`: never ran since it was stored).
    fn handles_fetch(&self, worker: ServiceWorkerId) -> Option<bool> {
        self.host
            .workers
            .handles_fetch(worker)
            .or_else(|| self.registry.stored_handles_fetch(worker))
    }

    /// A page's navigation request, before its document exists: a `fetch`
    /// event at the active worker whose registration's scope matches the
    /// URL (Handle Fetch for a navigation), else the network.
    fn navigation_fetch(&mut self, client: &ClientId, request: Box<FetchRequestData>) {
        let Some(record) = self.host.clients.get(client) else {
            return;
        };
        let mut notice = FetchNotice::new(record.sender.clone(), 0);
        notice.fallback = true;
        if !same_document_origin(&record.requested_url, &request.url) {
            log::warn!(
                target: LOG_TARGET,
                "client {client} for {} asked to navigate to {}, another origin; the network",
                record.requested_url,
                request.url
            );
            return;
        }
        let Some((worker, registration)) =
            self.registry
                .match_registration(&request.url)
                .and_then(|registration| {
                    let active = registration.active()?;
                    Some((active.id(), registration.id()))
                })
        else {
            return;
        };
        self.navigation_fetch_event(client, request, notice, worker, registration);
        // The end of Handle Fetch for a navigation: whatever answered it, the registration's
        // worker is checked for an update (Soft Update), a moment later (`soft_updates`).
        self.soft_updates
            .after_navigation(registration, Instant::now());
    }

    /// The `fetch` event of a navigation request at `worker`, the active worker of
    /// `registration` (unless the static router or a worker without `fetch` listeners sends
    /// it to the network).
    fn navigation_fetch_event(
        &mut self,
        client: &ClientId,
        request: Box<FetchRequestData>,
        notice: FetchNotice,
        worker: ServiceWorkerId,
        registration: ServiceWorkerRegistrationId,
    ) {
        let origin = request.url.origin();
        let Some(mut notice) = self.route_fetch(worker, &origin, &request, notice) else {
            return;
        };
        if self.handles_fetch(worker) == Some(false) || self.start_stored_worker(worker).is_err() {
            return;
        }
        // Dispatched: from now on, no answer is a network error.
        notice.fallback = false;
        // Navigation preload: the request goes to the network now, beside the event
        // (https://w3c.github.io/ServiceWorker/#handle-fetch, step "If ... navigation preload
        // enabled flag is set"); its answer goes to the worker when it comes.
        // (A worker's script, the other non-subresource request, has none.)
        let mut preload = self.registry.navigation_preload_of(registration);
        preload.enabled &= request.mode == "navigate";
        let url = request.url.clone();
        let event = WorkerEvent::Fetch {
            request,
            client_id: String::new(),
            resulting_client_id: client.to_string(),
            preload: preload.enabled,
        };
        match self
            .host
            .workers
            .dispatch(worker, event, OnDone::Fetch(notice))
        {
            Some(event) if preload.enabled => {
                if self.network.is_online() {
                    self.fetches
                        .preload(worker, event, url, preload.header_value)
                } else {
                    // Offline: nothing is sent (as for a page's fetch()); a network error.
                    self.host.workers.preload_response(worker, event, None)
                }
            }
            Some(_) => {}
            None => log::warn!(target: LOG_TARGET, "{worker} stopped before its fetch event"),
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#handle-fetch>: a controlled
    /// page's request becomes a `fetch` event at its controller, started if
    /// it is stopped. The page always hears back (see [`FetchNotice`]): the
    /// worker's response, the network (no controller, the worker could not
    /// start, or it did not call `respondWith()`), or a network error.
    fn fetch_from_client(&mut self, client: &ClientId, token: u64, request: Box<FetchRequestData>) {
        let Some(record) = self.host.clients.get(client) else {
            return;
        };
        let mut notice = FetchNotice::new(record.sender.clone(), token);
        // The page thinks it is controlled; the constellation's record says.
        let Some(controller) = record.controller else {
            notice.fallback = true;
            return;
        };
        let client_id = record.id.to_string();
        let origin = record.origin.clone();
        // The static router first: the request may not need the worker at all.
        let Some(mut notice) = self.route_fetch(controller.worker, &origin, &request, notice)
        else {
            return;
        };
        // Skip the fetch handler: a worker without one is not even started.
        if self.handles_fetch(controller.worker) == Some(false) {
            notice.fallback = true;
            return;
        }
        if self.start_stored_worker(controller.worker).is_err() {
            notice.fallback = true;
            return;
        }
        let event = WorkerEvent::Fetch {
            request,
            client_id,
            resulting_client_id: String::new(),
            preload: false,
        };
        if self
            .host
            .workers
            .dispatch(controller.worker, event, OnDone::Fetch(notice))
            .is_none()
        {
            log::warn!(target: LOG_TARGET, "{} stopped before its fetch event", controller.worker);
        }
        // Handle Fetch for a subresource: a registration last checked a day ago or more is
        // checked now (Soft Update).
        if self.registry.update_check_is_stale(controller.registration) {
            self.registry.schedule_soft_update(controller.registration);
        }
    }

    /// Fires a message event at `worker`, starting it if it is stopped.
    fn deliver_message(
        &mut self,
        worker: ServiceWorkerId,
        event: WorkerEvent,
        notice: Option<MessageDoneNotice>,
    ) {
        if self.start_stored_worker(worker).is_err() {
            return;
        }
        let on_done = OnDone::Reply(notice, event.clone());
        if self.host.workers.dispatch(worker, event, on_done).is_none() {
            log::warn!(target: LOG_TARGET, "{worker} stopped before its message event");
        }
    }

    /// Delivers again the message events another event's stop cut off.
    fn redeliver_messages(&mut self) -> bool {
        let cut_off = self.host.workers.take_redeliveries();
        let any = !cut_off.is_empty();
        for (worker, event, notice) in cut_off {
            log::debug!(target: LOG_TARGET, "delivering a cut-off message to {worker} again");
            self.deliver_message(worker, event, notice);
        }
        any
    }

    /// A `navigator.serviceWorker` / `ServiceWorkerRegistration` request,
    /// for a client or worker of `origin`.
    fn serve_service_worker_request(
        &mut self,
        origin: &Origin,
        replies: &ReplyChannel,
        request: ServiceWorkerRequest,
    ) {
        match request {
            ServiceWorkerRequest::Register {
                script_url,
                scope,
                update_via_cache,
                worker_type,
                id,
            } => {
                let completion = registration_reply(replies.responder(id));
                self.registry.schedule_register(
                    origin,
                    script_url,
                    scope,
                    update_via_cache,
                    worker_type,
                    completion,
                );
            }
            ServiceWorkerRequest::GetRegistration { client_url, id } => replies
                .responder(id)
                .send(self.registry.get_registration(origin, &client_url)),
            ServiceWorkerRequest::GetRegistrations { id } => replies
                .responder(id)
                .send(Ok(self.registry.get_registrations(origin))),
            ServiceWorkerRequest::Update { registration, id } => {
                let completion = registration_reply(replies.responder(id));
                self.registry
                    .schedule_update(origin, registration, completion);
            }
            ServiceWorkerRequest::Unregister { registration, id } => {
                let reply = replies.responder(id);
                let completion: JobCompletion = Box::new(move |result: JobResult| {
                    let answer = result.and_then(|outcome| match outcome {
                        JobOutcome::Unregistered(removed) => Ok(removed),
                        other => Err(unexpected(other)),
                    });
                    reply.send(answer);
                });
                self.registry
                    .schedule_unregister(origin, registration, completion);
            }
            ServiceWorkerRequest::NavigationPreload {
                registration,
                command,
                id,
            } => replies.responder(id).send(self.registry.navigation_preload(
                origin,
                registration,
                command,
            )),
        }
    }
}

/// A completion that answers a register or update request.
fn registration_reply(
    reply: Responder<Result<RegistrationInfo, ServiceWorkerError>>,
) -> JobCompletion {
    Box::new(move |result: JobResult| {
        let answer = result.and_then(|outcome| match outcome {
            JobOutcome::Registration(info) => Ok(*info),
            other => Err(unexpected(other)),
        });
        reply.send(answer);
    })
}

fn unexpected(outcome: JobOutcome) -> ServiceWorkerError {
    log::error!(target: LOG_TARGET, "a job answered with the wrong outcome: {outcome:?}");
    ServiceWorkerError::Type("The job ended unexpectedly.".to_owned())
}
