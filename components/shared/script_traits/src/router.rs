//! The Static Routing API's rules (https://w3c.github.io/ServiceWorker/#dictdef-routerrule), as
//! `InstallEvent.addRoutes()` hands them to the engine: what the script side converted from
//! its dictionaries, not yet checked. The registry verifies them against the worker's script
//! URL, keeps them with the worker (stored with the registration) and matches requests
//! against them before a fetch event.

use serde::{Deserialize, Serialize};

/// <https://w3c.github.io/ServiceWorker/#dictdef-routerrule>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterRule {
    pub condition: RouterCondition,
    pub source: RouterSource,
}

/// <https://w3c.github.io/ServiceWorker/#dictdef-routercondition>: every member given must
/// match (`or` and `not` stand alone).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterCondition {
    pub url_pattern: Option<UrlPatternInput>,
    pub request_method: Option<String>,
    /// A `RequestMode` value (`"navigate"`, `"cors"`...).
    pub request_mode: Option<String>,
    /// A `RequestDestination` value (`""`, `"document"`, `"script"`...).
    pub request_destination: Option<String>,
    pub running_status: Option<RunningStatus>,
    pub or: Option<Vec<RouterCondition>>,
    pub not: Option<Box<RouterCondition>>,
}

/// <https://w3c.github.io/ServiceWorker/#enumdef-runningstatus>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunningStatus {
    Running,
    NotRunning,
}

/// A condition's `urlPattern`: a constructor string, or the parts of a pattern
/// (https://urlpattern.spec.whatwg.org/#dictdef-urlpatterninit). Either is resolved against
/// the worker's script URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UrlPatternInput {
    String(String),
    Init(UrlPatternParts),
}

/// <https://urlpattern.spec.whatwg.org/#dictdef-urlpatterninit>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlPatternParts {
    pub protocol: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<String>,
    pub pathname: Option<String>,
    pub search: Option<String>,
    pub hash: Option<String>,
    pub base_url: Option<String>,
}

/// <https://w3c.github.io/ServiceWorker/#typedefdef-routersource>: where a matching request
/// gets its response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouterSource {
    /// The network, without the worker.
    Network,
    /// The worker's `fetch` event.
    FetchEvent,
    /// The network and the `fetch` event at once: the first response wins.
    RaceNetworkAndFetchHandler,
    /// The origin's CacheStorage (`None`: every cache, in creation order), without the
    /// worker; the network when nothing matches.
    Cache { cache_name: Option<String> },
}

/// The answer to `addRoutes()` ([`crate::WorkerMsg::AddRoutes`]): how many rules the worker
/// has now, or why the rules were refused (a TypeError's message).
pub type AddRoutesReply = Result<usize, crate::ServiceWorkerError>;
