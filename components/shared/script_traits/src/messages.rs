//! The service-worker messages of a script thread, over ipc-channel.
//!
//! A page (or worker) running `navigator.serviceWorker` sends a
//! [`ServiceWorkerRequest`] numbered with a [`RequestId`], and gets its
//! answer back on its own channel from the constellation as a [`Reply`] with
//! the same number. Every answer is a `Result` whose error is a
//! [`ServiceWorkerError`]. No request carries a channel: a page with
//! thousands of requests in flight holds no more file descriptors than a page
//! with none.
//!
//! These messages carry **no origin** on purpose. The script side wraps them
//! in a message of its own channel to the constellation, and the
//! constellation's router knows from that channel which pipeline (and so
//! which origin) is speaking; it hands that recorded origin to the registry
//! as `client_origin`. Every reply depends on that origin: a page sees and
//! touches only registrations of its own origin, and a registration id in a
//! request is a claim to check, never proof.

use base::id::{RequestId, ServiceWorkerRegistrationId};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::channels::ClientInfo;
use crate::error::ServiceWorkerError;
use crate::service_worker::{RegistrationInfo, UpdateViaCache, WorkerType};

/// The answer to [`ServiceWorkerRequest::Register`]: the registration, as it
/// was when the job resolved (its new worker possibly still installing).
pub type RegisterReply = Result<RegistrationInfo, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::GetRegistration`]: `None` is
/// `undefined`.
pub type GetRegistrationReply = Result<Option<RegistrationInfo>, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::GetRegistrations`].
pub type GetRegistrationsReply = Result<Vec<RegistrationInfo>, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::Update`].
pub type UpdateReply = Result<RegistrationInfo, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::Unregister`]: whether a
/// registration was removed.
pub type UnregisterReply = Result<bool, ServiceWorkerError>;

/// A registration's navigation preload, as `navigationPreload.getState()`
/// shows it (<https://w3c.github.io/ServiceWorker/#dictdef-navigationpreloadstate>).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavigationPreloadState {
    pub enabled: bool,
    /// The `Service-Worker-Navigation-Preload` header's value (`true` unless set).
    pub header_value: String,
}

impl Default for NavigationPreloadState {
    fn default() -> Self {
        NavigationPreloadState {
            enabled: false,
            header_value: "true".to_owned(),
        }
    }
}

/// What a `NavigationPreloadManager` call asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NavigationPreloadCommand {
    Enable,
    Disable,
    /// A value the page already checked is a valid header value.
    SetHeaderValue(String),
    GetState,
}

/// The answer to [`ServiceWorkerRequest::NavigationPreload`]: the state after
/// the command.
pub type NavigationPreloadReply = Result<NavigationPreloadState, ServiceWorkerError>;

/// What a CacheStorage request yields (the backend's `CacheReply` without its
/// number, which travels as the reply's).
pub type CacheStorageReply =
    Result<cache_storage_traits::CacheAnswer, cache_storage_traits::CacheError>;

/// From `ServiceWorkerContainer` or `ServiceWorkerRegistration` to the
/// constellation's registry.
#[derive(Debug, Serialize, Deserialize)]
pub enum ServiceWorkerRequest {
    /// `register(scriptURL, options)`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-register>.
    /// URLs are already parsed against the client's base URL; `scope` is
    /// `None` when the page gave none (it then defaults to the script's
    /// directory).
    Register {
        script_url: Url,
        scope: Option<Url>,
        update_via_cache: UpdateViaCache,
        worker_type: WorkerType,
        id: RequestId<RegisterReply>,
    },
    /// `getRegistration(clientURL)`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistration>.
    GetRegistration {
        client_url: Url,
        id: RequestId<GetRegistrationReply>,
    },
    /// `getRegistrations()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistrations>.
    GetRegistrations {
        id: RequestId<GetRegistrationsReply>,
    },
    /// `registration.update()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-update>.
    Update {
        registration: ServiceWorkerRegistrationId,
        id: RequestId<UpdateReply>,
    },
    /// `registration.unregister()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-unregister>.
    Unregister {
        registration: ServiceWorkerRegistrationId,
        id: RequestId<UnregisterReply>,
    },
    /// `registration.navigationPreload.enable()`, `disable()`,
    /// `setHeaderValue()`, `getState()`:
    /// <https://w3c.github.io/ServiceWorker/#navigationpreloadmanager>.
    NavigationPreload {
        registration: ServiceWorkerRegistrationId,
        command: NavigationPreloadCommand,
        id: RequestId<NavigationPreloadReply>,
    },
}

impl ServiceWorkerRequest {
    /// The request's number (see [`RequestId`]).
    pub fn number(&self) -> u64 {
        match self {
            ServiceWorkerRequest::Register { id, .. } => id.number(),
            ServiceWorkerRequest::GetRegistration { id, .. } => id.number(),
            ServiceWorkerRequest::GetRegistrations { id } => id.number(),
            ServiceWorkerRequest::Update { id, .. } => id.number(),
            ServiceWorkerRequest::Unregister { id, .. } => id.number(),
            ServiceWorkerRequest::NavigationPreload { id, .. } => id.number(),
        }
    }
}

