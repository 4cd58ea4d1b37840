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
//! Inside, the crate is the constellation of DESIGN.md: `constellation`
//! (the thread's loop), `host` (clients and workers, and the registry's
//! `WorkerHost`), `workers` (worker threads and their clocks), `clients`,
//! `routing` (tagging each ipc channel with its sender) and `fetcher`
//! (worker scripts over `net`).

mod clients;
mod constellation;
mod fetcher;
mod host;
mod routing;
mod workers;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

use ::constellation::service_worker::ServiceWorkerRegistry;
use crossbeam_channel::Sender;
use ipc_channel::ipc;
use script::page::{run_page, PageOptions};
use script_traits::ClientChannels;
use storage::{Database, OpenError, StorageError};

pub use base::prefs::Prefs;
pub use script::page::{ConsoleCallback, PageOutcome};
pub use script_traits::RegistrationInfo;
pub use url::Url;

use crate::constellation::{Command, Constellation};
use crate::fetcher::NetScriptFetcher;
use crate::host::Host;
use crate::workers::{ScriptSpawner, WorkerSpawner, Workers};

const LOG_TARGET: &str = "bgsync::engine";

/// How an [`Engine`] is set up.
pub struct EngineOptions {
    /// The profile directory (created if missing). `None`: nothing is
    /// stored, registrations live in memory for this engine only.
    pub profile: Option<PathBuf>,
    pub prefs: Prefs,
    /// Receives every `console.*` message of pages and workers.
    pub console: ConsoleCallback,
}

/// Why an engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The profile database cannot be opened; it was left untouched.
    #[error("{0}")]
    Storage(#[from] OpenError),
    /// The profile database opened but could not be read.
    #[error("cannot read the profile database: {0}")]
    Database(#[from] StorageError),
    #[error("cannot start the constellation thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// A running engine: one profile, one constellation thread.
///
/// Dropping it shuts it down (see [`Engine::shutdown`]).
pub struct Engine {
    commands: Sender<Command>,
    thread: Mutex<Option<JoinHandle<()>>>,
    prefs: Prefs,
    console: ConsoleCallback,
    storage_recovered: Option<PathBuf>,
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
        let (database, storage_recovered) = open_database(options.profile.as_deref())?;
        let registry = ServiceWorkerRegistry::load(database)?;
        let (commands, command_receiver) = crossbeam_channel::unbounded();
        let (worker_sender, worker_messages) = crossbeam_channel::unbounded();
        let workers = Workers::new(
            spawner,
            worker_sender,
            options.prefs.clone(),
            options.console.clone(),
        );
        let host = Host::new(workers, worker_messages);
        let fetcher = Box::new(NetScriptFetcher::new(&options.prefs));
        let thread = std::thread::Builder::new()
            .name("constellation".to_owned())
            .spawn(move || Constellation::new(registry, fetcher, host, command_receiver).run())
            .map_err(EngineError::Thread)?;
        Ok(Engine {
            commands,
            thread: Mutex::new(Some(thread)),
            prefs: options.prefs,
            console: options.console,
            storage_recovered,
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
    pub fn run_page(&self, url: Url, timeout: Option<Duration>) -> PageOutcome {
        let client = self.connect_client(url.clone());
        run_page(PageOptions {
            url,
            timeout,
            prefs: self.prefs.clone(),
            console: self.console.clone(),
            client,
        })
    }

    /// Records a client about to load `url` and gives its channels; `None`
    /// if the engine is shut down (the page then runs unconnected).
    pub(crate) fn connect_client(&self, url: Url) -> Option<ClientChannels> {
        let channels = ipc::channel().and_then(|(to_client, from_constellation)| {
            let (to_constellation, from_client) = ipc::channel()?;
            Ok((to_client, from_constellation, to_constellation, from_client))
        });
        let (to_client, from_constellation, to_constellation, from_client) = match channels {
            Ok(channels) => channels,
            Err(error) => {
                log::error!(target: LOG_TARGET, "cannot create a page's channels: {error}");
                return None;
            }
        };
        let command = Command::AddClient {
            url,
            to_client,
            from_client,
        };
        if self.commands.send(command).is_err() {
            log::warn!(target: LOG_TARGET, "the engine is shut down; the page runs unconnected");
            return None;
        }
        Some(ClientChannels {
            to_constellation,
            from_constellation,
        })
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

    /// Sends a command and waits for its answer; `None` if the
    /// constellation is gone.
    fn ask<T>(&self, command: impl FnOnce(Sender<T>) -> Command) -> Option<T> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.commands.send(command(reply)).ok()?;
        answer.recv().ok()
    }

    /// Stops every worker and the constellation thread, and waits for it.
    /// Pages still running lose their connection. Idempotent.
    pub fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(thread) = thread {
            if thread.join().is_err() {
                log::error!(target: LOG_TARGET, "the constellation thread panicked");
            }
        }
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
