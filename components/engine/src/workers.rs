//! Running service workers: their threads, the events in flight, and the
//! two clocks that stop them.
//!
//! <https://w3c.github.io/ServiceWorker/#service-worker-lifetime>
//!
//! A worker runs on its own thread (started through a [`WorkerSpawner`]:
//! the script crate's, or a fake in unit tests), and is stopped
//!
//! - when it has had no event in flight for `serviceworker.idle_timeout_ms`;
//! - when an event (or its script's first evaluation) runs longer than
//!   `serviceworker.max_event_duration_ms`: its thread is interrupted, and
//!   the event counts as failed. A `sync` event's limit is
//!   `background_sync.max_event_duration_ms`, enforced by the sync service
//!   (which then asks the constellation to stop the worker); the clock here
//!   only backs it up, a second later, in case the service cannot;
//! - when it becomes redundant, or the engine shuts down.
//!
//! A stopped worker is started again, from its stored scripts, when an
//! event must be delivered to it. Each start is a new *instance*; messages
//! still arriving from an old instance are ignored.

use std::collections::HashMap;
use std::io;
use std::time::{Duration, Instant};

use background_sync::DispatchId;
use base::origin::Origin;
use base::prefs::Prefs;
use crossbeam_channel::Sender;
use ipc_channel::ipc;
use script::page::ConsoleCallback;
use script::service_worker_thread::{spawn_service_worker, ServiceWorkerStart, WorkerHandle};
use script_traits::{
    FetchAnswer, FetchResponseData, ImportedScript, RegistrationInfo, ScriptEvaluation,
    ServiceWorkerId, ServiceWorkerInfo, ToClientMsg, ToWorkerMsg, WorkerChannels, WorkerEvent,
    WorkerEventId, WorkerEventOutcome,
};
use service_worker_registry::{JobId, WorkerScripts};

use crate::postman::Postman;
use crate::replies::{ReplyChannel, WorkerOutbox};
use crate::routing::{Inbox, WorkerMessage};

const LOG_TARGET: &str = "bgsync::engine::workers";

/// How long [`Workers::shutdown`] waits for stopped threads to end before
/// leaving them behind (a thread stuck outside JS cannot be interrupted).
const SHUTDOWN_JOIN_LIMIT: Duration = Duration::from_secs(5);

/// How long after `background_sync.max_event_duration_ms` a `sync` event's
/// worker is stopped if the sync service did not abort the event itself.
const SYNC_BACKSTOP_GRACE: Duration = Duration::from_secs(1);

/// A worker thread, as the engine holds it.
pub(crate) trait WorkerThread: Send {
    /// Stops whatever script runs, uncatchably; the thread then ends.
    fn interrupt(&self);
    fn is_finished(&self) -> bool;
    fn join(self: Box<Self>);
}

impl WorkerThread for WorkerHandle {
    fn interrupt(&self) {
        WorkerHandle::interrupt(self)
    }

    fn is_finished(&self) -> bool {
        WorkerHandle::is_finished(self)
    }

    fn join(self: Box<Self>) {
        WorkerHandle::join(*self)
    }
}

/// Starts worker threads.
pub(crate) trait WorkerSpawner: Send {
    fn spawn(&self, start: ServiceWorkerStart) -> io::Result<Box<dyn WorkerThread>>;
}

/// Worker threads with their own SpiderMonkey runtime.
pub(crate) struct ScriptSpawner;

impl WorkerSpawner for ScriptSpawner {
    fn spawn(&self, start: ServiceWorkerStart) -> io::Result<Box<dyn WorkerThread>> {
        Ok(Box::new(spawn_service_worker(start)?))
    }
}

/// How the first evaluation of a running worker's script went.
#[derive(Clone, Debug)]
pub(crate) enum Evaluation {
    /// Not reported yet; the worker is stopped if it takes past `deadline`.
    Pending { deadline: Instant },
    /// The script ran.
    Done,
}

pub(crate) struct RunningWorker {
    pub instance: u64,
    thread: Box<dyn WorkerThread>,
    sender: Postman<ToWorkerMsg>,
    /// The registration's scope's origin: what the worker's requests are
    /// judged by.
    pub origin: Origin,
    /// The worker as `ServiceWorker` objects show it, kept up to date.
    pub info: ServiceWorkerInfo,
    pub evaluation: Evaluation,
    /// When its last event ended (or it started).
    idle_since: Instant,
    /// Events given and not over yet.
    events_in_flight: usize,
    /// Messages not sent yet, in order (see [`RunningWorker::send`]);
    /// answers to the worker's requests join it (`replies`).
    outbox: WorkerOutbox,
}

