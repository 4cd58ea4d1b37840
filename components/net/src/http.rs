//! `http:` and `https:` through a blocking `ureq` agent (rustls, Mozilla's
//! roots plus any of `net.extra_root_certificates`; host names resolved
//! through `net.host_rules`, then DNS). Redirects are followed here rather than inside `ureq`, so that
//! they follow Fetch: `Location` is parsed with the URL Standard against
//! the response's URL, a redirect to anything but HTTP(S) is a network
//! error, and fragments carry over. Any method token is sent as given, and
//! `statusText` is the server's reason phrase (`status_line`), not the
//! code's canonical one.

use std::time::{Duration, Instant, SystemTime};

use ureq::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use ureq::http::Response;
use ureq::tls::TlsConfig;
use ureq::{Agent, Body};
use url::Url;

use crate::content_type::ContentType;
use crate::host_rules::HostRulesResolver;
use crate::http_cache::{CacheControl, CacheMode, HttpCache};
use crate::loader::{LoaderConfig, RedirectMode, RequestOptions, StreamEvent};
use crate::resource::{LoadError, Resource};
use crate::root_certificates;
use crate::status_line::{self, StatusLineConnector};

/// A reusable HTTP client: one connection pool and TLS configuration for
/// every load of a [`crate::Loader`].
#[derive(Clone, Debug)]
pub(crate) struct HttpClient {
    agent: Agent,
    max_redirects: u32,
    timeout: Option<Duration>,
}

impl HttpClient {
    pub fn new(loader_config: &LoaderConfig, max_redirects: u32) -> HttpClient {
        let tls_config = TlsConfig::builder()
            .root_certs(root_certificates::root_certs(
                &loader_config.extra_root_certificates,
            ))
            .build();
        let config = Agent::config_builder()
            // A 404 is a response for the page to look at, not a failure.
            .http_status_as_error(false)
            .max_redirects(0)
            // fetch() sends any method token a script gives (normalized by
            // the script side: only the standard ones are uppercased).
            .allow_non_standard_methods(true)
            .user_agent(&loader_config.user_agent)
            .tls_config(tls_config)
            .build();
        HttpClient {
            agent: Agent::with_parts(
                config,
                StatusLineConnector::default(),
                // `net.host_rules` first, then DNS.
                HostRulesResolver::new(loader_config.host_rules.clone()),
            ),
            max_redirects,
            timeout: loader_config.timeout,
        }
    }

    /// <https://fetch.spec.whatwg.org/#http-fetch> without CORS or credentials, with the
    /// request's redirect mode, each hop through `cache` if there is one.
    pub fn load(
        &self,
        url: &Url,
        options: &RequestOptions,
        max_bytes: u64,
        cache: Option<&HttpCache>,
    ) -> Result<Resource, LoadError> {
        let deadline = self.timeout.map(|timeout| Instant::now() + timeout);
        let mut current_url = url.clone();
        let mut redirect_count = 0;
        let mut method = if options.method.is_empty() {
            "GET".to_owned()
        } else {
            options.method.clone()
        };
        let mut body = options.body.clone();
        let mut headers = options.headers.clone();
        loop {
            let hop = Hop {
                url: &current_url,
                method: &method,
                headers: &headers,
                body: body.as_deref(),
                deadline,
                max_bytes,
                keep_broken_body: options.keep_broken_body,
            };
            let response = self.network_or_cache(&hop, options, cache)?;
            let status = response.status;
            let location_url = match options.redirect {
                RedirectMode::Follow => redirect_location(&response)?,
                // The redirect response is the response.
                RedirectMode::Manual => None,
            };
            let Some(location_url) = location_url else {
                return Ok(Resource {
                    redirected: redirect_count > 0,
                    ..response
                });
            };
            // https://fetch.spec.whatwg.org/#http-redirect-fetch
            // Step 6: If locationURL's scheme is not an HTTP(S) scheme, then
            // return a network error.
            if !matches!(location_url.scheme(), "http" | "https") {
                return Err(LoadError::Network(format!(
                    "{current_url} redirects to {location_url}, which is not an HTTP(S) URL"
                )));
            }
            // Step 7: If request's redirect count is 20, then return a
            // network error.
            if redirect_count == self.max_redirects {
                return Err(LoadError::TooManyRedirects);
            }
            // Step 8: Increase request's redirect count by 1.
            redirect_count += 1;
            // Step 12: a 301/302 to a POST, or a 303 to anything but GET/HEAD, becomes a
            // GET without a body or the body's headers.
            if ((status == 301 || status == 302) && method == "POST")
                || (status == 303 && method != "GET" && method != "HEAD")
            {
                method = "GET".to_owned();
                body = None;
                headers.retain(|(name, _)| {
                    !matches!(
                        name.to_ascii_lowercase().as_str(),
                        "content-encoding"
                            | "content-language"
                            | "content-location"
                            | "content-type"
                    )
                });
            }
            current_url = location_url;
        }
    }

