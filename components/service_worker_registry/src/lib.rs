//! The service-worker registry: registrations by scope, their workers'
//! lifecycle, and the job queue that changes them.
//!
//! Spec: <https://w3c.github.io/ServiceWorker/>.
//!
//! - [`registry`]: the registration map, matching a client URL to a
//!   registration, and persistence through the `storage` crate.
//! - [`jobs`]: the Register, Update and Unregister jobs, queued per scope.
//! - `lifecycle`: Install, Try Activate, Activate and `skipWaiting()`.
//! - [`action`]: what the registry asks of the engine (fetch a script, run a
//!   worker's script, fire `install`/`activate`, stop a worker, tell the
//!   clients), and the answers it resumes on.
//!
//! The registry belongs to the constellation (in the `engine` crate, module
//! `constellation`), which drives it. Pure Rust, no JS and no I/O but its
//! SQLite database: everything here runs on the constellation's thread and
//! never waits: a
//! job that needs the network or a worker returns an action and stops; the
//! engine's answer resumes it, and meanwhile every other request is
//! served. Every method that acts for a page takes the page's
//! `client_origin`, which the caller must take from its own records of the
//! sending pipeline, never from the message.
//!
//! How the engine serves a [`script_traits::ServiceWorkerRequest`]:
//! `Register` -> [`ServiceWorkerRegistry::schedule_register`], `Update` ->
//! [`ServiceWorkerRegistry::schedule_update`], `Unregister` ->
//! [`ServiceWorkerRegistry::schedule_unregister`] (the completion sends the
//! reply, when the job settles); `GetRegistration` ->
//! [`ServiceWorkerRegistry::get_registration`] and `GetRegistrations` ->
//! [`ServiceWorkerRegistry::get_registrations`], answered at once. After
//! each, it carries out [`ServiceWorkerRegistry::next_action`] until there
//! is none. At startup: [`ServiceWorkerRegistry::load`], then
//! [`ServiceWorkerRegistry::try_activate_all`].

pub mod action;
pub mod jobs;
mod lifecycle;
pub mod registry;
pub mod router;
#[cfg(test)]
mod tests;

pub use script_traits::{
    RegistrationInfo, ServiceWorkerError, ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState,
    UpdateViaCache,
};

pub use self::action::{
    FetchError, FetchedScript, InstallFailure, JobId, RegistrationUsage, RegistryAction,
    WorkerScripts,
};
pub use self::jobs::{JobCompletion, JobOutcome, JobResult};
pub use self::registry::{Registration, ServiceWorker, ServiceWorkerRegistry};