/// What a worker's first evaluation of its script came to: what it
/// imported, or why it failed (the worker was stopped).
pub(crate) type EvaluationResult = Result<Vec<ImportedScript>, String>;

/// A worker's outbox is sent when the constellation is about to wait, or
/// once it holds this many messages, so a long burst reaches the worker in
/// slices it can start on.
const OUTBOX_SLICE: usize = 64;

impl RunningWorker {
    /// Queues `message` for the worker. Queued messages go out, in order,
    /// as one message ([`ToWorkerMsg::Batch`]) at the next
    /// [`Workers::flush`] (the constellation calls it before it waits for
    /// anything) or once [`OUTBOX_SLICE`] are queued. Sending each alone
    /// would be slower on both ends: a worker reading its channel drains it
    /// while messages keep coming, so a burst of a thousand events would
    /// start only after the constellation had sent the last one. Nothing
    /// is sent before the worker's script ran: a script that fails to run
    /// gets no events.
    pub fn send(&self, message: ToWorkerMsg) {
        let full = {
            let mut outbox = self.lock_outbox();
            outbox.push(message);
            outbox.len() >= OUTBOX_SLICE
        };
        if full {
            self.flush();
        }
    }

    fn lock_outbox(&self) -> std::sync::MutexGuard<'_, Vec<ToWorkerMsg>> {
        self.outbox
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Where the answers to this worker's requests go.
    pub fn reply_channel(&self) -> ReplyChannel {
        ReplyChannel::Worker {
            worker: self.info.id,
            outbox: self.outbox.clone(),
        }
    }

    /// Sends what [`RunningWorker::send`] queued, once the script ran.
    fn flush(&self) {
        if matches!(self.evaluation, Evaluation::Pending { .. }) {
            return;
        }
        let mut queued = std::mem::take(&mut *self.lock_outbox());
        let message = match queued.len() {
            0 => return,
            1 => queued.pop().expect("one message"),
            _ => ToWorkerMsg::Batch(queued),
        };
        if !self.sender.send(message) {
            log::debug!(target: LOG_TARGET, "cannot reach {}: it is gone", self.info.id);
        }
    }
}

/// What to do when an event ends.
pub(crate) enum OnDone {
    /// Tell the page its `postMessage` was handled (on success, on failure,
    /// and when the event is dropped). A message event cut off by another
    /// event's stop is delivered again, to a fresh worker
    /// ([`Workers::take_redeliveries`]); it keeps its notice. A message from
    /// a worker has no page to tell: no notice.
    Reply(Option<MessageDoneNotice>, WorkerEvent),
    /// A lifecycle event the registry waits for: its result goes to
    /// [`Workers::take_lifecycle_results`].
    Lifecycle(LifecycleEvent),
    /// A `sync` event: its result goes to [`Workers::take_sync_results`],
    /// for the sync service.
    Sync(DispatchId),
    /// A `fetch` event: the page hears its answer as soon as the worker
    /// sends it ([`Workers::fetch_answer`]), or a network error when the
    /// event ends without one.
    Fetch(FetchNotice),
}

/// A lifecycle event in flight, and who resumes when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LifecycleEvent {
    /// `install`, for this job.
    Install(JobId),
    /// `activate` of the worker the event was fired at.
    Activate,
}

/// Sends [`ToClientMsg::MessageDone`] when dropped: on the client's own
/// channel, after whatever the worker posted to it during the event.
pub(crate) struct MessageDoneNotice {
    pub(crate) client: Postman<ToClientMsg>,
    pub(crate) token: u64,
    /// Set when the worker's message event ended.
    pub(crate) delivered: bool,
}

impl Drop for MessageDoneNotice {
    fn drop(&mut self) {
        let _ = self.client.send(ToClientMsg::MessageDone {
            token: self.token,
            delivered: self.delivered,
        });
    }
}

