//! The channels between script threads (pages and service workers) and the
//! constellation, and everything that travels on them.
//!
//! Every page gets a [`ClientChannels`] pair when the embedder creates it:
//! [`ScriptMsg`] up to the constellation, [`ToClientMsg`] back down. Every
//! running service worker gets a [`WorkerChannels`] pair: [`WorkerMsg`] up,
//! [`ToWorkerMsg`] down. The constellation routes each receiver itself, so it
//! knows which client or worker sent a message without trusting anything in
//! it: no message here carries its sender's origin or id.
//!
//! These two pairs are all a global ever uses: a request is numbered
//! ([`base::id::RequestId`]) and its answer comes back down the global's
//! channel as a [`Reply`] with that number, after whatever the constellation
//! sent the global before it. No message up carries a channel, so however
//! many requests a page has in flight, it holds no more file descriptors,
//! and nothing a page sends makes the constellation receive one.
//!
//! These two pairs are all a global ever uses: a request is numbered
//! ([`base::id::RequestId`]) and its answer comes back down the global's
//! channel as a [`Reply`] with that number, after whatever the constellation
//! sent the global before it. No message up carries a channel, so however
//! many requests a page has in flight, it holds no more file descriptors,
//! and nothing a page sends makes the constellation receive one.
//!
//! Message values (`postMessage`'s `message`) travel as SpiderMonkey
//! structured-clone bytes ([`SerializedMessage`]), produced and read only by
//! the script side.
//!
//! Spec: <https://w3c.github.io/ServiceWorker/>.

use std::fmt;

use ipc_channel::ipc::{IpcReceiver, IpcSender};
use serde::{Deserialize, Serialize};
use url::Url;

use base::id::RequestId;

use crate::error::ServiceWorkerError;
use crate::messages::{NavigateClientReply, Reply, ServiceWorkerRequest};
use crate::service_worker::{RegistrationInfo, ServiceWorkerId, ServiceWorkerInfo};

/// <https://w3c.github.io/ServiceWorker/#dom-client-id>: an environment's id,
/// given by the constellation and unique for the engine's run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClientId(pub String);

impl fmt::Display for ClientId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// <https://w3c.github.io/ServiceWorker/#enumdef-clienttype>, as stored on a
/// client (never `all`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClientType {
    Window,
    Worker,
    SharedWorker,
}

impl ClientType {
    /// The `ClientType` Web IDL enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientType::Window => "window",
            ClientType::Worker => "worker",
            ClientType::SharedWorker => "sharedworker",
        }
    }
}

/// <https://w3c.github.io/ServiceWorker/#enumdef-frametype>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FrameType {
    Auxiliary,
    TopLevel,
    Nested,
    None,
}

impl FrameType {
    /// The `FrameType` Web IDL enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameType::Auxiliary => "auxiliary",
            FrameType::TopLevel => "top-level",
            FrameType::Nested => "nested",
            FrameType::None => "none",
        }
    }
}

/// A client as a service worker's `Client` object shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub id: ClientId,
    /// The document's URL (after redirects).
    pub url: Url,
    pub client_type: ClientType,
    pub frame_type: FrameType,
}

/// A structured-clone serialization of a JS value, made by the sender's
/// script thread and read by the receiver's. Opaque to everyone else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerializedMessage(pub Vec<u8>);

/// What the constellation tells a page once its document is loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSetup {
    /// The page's own client record (`Client.id` as workers see it).
    pub client: ClientInfo,
    /// `navigator.serviceWorker.controller`: the active worker of the
    /// registration whose scope matches the page's URL, if any.
    pub controller: Option<ServiceWorkerInfo>,
    /// The network state now (`navigator.onLine` before any change).
    pub online: bool,
}

