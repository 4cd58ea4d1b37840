//! bgsync's embedding API: what a Rust browser (or the `bgsync` shell)
//! links against.
//!
//! An [`Engine`] owns one profile: its database (`<profile>/storage.sqlite`
//! with the service-worker registrations), and the *constellation thread*
//! that hosts them. Pages run on their own script threads
//! ([`Engine::run_page`]) and talk to the constellation over ipc-channel;
//! service workers run on threads the constellation starts when an event
//! must be delivered to them, and stops when they have been idle for
//! `serviceworker.idle_timeout_ms`.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use engine::{Engine, EngineOptions, PageOutcome, Prefs};
//!
//! let engine = Engine::new(EngineOptions {
//!     profile: Some("/tmp/profile".into()),
//!     prefs: Prefs::defaults(),
//!     console: Arc::new(|_level, text| println!("{text}")),
//!     ..EngineOptions::default()
//! })?;
//! let url = engine::Url::parse("http://127.0.0.1:8000/app.html")?;
//! let outcome = engine.run_page(url, Some(Duration::from_secs(30)));
//! assert_eq!(outcome, PageOutcome::Idle);
//! engine.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A profile database that is not a SQLite file (or fails its integrity
//! check) does not stop the engine: the file is moved aside, logged, and
//! the engine starts with a fresh database ([`Engine::storage_recovered`]
//! says where the old file went). A database that cannot be reached
//! (permissions, a newer schema) is an [`EngineError`]: it is left as it
//! is, because a fresh one would hide registrations that are probably fine.
//!
//! The network: the engine follows a [`NetworkObserver`] (its own, started
//! with the engine, or one the embedder shares between engines): the OS's
//! interfaces, debounced by `net.network_debounce_ms`, unless the
//! embedder's override ([`Engine::set_network_override`], devtools'
//! offline switch) says otherwise. Every change reaches the sync service,
//! every page (`navigator.onLine`, the `online`/`offline` events, `fetch()`
//! refusing to send while offline) and every running worker; see
//! `network`.
//!
//! Background sync: the engine hosts the profile's sync service (its
//! registrations in the same database, in the `sync_registrations` table,
//! deleted with their service-worker registration). `sync` events fire when
//! the network is online, starting the registration's worker just for the
//! event if needed. The embedder can
//! list registrations ([`Engine::sync_registrations`],
//! [`profile_sync_registrations`]), fire one now like devtools
//! ([`Engine::dispatch_sync`]) and follow each tag's story
//! ([`EngineOptions::events`]). If the sync part of the database fails
//! (or the database was corrupt and moved aside at start), the sync
//! service is disabled for the run (`register()` rejects `UnknownError`)
//! and the rest of the engine keeps working.
//!
//! Inside: `constellation` (the constellation thread: its one loop, which
//! waits on nothing but its next message, and `registry_work`,
//! `worker_work`, `sync_work`, `network_work`, which carry out what the
//! service-worker registry and the sync service decide), `host` (clients,
//! `claim()`, messages between pages and workers), `workers` (worker
//! threads and their clocks), `clients`, `routing` (tagging each ipc
//! channel with its sender), `network` (the observer's reports), `sync`
//! (the one host of the sync service: who asks, the spec's checks, events
//! in flight, its timer, the event log) and `fetcher` (worker scripts over
//! `net`, off the constellation thread). ARCHITECTURE.md says which thread
//! waits on which.

pub mod allocator;
mod clients;
mod constellation;
mod events;
mod fetcher;
mod host;
mod network;
mod postman;
mod replies;
mod routing;
mod sync;
mod sync_listing;
mod workers;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ::background_sync::{
    DisabledReason, MemorySyncStore, SqliteSyncStore, SyncService, SystemClock,
};
use base::ipc_waiter::Waker;
use crossbeam_channel::{RecvTimeoutError, Sender};
use ipc_channel::ipc;
use script::page::{run_page, PageConnection, PageOptions};
use script_traits::{ClientChannels, ClientType, FrameType};
use service_worker_registry::ServiceWorkerRegistry;
use storage::{Database, LockError, OpenError, ProfileLock, StorageError};