/// Sends [`ToClientMsg::FetchAnswer`] once: the worker's answer, or, if the
/// event ends without one, `fallback` or a network error.
pub(crate) struct FetchNotice {
    pub(crate) client: Postman<ToClientMsg>,
    pub(crate) token: u64,
    /// Set when nothing reached a listener (the worker could not start):
    /// the page goes to the network.
    pub(crate) fallback: bool,
    pub(crate) sent: bool,
    /// A fetch event raced with the network (the static router's
    /// `race-network-and-fetch-handler`): its answer goes to the race, which answers the
    /// client.
    race: Option<crate::constellation::Race>,
}

impl FetchNotice {
    pub(crate) fn new(client: Postman<ToClientMsg>, token: u64) -> FetchNotice {
        FetchNotice {
            client,
            token,
            fallback: false,
            sent: false,
            race: None,
        }
    }

    /// The notice of a fetch event whose answer goes to `race`.
    pub(crate) fn raced(
        client: Postman<ToClientMsg>,
        race: crate::constellation::Race,
    ) -> FetchNotice {
        let mut notice = FetchNotice::new(client, 0);
        notice.race = Some(race);
        notice
    }

    pub(crate) fn send(&mut self, answer: FetchAnswer) {
        if !std::mem::replace(&mut self.sent, true) {
            if let Some(race) = &self.race {
                return race.handler_answered(answer);
            }
            let _ = self.client.send(ToClientMsg::FetchAnswer {
                token: self.token,
                answer,
            });
        }
    }
}

impl Drop for FetchNotice {
    fn drop(&mut self) {
        let answer = if self.fallback {
            FetchAnswer::Fallback
        } else {
            FetchAnswer::NetworkError(
                "the service worker's fetch event ended without a response".to_owned(),
            )
        };
        self.send(answer);
    }
}

/// How an event ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EventResult {
    Done(WorkerEventOutcome),
    /// The worker's script failed to run (did not parse, threw, ran too
    /// long), so the event never reached it.
    StartFailed(String),
    /// The worker was stopped because of this event (it ran too long), or
    /// crashed, before the event ended.
    Stopped,
    /// The worker was stopped for something else (another event ran too
    /// long, it became redundant, the engine shut down, the embedder asked)
    /// before this event ended: not the event's doing.
    CutOff,
}

/// Which events in flight a stop is charged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blame {
    /// None: every event in flight was cut off by something else.
    Nobody,
    /// This event (it ran too long); the others were cut off.
    Event(WorkerEventId),
    /// Every event in flight (the worker crashed, nobody knows whose fault
    /// it was).
    Everyone,
}

struct PendingEvent {
    worker: ServiceWorkerId,
    instance: u64,
    name: &'static str,
    /// When the worker is stopped for running it too long, and the pref
    /// that says so; `None`: no limit.
    deadline: Option<(Instant, &'static str)>,
    on_done: OnDone,
}

pub(crate) struct Workers {
    running: HashMap<ServiceWorkerId, RunningWorker>,
    events: HashMap<WorkerEventId, PendingEvent>,
    /// Ended lifecycle events, in order, not taken yet: (worker, event, result).
    lifecycle_results: Vec<(ServiceWorkerId, LifecycleEvent, EventResult)>,
    /// First evaluations that ended, in order, not taken yet.
    evaluations: Vec<(ServiceWorkerId, EvaluationResult)>,
    /// Ended `sync` events, in order, not taken yet.
    sync_results: Vec<(DispatchId, EventResult)>,
    /// Message events cut off by another event's stop, to deliver again.
    redeliveries: Vec<(ServiceWorkerId, WorkerEvent, Option<MessageDoneNotice>)>,
    /// Whether each worker whose script ran in this engine run has a `fetch` listener.
    handles_fetch: HashMap<ServiceWorkerId, bool>,
    /// Stopped threads not joined yet.
    stopping: Vec<Box<dyn WorkerThread>>,
    next_instance: u64,
    next_event: u64,
    spawner: Box<dyn WorkerSpawner>,
    messages: Sender<WorkerMessage>,
    inbox: Inbox,
    prefs: Prefs,
    /// The engine's HTTP cache, given to each worker it starts.
    http_cache: Option<net::HttpCache>,
    console: ConsoleCallback,
    idle_timeout: Duration,
    max_event_duration: Duration,
    /// The backstop of a `sync` event's time limit (see the module docs).
    sync_event_backstop: Option<Duration>,
    /// The network state new workers start with (`navigator.onLine`).
    online: bool,
}

impl Workers {
    pub fn new(
        spawner: Box<dyn WorkerSpawner>,
        messages: Sender<WorkerMessage>,
        inbox: Inbox,
        prefs: Prefs,
        http_cache: Option<net::HttpCache>,
        console: ConsoleCallback,
    ) -> Workers {
        Workers {
            running: HashMap::new(),
            events: HashMap::new(),
            lifecycle_results: Vec::new(),
            evaluations: Vec::new(),
            sync_results: Vec::new(),
            redeliveries: Vec::new(),
            handles_fetch: HashMap::new(),
            stopping: Vec::new(),
            next_instance: 1,
            next_event: 1,
            spawner,
            messages,
            inbox,
            idle_timeout: Duration::from_millis(prefs.serviceworker_idle_timeout_ms()),
            max_event_duration: Duration::from_millis(prefs.serviceworker_max_event_duration_ms()),
            sync_event_backstop: match prefs.background_sync_max_event_duration_ms() {
                0 => None,
                limit => Some(Duration::from_millis(limit) + SYNC_BACKSTOP_GRACE),
            },
            prefs,
            http_cache,
            console,
            online: true,
        }
    }