/// The answer to a request of a page or worker, as it travels back on the
/// global's channel ([`crate::ToClientMsg::Reply`],
/// [`crate::ToWorkerMsg::Reply`]). One variant per answer type; [`Answer`]
/// converts between them, so each side handles the typed answer its
/// [`RequestId`] names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// `register()`, `update()`.
    Registration(Result<RegistrationInfo, ServiceWorkerError>),
    /// `getRegistration()`.
    MaybeRegistration(GetRegistrationReply),
    /// `getRegistrations()`.
    Registrations(GetRegistrationsReply),
    /// `unregister()`.
    Unregistered(UnregisterReply),
    /// `sync.register()`.
    SyncRegistered(background_sync_traits::RegisterReply),
    /// `sync.getTags()`.
    SyncTags(background_sync_traits::GetTagsReply),
    /// `skipWaiting()`.
    SkippedWaiting(()),
    /// `clients.get()`.
    Client(Option<ClientInfo>),
    /// `clients.matchAll()`.
    Clients(Vec<ClientInfo>),
    /// `clients.claim()`.
    Claimed(Result<(), ServiceWorkerError>),
    /// `navigationPreload.*()`.
    NavigationPreload(NavigationPreloadReply),
    /// A `caches` / `Cache` request ([`crate::ScriptMsg::CacheStorage`]).
    CacheStorage(CacheStorageReply),
    /// `InstallEvent.addRoutes()`.
    RoutesAdded(crate::AddRoutesReply),
    /// `WindowClient.navigate()`.
    ClientNavigated(NavigateClientReply),
}

/// What `WindowClient.navigate()` came to: the client of the new document (`None`: of
/// another origin than the worker's), or a TypeError's message.
pub type NavigateClientReply = Result<Option<ClientInfo>, String>;

/// A typed answer, and how it is carried in a [`Reply`].
pub trait Answer: Sized {
    fn into_reply(self) -> Reply;
    /// The answer inside `reply`; `None` if it carries another kind.
    fn from_reply(reply: Reply) -> Option<Self>;
}

macro_rules! answers {
    ($($variant:ident: $answer:ty,)*) => {
        $(
            impl Answer for $answer {
                fn into_reply(self) -> Reply {
                    Reply::$variant(self)
                }

                fn from_reply(reply: Reply) -> Option<Self> {
                    match reply {
                        Reply::$variant(answer) => Some(answer),
                        _ => None,
                    }
                }
            }
        )*

        impl Reply {
            /// The variant's name, for logs.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Reply::$variant(_) => stringify!($variant),)*
                }
            }
        }
    };
}

answers! {
    Registration: Result<RegistrationInfo, ServiceWorkerError>,
    MaybeRegistration: GetRegistrationReply,
    Registrations: GetRegistrationsReply,
    Unregistered: UnregisterReply,
    SyncRegistered: background_sync_traits::RegisterReply,
    SyncTags: background_sync_traits::GetTagsReply,
    SkippedWaiting: (),
    Client: Option<ClientInfo>,
    Clients: Vec<ClientInfo>,
    Claimed: Result<(), ServiceWorkerError>,
    NavigationPreload: NavigationPreloadReply,
    CacheStorage: CacheStorageReply,
    RoutesAdded: crate::AddRoutesReply,
    ClientNavigated: NavigateClientReply,
}

#[cfg(test)]
mod tests {
    use ipc_channel::ipc;

    use super::*;
    use crate::service_worker::{ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState};

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn register_request_crosses_ipc_with_its_number() {
        let (request_sender, request_receiver) = ipc::channel::<ServiceWorkerRequest>().unwrap();
        request_sender
            .send(ServiceWorkerRequest::Register {
                script_url: url("https://a.test/app/sw.js"),
                scope: None,
                update_via_cache: UpdateViaCache::None,
                worker_type: WorkerType::Module,
                id: RequestId::new(12),
            })
            .unwrap();
        let ServiceWorkerRequest::Register {
            script_url,
            scope,
            update_via_cache,
            worker_type,
            id,
        } = request_receiver.recv().unwrap()
        else {
            panic!("expected a Register request");
        };
        assert_eq!(script_url, url("https://a.test/app/sw.js"));
        assert_eq!(scope, None);
        assert_eq!(update_via_cache, UpdateViaCache::None);
        assert_eq!(worker_type, WorkerType::Module);
        assert_eq!(id.number(), 12);
    }

    #[test]
    fn answers_cross_ipc_inside_a_reply_and_come_out_typed() {
        let info = RegistrationInfo {
            id: ServiceWorkerRegistrationId(4),
            scope: url("https://a.test/app/"),
            update_via_cache: UpdateViaCache::Imports,
            installing: Some(ServiceWorkerInfo {
                id: ServiceWorkerId(9),
                script_url: url("https://a.test/app/sw.js"),
                state: ServiceWorkerState::Installing,
            }),
            waiting: None,
            active: None,
        };
        let error = ServiceWorkerError::Security("The origin is not secure.".to_owned());
        let (sender, receiver) = ipc::channel::<Reply>().unwrap();
        sender.send(Ok(info.clone()).into_reply()).unwrap();
        sender
            .send(UnregisterReply::Err(error.clone()).into_reply())
            .unwrap();
        let registration = RegisterReply::from_reply(receiver.recv().unwrap());
        assert_eq!(registration, Some(Ok(info)));
        let unregistered = UnregisterReply::from_reply(receiver.recv().unwrap());
        assert_eq!(unregistered, Some(Err(error)));
    }

    #[test]
    fn an_answer_of_another_kind_is_none() {
        let reply = Reply::Clients(Vec::new());
        assert_eq!(reply.kind(), "Clients");
        assert_eq!(<Option<ClientInfo>>::from_reply(reply), None);
    }
}