    /// <https://fetch.spec.whatwg.org/#http-network-or-cache-fetch>, its cache steps: a
    /// stored response answers a `GET` when the cache mode and its freshness allow, a stale
    /// one is revalidated (a 304 refreshes it), and what the network gives is stored.
    fn network_or_cache(
        &self,
        hop: &Hop<'_>,
        options: &RequestOptions,
        cache: Option<&HttpCache>,
    ) -> Result<Resource, LoadError> {
        let Some(cache) = cache else {
            if options.cache == CacheMode::OnlyIfCached {
                return Err(not_cached(hop.url));
            }
            return self.network(hop, &[]);
        };
        if hop.method != "GET" {
            let response = self.network(hop, &[])?;
            // RFC 9111 section 4.4: an unsafe method's success invalidates the URL.
            if !matches!(hop.method, "HEAD" | "OPTIONS" | "TRACE") && response.status < 400 {
                cache.invalidate(hop.url);
            }
            return Ok(response);
        }
        let partition = options.cache_partition.as_str();
        let mode = effective_cache_mode(options.cache, hop.headers);
        let added = cache_mode_headers(mode, hop.headers);
        if mode == CacheMode::NoStore {
            return self.network(hop, &added);
        }
        let store = |response: &Resource, request_time: SystemTime| {
            let response_time = SystemTime::now();
            cache.store(
                partition,
                hop.url,
                hop.headers,
                response,
                request_time,
                response_time,
            );
        };
        let stored = match mode {
            CacheMode::Reload => None,
            _ => cache.lookup(partition, hop.url, hop.headers),
        };
        match stored {
            Some(stored) => {
                let usable = match mode {
                    CacheMode::ForceCache | CacheMode::OnlyIfCached => true,
                    CacheMode::Default => stored.fresh,
                    _ => false,
                };
                if usable {
                    return Ok(stored.resource);
                }
                if !stored.validators.is_empty() {
                    let mut conditional = added.clone();
                    conditional.extend(stored.validators.conditional_headers());
                    let request_time = SystemTime::now();
                    let response = self.network(hop, &conditional)?;
                    if response.status != 304 {
                        store(&response, request_time);
                        return Ok(response);
                    }
                    let refreshed = cache.refresh(
                        partition,
                        hop.url,
                        hop.headers,
                        &response,
                        request_time,
                        SystemTime::now(),
                    );
                    if let Some(refreshed) = refreshed {
                        return Ok(refreshed);
                    }
                    // Evicted meanwhile: ask again without the condition.
                }
            }
            None if mode == CacheMode::OnlyIfCached => return Err(not_cached(hop.url)),
            None => {}
        }
        let request_time = SystemTime::now();
        let response = self.network(hop, &added)?;
        store(&response, request_time);
        Ok(response)
    }