pub use background_sync_traits::{SyncError, SyncEventFailure, SyncEventOutcome, SyncState};
pub use base::prefs::Prefs;
pub use net::{Connectivity, ConnectivityChange, NetworkObserver, ObserverConfig};
pub use script::page::{ConsoleCallback, PageOutcome};
pub use script_traits::RegistrationInfo;
pub use url::Url;

pub use crate::constellation::SiteDataCleared;
pub use crate::events::{EngineEvent, EventCallback, SyncLogEntry, SyncLogKind};
pub use crate::sync::{DeniedPermissions, DenyPermissionError, BACKGROUND_SYNC_PERMISSION};
pub use crate::sync_listing::{
    profile_sync_registrations, SyncCommandError, SyncRegistrationListing,
};

use crate::constellation::{Command, Constellation, StorageLink};
use crate::fetcher::ScriptFetches;
use crate::host::Host;
use crate::network::NetworkLink;
use crate::routing::Inbox;
use crate::sync::BackgroundSync;
use crate::workers::{ScriptSpawner, WorkerSpawner, Workers};

const LOG_TARGET: &str = "bgsync::engine";

/// How long [`Engine::run_page`] waits, after the page ended, for the
/// constellation to have served everything the page sent (its last
/// messages, `Closed`). Normally immediate; the constellation may be busy
/// waiting on a worker's lifecycle event.
const PAGE_GONE_WAIT: Duration = Duration::from_secs(10);

/// The network state, as the engine goes by it: the network observer's
/// [`Connectivity`]. (The name this had before the observer existed, kept
/// for embedders.)
pub type NetworkState = Connectivity;

/// How an [`Engine`] is set up.
pub struct EngineOptions {
    /// The profile directory (created if missing). `None`: nothing is
    /// stored, registrations live in memory for this engine only.
    pub profile: Option<PathBuf>,
    pub prefs: Prefs,
    /// Receives every `console.*` message of pages and workers.
    pub console: ConsoleCallback,
    /// Forces the network state from the start: sets the observer's
    /// override (`None` leaves the observer as it is: the OS state, unless
    /// a shared observer has an override already).
    pub network_override: Option<Connectivity>,
    /// The network observer to follow. `None`: the engine starts its own,
    /// debounced by `net.network_debounce_ms`, and stops it at shutdown.
    /// A browser with several profiles shares one between their engines
    /// (one netlink socket; one override for all).
    pub network_observer: Option<Arc<NetworkObserver>>,
    /// Permissions denied per origin (`background-sync` makes `register()`
    /// reject with `NotAllowedError`). Everything else is granted.
    pub denied_permissions: DeniedPermissions,
    /// Receives the engine's events (each sync tag's story), on the
    /// constellation thread.
    pub events: Option<EventCallback>,
}

impl Default for EngineOptions {
    /// No profile, default prefs, console messages dropped, the OS network
    /// state (an observer of the engine's own), every permission granted,
    /// no events.
    fn default() -> EngineOptions {
        EngineOptions {
            profile: None,
            prefs: Prefs::defaults(),
            console: Arc::new(|_, _| {}),
            network_override: None,
            network_observer: None,
            denied_permissions: DeniedPermissions::new(),
            events: None,
        }
    }
}

