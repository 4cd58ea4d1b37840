//! What the registry asks of the rest of the engine, and the answers it
//! waits for.
//!
//! The registry never waits. A job that needs the network or a worker
//! returns a [`RegistryAction`] (fetch this script, run this worker's script,
//! fire `install`, fire `activate`) and stops there; the engine carries the
//! action out elsewhere (a fetch on its own thread, an event on the worker's
//! thread) and hands the result back through the registry's `*_done` method
//! named on the action, which resumes the job. The other actions (a worker
//! to stop, a state change to tell the clients, a registration gone) need no
//! answer. This is the shape of `background_sync`'s service: requests in,
//! actions out.
//!
//! Tests carry the actions out with fakes, synchronously.

use base::id::ServiceWorkerRegistrationId;
use script_traits::{
    ImportedScript, RegistrationInfo, ServiceWorkerId, ServiceWorkerInfo, UpdateViaCache,
    WorkerType,
};
use url::Url;

/// A running job, named in the actions it waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

impl std::fmt::Display for JobId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "job-{}", self.0)
    }
}

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

/// What a worker starts from: its main script, run as a classic or a module script, and the
/// scripts it imported on its first run (stored with it, so a restart needs no network).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerScripts {
    pub worker_type: WorkerType,
    pub main: Vec<u8>,
    pub imported: Vec<ImportedScript>,
}

/// What the registry needs the engine to do.
#[derive(Clone, Debug, PartialEq)]
pub enum RegistryAction {
    /// Fetch a worker's main script; answer with
    /// [`ServiceWorkerRegistry::script_fetched`](crate::ServiceWorkerRegistry::script_fetched).
    ///
    /// <https://w3c.github.io/ServiceWorker/#update-algorithm>: the request
    /// has the `Service-Worker: script` header, destination `serviceworker`,
    /// and bypasses the HTTP cache (cache mode `no-cache`) unless `update_via_cache` is
    /// `all`, and always when `bypass_http_cache` (a Soft Update, or a registration whose
    /// last update check is a day old).
    /// Redirects are not followed: a redirect is reported with its target as
    /// the final URL, which the registry rejects.
    FetchScript {
        job: JobId,
        url: Url,
        update_via_cache: UpdateViaCache,
        bypass_http_cache: bool,
    },
    /// Fetch the scripts a worker imported (`importScripts()`, or a module worker's static
    /// imports), for the byte check of an update whose main script did not change; answer
    /// with
    /// [`ServiceWorkerRegistry::imported_scripts_fetched`](crate::ServiceWorkerRegistry::imported_scripts_fetched),
    /// a result per URL in order. <https://w3c.github.io/ServiceWorker/#update-algorithm>,
    /// the loop over newestWorker's script resource map.
    FetchImportedScripts {
        job: JobId,
        /// The registration's scope: its origin's HTTP cache entries are the worker's.
        scope: Url,
        urls: Vec<Url>,
        /// Each import bypasses the HTTP cache when this is `none`, or when
        /// `bypass_http_cache`.
        update_via_cache: UpdateViaCache,
        bypass_http_cache: bool,
    },
    /// Run a new worker's script for the first time ("Run Service Worker",
    /// before Install): start its thread and evaluate `script` as `worker_type` says
    /// (`importScripts()`, or a module's imports, may fetch). Answer with
    /// [`ServiceWorkerRegistry::worker_evaluated`](crate::ServiceWorkerRegistry::worker_evaluated):
    /// the scripts it imported, or why it failed (a failed worker is stopped).
    EvaluateWorker {
        job: JobId,
        registration: RegistrationInfo,
        worker: ServiceWorkerInfo,
        worker_type: WorkerType,
        script: Vec<u8>,
    },
    /// Start `worker` from `scripts` if it is not running and fire `install`
    /// at it; answer with
    /// [`ServiceWorkerRegistry::install_done`](crate::ServiceWorkerRegistry::install_done)
    /// once its `waitUntil` promises settled.
    /// <https://w3c.github.io/ServiceWorker/#installation-algorithm>, step 11.
    FireInstall {
        job: JobId,
        registration: RegistrationInfo,
        worker: ServiceWorkerInfo,
        scripts: WorkerScripts,
    },
    /// Start `worker` from `scripts` if it is not running and fire
    /// `activate`; answer with
    /// [`ServiceWorkerRegistry::activate_done`](crate::ServiceWorkerRegistry::activate_done)
    /// whatever the outcome (the worker becomes activated regardless).
    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>, step 10.
    FireActivate {
        registration: RegistrationInfo,
        worker: ServiceWorkerInfo,
        scripts: WorkerScripts,
    },
    /// Stop a worker that became redundant (replaced or unregistered).
    Terminate(ServiceWorkerId),
    /// A worker's state changed (already applied in `worker` and in
    /// `registration`): tell the registration's clients and workers, which
    /// queue `statechange`. A `registration` without any worker is one that
    /// is gone.
    StateChanged {
        registration: RegistrationInfo,
        worker: ServiceWorkerInfo,
    },
    /// Install, step 10: a new installing worker was found; the registration's clients and
    /// workers fire `updatefound`. Acted after the job's promise settled, as the spec queues
    /// the event after Resolve Job Promise (so `await registration.update()` can still add a
    /// listener for it).
    UpdateFound(RegistrationInfo),
    /// The registration was removed (unregistered, or its first install
    /// failed): what hangs off it (sync registrations) goes too.
    RegistrationRemoved(ServiceWorkerRegistrationId),
}

/// What Try Activate and Try Clear Registration ask of the engine, answered
/// at once from its own records
/// (<https://w3c.github.io/ServiceWorker/#try-activate-algorithm>,
/// <https://w3c.github.io/ServiceWorker/#try-clear-registration-algorithm>).
pub trait RegistrationUsage {
    /// A service worker client is using the registration: its controller is
    /// one of the registration's workers. (`skipWaiting()` overrides this
    /// for activation.)
    fn is_used_by_a_client(&self, registration: &RegistrationInfo) -> bool;
    /// "Service Worker Has No Pending Events" is false for `worker`: an
    /// event it was given is still being handled or extended by
    /// `waitUntil()`. Nothing overrides this: a waiting worker that called
    /// `skipWaiting()` still waits for the active worker's events to end.
    fn has_pending_events(&self, worker: ServiceWorkerId) -> bool;
}
