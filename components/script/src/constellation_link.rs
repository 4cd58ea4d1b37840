//! A global's connection to the constellation, and the service-worker objects that depend on
//! it.
//!
//! A page's Window holds a [`ConstellationLink::Client`], a service worker's global a
//! [`ConstellationLink::Worker`] (see `script_traits::channels`). A request that expects an
//! answer is numbered ([`RequestId`], unique per global) and its answer comes back as a
//! `Reply` message on the global's channel from the constellation, which the event loop
//! reads itself ([`route_to_event_loop`]); the answer runs as a task ([`send_with_reply`]).
//! A request costs no channel, so a page may have any number in flight. The page does not
//! go idle while one waits; when the constellation's channel closes, every request still
//! waiting is answered "disconnected".
//!
//! Each global keeps one `ServiceWorkerRegistration` object per registration id and one
//! `ServiceWorker` object per worker id (<https://w3c.github.io/ServiceWorker/#get-the-service-worker-registration-object>),
//! and applies the constellation's [`RegistrationUpdate`]s to them in the order they were
//! sent.

use std::collections::HashMap;
use std::rc::Rc;

use ipc_channel::ipc::{self, IpcSender};
use mozjs::context::JSContext;
use mozjs::jsapi::JSTracer;
use mozjs::rust::Trace;
use serde::de::DeserializeOwned;
use serde::Serialize;

use script_traits::{
    Answer, RegistrationInfo, RegistrationUpdate, Reply, RequestId, ScriptMsg, ServiceWorkerError,
    ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerRegistrationId, ServiceWorkerRequest,
    ServiceWorkerState, WorkerMsg,
};

use crate::dom::bindings::error::Error;
use crate::dom::bindings::reflector::Castable;
use crate::dom::bindings::root::{Dom, DomRoot};
use crate::dom::bindings::trusted::Trusted;
use crate::dom::domexception::DOMErrorName;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::current_global;
use crate::dom::globalscope::GlobalOf;
use crate::dom::globalscope::GlobalScope;
use crate::dom::serviceworker::ServiceWorker;
use crate::dom::serviceworkerregistration::ServiceWorkerRegistration;
use crate::event_loop::PendingWork;

const LOG_TARGET: &str = "bgsync::script::service_worker";

/// Where a global's messages to the constellation go.
pub enum ConstellationLink {
    /// A page (a service-worker client).
    Client(IpcSender<ScriptMsg>),
    /// A service worker's global.
    Worker(IpcSender<WorkerMsg>),
}

impl ConstellationLink {
    /// Sends a `navigator.serviceWorker` / `ServiceWorkerRegistration` request. False when
    /// the constellation is gone.
    pub fn send_request(&self, request: ServiceWorkerRequest) -> bool {
        match self {
            ConstellationLink::Client(sender) => sender.send(ScriptMsg::ServiceWorker(request)),
            ConstellationLink::Worker(sender) => sender.send(WorkerMsg::ServiceWorker(request)),
        }
        .is_ok()
    }

    /// Sends a `SyncManager` request. False when the constellation is gone.
    pub fn send_sync(&self, request: background_sync_traits::SyncRequest) -> bool {
        match self {
            ConstellationLink::Client(sender) => sender.send(ScriptMsg::Sync(request)),
            ConstellationLink::Worker(sender) => sender.send(WorkerMsg::Sync(request)),
        }
        .is_ok()
    }

    /// Sends an IndexedDB message. False when the constellation is gone.
    pub fn send_indexeddb(&self, message: indexeddb_traits::IdbMsg) -> bool {
        match self {
            ConstellationLink::Client(sender) => sender.send(ScriptMsg::IndexedDb(message)),
            ConstellationLink::Worker(sender) => sender.send(WorkerMsg::IndexedDb(message)),
        }
        .is_ok()
    }

    /// Sends a CacheStorage request. False when the constellation is gone.
    pub fn send_cache_storage(&self, message: cache_storage_traits::CacheMsg) -> bool {
        match self {
            ConstellationLink::Client(sender) => sender.send(ScriptMsg::CacheStorage(message)),
            ConstellationLink::Worker(sender) => sender.send(WorkerMsg::CacheStorage(message)),
        }
        .is_ok()
    }

    /// Sends a message only a page may send. False when this is not a page's link or the
    /// constellation is gone.
    pub fn send_client(&self, message: ScriptMsg) -> bool {
        match self {
            ConstellationLink::Client(sender) => sender.send(message).is_ok(),
            ConstellationLink::Worker(_) => false,
        }
    }

