//! What the registry needs from the rest of the engine: a way to fetch a
//! worker's script ([`ScriptFetcher`], implemented over `net`) and a way to
//! run a worker's lifecycle events ([`WorkerHost`], implemented by the
//! script side, which starts worker threads).
//!
//! Both are synchronous: the registry waits for the answer. Tests implement
//! them with fakes.

use script_traits::{RegistrationInfo, ServiceWorkerId, ServiceWorkerInfo, UpdateViaCache};
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
    /// The script threw while being evaluated, or could not be parsed.
    #[error("the script failed to run: {0}")]
    ScriptFailed(String),
    /// A `waitUntil` promise of the `install` event rejected.
    #[error("the install event's waitUntil promise rejected")]
    EventRejected,
    /// The worker was terminated (or timed out) during the event.
    #[error("the worker was terminated during install")]
    Terminated,
}

/// Runs a worker's lifecycle events; the script side implements it.
///
/// The registry calls these in spec order and keeps all states itself; the
/// host only runs the JS and reports.
pub trait WorkerHost {
    /// Starts `worker` (evaluating `script`) if it is not running, fires
    /// `install` at it and waits for its `waitUntil` promises.
    /// <https://w3c.github.io/ServiceWorker/#installation-algorithm>, step 11.
    fn run_install(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        script: &[u8],
    ) -> Result<(), InstallFailure>;

    /// Fires `activate` and waits for its `waitUntil` promises. The outcome
    /// does not matter: per spec the worker becomes activated regardless.
    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>, step 10.
    fn run_activate(&mut self, registration: &RegistrationInfo, worker: &ServiceWorkerInfo);

    /// Stops a worker that became redundant (replaced or unregistered).
    fn terminate(&mut self, _worker: ServiceWorkerId) {}

    /// A worker's state changed (already applied in `worker`): the script
    /// side queues `statechange` on its `ServiceWorker` objects.
    fn worker_state_changed(
        &mut self,
        _registration: &RegistrationInfo,
        _worker: &ServiceWorkerInfo,
    ) {
    }
}