/// A request a controlled page's `fetch()` hands to its service worker
/// (<https://w3c.github.io/ServiceWorker/#handle-fetch>). Bodies are buffered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchRequestData {
    pub url: Url,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// `"follow"`, `"error"` or `"manual"`.
    pub redirect: String,
    /// `"cors"`, `"no-cors"`, `"same-origin"` or `"navigate"`.
    pub mode: String,
    /// `"omit"`, `"same-origin"` or `"include"`.
    pub credentials: String,
    /// The request's destination (`""` for `fetch()`, `"script"`, `"document"`).
    pub destination: String,
    /// What the worker's Request shows of the rest.
    pub details: RequestDetails,
}

/// The members of a request that a service worker's `event.request` shows, beyond its URL,
/// method, headers and body (integrity is not checked against the response; `cache` is the
/// HTTP cache mode a network fetch uses).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    /// The referrer fetch determined (`base::referrer`), the policy applied; `None`: none.
    pub referrer: Option<Url>,
    /// `""` or a referrer policy's name.
    pub referrer_policy: String,
    /// A RequestCache value; `""` reads as `"default"`.
    pub cache: String,
    pub integrity: String,
    pub keepalive: bool,
    /// A navigation by `location.reload()`.
    pub reload_navigation: bool,
    /// A navigation that traverses the session history (`history.go()`).
    pub history_navigation: bool,
}

impl FetchRequestData {
    /// A script's GET of `url` (destination `"script"`, redirects followed, no body): a
    /// classic script's in `"no-cors"` mode, a module's in `"cors"`.
    pub fn script(url: Url, mode: &str, credentials: &str) -> FetchRequestData {
        FetchRequestData {
            url,
            method: "GET".to_owned(),
            headers: Vec::new(),
            body: None,
            redirect: "follow".to_owned(),
            mode: mode.to_owned(),
            credentials: credentials.to_owned(),
            destination: "script".to_owned(),
            details: RequestDetails::default(),
        }
    }
}

/// A response a service worker gave to `respondWith()`, as the page gets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchResponseData {
    /// The response's URL list's last entry (none for a constructed Response).
    pub url: Option<Url>,
    pub status: u16,
    pub status_text: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub redirected: bool,
    /// `"basic"`, `"cors"`, `"default"` or `"opaque"`. For `"opaque"`, the other fields
    /// are those of its internal response: the page shows none of them to script (its
    /// `fetch()` gets status 0 and no body) but runs the body of a `<script>`.
    pub response_type: String,
    /// Why its body broke off after `body` (a navigation preload whose body the network cut):
    /// reading the body is then a TypeError.
    #[serde(default)]
    pub body_error: Option<String>,
}

impl FetchResponseData {
    /// The value of the response's first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What became of a request handed to a service worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FetchAnswer {
    /// The worker answered with this response.
    Respond(Box<FetchResponseData>),
    /// The worker did not call `respondWith()` (or has no `fetch`
    /// listener, or could not start): the page goes to the network.
    Fallback,
    /// A network error (`respondWith()` with a rejection or not a Response,
    /// the worker stopped or ran too long): the page's `fetch()` rejects.
    NetworkError(String),
}