    /// Where the workers' (and pages') ipc messages are read.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    pub fn get(&self, worker: ServiceWorkerId) -> Option<&RunningWorker> {
        self.running.get(&worker)
    }

    pub fn get_mut(&mut self, worker: ServiceWorkerId) -> Option<&mut RunningWorker> {
        self.running.get_mut(&worker)
    }

    pub fn is_running(&self, worker: ServiceWorkerId) -> bool {
        self.running.contains_key(&worker)
    }

    /// The running worker `worker` if `instance` is its current run.
    pub fn instance(&self, worker: ServiceWorkerId, instance: u64) -> Option<&RunningWorker> {
        self.running
            .get(&worker)
            .filter(|running| running.instance == instance)
    }

    pub fn running(&self) -> impl Iterator<Item = &RunningWorker> {
        self.running.values()
    }

    /// Starts a thread for `worker`; its evaluation is pending until the
    /// thread reports it.
    pub fn start(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: &WorkerScripts,
        first_run: bool,
    ) -> Result<(), String> {
        let (to_worker, from_constellation) = ipc::channel()
            .map_err(|error| format!("cannot create the worker's channel: {error}"))?;
        let to_worker = Postman::start(worker.id.to_string(), to_worker)
            .map_err(|error| format!("cannot start the worker's postman: {error}"))?;
        let (to_constellation, from_worker) = ipc::channel()
            .map_err(|error| format!("cannot create the worker's channel: {error}"))?;
        let instance = self.next_instance;
        self.next_instance += 1;
        self.inbox
            .route_worker(from_worker, worker.id, instance, self.messages.clone());
        let thread = self
            .spawner
            .spawn(ServiceWorkerStart {
                registration: registration.clone(),
                worker: worker.clone(),
                worker_type: scripts.worker_type,
                script: scripts.main.clone(),
                imported_scripts: scripts.imported.clone(),
                first_run,
                prefs: self.prefs.clone(),
                http_cache: self.http_cache.clone(),
                online: self.online,
                console: self.console.clone(),
                channels: WorkerChannels {
                    to_constellation,
                    from_constellation,
                },
            })
            .map_err(|error| format!("cannot start the worker's thread: {error}"))?;
        let now = Instant::now();
        log::debug!(
            target: LOG_TARGET,
            "started {} of {} (instance {instance}{})",
            worker.id,
            registration.scope,
            if first_run { ", first run" } else { "" }
        );
        self.running.insert(
            worker.id,
            RunningWorker {
                instance,
                thread,
                sender: to_worker,
                origin: registration.scope.origin(),
                info: worker.clone(),
                evaluation: Evaluation::Pending {
                    deadline: now + self.max_event_duration,
                },
                idle_since: now,
                events_in_flight: 0,
                outbox: WorkerOutbox::default(),
            },
        );
        Ok(())
    }

