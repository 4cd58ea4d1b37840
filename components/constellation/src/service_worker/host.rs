//! What the registry needs from the rest of the engine: a way to fetch a
//! worker's script ([`ScriptFetcher`], implemented over `net`) and a way to
//! run a worker's script and lifecycle events ([`WorkerHost`], implemented
//! by the engine, which starts worker threads).
//!
//! Both are synchronous: the registry waits for the answer. Tests implement
//! them with fakes.

use script_traits::{
    ImportedScript, RegistrationInfo, ServiceWorkerId, ServiceWorkerInfo, UpdateViaCache,
};
use url::Url;

/// A response to a script request, as far as the registry looks at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedScript {
    /// The HTTP status.
    pub status: u16,
    /// The URL the response came from; the request's URL unless redirected.
    pub final_url: Url,
    /// The `Content-Type` header's value, if any.
    pub mime_type: Option<String>,
    /// The `Service-Worker-Allowed` header's value, if any.
    pub service_worker_allowed: Option<String>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

/// The fetch failed without a response (network error, offline, refused).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// Fetches a service worker's main script.
///
/// <https://w3c.github.io/ServiceWorker/#update-algorithm>: the request has
/// the `Service-Worker: script` header, destination `serviceworker`, the
/// client's origin, and bypasses the HTTP cache unless `update_via_cache`
/// is `all`. Redirects should not be followed (the registry rejects a
/// response whose `final_url` differs from the request's).
pub trait ScriptFetcher {
    fn fetch_script(
        &mut self,
        url: &Url,
        update_via_cache: UpdateViaCache,
    ) -> Result<FetchedScript, FetchError>;
}

/// Why a worker did not install; every reason makes the worker redundant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstallFailure {
    /// The worker had to be started again for its `install` event, and its
    /// script threw while being evaluated, or could not be parsed.
    #[error("the script failed to run: {0}")]
    ScriptFailed(String),
    /// A `waitUntil` promise of the `install` event rejected.
    #[error("the install event's waitUntil promise rejected")]
    EventRejected,
    /// The worker was terminated (or timed out) during the event.
    #[error("the worker was terminated during install")]
    Terminated,
}

/// What a worker starts from: its main script and the scripts it imported
/// on its first run (stored with it, so a restart needs no network).
#[derive(Clone, Copy, Debug)]
pub struct WorkerScripts<'a> {
    pub main: &'a [u8],
    pub imported: &'a [ImportedScript],
}

/// Runs a worker's script and lifecycle events; the engine implements it
/// over worker threads.
///
/// The registry calls these in spec order and keeps all states itself; the
/// host only runs the JS and reports.
pub trait WorkerHost {
    /// Runs `worker` for the first time: starts its thread, evaluates
    /// `script` (`importScripts()` may fetch) and waits for the result.
    /// Returns the scripts it imported, in order, to be stored with it, or
    /// why the script failed (it did not parse, threw at the top level, or
    /// ran too long); a failed worker is stopped by the host.
    /// <https://w3c.github.io/ServiceWorker/#update-algorithm>, "Run Service
    /// Worker", before Install.
    fn start_worker(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        script: &[u8],
    ) -> Result<Vec<ImportedScript>, String>;

    /// Starts `worker` from `scripts` if it is not running, fires
    /// `install` at it and waits for its `waitUntil` promises.
    /// <https://w3c.github.io/ServiceWorker/#installation-algorithm>, step 11.
    fn run_install(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: WorkerScripts<'_>,
    ) -> Result<(), InstallFailure>;

    /// Starts `worker` from `scripts` if it is not running, fires
    /// `activate` and waits for its `waitUntil` promises. The outcome does
    /// not matter: per spec the worker becomes activated regardless.
    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>, step 10.
    fn run_activate(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: WorkerScripts<'_>,
    );

    /// Whether the registration's active worker must stay for now, which
    /// keeps a waiting worker waiting (unless it called `skipWaiting()`):
    /// a client is using the registration (its controller is one of the
    /// registration's workers), or the active worker has events pending.
    /// <https://w3c.github.io/ServiceWorker/#try-activate-algorithm>. The
    /// default, for hosts that track no clients, says it must.
    fn is_in_use(&mut self, _registration: &RegistrationInfo) -> bool {
        true
    }

    /// Stops a worker that became redundant (replaced or unregistered).
    fn terminate(&mut self, _worker: ServiceWorkerId) {}

    /// A worker's state changed (already applied in `worker` and in
    /// `registration`): the engine tells the registration's clients and
    /// workers, which queue `statechange`. A `registration` without any
    /// worker is one that is gone (unregistered, or its first install
    /// failed).
    fn worker_state_changed(
        &mut self,
        _registration: &RegistrationInfo,
        _worker: &ServiceWorkerInfo,
    ) {
    }
}
