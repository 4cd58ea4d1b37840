//! The [`Loader`]: one entry point that dispatches on the URL's scheme.

use std::path::Path;
use std::time::Duration;

use base::origin::host_is_loopback;
use base::Prefs;
use url::Url;

use crate::data::{load_about_url, load_data_url};
use crate::file::load_file_url;
use crate::host_rules::{HostRules, HostRulesError};
use crate::http::HttpClient;
use crate::http_cache::{CacheMode, HttpCache};
use crate::resource::{LoadError, Resource};
use crate::root_certificates::{self, RootCertificatesError};

/// The `User-Agent` sent when the embedder sets none.
pub const DEFAULT_USER_AGENT: &str = concat!("bgsync/", env!("CARGO_PKG_VERSION"));

/// <https://fetch.spec.whatwg.org/#http-redirect-fetch>: "If request's
/// redirect count is 20, then return a network error." Twenty redirects are
/// followed; the twenty-first fails.
pub const MAX_REDIRECTS: u32 = 20;

/// How a [`Loader`] behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoaderConfig {
    /// Largest body accepted, after decoding (pref `net.max_response_bytes`).
    pub max_response_bytes: u64,
    pub user_agent: String,
    /// Deadline for a whole HTTP load, redirects and body included. `None`
    /// (the default) waits as long as the server keeps the connection open,
    /// as a browser tab does.
    pub timeout: Option<Duration>,
    /// Hosts whose connections go to a given address instead of DNS's
    /// (pref `net.host_rules`).
    pub host_rules: HostRules,
    /// CA certificates (DER) trusted for `https:` besides Mozilla's roots,
    /// read from the PEM file of pref `net.extra_root_certificates`.
    pub extra_root_certificates: Vec<Vec<u8>>,
}

/// Network prefs that cannot be used: the engine refuses to start with them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    HostRules(#[from] HostRulesError),
    #[error(transparent)]
    RootCertificates(#[from] RootCertificatesError),
}

impl LoaderConfig {
    /// The configuration `prefs` ask for, or why they cannot be used (a
    /// malformed `net.host_rules`, an unreadable certificate file). The
    /// engine calls this once at start, so a bad pref stops it there.
    pub fn try_from_prefs(prefs: &Prefs) -> Result<LoaderConfig, ConfigError> {
        let host_rules = HostRules::parse(prefs.net_host_rules())?;
        let extra_root_certificates = match prefs.net_extra_root_certificates() {
            "" => Vec::new(),
            path => root_certificates::load_pem_file(Path::new(path))?,
        };
        Ok(LoaderConfig {
            host_rules,
            extra_root_certificates,
            ..LoaderConfig::basic(prefs)
        })
    }

    /// [`LoaderConfig::try_from_prefs`] for prefs already checked at engine
    /// start (a page's or a worker's loader). Should a setting have become
    /// unusable since (the certificate file removed), the error is logged
    /// and that setting left out: its loads then fail, not the process.
    pub fn from_prefs(prefs: &Prefs) -> LoaderConfig {
        let ignore = |error: &dyn std::fmt::Display| {
            log::error!(target: "bgsync::net", "{error}; ignoring it");
        };
        let host_rules = HostRules::parse(prefs.net_host_rules()).unwrap_or_else(|error| {
            ignore(&error);
            HostRules::default()
        });
        let extra_root_certificates = match prefs.net_extra_root_certificates() {
            "" => Vec::new(),
            path => root_certificates::load_pem_file(Path::new(path)).unwrap_or_else(|error| {
                ignore(&error);
                Vec::new()
            }),
        };
        LoaderConfig {
            host_rules,
            extra_root_certificates,
            ..LoaderConfig::basic(prefs)
        }
    }

    /// Everything but the settings that can be invalid.
    fn basic(prefs: &Prefs) -> LoaderConfig {
        LoaderConfig {
            max_response_bytes: prefs.net_max_response_bytes(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: None,
            host_rules: HostRules::default(),
            extra_root_certificates: Vec::new(),
        }
    }
}

impl Default for LoaderConfig {
    fn default() -> Self {
        LoaderConfig::from_prefs(&Prefs::defaults())
    }
}

/// <https://fetch.spec.whatwg.org/#concept-request-redirect-mode>, the
/// modes the engine uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RedirectMode {
    /// Follow redirects (up to [`MAX_REDIRECTS`]).
    #[default]
    Follow,
    /// Return a redirect response as it is (status 3xx, its `Location`
    /// header), without following it: for a caller that judges redirects
    /// itself, like the service-worker script fetch.
    Manual,
}