/// A page's script thread to the constellation.
#[derive(Debug, Serialize, Deserialize)]
pub enum ScriptMsg {
    /// Sent once, first, when the document's response arrived: its final
    /// URL. The constellation records the client and answers with
    /// [`ToClientMsg::Setup`], the first message the client receives. A
    /// second `DocumentLoaded` from the same client is refused (a `Setup`
    /// with the reason). Requests sent before it are refused too (a
    /// [`ToClientMsg::Reply`] without an answer).
    DocumentLoaded { url: Url },
    /// A `navigator.serviceWorker` or `ServiceWorkerRegistration` request.
    ServiceWorker(ServiceWorkerRequest),
    /// `serviceWorker.postMessage(message)`: fires `message` at the worker,
    /// starting it if it is stopped. The constellation answers
    /// [`ToClientMsg::MessageDone`] with the same `token` when the worker's
    /// message event has finished (its `waitUntil` promises settled) or could
    /// not be delivered. It travels on the client's channel, after
    /// everything the worker posted to the client during the event.
    PostMessageToWorker {
        worker: ServiceWorkerId,
        message: SerializedMessage,
        token: u64,
    },
    /// A `SyncManager` request (`registration.sync.register()`, `getTags()`).
    /// The registration id in it is checked against the client's origin.
    Sync(background_sync_traits::SyncRequest),
    /// An IndexedDB message, for the backend of the page's origin (which
    /// the constellation knows; the message does not say it).
    IndexedDb(indexeddb_traits::IdbMsg),
    /// A CacheStorage request (`caches`, `Cache`), for the backend of the
    /// page's origin (which the constellation knows; the message does not
    /// say it). Answered with [`ToClientMsg::Reply`] and the message's
    /// number, carrying [`Reply::CacheStorage`].
    CacheStorage(cache_storage_traits::CacheMsg),
    /// The page's own document request (a navigation), sent before
    /// `DocumentLoaded` and before anything else: a `fetch` event (mode
    /// `navigate`, the page's client id as `resultingClientId`) at the
    /// active worker of the registration whose scope matches the URL, if
    /// one handles fetch. Always answered with [`ToClientMsg::FetchAnswer`]
    /// and token 0; `Fallback` means "load it from the network".
    NavigationFetch { request: Box<FetchRequestData> },
    /// `fetch()` of a page that has a controller: a `fetch` event at the
    /// controller, started if it is stopped. Answered with
    /// [`ToClientMsg::FetchAnswer`] and the same `token`, always.
    Fetch {
        token: u64,
        request: Box<FetchRequestData>,
    },
    /// Sent first by a client made for a navigation that a service worker asked for
    /// ([`ToClientMsg::Navigate`] numbered `token`, of another client): the constellation
    /// answers the worker's `navigate()` with this client once its document has loaded, or
    /// with a TypeError if it closes first.
    NavigationStarted { token: u64 },
    /// The client cannot do the navigation [`ToClientMsg::Navigate`] numbered `token` asked
    /// for (a top-level page, which bgsync does not navigate): the worker's `navigate()`
    /// rejects with a TypeError saying `reason`.
    NavigationRefused { token: u64, reason: String },
    /// A response of the page's own origin from the network had a `Clear-Site-Data` header
    /// naming `"storage"` (or `"*"`): clear the origin's storage now
    /// (<https://w3c.github.io/webappsec-clear-site-data/#clear-dom-accessible-storage>),
    /// its service-worker registrations at once, not when their clients go. `url` is the
    /// response's; one of another origin than the client's is refused.
    ClearSiteData { url: Url },
    /// The page is going away: forget the client.
    Closed,
}

/// The constellation to a page's script thread (and, as
/// [`ToWorkerMsg::Registration`], to workers).
#[derive(Debug, Serialize, Deserialize)]
pub enum ToClientMsg {
    /// The answer to [`ScriptMsg::DocumentLoaded`]: the client's setup, or
    /// why the constellation refused it (the page then runs unconnected).
    Setup(Result<ClientSetup, String>),
    /// The answer to the request numbered `id` (see [`Reply`]), or `None`
    /// if the constellation dropped the request unanswered.
    Reply { id: u64, answer: Option<Box<Reply>> },
    /// Update Registration State / Update Worker State: the registration
    /// as it is now. `changed_worker`, if any, is the worker whose state
    /// changed (its `statechange` event fires after the registration's
    /// attributes are updated). Sent to every client and worker of the
    /// registration's origin.
    Registration(Box<RegistrationUpdate>),
    /// The page's controller changed (`clients.claim()`, or a new active
    /// worker of the registration controlling it), or it has none any more
    /// (`None`: its registration was cleared at once, by Clear-Site-Data): fire
    /// `controllerchange`.
    ControllerChanged {
        controller: Option<ServiceWorkerInfo>,
    },
    /// The message event of [`ScriptMsg::PostMessageToWorker`] numbered
    /// `token` is over (`delivered`), or was never fired or never finished
    /// (refused, the worker failed to start or was stopped).
    MessageDone { token: u64, delivered: bool },
    /// The network went online or offline (the engine's observer, or the
    /// embedder's override): `navigator.onLine` and the `online`/`offline`
    /// events follow.
    NetworkChanged { online: bool },
    /// `client.postMessage(message)` from a service worker.
    Message {
        source: ServiceWorkerInfo,
        /// The worker's origin, serialized (`MessageEvent.origin`).
        origin: String,
        message: SerializedMessage,
    },
    /// What the IndexedDB backend tells the page.
    IndexedDb(indexeddb_traits::IdbEvent),
    /// What became of the page's [`ScriptMsg::Fetch`] numbered `token`.
    FetchAnswer { token: u64, answer: FetchAnswer },
    /// `WindowClient.navigate(url)` of the page's controller: navigate the page to `url`
    /// (history handling "replace"). The client made for the new document says
    /// [`ScriptMsg::NavigationStarted`] with `token`; a page that cannot navigate says
    /// [`ScriptMsg::NavigationRefused`].
    Navigate { url: Url, token: u64 },
}

