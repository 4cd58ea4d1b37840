//! Tests of the constellation's routing, with real ipc channels, a real
//! HTTP server on 127.0.0.1 and a real SQLite profile, but fake pages (the
//! test speaks the page's side of the channels) and fake worker threads (a
//! Rust thread that speaks the worker's side, following directives written
//! in its "script").
//!
//! Fake worker directives, one per line of the script:
//! `throw` (evaluation fails), `hang-evaluation`, `import` (a first run
//! imports `lib.js`), `hang-install`, `reject-install`, `skip-waiting`
//! (in `install`), `claim` (in `activate`), `echo` (a message is posted
//! back to its source), `hang-message`, `forward` (a message's bytes are a
//! client id to post to), `report-clients` (posts back
//! `"<matchAll count> <get(source) found>"`), `reject-sync`, `hang-sync`,
//! `sync-register-in-install`, `sync-register-in-activate` and `sync-register-on-start` (the worker
//! registers the sync tag `from-worker` for its own registration and logs
//! `<id> sync register <reply>`), `throw-on-restart` (evaluation fails on
//! every run but the first), `gated-install NAME` (the install event ends,
//! logging `<id> install-end`, once the test calls [`open_gate`] with
//! NAME), `slow-sync` (a sync event takes 20 ms). Sync
//! events are logged as `<id> sync <tag> <lastChance>` (and, with
//! `slow-sync`, `<id> sync-end <tag>`); each start as `<id> starts
//! online=<bool>`, each network change as `<id> online <bool>`.
//!
//! The OS network of these engines is a [`FakeNetwork`]: online unless a
//! test switches it.

mod lifecycle;
mod lifetime;
mod logs;
mod messaging;
mod network;
mod never_waits;
#[path = "../../tests/support/server.rs"]
mod server;
mod sync;

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use background_sync_traits::{ServiceWorkerRegistrationId, SyncError, SyncRequest};
use crossbeam_channel::Sender;
use ipc_channel::ipc::{IpcReceiver, IpcSender};
use net::{InterfaceEvent, NetworkObserver, ObserverConfig};
use script::service_worker_thread::ServiceWorkerStart;
use script_traits::{
    Answer, ClientChannels, ClientId, ClientSetup, ImportedScript, RegisterReply, RegistrationInfo,
    RequestId, ScriptEvaluation, ScriptMsg, SerializedMessage, ServiceWorkerId,
    ServiceWorkerRequest, ToClientMsg, ToWorkerMsg, UpdateViaCache, WorkerEvent,
    WorkerEventOutcome, WorkerMsg,
};
use url::Url;

pub(crate) use self::logs::{capture_logs, warnings_containing};
pub(crate) use self::server::{Response, TestServer};
use crate::workers::{WorkerSpawner, WorkerThread};
use crate::{Engine, EngineOptions, Prefs};

/// How long a test waits for something that should happen at once.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

/// What fake workers did, in order: `spawn <id> first_run=<bool>
/// imports=<n>`, `<id> install`, `<id> claim Ok(())`, ...
#[derive(Clone, Default)]
pub(crate) struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }

    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn count(&self, prefix: &str) -> usize {
        self.lines()
            .iter()
            .filter(|line| line.starts_with(prefix))
            .count()
    }
}

struct FakeSpawner(Log);

struct FakeThread {
    thread: JoinHandle<()>,
    interrupted: Arc<AtomicBool>,
}

impl WorkerThread for FakeThread {
    fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
    }

    fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    fn join(self: Box<Self>) {
        let _ = self.thread.join();
    }
}

impl WorkerSpawner for FakeSpawner {
    fn spawn(&self, start: ServiceWorkerStart) -> io::Result<Box<dyn WorkerThread>> {
        self.0.push(format!(
            "spawn {} first_run={} imports={}",
            start.worker.id.0,
            start.first_run,
            start.imported_scripts.len()
        ));
        let interrupted = Arc::new(AtomicBool::new(false));
        let (log, flag) = (self.0.clone(), interrupted.clone());
        let thread = std::thread::spawn(move || fake_worker(start, &flag, &log));
        Ok(Box::new(FakeThread {
            thread,
            interrupted,
        }))
    }
}

/// The gates tests opened (see `gated-install`).
static OPEN_GATES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Lets the fake workers waiting on gate `name` go on.
pub(crate) fn open_gate(name: &str) {
    OPEN_GATES.lock().unwrap().push(name.to_owned());
}