    /// Sends a message only a worker may send.
    pub fn send_worker(&self, message: WorkerMsg) -> bool {
        match self {
            ConstellationLink::Worker(sender) => sender.send(message).is_ok(),
            ConstellationLink::Client(_) => false,
        }
    }
}

/// The error a request gets when the global has no connection to the constellation: the
/// engine refused to connect it (`UnknownError` with the reason: no file descriptors left, or
/// the engine is shut down), it runs without an engine, or the constellation went away
/// (`InvalidStateError`).
pub fn disconnected_error(global: &GlobalScope) -> Error {
    if let Some(reason) = &global.service_worker_objects().borrow().refused {
        return Error::dom(
            DOMErrorName::UnknownError,
            format!("The service worker system is not available: {reason}."),
        );
    }
    Error::dom(
        DOMErrorName::InvalidStateError,
        "The service worker system is not available: this page is not connected to an engine.",
    )
}

/// The exception a [`ServiceWorkerError`] becomes.
pub fn service_worker_error(error: ServiceWorkerError) -> Error {
    let message = error.message().to_owned();
    match error {
        ServiceWorkerError::Type(_) => Error::Type(message),
        ServiceWorkerError::Security(_) => Error::dom(DOMErrorName::SecurityError, message),
        ServiceWorkerError::InvalidState(_) => Error::invalid_state(message),
        ServiceWorkerError::NotFound(_) => Error::not_found(message),
        ServiceWorkerError::Storage(_) => Error::dom(DOMErrorName::UnknownError, message),
    }
}

/// Sends the request `send` makes with a fresh number (false = not sent), and runs
/// `on_reply` as a task of `global`'s event loop with the answer, or with `None` if the
/// constellation dropped the request unanswered or went away. The event loop does not go
/// idle before the answer. Returns false (and drops `on_reply` unrun) when there is no link
/// or `send` failed.
pub fn send_with_reply<T>(
    global: &GlobalScope,
    send: impl FnOnce(&ConstellationLink, RequestId<T>) -> bool,
    on_reply: impl FnOnce(&mut JSContext, &GlobalScope, Option<T>) + 'static,
) -> bool
where
    T: Answer + 'static,
{
    let Some(link) = global.constellation_link() else {
        return false;
    };
    let number = {
        let mut objects = global.service_worker_objects().borrow_mut();
        objects.next_request += 1;
        objects.next_request
    };
    if !send(&link, RequestId::new(number)) {
        return false;
    }
    let on_answer: OnAnswer = Box::new(move |cx, global, answer| {
        let answer = answer.and_then(|reply| {
            let kind = reply.kind();
            let answer = T::from_reply(*reply);
            if answer.is_none() {
                log::warn!(
                    target: LOG_TARGET,
                    "request {number} was answered with another kind of answer ({kind})"
                );
            }
            answer
        });
        on_reply(cx, global, answer)
    });
    let request = PendingRequest {
        on_answer,
        _waiting: global.event_loop().expect_remote_task(),
    };
    global
        .service_worker_objects()
        .borrow_mut()
        .requests
        .insert(number, request);
    true
}

/// What a request's answer runs.
type OnAnswer = Box<dyn FnOnce(&mut JSContext, &GlobalScope, Option<Box<Reply>>)>;

/// A request sent and not answered yet.
struct PendingRequest {
    on_answer: OnAnswer,
    /// Keeps the event loop from going idle before the answer.
    _waiting: PendingWork,
}

/// Sends a request whose answer settles `promise`: `settle` turns the answer into a value
/// (resolve) or an error (reject). No link: the promise rejects at once.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn request_promise<T>(
    cx: &mut JSContext,
    global: &GlobalScope,
    promise: &Rc<crate::dom::bindings::promise::Promise>,
    send: impl FnOnce(&ConstellationLink, RequestId<T>) -> bool,
    settle: impl FnOnce(&mut JSContext, &GlobalScope, &crate::dom::bindings::promise::Promise, T)
        + 'static,
) where
    T: Answer + 'static,
{
    let trusted = Trusted::new(promise.clone());
    let sent = send_with_reply(global, send, move |cx, global, reply| {
        let Some(promise) = trusted.take() else {
            return;
        };
        // SAFETY: tasks run in the global's realm.
        unsafe {
            match reply {
                Some(reply) => settle(cx, global, &promise, reply),
                None => promise.reject_error(cx, global, disconnected_error(global)),
            }
        }
    });
    if !sent {
        promise.reject_error(cx, global, disconnected_error(global));
    }
}

