//! The vocabulary script threads and the constellation share.
//!
//! [`channels`](crate::ScriptMsg): the channels of pages and service workers
//! to the constellation and what travels on them. And the service-worker
//! requests: what a page's
//! `navigator.serviceWorker` asks the constellation's registry
//! ([`ServiceWorkerRequest`]), what it gets back ([`RegistrationInfo`],
//! [`ServiceWorkerInfo`]), and the errors the promises reject with
//! ([`ServiceWorkerError`], each naming its DOMException).
//!
//! This crate holds no logic: the registry and its job queue live in the
//! `service_worker_registry` crate, and the JS objects in `script`.
//!
//! Spec: <https://w3c.github.io/ServiceWorker/>.

mod channels;
mod error;
mod messages;
mod router;
mod service_worker;

pub use base::id::{RequestId, ServiceWorkerRegistrationId};

pub use crate::channels::{
    ClientChannels, ClientId, ClientInfo, ClientSetup, ClientType, FetchAnswer, FetchRequestData,
    FetchResponseData, FrameType, ImportedScript, RegistrationUpdate, RequestDetails,
    ScriptEvaluation, ScriptMsg, SerializedMessage, ToClientMsg, ToWorkerMsg, WorkerChannels,
    WorkerEvent, WorkerEventId, WorkerEventOutcome, WorkerMsg,
};
pub use crate::error::ServiceWorkerError;
pub use crate::messages::{
    Answer, CacheStorageReply, GetRegistrationReply, GetRegistrationsReply, NavigateClientReply,
    NavigationPreloadCommand, NavigationPreloadReply, NavigationPreloadState, RegisterReply, Reply,
    ServiceWorkerRequest, UnregisterReply, UpdateReply,
};
pub use crate::router::{
    AddRoutesReply, RouterCondition, RouterRule, RouterSource, RunningStatus, UrlPatternInput,
    UrlPatternParts,
};
pub use crate::service_worker::{
    RegistrationInfo, ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState, UpdateViaCache,
    WorkerType,
};
