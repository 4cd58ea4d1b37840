//! Resource loading: turn a URL into the bytes and metadata behind it.
//!
//! [`Loader::load`] is blocking and does one thing: it fetches `http:`,
//! `https:`, `file:`, `data:` and `about:blank` URLs and reports what came
//! back, HTTP error statuses included (a 404 is a [`Resource`], not an
//! error). Where it runs (the constellation, a dedicated thread) and whether
//! a load may go out at all (offline, CSP, mixed content) is the caller's
//! decision; [`is_loopback_host`] tells which loads an offline engine still
//! allows. A loader given an [`HttpCache`] (`Loader::with_http_cache`) answers `GET`s from it
//! as the request's [`CacheMode`] and the stored response's freshness allow.
//!
//! [`NetworkObserver`] answers the other question the engine asks of the
//! network: is it online? It watches the OS's interfaces (rtnetlink on
//! Linux), debounces their changes, applies the embedder's override and
//! reports every change to its subscribers.

mod content_type;
mod data;
mod file;
mod host_rules;
mod http;
mod http_cache;
mod loader;
pub mod network_observer;
mod resource;
mod root_certificates;
mod status_line;

pub use host_rules::{HostMapping, HostRules, HostRulesError};
pub use http_cache::{CacheMode, HttpCache};
pub use loader::{
    is_loopback_host, ConfigError, Loader, LoaderConfig, RedirectMode, RequestOptions, StreamEvent,
    DEFAULT_USER_AGENT, MAX_REDIRECTS,
};
pub use network_observer::{
    Connectivity, ConnectivityChange, InterfaceEvent, NetworkObserver, ObserverConfig,
    LOG_TARGET as NETWORK_OBSERVER_LOG_TARGET,
};
pub use resource::{is_redirect_status, LoadError, Resource};
pub use root_certificates::{load_pem_file, RootCertificatesError};