/// How many broadcasts per registration a global remembers, to replay those a late reply
/// missed (see [`GlobalScope::registration_object`]).
const HISTORY_LENGTH: usize = 16;

/// The service-worker objects of one global, and its link. Lives in `GlobalScope`.
#[derive(Default)]
pub struct ServiceWorkerObjects {
    link: Option<Rc<ConstellationLink>>,
    /// `navigator.serviceWorker` of a Window.
    pub(crate) container: Option<Dom<crate::dom::serviceworkercontainer::ServiceWorkerContainer>>,
    /// The controller of a dedicated worker (which has no `navigator.serviceWorker`): its
    /// requests go to this service worker first.
    pub(crate) worker_controller: Option<ServiceWorkerId>,
    registrations: HashMap<ServiceWorkerRegistrationId, Dom<ServiceWorkerRegistration>>,
    workers: HashMap<ServiceWorkerId, Dom<ServiceWorker>>,
    /// The last broadcasts of each registration, oldest first: a registration object made
    /// from an answer (which travels behind the broadcasts sent before it) shows the latest
    /// state this global has heard of.
    history: HashMap<ServiceWorkerRegistrationId, Vec<RegistrationUpdate>>,
    /// Broadcasts waiting for a new registration object's replay task (see
    /// [`GlobalScope::registration_object`]): those that arrive meanwhile join the end, so
    /// every event fires with the attributes of its own moment, in order.
    replays: HashMap<ServiceWorkerRegistrationId, Vec<RegistrationUpdate>>,
    /// Held while a registration this global knows has a worker on its way to a settled
    /// state (installing, or waiting with nothing active, or activating), so a page does not
    /// go idle before the lifecycle it started has played out.
    transition: Option<PendingWork>,
    /// One guard per `postMessage` to a worker whose event is not over yet, by token.
    messages_in_flight: HashMap<u64, PendingWork>,
    next_message_token: u64,
    /// Requests waiting for their answer, by number.
    requests: HashMap<u64, PendingRequest>,
    next_request: u64,
    /// Why the engine could not connect this global, if it could not.
    refused: Option<String>,
}

// SAFETY: traces every object it holds.
unsafe impl Trace for ServiceWorkerObjects {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        if let Some(container) = &self.container {
            container.trace(trc);
        }
        for registration in self.registrations.values() {
            registration.trace(trc);
        }
        for worker in self.workers.values() {
            worker.trace(trc);
        }
    }
}

impl GlobalScope {
    /// Connects this global to the constellation.
    pub fn set_constellation_link(&self, link: ConstellationLink) {
        self.service_worker_objects().borrow_mut().link = Some(Rc::new(link));
    }

    /// The engine could not connect this global: requests reject with `reason`.
    pub fn set_connection_refused(&self, reason: String) {
        self.service_worker_objects().borrow_mut().refused = Some(reason);
    }

    pub fn constellation_link(&self) -> Option<Rc<ConstellationLink>> {
        self.service_worker_objects().borrow().link.clone()
    }

    /// The ServiceWorker object of this global for `info`, made on first use with `info`'s
    /// state (<https://w3c.github.io/ServiceWorker/#get-the-service-worker-object>).
    pub fn service_worker_object(
        &self,
        cx: &mut JSContext,
        info: &ServiceWorkerInfo,
    ) -> DomRoot<ServiceWorker> {
        if let Some(existing) = self.service_worker_objects().borrow().workers.get(&info.id) {
            return existing.root();
        }
        let worker = ServiceWorker::new(cx, self, info.id, info.script_url.clone(), info.state);
        self.service_worker_objects()
            .borrow_mut()
            .workers
            .insert(info.id, Dom::from_ref(&*worker));
        worker
    }