    /// [`HttpClient::load`] whose final response's body is handed to `sink` as it arrives,
    /// not kept: `sink` gets the head first, then each chunk, and returns false to stop
    /// reading. Redirects are followed (their own bodies read whole); the HTTP cache is not
    /// used. The head, once the body ended or `sink` stopped it.
    pub fn stream(
        &self,
        url: &Url,
        options: &RequestOptions,
        max_bytes: u64,
        sink: &mut dyn FnMut(StreamEvent<'_>) -> bool,
    ) -> Result<Resource, LoadError> {
        let deadline = self.timeout.map(|timeout| Instant::now() + timeout);
        let method = if options.method.is_empty() {
            "GET"
        } else {
            options.method.as_str()
        };
        let mut headers = options.headers.clone();
        // Not read from the cache, but asked for as the cache mode says (no-store: no-cache).
        headers.extend(cache_mode_headers(
            effective_cache_mode(options.cache, &options.headers),
            &options.headers,
        ));
        let mut current_url = url.clone();
        for redirect_count in 0..=self.max_redirects {
            let response = self.send(
                &current_url,
                method,
                &headers,
                options.body.as_deref(),
                deadline,
            )?;
            let head = head_of(current_url.clone(), &response, redirect_count > 0);
            let location = match options.redirect {
                RedirectMode::Follow => redirect_location(&head)?,
                RedirectMode::Manual => None,
            };
            if let Some(location) = location {
                if !matches!(location.scheme(), "http" | "https") {
                    return Err(LoadError::Network(format!(
                        "{current_url} redirects to {location}, which is not an HTTP(S) URL"
                    )));
                }
                // The redirect's own body is read and dropped.
                read_resource(current_url, response, false, max_bytes)?;
                current_url = location;
                continue;
            }
            if !sink(StreamEvent::Head(&head)) {
                return Ok(head);
            }
            let mut reader = response.into_body().into_reader();
            let mut buffer = vec![0; 16 * 1024];
            loop {
                let read = std::io::Read::read(&mut reader, &mut buffer)
                    .map_err(|error| LoadError::Network(format!("{current_url}: {error}")))?;
                if read == 0 || !sink(StreamEvent::Chunk(&buffer[..read])) {
                    return Ok(head);
                }
            }
        }
        Err(LoadError::TooManyRedirects)
    }

    /// One request over the network, `extra_headers` after the hop's own.
    fn network(
        &self,
        hop: &Hop<'_>,
        extra_headers: &[(String, String)],
    ) -> Result<Resource, LoadError> {
        let mut headers = hop.headers.to_vec();
        headers.extend_from_slice(extra_headers);
        let response = self.send(hop.url, hop.method, &headers, hop.body, hop.deadline)?;
        read_resource_keeping(
            hop.url.clone(),
            response,
            false,
            hop.max_bytes,
            hop.keep_broken_body,
        )
    }

    fn send(
        &self,
        url: &Url,
        method: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
        deadline: Option<Instant>,
    ) -> Result<Response<Body>, LoadError> {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(url.as_str());
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let invalid = |error: ureq::http::Error| {
            LoadError::Network(format!("cannot make a request for {url}: {error}"))
        };
        // The body is read under the same deadline (ureq's global timeout covers it), so the
        // whole load, redirects included, is bounded.
        let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        status_line::clear();
        let result = match body {
            Some(body) => {
                let request = builder.body(body.to_vec()).map_err(invalid)?;
                let request = self
                    .agent
                    .configure_request(request)
                    .timeout_global(remaining)
                    .build();
                self.agent.run(request)
            }
            None => {
                let request = builder.body(()).map_err(invalid)?;
                let request = self
                    .agent
                    .configure_request(request)
                    .timeout_global(remaining)
                    .build();
                self.agent.run(request)
            }
        };
        let taken_line = status_line::take();
        let mut response = result.map_err(|error| map_error(error, url))?;
        let status = response.status().as_u16();
        if let Some(reason) = taken_line.and_then(|line| status_line::reason_phrase(&line, status))
        {
            response.extensions_mut().insert(ReasonPhrase(reason));
        }
        Ok(response)
    }
}

/// The response's reason phrase as the server sent it (see `status_line`).
#[derive(Clone, Debug)]
struct ReasonPhrase(String);

/// One request of a load: the first, or one after a redirect.
struct Hop<'a> {
    url: &'a Url,
    method: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a [u8]>,
    deadline: Option<Instant>,
    max_bytes: u64,
    keep_broken_body: bool,
}

fn not_cached(url: &Url) -> LoadError {
    LoadError::Network(format!(
        "{url} is not in the HTTP cache, and the request's cache mode is 'only-if-cached'"
    ))
}

/// The request's cache mode after its own headers: a conditional request of the page's is
/// not answered from the cache (Fetch, HTTP-network-or-cache fetch step 8.18), and, as in
/// Chromium, `Cache-Control: no-cache` or `Pragma: no-cache` bypasses it, `max-age=0`
/// revalidates, `no-store` neither reads nor writes.
fn effective_cache_mode(mode: CacheMode, headers: &[(String, String)]) -> CacheMode {
    if mode != CacheMode::Default {
        return mode;
    }
    let has = |name: &str| {
        headers
            .iter()
            .any(|(header, _)| header.eq_ignore_ascii_case(name))
    };
    if [
        "if-modified-since",
        "if-none-match",
        "if-unmodified-since",
        "if-match",
        "if-range",
    ]
    .iter()
    .any(|name| has(name))
    {
        return CacheMode::NoStore;
    }
    let directives = CacheControl::parse(headers);
    if directives.no_store {
        CacheMode::NoStore
    } else if directives.no_cache {
        CacheMode::Reload
    } else if directives.max_age == Some(0) {
        CacheMode::NoCache
    } else {
        CacheMode::Default
    }
}

/// The headers Fetch adds for a cache mode (HTTP-network-or-cache fetch, steps 8.19-8.20):
/// `no-cache` asks for `max-age=0`, `no-store` and `reload` for `no-cache`, unless the
/// request says otherwise itself.
fn cache_mode_headers(mode: CacheMode, headers: &[(String, String)]) -> Vec<(String, String)> {
    let has = |name: &str| {
        headers
            .iter()
            .any(|(header, _)| header.eq_ignore_ascii_case(name))
    };
    let mut added = Vec::new();
    match mode {
        CacheMode::NoCache if !has("cache-control") => {
            added.push(("Cache-Control".to_owned(), "max-age=0".to_owned()));
        }
        CacheMode::NoStore | CacheMode::Reload => {
            if !has("pragma") {
                added.push(("Pragma".to_owned(), "no-cache".to_owned()));
            }
            if !has("cache-control") {
                added.push(("Cache-Control".to_owned(), "no-cache".to_owned()));
            }
        }
        _ => {}
    }
    added
}