/// A change of a registration, see [`ToClientMsg::Registration`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationUpdate {
    pub registration: RegistrationInfo,
    pub changed_worker: Option<ServiceWorkerInfo>,
    /// A new installing worker appeared: fire `updatefound`.
    pub update_found: bool,
}

/// Numbers the events the constellation asks a worker to fire, so their
/// completions can be matched. Unique per engine run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WorkerEventId(pub u64);

/// An event the constellation asks a worker to fire (a functional event or a
/// lifecycle event).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkerEvent {
    /// `install`: <https://w3c.github.io/ServiceWorker/#installation-algorithm>.
    Install,
    /// `activate`: <https://w3c.github.io/ServiceWorker/#activation-algorithm>.
    Activate,
    /// `message` (an ExtendableMessageEvent) from a client.
    Message {
        source: ClientInfo,
        /// The client's origin, serialized.
        origin: String,
        message: SerializedMessage,
    },
    /// `message` (an ExtendableMessageEvent) from a service worker of the
    /// origin (this one, or another version): its `source` is that worker.
    MessageFromWorker {
        source: ServiceWorkerInfo,
        /// The worker's origin, serialized.
        origin: String,
        message: SerializedMessage,
    },
    /// `sync`: <https://wicg.github.io/background-sync/spec/#fire-a-sync-event>.
    Sync { tag: String, last_chance: bool },
    /// `fetch`: <https://w3c.github.io/ServiceWorker/#handle-fetch>. The
    /// worker answers [`WorkerMsg::FetchAnswer`] as soon as it knows the
    /// response (before the event's `waitUntil` promises settle).
    Fetch {
        request: Box<FetchRequestData>,
        client_id: String,
        resulting_client_id: String,
        /// A navigation preload request was sent: `preloadResponse` waits
        /// for [`ToWorkerMsg::PreloadResponse`] (else it resolves with
        /// undefined).
        preload: bool,
    },
}

impl WorkerEvent {
    /// The event's type, as JS sees it.
    pub fn name(&self) -> &'static str {
        match self {
            WorkerEvent::Install => "install",
            WorkerEvent::Activate => "activate",
            WorkerEvent::Message { .. } | WorkerEvent::MessageFromWorker { .. } => "message",
            WorkerEvent::Sync { .. } => "sync",
            WorkerEvent::Fetch { .. } => "fetch",
        }
    }
}

/// How an event dispatched in a worker ended. Timeouts are judged by the
/// constellation, which terminates a worker whose event runs too long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkerEventOutcome {
    /// Every `waitUntil` promise fulfilled (or there were none) and no
    /// listener threw.
    Completed,
    /// A listener threw (the exception was reported to the console).
    ListenerThrew,
    /// A `waitUntil` promise rejected.
    WaitUntilRejected,
    /// The message could not be deserialized in the worker (its
    /// `messageerror` fired instead).
    MessageError,
}