    /// The ServiceWorkerRegistration object of this global for `info` (a snapshot from a
    /// reply), made on first use.
    ///
    /// A new object shows `info` as it was when the constellation answered; the broadcasts
    /// it sent after that answer (already read here, on the other channel) are replayed in a
    /// task, so `updatefound` and `statechange` fire after the promise resolves, in order,
    /// as they would had everything travelled on one channel.
    pub fn registration_object(
        &self,
        cx: &mut JSContext,
        info: &RegistrationInfo,
    ) -> DomRoot<ServiceWorkerRegistration> {
        if let Some(existing) = self
            .service_worker_objects()
            .borrow()
            .registrations
            .get(&info.id)
        {
            return existing.root();
        }
        let (snapshot, replay) = {
            let objects = self.service_worker_objects().borrow();
            let history = objects.history.get(&info.id);
            let position = history.and_then(|history| {
                history
                    .iter()
                    .rposition(|update| update.registration == *info)
            });
            match (history, position) {
                (Some(history), Some(position)) => (info.clone(), history[position..].to_vec()),
                (Some(history), None) => (
                    history
                        .last()
                        .map_or_else(|| info.clone(), |last| last.registration.clone()),
                    Vec::new(),
                ),
                (None, _) => (info.clone(), Vec::new()),
            }
        };
        let registration = ServiceWorkerRegistration::new(cx, self, &snapshot);
        {
            let mut objects = self.service_worker_objects().borrow_mut();
            objects
                .registrations
                .insert(snapshot.id, Dom::from_ref(&*registration));
            // Before any broadcast, the reply is the latest news of the registration.
            objects.history.entry(snapshot.id).or_insert_with(|| {
                vec![RegistrationUpdate {
                    registration: snapshot.clone(),
                    changed_worker: None,
                    update_found: false,
                }]
            });
        }
        self.set_slots(cx, &registration, &snapshot);
        self.update_transition_guard();
        if !replay.is_empty() {
            let id = snapshot.id;
            self.service_worker_objects()
                .borrow_mut()
                .replays
                .insert(id, replay);
            let target = registration.clone();
            self.event_loop()
                .queue_task(Box::new(move |cx: &mut JSContext| {
                    let global = target.global();
                    let replay = global
                        .service_worker_objects()
                        .borrow_mut()
                        .replays
                        .remove(&id)
                        .unwrap_or_default();
                    for (index, update) in replay.into_iter().enumerate() {
                        // SAFETY: tasks run in the global's realm.
                        unsafe {
                            if index == 0 {
                                // The reply's own broadcast: its slots are shown already.
                                if update.update_found {
                                    target.upcast::<EventTarget>().fire_event(cx, "updatefound");
                                }
                            } else {
                                global.apply_update_to_objects(cx, &update);
                                global.update_transition_guard();
                                crate::dom::serviceworkercontainer::registration_changed(
                                    cx,
                                    global,
                                    &update.registration,
                                );
                            }
                        }
                    }
                }));
        }
        registration
    }

    fn set_slots(
        &self,
        cx: &mut JSContext,
        registration: &ServiceWorkerRegistration,
        info: &RegistrationInfo,
    ) {
        let object = |cx: &mut JSContext, worker: &Option<ServiceWorkerInfo>| {
            worker
                .as_ref()
                .map(|worker| self.service_worker_object(cx, worker))
        };
        let installing = object(cx, &info.installing);
        let waiting = object(cx, &info.waiting);
        let active = object(cx, &info.active);
        registration.set_workers(installing.as_deref(), waiting.as_deref(), active.as_deref());
        registration.set_update_via_cache(info.update_via_cache);
    }

    /// Handles a broadcast of the constellation: remembers it, and applies it to this
    /// global's objects.
    ///
    /// # Safety
    /// `cx` in this global's realm.
    pub unsafe fn apply_registration_update(&self, cx: &mut JSContext, update: RegistrationUpdate) {
        {
            let mut objects = self.service_worker_objects().borrow_mut();
            let history = objects.history.entry(update.registration.id).or_default();
            if history.len() == HISTORY_LENGTH {
                history.remove(0);
            }
            history.push(update.clone());
            // A replay of this registration is queued: this update goes after it (a
            // `updatefound` replayed later must still see the installing worker it was for).
            if let Some(replay) = objects.replays.get_mut(&update.registration.id) {
                replay.push(update);
                return;
            }
        }
        self.apply_update_to_objects(cx, &update);
        self.update_transition_guard();
        crate::dom::serviceworkercontainer::registration_changed(cx, self, &update.registration);
    }

    /// Update Registration State, Update Worker State (with `statechange`) and
    /// `updatefound`, in the spec's order, on the objects this global has.
    unsafe fn apply_update_to_objects(&self, cx: &mut JSContext, update: &RegistrationUpdate) {
        let info = &update.registration;
        let registration = self
            .service_worker_objects()
            .borrow()
            .registrations
            .get(&info.id)
            .map(|registration| registration.root());
        if let Some(registration) = &registration {
            self.set_slots(cx, registration, info);
        }
        let changed = update.changed_worker.iter().chain(
            [&info.installing, &info.waiting, &info.active]
                .into_iter()
                .flatten(),
        );
        for changed in changed {
            let worker = self
                .service_worker_objects()
                .borrow()
                .workers
                .get(&changed.id)
                .map(|worker| worker.root());
            if let Some(worker) = worker {
                if worker.state() != changed.state {
                    worker.set_state(changed.state);
                    worker.upcast::<EventTarget>().fire_event(cx, "statechange");
                }
            }
        }
        if update.update_found {
            if let Some(registration) = &registration {
                registration
                    .upcast::<EventTarget>()
                    .fire_event(cx, "updatefound");
            }
        }
    }