/// How an HTTP request is made, beyond its URL. (Ignored by `file:`,
/// `data:` and `about:` loads.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// The method; empty means `GET`.
    pub method: String,
    /// Extra request headers (`Service-Worker: script`, `fetch()`'s headers).
    pub headers: Vec<(String, String)>,
    /// The request body (`fetch()` with a body), sent as is.
    pub body: Option<Vec<u8>>,
    pub redirect: RedirectMode,
    /// How the loader's HTTP cache is used (a loader without one ignores it, except that
    /// `OnlyIfCached` then always fails).
    pub cache: CacheMode,
    /// Whose cache entries these are: the origin that fetches (a navigation's: its own URL's
    /// origin). Entries of one partition are not seen by another.
    pub cache_partition: String,
    /// A body that breaks off after the head (a connection cut, broken chunked encoding)
    /// gives the response with what came and `Resource::body_error`, instead of an error: for
    /// a reader that gets the head first (a navigation preload's `preloadResponse`).
    pub keep_broken_body: bool,
}

impl RequestOptions {
    /// A plain GET whose cache entries are those of `origin` (the origin that fetches).
    pub fn partitioned(origin: &url::Origin) -> RequestOptions {
        RequestOptions {
            cache_partition: origin.ascii_serialization(),
            ..RequestOptions::default()
        }
    }
}