/// The result of evaluating a worker's script when it starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScriptEvaluation {
    /// The script ran to its end. On a worker's first run, the scripts it
    /// imported with `importScripts()`, in order, to be stored with it.
    Ok {
        imported_scripts: Vec<ImportedScript>,
        /// Whether the script added a `fetch` listener while it ran (the
        /// spec's set of event types to handle): without one, fetch events
        /// skip the worker (<https://w3c.github.io/ServiceWorker/#handle-fetch>).
        handles_fetch: bool,
    },
    /// The script did not parse or threw at the top level: the message.
    Failed(String),
}

/// A script imported by `importScripts()`, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedScript {
    pub url: Url,
    pub source: Vec<u8>,
}

/// A service worker's thread to the constellation.
#[derive(Debug, Serialize, Deserialize)]
pub enum WorkerMsg {
    /// Sent once, first: how evaluating the script went.
    Evaluated(ScriptEvaluation),
    /// The event numbered `id` finished.
    EventDone {
        id: WorkerEventId,
        outcome: WorkerEventOutcome,
    },
    /// The answer to the `fetch` event numbered `id`: sent once, when the
    /// worker knows it (its `EventDone` follows, after `waitUntil`).
    FetchAnswer {
        id: WorkerEventId,
        answer: FetchAnswer,
    },
    /// `self.skipWaiting()`; answered once the skip-waiting flag is set.
    SkipWaiting { id: RequestId<()> },
    /// `InstallEvent.addRoutes(rules)` of the worker's `install` event: the rules to verify
    /// and add to the worker's router rules.
    AddRoutes {
        rules: Vec<crate::RouterRule>,
        id: RequestId<crate::AddRoutesReply>,
    },
    /// `clients.get(client)`: a client of the worker's origin, or `None`.
    GetClient {
        client: String,
        id: RequestId<Option<ClientInfo>>,
    },
    /// `clients.matchAll(options)`: clients of the worker's origin,
    /// controlled by this worker unless `include_uncontrolled`, of the given
    /// type (`None` = all), most recently created last.
    MatchAllClients {
        include_uncontrolled: bool,
        client_type: Option<ClientType>,
        id: RequestId<Vec<ClientInfo>>,
    },
    /// `windowClient.navigate(url)`: <https://w3c.github.io/ServiceWorker/#client-navigate>.
    /// The client must be a window this worker controls (TypeError otherwise). Answered once
    /// the new document has loaded: its client if it is of the worker's origin, else `None`;
    /// a TypeError if the navigation did not happen.
    NavigateClient {
        client: ClientId,
        url: Url,
        id: RequestId<NavigateClientReply>,
    },
    /// `clients.claim()`: only an active worker may claim.
    Claim {
        id: RequestId<Result<(), ServiceWorkerError>>,
    },
    /// `client.postMessage(message)`.
    PostMessageToClient {
        client: ClientId,
        message: SerializedMessage,
    },
    /// `serviceWorker.postMessage(message)` from a service worker, to itself or another
    /// worker of its origin. The sender is the worker whose channel this came on.
    PostMessageToWorker {
        worker: ServiceWorkerId,
        message: SerializedMessage,
    },
    /// `self.registration.update()` / `unregister()`, with the worker's
    /// origin as the client origin.
    ServiceWorker(ServiceWorkerRequest),
    /// A `SyncManager` request from the worker (`self.registration.sync`).
    Sync(background_sync_traits::SyncRequest),
    /// An IndexedDB message (see [`ScriptMsg::IndexedDb`]).
    IndexedDb(indexeddb_traits::IdbMsg),
    /// A CacheStorage request (see [`ScriptMsg::CacheStorage`]), answered
    /// with [`ToWorkerMsg::Reply`].
    CacheStorage(cache_storage_traits::CacheMsg),
    /// An uncaught exception or unhandled rejection, as the worker printed
    /// it (`file:line:col Uncaught ...`), for the embedder.
    UncaughtError { message: String },
    /// The worker's JavaScript went over `js.max_heap_bytes`: its thread
    /// ends. `during` is the event whose listener was running when it did,
    /// if one was: that event fails, the others in flight were cut off.
    OutOfMemory { during: Option<WorkerEventId> },
}