    /// The freshest snapshot of registration `id` this global has seen.
    pub fn latest_registration_info(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Option<RegistrationInfo> {
        self.service_worker_objects()
            .borrow()
            .history
            .get(&id)
            .and_then(|history| history.last())
            .map(|update| update.registration.clone())
    }

    /// Holds or releases the transition guard (see [`ServiceWorkerObjects`]).
    fn update_transition_guard(&self) {
        let mut objects = self.service_worker_objects().borrow_mut();
        let in_transition = objects.registrations.keys().any(|id| {
            let latest = objects
                .history
                .get(id)
                .and_then(|history| history.last())
                .map(|update| &update.registration);
            latest.is_some_and(|info| {
                info.installing.is_some()
                    || (info.waiting.is_some() && info.active.is_none())
                    || info
                        .active
                        .as_ref()
                        .is_some_and(|active| active.state == ServiceWorkerState::Activating)
            })
        });
        if in_transition && objects.transition.is_none() {
            objects.transition = Some(self.event_loop().expect_remote_task());
        } else if !in_transition {
            objects.transition = None;
        }
    }

    /// Numbers a `postMessage` to a worker and keeps the page alive until the constellation
    /// says its event is over ([`GlobalScope::message_done`]).
    pub fn message_in_flight(&self) -> u64 {
        let guard = self.event_loop().expect_remote_task();
        let mut objects = self.service_worker_objects().borrow_mut();
        objects.next_message_token += 1;
        let token = objects.next_message_token;
        objects.messages_in_flight.insert(token, guard);
        token
    }

    /// The message event numbered `token` is over.
    pub fn message_done(&self, token: u64) {
        let guard = self
            .service_worker_objects()
            .borrow_mut()
            .messages_in_flight
            .remove(&token);
        drop(guard);
    }

    /// Runs the task the answer to request `id` was waiting for (`None`: the constellation
    /// dropped it unanswered). An answer to no request waiting is logged and dropped.
    pub fn answer_request(&self, cx: &mut JSContext, id: u64, answer: Option<Box<Reply>>) {
        let request = self
            .service_worker_objects()
            .borrow_mut()
            .requests
            .remove(&id);
        match request {
            Some(request) => (request.on_answer)(cx, self, answer),
            None => log::warn!(target: LOG_TARGET, "an answer to no request ({id}); dropped"),
        }
    }

    /// The constellation went away: every request still waiting is answered `None`, in the
    /// order they were made.
    pub fn constellation_gone(&self, cx: &mut JSContext) {
        let mut waiting: Vec<u64> = self
            .service_worker_objects()
            .borrow()
            .requests
            .keys()
            .copied()
            .collect();
        waiting.sort_unstable();
        for id in waiting {
            self.answer_request(cx, id, None);
        }
    }

    /// Forgets the link and every object (the global is going away).
    pub fn clear_service_worker_objects(&self) {
        let objects = std::mem::take(&mut *self.service_worker_objects().borrow_mut());
        drop(objects);
    }
}

/// Routes the messages of `receiver` to `global`'s event loop, each as a task running
/// `handle` in the global's realm. Unsolicited messages do not keep the loop from going idle,
/// unless `keep_alive` is given: it is held until the channel closes (a worker lives as long
/// as the constellation's end of its channel).
pub fn route_to_event_loop<T>(
    global: &GlobalScope,
    receiver: ipc::IpcReceiver<T>,
    handle: fn(&mut JSContext, &GlobalScope, T),
    keep_alive: Option<PendingWork>,
) where
    T: Serialize + DeserializeOwned + 'static,
{
    let routed = global.event_loop().add_ipc_route(
        receiver,
        move |cx, message| {
            // SAFETY: event-loop tasks run in their global's realm.
            let global = unsafe { current_global(cx) };
            handle(cx, global, message)
        },
        Box::new(|cx| {
            // SAFETY: as above.
            let global = unsafe { current_global(cx) };
            global.constellation_gone(cx)
        }),
        keep_alive,
    );
    if !routed {
        log::error!(target: LOG_TARGET, "cannot read the constellation's messages");
    }
}
