//! The vocabulary script threads and the constellation share.
//!
//! For now this is the service-worker part of it: what a page's
//! `navigator.serviceWorker` asks the constellation's registry
//! ([`ServiceWorkerRequest`]), what it gets back ([`RegistrationInfo`],
//! [`ServiceWorkerInfo`]), and the errors the promises reject with
//! ([`ServiceWorkerError`], each naming its DOMException).
//!
//! This crate holds no logic: the registry and its job queue live in the
//! `constellation` crate, and the JS objects in `script`.
//!
//! Spec: <https://w3c.github.io/ServiceWorker/>.

mod error;
mod messages;
mod service_worker;

pub use base::id::ServiceWorkerRegistrationId;

pub use crate::error::ServiceWorkerError;
pub use crate::messages::{
    GetRegistrationReply, GetRegistrationsReply, RegisterReply, ServiceWorkerRequest,
    UnregisterReply, UpdateReply,
};
pub use crate::service_worker::{
    RegistrationInfo, ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState, UpdateViaCache,
};