/// <https://fetch.spec.whatwg.org/#concept-response-location-url>: the URL
/// a redirect response points to, or `None` when `response` is no redirect
/// (or a redirect status without `Location`, which is itself the response).
fn redirect_location(response: &Resource) -> Result<Option<Url>, LoadError> {
    let Some(location) = response.redirect_location() else {
        return Ok(None);
    };
    let response_url = &response.url;
    let mut location_url = response_url.join(location).map_err(|error| {
        LoadError::Network(format!(
            "{response_url} redirects to {location:?}, which is no URL: {error}"
        ))
    })?;
    // If location's fragment is null, set it to the request's fragment.
    if location_url.fragment().is_none() {
        location_url.set_fragment(response_url.fragment());
    }
    Ok(Some(location_url))
}

fn read_resource(
    url: Url,
    response: Response<Body>,
    redirected: bool,
    max_bytes: u64,
) -> Result<Resource, LoadError> {
    read_resource_keeping(url, response, redirected, max_bytes, false)
}

/// [`read_resource`]; with `keep_broken`, a body that breaks off is [`Resource::body_error`]
/// rather than an error.
fn read_resource_keeping(
    url: Url,
    mut response: Response<Body>,
    redirected: bool,
    max_bytes: u64,
    keep_broken: bool,
) -> Result<Resource, LoadError> {
    if declared_length_exceeds(&response, max_bytes) {
        return Err(LoadError::TooLarge { limit: max_bytes });
    }
    let head = head_of(url, &response, redirected);
    // The limit applies to the decoded body, so a small compressed response
    // cannot expand past it.
    let mut body = Vec::new();
    let mut reader = response.body_mut().with_config().limit(max_bytes).reader();
    let body_error = match std::io::Read::read_to_end(&mut reader, &mut body) {
        Ok(_) => None,
        Err(error) => {
            let inner = error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>());
            if matches!(inner, Some(ureq::Error::BodyExceedsLimit(_)))
                || body.len() as u64 >= max_bytes
            {
                return Err(LoadError::TooLarge { limit: max_bytes });
            }
            let reason = match inner {
                Some(ureq::Error::Timeout(timeout)) => format!(
                    "{}: timed out ({timeout}) after {} bytes of the body",
                    head.url,
                    body.len()
                ),
                _ => format!(
                    "{}: the body broke off after {} bytes: {error}",
                    head.url,
                    body.len()
                ),
            };
            if !keep_broken {
                return Err(LoadError::Network(reason));
            }
            Some(reason)
        }
    };
    Ok(Resource {
        body,
        body_error,
        ..head
    })
}

/// The response's status, headers and type, as a [`Resource`] without its body.
fn head_of(url: Url, response: &Response<Body>, redirected: bool) -> Resource {
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(ContentType::parse);
    let (content_type, charset) = match content_type {
        Some(content_type) => (Some(content_type.essence), content_type.charset),
        None => (None, None),
    };
    Resource {
        url,
        status: status.as_u16(),
        status_text: response
            .extensions()
            .get::<ReasonPhrase>()
            .map(|reason| reason.0.clone())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned()),
        headers,
        content_type,
        charset,
        body: Vec::new(),
        redirected,
        body_error: None,
    }
}

/// Whether an uncompressed response announces a body over the limit, which
/// is refused before reading any of it.
fn declared_length_exceeds(response: &Response<Body>, max_bytes: u64) -> bool {
    if response.headers().contains_key(CONTENT_ENCODING) {
        return false;
    }
    response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_some_and(|length| length > max_bytes)
}

fn map_error(error: ureq::Error, url: &Url) -> LoadError {
    match error {
        ureq::Error::BadUri(reason) => LoadError::InvalidUrl(format!("{url}: {reason}")),
        ureq::Error::Http(error) => LoadError::InvalidUrl(format!("{url}: {error}")),
        ureq::Error::HostNotFound => LoadError::Network(format!(
            "host not found: {}",
            url.host_str().unwrap_or_default()
        )),
        ureq::Error::Io(error) => LoadError::Network(format!("{url}: {error}")),
        ureq::Error::Timeout(timeout) => {
            LoadError::Network(format!("{url}: timed out ({timeout})"))
        }
        other => LoadError::Network(format!("{url}: {other}")),
    }
}