    /// Records a worker's `Evaluated` report. A failed evaluation stops it.
    pub fn evaluated(&mut self, worker: ServiceWorkerId, evaluation: ScriptEvaluation) {
        let Some(running) = self.running.get_mut(&worker) else {
            return;
        };
        if !matches!(running.evaluation, Evaluation::Pending { .. }) {
            log::warn!(target: LOG_TARGET, "{worker} reported its evaluation twice; ignored");
            return;
        }
        match evaluation {
            ScriptEvaluation::Ok {
                imported_scripts,
                handles_fetch,
            } => {
                self.handles_fetch.insert(worker, handles_fetch);
                let Some(running) = self.running.get_mut(&worker) else {
                    return;
                };
                running.evaluation = Evaluation::Done;
                running.idle_since = Instant::now();
                self.evaluations.push((worker, Ok(imported_scripts)));
            }
            ScriptEvaluation::Failed(reason) => {
                self.stop(worker, &format!("its script failed: {reason}"));
            }
        }
    }

    /// Whether `worker`'s script added a `fetch` listener, once it ran in
    /// this engine run (`None`: not known yet).
    pub fn handles_fetch(&self, worker: ServiceWorkerId) -> Option<bool> {
        self.handles_fetch.get(&worker).copied()
    }

    /// Sends `event` to a running worker. `None` if it is not running.
    pub fn dispatch(
        &mut self,
        worker: ServiceWorkerId,
        event: WorkerEvent,
        on_done: OnDone,
    ) -> Option<WorkerEventId> {
        let running = self.running.get_mut(&worker)?;
        running.events_in_flight += 1;
        let id = WorkerEventId(self.next_event);
        self.next_event += 1;
        let name = event.name();
        log::debug!(target: LOG_TARGET, "{worker}: {name} event {}", id.0);
        running.send(ToWorkerMsg::Event { id, event });
        let now = Instant::now();
        let deadline = match on_done {
            OnDone::Sync(_) => self
                .sync_event_backstop
                .map(|limit| (now + limit, "background_sync.max_event_duration_ms")),
            _ => Some((
                now + self.max_event_duration,
                "serviceworker.max_event_duration_ms",
            )),
        };
        self.events.insert(
            id,
            PendingEvent {
                worker,
                instance: running.instance,
                name,
                deadline,
                on_done,
            },
        );
        Some(id)
    }

    /// A worker's `EventDone`. An id that is not an event of that worker
    /// instance is logged and ignored.
    pub fn event_done(
        &mut self,
        worker: ServiceWorkerId,
        instance: u64,
        id: WorkerEventId,
        outcome: WorkerEventOutcome,
    ) {
        let belongs = self
            .events
            .get(&id)
            .is_some_and(|event| event.worker == worker && event.instance == instance);
        let Some(event) = belongs.then(|| self.events.remove(&id)).flatten() else {
            log::warn!(
                target: LOG_TARGET,
                "{worker} reported event {} it was not given; ignored",
                id.0
            );
            return;
        };
        log::debug!(target: LOG_TARGET, "{worker}: {} event {} ended: {outcome:?}", event.name, id.0);
        if let Some(running) = self
            .running
            .get_mut(&worker)
            .filter(|running| running.instance == instance)
        {
            running.events_in_flight = running.events_in_flight.saturating_sub(1);
            if running.events_in_flight == 0 {
                running.idle_since = Instant::now();
            }
        }
        match event.on_done {
            OnDone::Reply(mut notice, _) => {
                if let Some(notice) = notice.as_mut() {
                    notice.delivered = true;
                }
            }
            OnDone::Lifecycle(event) => {
                self.lifecycle_results
                    .push((worker, event, EventResult::Done(outcome)));
            }
            OnDone::Sync(dispatch) => {
                self.sync_results
                    .push((dispatch, EventResult::Done(outcome)));
            }
            OnDone::Fetch(_) => {}
        }
    }

    /// A worker's answer to its `fetch` event `id` (the event stays in
    /// flight until its `EventDone`). An answer to anything else, or a
    /// second answer, is logged and ignored.
    pub fn fetch_answer(
        &mut self,
        worker: ServiceWorkerId,
        instance: u64,
        id: WorkerEventId,
        answer: FetchAnswer,
    ) {
        match self.events.get_mut(&id) {
            Some(PendingEvent {
                worker: owner,
                instance: run,
                on_done: OnDone::Fetch(notice),
                ..
            }) if *owner == worker && *run == instance && !notice.sent => notice.send(answer),
            _ => log::warn!(
                target: LOG_TARGET,
                "{worker} answered fetch event {} it was not given, or twice; ignored",
                id.0
            ),
        }
    }