/// Waits until gate `name` is open; `false` if interrupted first.
fn wait_for_gate(name: &str, interrupted: &AtomicBool) -> bool {
    while !OPEN_GATES.lock().unwrap().iter().any(|open| open == name) {
        if interrupted.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

fn wait_until_interrupted(interrupted: &AtomicBool) {
    while !interrupted.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Sends a worker's request and waits for its answer on the worker's own
/// channel; what else arrives meanwhile is kept in `later`, in order.
fn ask<T: Answer>(
    to: &IpcSender<WorkerMsg>,
    from: &IpcReceiver<ToWorkerMsg>,
    later: &mut std::collections::VecDeque<ToWorkerMsg>,
    make: impl FnOnce(RequestId<T>) -> WorkerMsg,
) -> Option<T> {
    static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);
    let number = NEXT_REQUEST.fetch_add(1, Ordering::SeqCst);
    to.send(make(RequestId::new(number))).ok()?;
    let mut unread = std::collections::VecDeque::new();
    loop {
        let message = match unread.pop_front() {
            Some(message) => message,
            None => from.recv().ok()?,
        };
        match message {
            ToWorkerMsg::Batch(messages) => {
                let mut batch: std::collections::VecDeque<_> = messages.into();
                batch.append(&mut unread);
                unread = batch;
            }
            ToWorkerMsg::Reply { id, answer } if id == number => {
                later.append(&mut unread);
                return answer.and_then(|answer| T::from_reply(*answer));
            }
            other => later.push_back(other),
        }
    }
}

fn fake_worker(start: ServiceWorkerStart, interrupted: &AtomicBool, log: &Log) {
    let script = String::from_utf8_lossy(&start.script).into_owned();
    let has = |directive: &str| script.lines().any(|line| line.trim() == directive);
    let install_gate = script
        .lines()
        .find_map(|line| line.trim().strip_prefix("gated-install "))
        .map(str::to_owned);
    let id = start.worker.id.0;
    let to = start.channels.to_constellation;
    let from = start.channels.from_constellation;
    if has("throw") || (has("throw-on-restart") && !start.first_run) {
        let failed = ScriptEvaluation::Failed("Uncaught Error: thrown at top level".to_owned());
        let _ = to.send(WorkerMsg::Evaluated(failed));
        return;
    }
    if has("hang-evaluation") {
        return wait_until_interrupted(interrupted);
    }
    let imported_scripts = if start.first_run && has("import") {
        vec![ImportedScript {
            url: start.worker.script_url.join("lib.js").unwrap(),
            source: b"// lib".to_vec(),
        }]
    } else {
        Vec::new()
    };
    let _ = to.send(WorkerMsg::Evaluated(ScriptEvaluation::Ok {
        imported_scripts,
        handles_fetch: false,
    }));
    log.push(format!("{id} starts online={}", start.online));
    let mut batched = std::collections::VecDeque::new();
    let register_sync = |when: &str, batched: &mut std::collections::VecDeque<ToWorkerMsg>| {
        let answer = ask(&to, &from, batched, |id| {
            WorkerMsg::Sync(background_sync_traits::SyncRequest::Register {
                registration: start.registration.id,
                tag: "from-worker".to_owned(),
                id,
            })
        });
        log.push(format!("{id} sync register {when} {answer:?}"));
    };
    if has("sync-register-on-start") {
        register_sync("on start", &mut batched);
    }
    // "held-sync": sync events end only once no message came for 10 ms,
    // all at once (a burst of ends for the constellation).
    let mut held = Vec::new();
    while !interrupted.load(Ordering::SeqCst) {
        let message = match batched.pop_front() {
            Some(message) => message,
            None => match from.try_recv_timeout(Duration::from_millis(10)) {
                Ok(message) => message,
                Err(ipc_channel::TryRecvError::Empty) => {
                    for id in held.drain(..) {
                        let _ = to.send(WorkerMsg::EventDone {
                            id,
                            outcome: WorkerEventOutcome::Completed,
                        });
                    }
                    continue;
                }
                Err(_) => return,
            },
        };
        let (event_id, event) = match message {
            ToWorkerMsg::Batch(messages) => {
                batched.extend(messages);
                continue;
            }
            ToWorkerMsg::Terminate => return,
            ToWorkerMsg::Registration(update) => {
                if let Some(changed) = update.changed_worker {
                    log.push(format!("{id} sees {} {}", changed.id.0, changed.state));
                }
                continue;
            }
            ToWorkerMsg::NetworkChanged { online } => {
                log.push(format!("{id} online {online}"));
                continue;
            }
            ToWorkerMsg::Event { id, event } => (id, event),
            ToWorkerMsg::Reply { id: request, .. } => {
                log.push(format!("{id} stray answer {request}"));
                continue;
            }
            ToWorkerMsg::IndexedDb(event) => {
                log.push(format!("{id} stray IndexedDB event {event:?}"));
                continue;
            }
            ToWorkerMsg::PreloadResponse { id: event, .. } => {
                log.push(format!("{id} preload response {}", event.0));
                continue;
            }
        };
        match &event {
            WorkerEvent::Sync { tag, last_chance } => {
                log.push(format!("{id} sync {tag} {last_chance}"))
            }
            WorkerEvent::MessageFromWorker { source, .. } => {
                log.push(format!("{id} message from {}", source.id.0))
            }
            event => log.push(format!("{id} {}", event.name())),
        }
        let outcome = match event {
            WorkerEvent::Sync { .. } if has("hang-sync") => {
                return wait_until_interrupted(interrupted)
            }
            WorkerEvent::Sync { .. } if has("reject-sync") => WorkerEventOutcome::WaitUntilRejected,
            WorkerEvent::Sync { .. } if has("held-sync") => {
                held.push(event_id);
                continue;
            }
            WorkerEvent::Sync { tag, .. } if has("slow-sync") => {
                std::thread::sleep(Duration::from_millis(20));
                log.push(format!("{id} sync-end {tag}"));
                WorkerEventOutcome::Completed
            }
            WorkerEvent::Install if has("sync-register-in-install") => {
                register_sync("in install", &mut batched);
                WorkerEventOutcome::Completed
            }
            WorkerEvent::Activate if has("sync-register-in-activate") => {
                register_sync("in activate", &mut batched);
                WorkerEventOutcome::Completed
            }
            WorkerEvent::Install if install_gate.is_some() => {
                let gate = install_gate.as_deref().unwrap_or_default();
                if !wait_for_gate(gate, interrupted) {
                    return;
                }
                log.push(format!("{id} install-end"));
                WorkerEventOutcome::Completed
            }
            WorkerEvent::Install if has("hang-install") => {
                return wait_until_interrupted(interrupted)
            }
            WorkerEvent::Install if has("reject-install") => WorkerEventOutcome::WaitUntilRejected,
            WorkerEvent::Install if has("skip-waiting") => {
                let answer = ask(&to, &from, &mut batched, |id| WorkerMsg::SkipWaiting { id });
                log.push(format!("{id} skipWaiting {answer:?}"));
                WorkerEventOutcome::Completed
            }
            WorkerEvent::Activate if has("claim") => {
                let answer = ask(&to, &from, &mut batched, |id| WorkerMsg::Claim { id });
                log.push(format!("{id} claim {answer:?}"));
                WorkerEventOutcome::Completed
            }
            WorkerEvent::Message { .. } if has("hang-message") => {
                return wait_until_interrupted(interrupted)
            }
            WorkerEvent::Message {
                source, message, ..
            } => {
                if has("echo") {
                    let _ = to.send(WorkerMsg::PostMessageToClient {
                        client: source.id.clone(),
                        message: message.clone(),
                    });
                }
                if has("post-to-worker") {
                    // The message names the worker to write to, by id.
                    let target = String::from_utf8_lossy(&message.0).parse().unwrap_or(0);
                    let _ = to.send(WorkerMsg::PostMessageToWorker {
                        worker: ServiceWorkerId(target),
                        message: SerializedMessage(b"from a worker".to_vec()),
                    });
                }
                if has("forward") {
                    let target = String::from_utf8_lossy(&message.0).into_owned();
                    let _ = to.send(WorkerMsg::PostMessageToClient {
                        client: ClientId(target),
                        message: SerializedMessage(b"forwarded".to_vec()),
                    });
                }
                if has("claim") {
                    let answer = ask(&to, &from, &mut batched, |id| WorkerMsg::Claim { id });
                    log.push(format!("{id} claim {answer:?}"));
                }
                if has("report-clients") {
                    let all = ask(&to, &from, &mut batched, |id| WorkerMsg::MatchAllClients {
                        include_uncontrolled: true,
                        client_type: None,
                        id,
                    })
                    .unwrap_or_default();
                    let controlled =
                        ask(&to, &from, &mut batched, |id| WorkerMsg::MatchAllClients {
                            include_uncontrolled: false,
                            client_type: None,
                            id,
                        })
                        .unwrap_or_default();
                    let found = ask(&to, &from, &mut batched, |id| WorkerMsg::GetClient {
                        client: source.id.0.clone(),
                        id,
                    })
                    .flatten()
                    .is_some();
                    let report = format!("{} {} {found}", all.len(), controlled.len());
                    let _ = to.send(WorkerMsg::PostMessageToClient {
                        client: source.id.clone(),
                        message: SerializedMessage(report.into_bytes()),
                    });
                }
                WorkerEventOutcome::Completed
            }
            _ => WorkerEventOutcome::Completed,
        };
        let _ = to.send(WorkerMsg::EventDone {
            id: event_id,
            outcome,
        });
    }
}

/// The OS's network as a test wants it: a network observer whose events
/// come from the test. One interface, `eth0` with 192.0.2.2, up or down.
pub(crate) struct FakeNetwork {
    pub observer: Arc<NetworkObserver>,
    os: Sender<Vec<InterfaceEvent>>,
}

impl FakeNetwork {
    /// `online` at start; OS changes are reported once they lasted
    /// `debounce`.
    pub fn new(online: bool, debounce: Duration) -> FakeNetwork {
        let (os, updates) = crossbeam_channel::unbounded();
        let initial = vec![
            InterfaceEvent::Link {
                index: 1,
                name: "lo".to_owned(),
                up: true,
                running: true,
                loopback: true,
            },
            Self::eth0(online),
            InterfaceEvent::AddressAdded {
                index: 2,
                address: "192.0.2.2".parse().unwrap(),
                tentative: false,
            },
        ];
        let config = ObserverConfig { debounce };
        let observer = NetworkObserver::start_with_source(config, initial, updates).unwrap();
        FakeNetwork {
            observer: Arc::new(observer),
            os,
        }
    }

    fn eth0(up: bool) -> InterfaceEvent {
        InterfaceEvent::Link {
            index: 2,
            name: "eth0".to_owned(),
            up,
            running: up,
            loopback: false,
        }
    }

    /// `eth0` goes up or down.
    pub fn set_os(&self, online: bool) {
        self.os.send(vec![Self::eth0(online)]).unwrap();
    }
}

/// An engine with fake workers.
pub(crate) struct TestEngine {
    pub engine: Engine,
    pub log: Log,
    /// The OS network the engine follows (unless a test gave it another
    /// observer).
    pub network: FakeNetwork,
}

pub(crate) fn engine_with(profile: Option<&std::path::Path>, prefs: &[&str]) -> TestEngine {
    engine_with_options(profile, prefs, |_| {})
}

/// [`engine_with`], with other options set by `adjust`.
pub(crate) fn engine_with_options(
    profile: Option<&std::path::Path>,
    prefs: &[&str],
    adjust: impl FnOnce(&mut EngineOptions),
) -> TestEngine {
    engine_on(
        FakeNetwork::new(true, Duration::ZERO),
        profile,
        prefs,
        adjust,
    )
}

/// [`engine_with_options`] on `network`.
pub(crate) fn engine_on(
    network: FakeNetwork,
    profile: Option<&std::path::Path>,
    prefs: &[&str],
    adjust: impl FnOnce(&mut EngineOptions),
) -> TestEngine {
    let log = Log::default();
    let mut options = EngineOptions {
        profile: profile.map(|path| path.to_owned()),
        prefs: Prefs::with_overrides(prefs).unwrap(),
        console: Arc::new(|_, _| {}),
        network_observer: Some(network.observer.clone()),
        ..EngineOptions::default()
    };
    adjust(&mut options);
    let engine = Engine::with_spawner(options, Box::new(FakeSpawner(log.clone()))).unwrap();
    TestEngine {
        engine,
        log,
        network,
    }
}

pub(crate) fn engine() -> TestEngine {
    engine_with(None, &[])
}

/// The test's side of a page's channels.
pub(crate) struct Page {
    to: IpcSender<ScriptMsg>,
    from: IpcReceiver<ToClientMsg>,
    /// Messages read while waiting for a `MessageDone` or an answer, not
    /// yet taken.
    unread: std::cell::RefCell<std::collections::VecDeque<ToClientMsg>>,
    next_token: std::cell::Cell<u64>,
    next_request: std::cell::Cell<u64>,
}

impl Page {
    /// A client that has not loaded its document yet.
    pub fn open(engine: &Engine, url: &Url) -> Page {
        let ClientChannels {
            to_constellation,
            from_constellation,
        } = engine.connect_client(url.clone(), None).unwrap();
        Page {
            to: to_constellation,
            from: from_constellation,
            unread: Default::default(),
            next_token: Default::default(),
            next_request: Default::default(),
        }
    }

    /// A loaded client.
    pub fn load(engine: &Engine, url: &Url) -> (Page, ClientSetup) {
        let page = Page::open(engine, url);
        let setup = page.document_loaded(url).expect("no client setup");
        (page, setup)
    }

    /// Sends `DocumentLoaded`; the setup, or `None` if it was refused.
    pub fn document_loaded(&self, url: &Url) -> Option<ClientSetup> {
        self.send(ScriptMsg::DocumentLoaded { url: url.clone() });
        match self.next_wanted(|message| matches!(message, ToClientMsg::Setup(_))) {
            ToClientMsg::Setup(setup) => setup.ok(),
            _ => unreachable!("next_wanted returns what it was asked for"),
        }
    }

    pub fn send(&self, message: ScriptMsg) {
        self.to.send(message).unwrap();
    }

    /// Sends the request `make` builds with a fresh number, without waiting
    /// for its answer.
    pub fn start<T>(&self, make: impl FnOnce(RequestId<T>) -> ScriptMsg) -> RequestId<T> {
        let number = self.next_request.get() + 1;
        self.next_request.set(number);
        let id = RequestId::new(number);
        self.send(make(id));
        id
    }

    /// The answer to request `id`, `None` if the constellation refused it.
    /// The messages that came before it stay to be read.
    pub fn answer<T: Answer>(&self, id: RequestId<T>) -> Option<T> {
        let number = id.number();
        let reply = self.next_wanted(
            |message| matches!(message, ToClientMsg::Reply { id, .. } if *id == number),
        );
        match reply {
            ToClientMsg::Reply { answer, .. } => answer.and_then(|answer| T::from_reply(*answer)),
            _ => unreachable!("next_wanted returns what it was asked for"),
        }
    }

    /// Whether request `id` was answered already (without waiting).
    pub fn answered<T>(&self, id: RequestId<T>) -> bool {
        let mut unread = self.unread.borrow_mut();
        while let Ok(message) = self.from.try_recv() {
            unread.push_back(message);
        }
        unread.iter().any(
            |message| matches!(message, ToClientMsg::Reply { id: answered, .. } if *answered == id.number()),
        )
    }

    /// The first message (unread first) that satisfies `wanted`; the others
    /// stay unread, in order. Panics after [`PATIENCE`].
    fn next_wanted(&self, wanted: impl Fn(&ToClientMsg) -> bool) -> ToClientMsg {
        let mut unread = self.unread.borrow_mut();
        if let Some(position) = unread.iter().position(&wanted) {
            return unread.remove(position).expect("a position in the queue");
        }
        loop {
            match self.from.try_recv_timeout(PATIENCE) {
                Ok(message) if wanted(&message) => return message,
                Ok(other) => unread.push_back(other),
                Err(error) => panic!("no answer within {PATIENCE:?}: {error:?}"),
            }
        }
    }

    /// Sends a request and waits for its answer; `None` if it was refused.
    pub fn ask<T: Answer>(&self, make: impl FnOnce(RequestId<T>) -> ScriptMsg) -> Option<T> {
        let id = self.start(make);
        self.answer(id)
    }

    pub fn request<T: Answer>(
        &self,
        make: impl FnOnce(RequestId<T>) -> ServiceWorkerRequest,
    ) -> Option<T> {
        self.ask(|id| ScriptMsg::ServiceWorker(make(id)))
    }

    /// `registration.sync.register(tag)`, and its confirmation if it
    /// succeeded (as `SyncManager` sends it once its promise resolved).
    pub fn sync_register(
        &self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Result<(), SyncError> {
        let reply = self.sync_register_unconfirmed(registration, tag);
        if reply.is_ok() {
            self.sync_confirm(registration, tag);
        }
        reply
    }

    /// `register(tag)` whose promise has not resolved yet.
    pub fn sync_register_unconfirmed(
        &self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Result<(), SyncError> {
        self.ask(|id| {
            ScriptMsg::Sync(SyncRequest::Register {
                registration,
                tag: tag.to_owned(),
                id,
            })
        })
        .expect("no sync register reply")
    }

    pub fn sync_confirm(&self, registration: ServiceWorkerRegistrationId, tag: &str) {
        self.send(ScriptMsg::Sync(SyncRequest::ConfirmRegistration {
            registration,
            tag: tag.to_owned(),
        }));
    }

    /// `registration.sync.getTags()`.
    pub fn sync_tags(
        &self,
        registration: ServiceWorkerRegistrationId,
    ) -> Result<Vec<String>, SyncError> {
        self.ask(|id| ScriptMsg::Sync(SyncRequest::GetTags { registration, id }))
            .expect("no getTags reply")
    }

    pub fn register(&self, script: &Url) -> RegisterReply {
        self.request(|id| ServiceWorkerRequest::Register {
            script_url: script.clone(),
            scope: None,
            update_via_cache: UpdateViaCache::Imports,
            worker_type: script_traits::WorkerType::Classic,
            id,
        })
        .expect("no register reply")
    }

    /// `postMessage()` to `worker`; whether the message event ended. The
    /// messages that came before the answer stay to be read.
    pub fn post(&self, worker: ServiceWorkerId, bytes: &[u8]) -> bool {
        let token = self.next_token.get() + 1;
        self.next_token.set(token);
        self.send(ScriptMsg::PostMessageToWorker {
            worker,
            message: SerializedMessage(bytes.to_vec()),
            token,
        });
        loop {
            match self.from.try_recv_timeout(PATIENCE) {
                Ok(ToClientMsg::MessageDone {
                    token: done,
                    delivered,
                }) if done == token => return delivered,
                Ok(other) => self.unread.borrow_mut().push_back(other),
                Err(error) => panic!("no MessageDone within {PATIENCE:?}: {error:?}"),
            }
        }
    }

    /// The next message, if one comes within `timeout`.
    pub fn next_message(&self, timeout: Duration) -> Option<ToClientMsg> {
        if let Some(message) = self.unread.borrow_mut().pop_front() {
            return Some(message);
        }
        self.from.try_recv_timeout(timeout).ok()
    }

    /// Messages until one satisfies `wanted` (returned last); panics after
    /// [`PATIENCE`].
    pub fn messages_until(&self, wanted: impl Fn(&ToClientMsg) -> bool) -> Vec<ToClientMsg> {
        let give_up = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = give_up.saturating_duration_since(Instant::now());
            match self.next_message(left) {
                Some(message) => {
                    let done = wanted(&message);
                    seen.push(message);
                    if done {
                        return seen;
                    }
                }
                None => panic!("the awaited message did not come; got {seen:?}"),
            }
        }
    }
}

/// Waits until `condition` holds; panics after [`PATIENCE`].
pub(crate) fn eventually(what: &str, condition: impl Fn() -> bool) {
    let give_up = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < give_up, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Registers `script` (served at `/sw.js`) from a page at `/page.html` of
/// `server`, and waits until its worker is active.
pub(crate) fn register_active(
    engine: &TestEngine,
    server: &TestServer,
    script: &str,
) -> (Page, RegistrationInfo) {
    let (page, info, _) = register_active_seeing(engine, server, script);
    (page, info)
}

/// [`register_active`], also returning the messages the page got until then.
pub(crate) fn register_active_seeing(
    engine: &TestEngine,
    server: &TestServer,
    script: &str,
) -> (Page, RegistrationInfo, Vec<ToClientMsg>) {
    server.serve_js("/sw.js", script);
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let reply = page
        .register(&server.url("/sw.js"))
        .expect("register failed");
    let messages = page.messages_until(|message| {
        matches!(message, ToClientMsg::Registration(update)
            if update.registration.active.as_ref()
                .is_some_and(|active| active.state == script_traits::ServiceWorkerState::Activated))
    });
    let info = engine
        .engine
        .registrations()
        .into_iter()
        .find(|registration| registration.id == reply.id)
        .expect("the registration is gone");
    (page, info, messages)
}
