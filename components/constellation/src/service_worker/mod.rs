//! The service-worker registry: registrations by scope, their workers'
//! lifecycle, and the job queue that changes them.
//!
//! Spec: <https://w3c.github.io/ServiceWorker/>.
//!
//! - [`registry`]: the registration map, matching a client URL to a
//!   registration, and persistence through the `storage` crate.
//! - [`jobs`]: the Register, Update and Unregister jobs, queued per scope.
//! - `lifecycle`: Install, Try Activate, Activate and `skipWaiting()`.
//! - [`host`]: the traits behind which the network fetches scripts and the
//!   engine runs worker scripts and their `install`/`activate` events.
//!
//! Everything here runs on the constellation's thread and is synchronous:
//! the fetcher and the host block until they have an answer. Every method
//! that acts for a page takes the page's `client_origin`, which the caller
//! must take from its own records of the sending pipeline, never from the
//! message.
//!
//! How the router serves a [`script_traits::ServiceWorkerRequest`]:
//! `Register` -> [`ServiceWorkerRegistry::schedule_register`], `Update` ->
//! [`ServiceWorkerRegistry::schedule_update`], `Unregister` ->
//! [`ServiceWorkerRegistry::schedule_unregister`] (each followed by
//! [`ServiceWorkerRegistry::run_jobs`], the completion sending the reply);
//! `GetRegistration` -> [`ServiceWorkerRegistry::get_registration`] and
//! `GetRegistrations` -> [`ServiceWorkerRegistry::get_registrations`],
//! answered at once. At startup: [`ServiceWorkerRegistry::load`], then
//! [`ServiceWorkerRegistry::try_activate_all`].

pub mod host;
pub mod jobs;
mod lifecycle;
pub mod registry;
#[cfg(test)]
mod tests;

pub use script_traits::{
    RegistrationInfo, ServiceWorkerError, ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState,
    UpdateViaCache,
};

pub use self::host::{
    FetchError, FetchedScript, InstallFailure, ScriptFetcher, WorkerHost, WorkerScripts,
};
pub use self::jobs::{JobCompletion, JobOutcome, JobResult};
pub use self::registry::{Registration, ServiceWorker, ServiceWorkerRegistry};