    /// The navigation preload response of `worker`'s fetch `event`: to the
    /// run of the worker that was given the event, if it still runs (an
    /// event that ended meanwhile still hears it, so the worker lets go of
    /// what waits for it).
    pub fn preload_response(
        &mut self,
        worker: ServiceWorkerId,
        event: WorkerEventId,
        response: Option<Box<FetchResponseData>>,
    ) {
        let instance = self.events.get(&event).map(|pending| pending.instance);
        match self.running.get(&worker) {
            Some(running) if instance.is_none_or(|instance| instance == running.instance) => {
                running.send(ToWorkerMsg::PreloadResponse {
                    id: event,
                    response,
                })
            }
            _ => log::debug!(
                target: LOG_TARGET,
                "{worker} stopped before the preload response of fetch event {}",
                event.0
            ),
        }
    }

    /// The message events cut off since the last call, in order, to deliver
    /// again (see [`OnDone::Reply`]).
    pub fn take_redeliveries(
        &mut self,
    ) -> Vec<(ServiceWorkerId, WorkerEvent, Option<MessageDoneNotice>)> {
        std::mem::take(&mut self.redeliveries)
    }

    /// The `sync` events that ended since the last call, in order.
    pub fn take_sync_results(&mut self) -> Vec<(DispatchId, EventResult)> {
        std::mem::take(&mut self.sync_results)
    }

    /// The lifecycle events that ended since the last call, in order.
    pub fn take_lifecycle_results(
        &mut self,
    ) -> Vec<(ServiceWorkerId, LifecycleEvent, EventResult)> {
        std::mem::take(&mut self.lifecycle_results)
    }

    /// The first evaluations that ended since the last call, in order.
    pub fn take_evaluations(&mut self) -> Vec<(ServiceWorkerId, EvaluationResult)> {
        std::mem::take(&mut self.evaluations)
    }

    /// The network went online or offline: new workers start with this state, and running
    /// ones hear of it.
    pub fn set_online(&mut self, online: bool) {
        self.online = online;
        for running in self.running.values() {
            running.send(ToWorkerMsg::NetworkChanged { online });
        }
    }

    /// Whether `worker` has events in flight.
    pub fn has_events(&self, worker: ServiceWorkerId) -> bool {
        self.running
            .get(&worker)
            .is_some_and(|running| running.events_in_flight > 0)
    }

    /// Sends every running worker what was queued for it (see
    /// [`RunningWorker::send`]). The constellation calls it before it waits.
    pub fn flush(&self) {
        for running in self.running.values() {
            running.flush();
        }
    }

    /// Stops a running worker: tells its thread to terminate and interrupts
    /// any script it runs. Its events in flight fail.
    pub fn stop(&mut self, worker: ServiceWorkerId, reason: &str) {
        self.stop_blaming(worker, reason, Blame::Nobody)
    }

    /// Stops `worker` (see [`Workers::stop`]); its events in flight end as
    /// [`EventResult::Stopped`] if `blame` names them, else
    /// [`EventResult::CutOff`].
    pub fn stop_blaming(&mut self, worker: ServiceWorkerId, reason: &str, blame: Blame) {
        let Some(running) = self.running.remove(&worker) else {
            return;
        };
        log::info!(target: LOG_TARGET, "stopping {worker}: {reason}");
        let start_failed = matches!(running.evaluation, Evaluation::Pending { .. });
        if start_failed {
            // Nothing queued reaches a worker whose script did not run.
            running.lock_outbox().clear();
            self.evaluations.push((worker, Err(reason.to_owned())));
        }
        running.flush();
        if !running.sender.send(ToWorkerMsg::Terminate) {
            log::debug!(target: LOG_TARGET, "cannot reach {worker}: it is gone");
        }
        running.thread.interrupt();
        self.stopping.push(running.thread);
        let mut failed: Vec<WorkerEventId> = self
            .events
            .iter()
            .filter(|(_, event)| event.worker == worker)
            .map(|(id, _)| *id)
            .collect();
        // In the order they were given: cut-off messages are delivered again in order.
        failed.sort_unstable();
        for id in failed {
            let Some(event) = self.events.remove(&id) else {
                continue;
            };
            let blamed = match blame {
                Blame::Nobody => false,
                Blame::Event(culprit) => culprit == id,
                Blame::Everyone => true,
            };
            log::warn!(
                target: LOG_TARGET,
                "{worker}: {} event {} {}: the worker was stopped",
                event.name,
                id.0,
                if blamed { "failed" } else { "was cut off" }
            );
            let result = if start_failed {
                EventResult::StartFailed(reason.to_owned())
            } else if blamed {
                EventResult::Stopped
            } else {
                EventResult::CutOff
            };
            match event.on_done {
                OnDone::Lifecycle(lifecycle) => {
                    self.lifecycle_results.push((worker, lifecycle, result))
                }
                OnDone::Sync(dispatch) => self.sync_results.push((dispatch, result)),
                // Cut off: delivered again. Failed: the notice is dropped, and
                // the page learns the message was not handled.
                OnDone::Reply(notice, event) if result == EventResult::CutOff => {
                    self.redeliveries.push((worker, event, notice))
                }
                OnDone::Reply(..) => {}
                // Spec: a worker that could not run makes the fetch go to the
                // network; one stopped during the event is a network error.
                OnDone::Fetch(mut notice) => {
                    notice.fallback = matches!(result, EventResult::StartFailed(_));
                }
            }
        }
    }