/// Why an engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Another engine runs on the profile (or its lock file cannot be
    /// made).
    #[error("{0}")]
    ProfileLocked(#[from] LockError),
    /// The profile database cannot be opened; it was left untouched.
    #[error("{0}")]
    Storage(#[from] OpenError),
    /// The profile database opened but could not be read.
    #[error("cannot read the profile database: {0}")]
    Database(#[from] StorageError),
    #[error("cannot start the constellation thread: {0}")]
    Thread(#[source] std::io::Error),
    #[error("cannot start the network observer: {0}")]
    NetworkObserver(#[source] std::io::Error),
    /// A network pref cannot be used (`net.host_rules` malformed,
    /// `net.extra_root_certificates` unreadable).
    #[error("{0}")]
    NetworkPrefs(#[from] net::ConfigError),
}

/// The embedder's end of the command channel: queues a command, then wakes
/// the constellation if it sleeps on its ipc channels (see `routing`).
#[derive(Clone)]
struct CommandSender {
    sender: Sender<Command>,
    waker: Waker,
}

impl CommandSender {
    /// Fails when the constellation thread is gone.
    fn send(&self, command: Command) -> Result<(), ConstellationGone> {
        self.sender.send(command).map_err(|_| ConstellationGone)?;
        self.waker.wake();
        Ok(())
    }
}

struct ConstellationGone;

/// Makes a client's channels and has the constellation record it (see
/// [`Engine::connect_client`]): a page, or a page's dedicated worker.
fn connect(
    commands: &CommandSender,
    url: Url,
    client_type: ClientType,
    frame_type: FrameType,
    gone: Option<Sender<()>>,
) -> Result<ClientChannels, String> {
    let channels = ipc::channel().and_then(|(to_client, from_constellation)| {
        let (to_constellation, from_client) = ipc::channel()?;
        let to_client = postman::Postman::start(format!("the client at {url}"), to_client)?;
        Ok((to_client, from_constellation, to_constellation, from_client))
    });
    let (to_client, from_constellation, to_constellation, from_client) = match channels {
        Ok(channels) => channels,
        Err(error) => {
            log::error!(target: LOG_TARGET, "cannot create a client's channels: {error}");
            return Err(format!(
                "the engine could not connect this client ({error})"
            ));
        }
    };
    let command = Command::AddClient {
        url,
        client_type,
        frame_type,
        to_client,
        from_client,
        gone,
    };
    if commands.send(command).is_err() {
        log::warn!(target: LOG_TARGET, "the engine is shut down; the client runs unconnected");
        return Err("the engine is shut down".to_owned());
    }
    Ok(ClientChannels {
        to_constellation,
        from_constellation,
    })
}

/// A running engine: one profile, one constellation thread.
///
/// Dropping it shuts it down (see [`Engine::shutdown`]).
pub struct Engine {
    commands: CommandSender,
    thread: Mutex<Option<JoinHandle<()>>>,
    prefs: Prefs,
    /// Shared by every page and worker of the engine (pref `net.http_cache_max_bytes`).
    http_cache: Option<net::HttpCache>,
    console: ConsoleCallback,
    storage_recovered: Option<PathBuf>,
    /// The observer the constellation follows. An observer of the engine's
    /// own stops when the engine is dropped (after [`Engine::shutdown`]).
    network: Arc<NetworkObserver>,
    /// The profile's lock, held until [`Engine::shutdown`] (after the
    /// constellation thread ended, so after the last write).
    profile_lock: Mutex<Option<ProfileLock>>,
}

impl Engine {
    /// Opens the profile's database, loads its service-worker
    /// registrations and starts the constellation thread. No worker starts
    /// until something needs it (except a waiting worker whose activation a
    /// restart cut short, which activates now).
    pub fn new(options: EngineOptions) -> Result<Engine, EngineError> {
        Engine::with_spawner(options, Box::new(ScriptSpawner))
    }

    pub(crate) fn with_spawner(
        options: EngineOptions,
        spawner: Box<dyn WorkerSpawner>,
    ) -> Result<Engine, EngineError> {
        // Network prefs are checked once here; pages and workers then build
        // their loaders from them without failing.
        net::LoaderConfig::try_from_prefs(&options.prefs)?;
        // One engine per profile: the lock first, before anything is read.
        let profile_lock = options
            .profile
            .as_deref()
            .map(ProfileLock::acquire)
            .transpose()?;
        let (database, storage_recovered) = open_database(options.profile.as_deref())?;
        let network = match options.network_observer {
            Some(observer) => observer,
            None => Arc::new(
                NetworkObserver::start_with_config(ObserverConfig::from_prefs(&options.prefs))
                    .map_err(EngineError::NetworkObserver)?,
            ),
        };
        if let Some(state) = options.network_override {
            network.set_override(Some(state));
        }
        let inbox = Inbox::new().map_err(EngineError::Thread)?;
        // One HTTP cache for the engine's script fetches, pages and workers.
        let http_cache = net::HttpCache::from_prefs(&options.prefs);
        let fetches = ScriptFetches::new(&options.prefs, http_cache.clone(), inbox.waker());
        // Subscribed before the state is read: every later change arrives.
        let waker = inbox.waker();
        let network_link = NetworkLink::new(
            network.subscribe_notifying(move || waker.wake()),
            network.state(),
        );
        let registry = ServiceWorkerRegistry::load(database)?;
        let service = open_sync_service(
            options.profile.as_deref(),
            &options.prefs,
            storage_recovered.as_deref(),
        );
        let sync = BackgroundSync::new(service, options.denied_permissions, options.events.clone());
        let (commands, command_receiver) = crossbeam_channel::unbounded();
        let commands = CommandSender {
            sender: commands,
            waker: inbox.waker(),
        };
        let (worker_sender, worker_messages) = crossbeam_channel::unbounded();
        let inbox_waker = inbox.waker();
        let workers = Workers::new(
            spawner,
            worker_sender,
            inbox,
            options.prefs.clone(),
            http_cache.clone(),
            options.console.clone(),
        );
        let storage = StorageLink::new(
            options.profile.as_deref(),
            &options.prefs,
            inbox_waker.clone(),
        );
        let host = Host::new(workers, worker_messages, sync);
        let thread = std::thread::Builder::new()
            .name("constellation".to_owned())
            .spawn(move || {
                Constellation::new(
                    registry,
                    fetches,
                    host,
                    command_receiver,
                    network_link,
                    options.events,
                    storage,
                )
                .run()
            })
            .map_err(EngineError::Thread)?;
        Ok(Engine {
            commands,
            thread: Mutex::new(Some(thread)),
            prefs: options.prefs,
            http_cache,
            console: options.console,
            storage_recovered,
            network,
            profile_lock: Mutex::new(profile_lock),
        })
    }

    /// Where a corrupt profile database was moved when this engine started
    /// (it then started with a fresh one); `None` if it was fine.
    pub fn storage_recovered(&self) -> Option<&Path> {
        self.storage_recovered.as_deref()
    }

    /// Runs a page on its own script thread until it is idle, closes
    /// itself or `timeout` expires, and returns how it ended. The page is
    /// a client of the engine: `navigator.serviceWorker` works, and its
    /// origin is `url`'s. Blocks; several threads may run pages at once.
    ///
    /// It returns once the constellation has served everything the page
    /// sent (a `sync` event its confirmed registration fired is then in
    /// flight, see [`Engine::wait_for_sync_events`]).
    pub fn run_page(&self, url: Url, timeout: Option<Duration>) -> PageOutcome {
        let (gone, served) = crossbeam_channel::bounded(0);
        let client = match self.connect_client(url.clone(), Some(gone)) {
            Ok(channels) => PageConnection::Engine(channels),
            Err(reason) => PageConnection::Refused(reason),
        };
        // The page's dedicated workers are clients too (of type "worker"), and its frames
        // (windows of frame type "nested").
        let commands = self.commands.clone();
        let connect_worker: script::page::ClientConnector = Arc::new(
            move |url: &Url, client_type: ClientType, frame_type: FrameType| {
                connect(&commands, url.clone(), client_type, frame_type, None)
            },
        );
        let outcome = run_page(PageOptions {
            url,
            timeout,
            prefs: self.prefs.clone(),
            console: self.console.clone(),
            client,
            connect_worker: Some(connect_worker),
            http_cache: self.http_cache.clone(),
        });
        if let Err(RecvTimeoutError::Timeout) = served.recv_timeout(PAGE_GONE_WAIT) {
            log::warn!(
                target: LOG_TARGET,
                "the constellation has not served the page's last messages after {PAGE_GONE_WAIT:?}"
            );
        }
        outcome
    }

    /// Records a client about to load `url` and gives its channels; the
    /// reason if it cannot (no file descriptors left for the channels, or the
    /// engine is shut down): the page then runs unconnected and its requests
    /// reject with `UnknownError`. `gone` is dropped once the constellation
    /// has forgotten the client.
    pub(crate) fn connect_client(
        &self,
        url: Url,
        gone: Option<Sender<()>>,
    ) -> Result<ClientChannels, String> {
        connect(
            &self.commands,
            url,
            ClientType::Window,
            FrameType::TopLevel,
            gone,
        )
    }

    /// Starts the worker of the registration for `scope` (its active
    /// worker, or else its newest) if it is not running, and waits until
    /// its script has run. For tests and embedders that want it warm.
    pub fn start_worker(&self, scope: &Url) -> Result<(), String> {
        self.ask(|reply| Command::StartWorker {
            scope: scope.clone(),
            reply,
        })
        .unwrap_or_else(|| Err("the engine is shut down".to_owned()))
    }

    /// Stops the running workers of the registration for `scope`, as if
    /// they had been idle. Returns whether one was running.
    pub fn stop_worker(&self, scope: &Url) -> bool {
        self.ask(|reply| Command::StopWorker {
            scope: scope.clone(),
            reply,
        })
        .unwrap_or(false)
    }

    /// Whether a worker of the registration for `scope` is running.
    pub fn is_worker_running(&self, scope: &Url) -> bool {
        self.ask(|reply| Command::IsWorkerRunning {
            scope: scope.clone(),
            reply,
        })
        .unwrap_or(false)
    }

    /// Every service-worker registration of the profile, in scope order.
    pub fn registrations(&self) -> Vec<RegistrationInfo> {
        self.ask(|reply| Command::Registrations { reply })
            .unwrap_or_default()
    }

    /// Every sync registration of the profile, by scope and tag, with its
    /// state, failed attempts and the end of its back-off. An error if the
    /// sync service is disabled.
    pub fn sync_registrations(&self) -> Result<Vec<SyncRegistrationListing>, SyncCommandError> {
        self.ask(|reply| Command::SyncRegistrations { reply })
            .unwrap_or(Err(SyncCommandError::ShutDown))
    }

    /// Devtools' "dispatch sync event": fires `sync` with `tag` and
    /// `last_chance` at the active worker of the registration for `scope`
    /// now (starting it if needed), whatever the network, and waits for the
    /// outcome. Nothing stored is created, changed or counted; the event's
    /// time limit is `background_sync.max_event_duration_ms`.
    pub fn dispatch_sync(
        &self,
        scope: &Url,
        tag: &str,
        last_chance: bool,
    ) -> Result<SyncEventOutcome, SyncCommandError> {
        self.ask(|reply| Command::DispatchSync {
            scope: scope.clone(),
            tag: tag.to_owned(),
            last_chance,
            reply,
        })
        .unwrap_or(Err(SyncCommandError::ShutDown))
    }

    /// Forces the network state, like devtools' offline switch (`None`:
    /// back to the OS state): the override of the engine's
    /// [`NetworkObserver`], which reports the change (if the effective
    /// state changed) to the constellation at once, without debounce.
    /// Going online fires every ready sync registration; going offline
    /// stops new dispatches (events in flight run to their end). Pages and
    /// workers follow (`navigator.onLine`, `online`/`offline` events).
    pub fn set_network_override(&self, network_override: Option<Connectivity>) {
        self.network.set_override(network_override);
    }

    /// The network state as the observer reports it now (the override if
    /// set, else the OS state). The constellation applies a change a moment
    /// after it is reported.
    pub fn network_state(&self) -> Connectivity {
        self.network.state()
    }

    /// The observer the engine follows: to subscribe to its changes, or to
    /// share it with another engine ([`EngineOptions::network_observer`]).
    pub fn network_observer(&self) -> &Arc<NetworkObserver> {
        &self.network
    }

    /// Waits until no `sync` event is in flight, at most `timeout`.
    /// Returns whether none is (true also if the engine is shut down).
    ///
    /// The shell calls this after a page ended, so an event the page's
    /// registration fired can finish before the engine shuts down (which
    /// would cut it short: it would then fire again at the next start).
    pub fn wait_for_sync_events(&self, timeout: Duration) -> bool {
        let (reply, answer) = crossbeam_channel::bounded(1);
        if self.commands.send(Command::WhenSyncIdle { reply }).is_err() {
            return true;
        }
        !matches!(answer.recv_timeout(timeout), Err(RecvTimeoutError::Timeout))
    }

    /// Lets the `sync` events of this run end before a shutdown, at most
    /// `timeout` in all: waits until none is in flight (an event cut off by
    /// its worker's stop fires again at once, and is waited for too), then
    /// stops new dispatches and waits for any that began meanwhile. A retry
    /// that comes due after that is the next run's: starting it now would
    /// only have the shutdown cut it short. Returns whether none is left.
    pub fn finish_sync_events(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let settled = self.wait_for_sync_events(timeout);
        self.stop_dispatching();
        settled && self.wait_for_sync_events(deadline.saturating_duration_since(Instant::now()))
    }

    /// The first step of a graceful shutdown (the shell's answer to
    /// SIGTERM): no new `sync` event is dispatched from now on, as if the
    /// network went away for the sync service only (pages are not told);
    /// events in flight run on. Then [`Engine::wait_for_sync_events`] and
    /// [`Engine::shutdown`].
    pub fn stop_dispatching(&self) {
        let _ = self.commands.send(Command::StopDispatching);
    }

    /// Sends a command and waits for its answer; `None` if the
    /// constellation is gone.
    fn ask<T>(&self, command: impl FnOnce(Sender<T>) -> Command) -> Option<T> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.commands.send(command(reply)).ok()?;
        answer.recv().ok()
    }

    /// Clear-Site-Data ("storage") for the origin of `url`: deletes the origin's IndexedDB
    /// databases (their open connections get `close`, their transactions abort), its caches,
    /// and its service-worker registrations at once (their workers become redundant, the
    /// pages they controlled lose their controller), whose sync registrations go with them.
    /// Returns what was removed once all of it is done; `None` if the engine is shut down.
    /// A page's response with a `Clear-Site-Data: "storage"` header does the same.
    pub fn clear_site_data(&self, url: &Url) -> Option<SiteDataCleared> {
        let origin = base::origin::origin_of(url);
        self.ask(|reply| Command::ClearSiteData { origin, reply })
    }

    /// Stops every worker and the constellation thread, and waits for it.
    /// Pages still running lose their connection. Idempotent.
    pub fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown);
        // Held while the thread is joined: a second caller (the shell's
        // signal handler and its main thread) returns only once the first
        // is done, so nobody exits while the last writes are made.
        let mut thread = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(thread) = thread.take() {
            if thread.join().is_err() {
                log::error!(target: LOG_TARGET, "the constellation thread panicked");
            }
        }
        // Nothing of this engine touches the profile any more.
        self.profile_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Opens the profile's database; a corrupt one is moved aside (by
/// `storage`) and replaced by a fresh one.
fn open_database(profile: Option<&Path>) -> Result<(Database, Option<PathBuf>), EngineError> {
    let Some(profile) = profile else {
        return Ok((Database::open_in_memory()?, None));
    };
    match Database::open(profile) {
        Ok(database) => Ok((database, None)),
        Err(OpenError::Corrupt {
            path,
            moved_to,
            reason,
        }) => {
            log::error!(
                target: LOG_TARGET,
                "the profile database {} is unusable ({reason}); it was moved to {} and the \
                 engine starts with an empty one (service-worker registrations are lost)",
                path.display(),
                moved_to.display()
            );
            Ok((Database::open(profile)?, Some(moved_to)))
        }
        Err(error) => Err(error.into()),
    }
}

/// The sync service of the profile, on its own connection to the profile
/// database (WAL lets it and the registry's share the file; its rows keep
/// their foreign key to the registry's). Without a profile its rows live in
/// memory (the registry's in-memory database is another connection's, so
/// the foreign key cannot hold there; unregistering tells the service
/// instead). Disabled for this run if the database was corrupt (it was
/// moved aside and replaced by a fresh one: the sync registrations it held
/// are lost, which a page must learn as `UnknownError`, as the spec says of
/// corrupt storage), if the second connection cannot be opened, or if the
/// `background_sync.enabled` pref is off.
fn open_sync_service(
    profile: Option<&Path>,
    prefs: &Prefs,
    storage_recovered: Option<&Path>,
) -> SyncService {
    if let Some(moved_to) = storage_recovered {
        return SyncService::disabled(DisabledReason::Storage(format!(
            "the profile database was corrupt and was moved to {}",
            moved_to.display()
        )));
    }
    let Some(profile) = profile else {
        return SyncService::new(
            prefs,
            Box::new(MemorySyncStore::new()),
            Box::new(SystemClock),
        );
    };
    match Database::open(profile) {
        Ok(database) => SyncService::new(
            prefs,
            Box::new(SqliteSyncStore::new(database)),
            Box::new(SystemClock),
        ),
        Err(error) => SyncService::disabled(DisabledReason::Storage(format!(
            "cannot open the profile database for sync registrations: {error}"
        ))),
    }
}