/// What [`Loader::stream`] hands its sink, in order: the response's head, then its body in
/// chunks as they arrive.
#[derive(Debug)]
pub enum StreamEvent<'a> {
    /// The final response, its body empty.
    Head(&'a Resource),
    Chunk(&'a [u8]),
}

/// Loads resources; cheap to clone, and clones share one HTTP connection pool.
#[derive(Clone, Debug)]
pub struct Loader {
    http: HttpClient,
    max_response_bytes: u64,
    http_cache: Option<HttpCache>,
}

impl Loader {
    pub fn new(config: LoaderConfig) -> Loader {
        Loader {
            http: HttpClient::new(&config, MAX_REDIRECTS),
            max_response_bytes: config.max_response_bytes,
            http_cache: None,
        }
    }

    /// This loader, storing and reusing HTTP responses in `cache` (shared with every other
    /// loader given it); `None`: without an HTTP cache.
    pub fn with_http_cache(mut self, cache: impl Into<Option<HttpCache>>) -> Loader {
        self.http_cache = cache.into();
        self
    }

    /// The HTTP cache this loader uses, if any.
    pub fn http_cache(&self) -> Option<&HttpCache> {
        self.http_cache.as_ref()
    }

    /// The largest body this loader accepts (`net.max_response_bytes`).
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// Fetches `url`, blocking until the whole body has arrived.
    ///
    /// <https://fetch.spec.whatwg.org/#scheme-fetch>, without the request
    /// modes and CORS of full Fetch (the script side applies them); through the loader's HTTP
    /// cache, if it has one.
    pub fn load(&self, url: &Url) -> Result<Resource, LoadError> {
        self.load_with(url, &RequestOptions::default())
    }

    /// Fetches `url` and hands the response to `sink` as it arrives (the head, then each
    /// chunk of the body; `sink` returns false to stop), for a reader of a body that may not
    /// end (an event stream). Blocks until the body ends, `sink` stops it, or the load fails;
    /// returns the head. An `http(s)` body is not limited by `net.max_response_bytes` (it is
    /// not kept) and does not go through the HTTP cache; other schemes load whole, as one
    /// chunk.
    pub fn stream(
        &self,
        url: &Url,
        options: &RequestOptions,
        sink: &mut dyn FnMut(StreamEvent<'_>) -> bool,
    ) -> Result<Resource, LoadError> {
        if matches!(url.scheme(), "http" | "https") {
            return self
                .http
                .stream(url, options, self.max_response_bytes, sink);
        }
        let mut resource = self.load_with(url, options)?;
        let body = std::mem::take(&mut resource.body);
        if sink(StreamEvent::Head(&resource)) && !body.is_empty() {
            sink(StreamEvent::Chunk(&body));
        }
        Ok(resource)
    }

    /// [`Loader::load`] with request headers and a redirect mode.
    pub fn load_with(&self, url: &Url, options: &RequestOptions) -> Result<Resource, LoadError> {
        let result = match url.scheme() {
            "http" | "https" => self.http.load(
                url,
                options,
                self.max_response_bytes,
                self.http_cache.as_ref(),
            ),
            "file" => load_file_url(url, self.max_response_bytes),
            "data" => load_data_url(url, self.max_response_bytes),
            "about" => load_about_url(url),
            scheme => Err(LoadError::UnsupportedScheme(scheme.to_owned())),
        };
        match &result {
            Ok(resource) => log::debug!(
                target: "bgsync::net",
                "loaded {url}: {} {}, {} bytes{}",
                resource.status,
                resource.content_type.as_deref().unwrap_or("(no type)"),
                resource.body.len(),
                if resource.redirected {
                    format!(", redirected to {}", resource.url)
                } else {
                    String::new()
                }
            ),
            Err(error) => log::debug!(target: "bgsync::net", "failed to load {url}: {error}"),
        }
        result
    }
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new(LoaderConfig::default())
    }
}

/// Whether `url`'s host always means this machine (`localhost` and names
/// under `.localhost`, 127.0.0.0/8, `::1`): the loads that still work while
/// the engine is offline, as they do on a machine whose cable is unplugged.
/// False for URLs without a host (`file:`, `data:`).
pub fn is_loopback_host(url: &Url) -> bool {
    url.host().is_some_and(|host| host_is_loopback(&host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(url: &str) -> bool {
        is_loopback_host(&Url::parse(url).unwrap())
    }

    #[test]
    fn loopback_hosts_are_recognized() {
        assert!(loopback("http://localhost:8000/app.html"));
        assert!(loopback("http://127.0.0.1/"));
        assert!(loopback("http://127.3.2.1:9/"));
        assert!(loopback("https://[::1]/"));
        assert!(loopback("http://sub.localhost/"));
    }

    #[test]
    fn other_hosts_are_not_loopback() {
        assert!(!loopback("http://example.com/"));
        assert!(!loopback("http://192.168.1.1/"));
        assert!(!loopback("http://[::2]/"));
        assert!(!loopback("file:///tmp/x.html"));
        assert!(!loopback("data:,x"));
    }

    #[test]
    fn config_takes_the_limit_from_prefs() {
        let prefs = Prefs::with_overrides(["net.max_response_bytes=1234"]).unwrap();
        assert_eq!(LoaderConfig::from_prefs(&prefs).max_response_bytes, 1234);
        assert_eq!(LoaderConfig::default().max_response_bytes, 64 * 1024 * 1024);
    }

    #[test]
    fn config_takes_host_rules_from_prefs() {
        let prefs = Prefs::with_overrides(["net.host_rules=MAP *.wpt.test 127.0.0.1"]).unwrap();
        let config = LoaderConfig::try_from_prefs(&prefs).unwrap();
        assert_eq!(
            config.host_rules.map("www.wpt.test"),
            "127.0.0.1".parse().ok()
        );
        assert!(LoaderConfig::default().host_rules.is_empty());
        assert!(LoaderConfig::default().extra_root_certificates.is_empty());
    }

    #[test]
    fn bad_network_prefs_are_errors() {
        let prefs = Prefs::with_overrides(["net.host_rules=MAP wpt.test nowhere"]).unwrap();
        assert!(matches!(
            LoaderConfig::try_from_prefs(&prefs),
            Err(ConfigError::HostRules(_))
        ));
        // from_prefs leaves the bad setting out and keeps the rest.
        let prefs = Prefs::with_overrides([
            "net.extra_root_certificates=/nonexistent/ca.pem",
            "net.max_response_bytes=10",
        ])
        .unwrap();
        let error = LoaderConfig::try_from_prefs(&prefs).unwrap_err();
        assert!(matches!(error, ConfigError::RootCertificates(_)));
        assert!(
            error.to_string().starts_with(
                "pref \"net.extra_root_certificates\": /nonexistent/ca.pem: No such file"
            ),
            "{error}"
        );
        let config = LoaderConfig::from_prefs(&prefs);
        assert_eq!(config.max_response_bytes, 10);
        assert!(config.extra_root_certificates.is_empty());
    }

    #[test]
    fn a_file_without_certificates_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let bad = dir.path().join("bad.pem");
        std::fs::write(
            &bad,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        for (path, reason) in [
            (&empty, "no PEM certificate in the file"),
            (&bad, "certificate 1 is unusable"),
        ] {
            let prefs =
                Prefs::with_overrides([format!("net.extra_root_certificates={}", path.display())])
                    .unwrap();
            let error = LoaderConfig::try_from_prefs(&prefs).unwrap_err();
            assert!(error.to_string().contains(reason), "{error}");
        }
    }

    #[test]
    fn loader_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Loader>();
    }
}