/// The constellation to a service worker's thread.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorkerMsg {
    /// The answer to the worker's request numbered `id` (see
    /// [`ToClientMsg::Reply`]).
    Reply { id: u64, answer: Option<Box<Reply>> },
    /// Fire `event` and answer with [`WorkerMsg::EventDone`] when it is over.
    Event {
        id: WorkerEventId,
        event: WorkerEvent,
    },
    /// A registration of the worker's origin changed (its own included:
    /// `self.registration.active`, `self.serviceWorker.state`).
    Registration(Box<RegistrationUpdate>),
    /// The network went online or offline (see [`ToClientMsg::NetworkChanged`]).
    NetworkChanged { online: bool },
    /// What the IndexedDB backend tells the worker.
    IndexedDb(indexeddb_traits::IdbEvent),
    /// The navigation preload response of the fetch event `id` (`None`: a
    /// network error): what its `preloadResponse` settles with.
    PreloadResponse {
        id: WorkerEventId,
        response: Option<Box<FetchResponseData>>,
    },
    /// Stop: the thread ends its event loop and exits. (A worker stuck in a
    /// script is interrupted through its `WorkerHandle` instead.)
    Terminate,
    /// Several of the above, in order, each its own task: what the
    /// constellation queued for the worker while it was busy (going online
    /// with a thousand pending tags is a thousand events). One message
    /// instead of many lets the worker start on the first while the
    /// constellation carries on.
    Batch(Vec<ToWorkerMsg>),
}

/// A page's ends of its channels, given to the script thread.
#[derive(Debug)]
pub struct ClientChannels {
    pub to_constellation: IpcSender<ScriptMsg>,
    pub from_constellation: IpcReceiver<ToClientMsg>,
}

/// A worker's ends of its channels, given to the worker thread.
#[derive(Debug)]
pub struct WorkerChannels {
    pub to_constellation: IpcSender<WorkerMsg>,
    pub from_constellation: IpcReceiver<ToWorkerMsg>,
}

#[cfg(test)]
mod tests {
    use ipc_channel::ipc;

    use super::*;
    use crate::service_worker::ServiceWorkerState;

    #[test]
    fn worker_messages_cross_ipc() {
        let (to_worker, from_constellation) = ipc::channel::<ToWorkerMsg>().unwrap();
        let source = ClientInfo {
            id: ClientId("c1".into()),
            url: Url::parse("https://a.test/page.html").unwrap(),
            client_type: ClientType::Window,
            frame_type: FrameType::TopLevel,
        };
        to_worker
            .send(ToWorkerMsg::Event {
                id: WorkerEventId(7),
                event: WorkerEvent::Message {
                    source: source.clone(),
                    origin: "https://a.test".into(),
                    message: SerializedMessage(vec![1, 2, 3]),
                },
            })
            .unwrap();
        let ToWorkerMsg::Event { id, event } = from_constellation.recv().unwrap() else {
            panic!("expected an event");
        };
        assert_eq!(id, WorkerEventId(7));
        assert_eq!(event.name(), "message");
        let WorkerEvent::Message { source: got, .. } = event else {
            panic!("expected a message event");
        };
        assert_eq!(got, source);
    }

    #[test]
    fn client_messages_cross_ipc() {
        let (to_client, receiver) = ipc::channel::<ToClientMsg>().unwrap();
        let worker = ServiceWorkerInfo {
            id: ServiceWorkerId(2),
            script_url: Url::parse("https://a.test/sw.js").unwrap(),
            state: ServiceWorkerState::Activated,
        };
        to_client
            .send(ToClientMsg::ControllerChanged {
                controller: Some(worker.clone()),
            })
            .unwrap();
        match receiver.recv().unwrap() {
            ToClientMsg::ControllerChanged { controller } => {
                assert_eq!(controller, Some(worker))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn enum_values_are_the_web_idl_strings() {
        assert_eq!(ClientType::SharedWorker.as_str(), "sharedworker");
        assert_eq!(FrameType::TopLevel.as_str(), "top-level");
    }
}