    /// A worker instance's channel closed: its thread ended by itself.
    pub fn gone(&mut self, worker: ServiceWorkerId, instance: u64) {
        if self.instance(worker, instance).is_some() {
            self.stop_blaming(worker, "its thread ended", Blame::Everyone);
        }
    }

    /// When [`Workers::check_timers`] has something to do next.
    pub fn next_deadline(&self) -> Option<Instant> {
        let events = self
            .events
            .values()
            .filter_map(|event| event.deadline.map(|(deadline, _)| deadline));
        let workers = self
            .running
            .values()
            .filter_map(|running| match running.evaluation {
                Evaluation::Pending { deadline } => Some(deadline),
                Evaluation::Done if !self.has_events(running.info.id) => {
                    Some(running.idle_since + self.idle_timeout)
                }
                Evaluation::Done => None,
            });
        events.chain(workers).min()
    }

    /// Stops the workers whose event or evaluation ran too long and those
    /// idle for too long, and joins threads that ended.
    pub fn check_timers(&mut self, now: Instant) {
        let mut to_stop: Vec<(ServiceWorkerId, String, Blame)> = Vec::new();
        for (id, event) in &self.events {
            if let Some((deadline, limit)) = event.deadline {
                if deadline <= now {
                    to_stop.push((
                        event.worker,
                        format!("its {} event ran longer than {limit}", event.name),
                        Blame::Event(*id),
                    ));
                }
            }
        }
        for running in self.running.values() {
            let id = running.info.id;
            match running.evaluation {
                Evaluation::Pending { deadline } if deadline <= now => to_stop.push((
                    id,
                    format!(
                        "its script ran longer than serviceworker.max_event_duration_ms ({} ms)",
                        self.max_event_duration.as_millis()
                    ),
                    Blame::Nobody,
                )),
                Evaluation::Done
                    if !self.has_events(id) && running.idle_since + self.idle_timeout <= now =>
                {
                    to_stop.push((
                        id,
                        format!(
                            "idle for serviceworker.idle_timeout_ms ({} ms)",
                            self.idle_timeout.as_millis()
                        ),
                        Blame::Nobody,
                    ))
                }
                _ => {}
            }
        }
        for (worker, reason, blame) in to_stop {
            self.stop_blaming(worker, &reason, blame);
        }
        self.reap();
    }

    fn reap(&mut self) {
        let (finished, still_running) = std::mem::take(&mut self.stopping)
            .into_iter()
            .partition(|thread| thread.is_finished());
        self.stopping = still_running;
        for thread in finished {
            thread.join();
        }
    }

    /// Stops every worker and waits (a bounded time) for their threads.
    pub fn shutdown(&mut self) {
        let workers: Vec<ServiceWorkerId> = self.running.keys().copied().collect();
        for worker in workers {
            self.stop(worker, "the engine is shutting down");
        }
        let give_up = Instant::now() + SHUTDOWN_JOIN_LIMIT;
        while !self.stopping.is_empty() && Instant::now() < give_up {
            self.reap();
            std::thread::sleep(Duration::from_millis(10));
        }
        if !self.stopping.is_empty() {
            log::error!(
                target: LOG_TARGET,
                "{} worker thread(s) did not end; leaving them behind",
                self.stopping.len()
            );
        }
    }
}
