//! The HTTP cache: responses kept in memory, reused while fresh and revalidated when stale
//! (<https://httpwg.org/specs/rfc9111.html>, a private cache), under the request's cache mode
//! (<https://fetch.spec.whatwg.org/#concept-request-cache-mode>).
//!
//! One [`HttpCache`] belongs to one engine: its pages, its workers and its service-worker
//! script fetches share it through their [`crate::Loader`]s (clones share the store). Entries
//! are keyed by a partition (the origin that fetches, or a navigation's own origin) and the URL
//! without its fragment, so one site cannot learn what another loaded; `Vary` picks among the
//! variants of one key. Only `GET` responses are stored; an unsafe method's success
//! invalidates its URL. The store is bounded: past its size, the least recently used entries
//! go, and a body over an eighth of it is not kept.
//!
//! Decisions: the cache lives in memory for the engine's lifetime (a restart starts empty);
//! `Authorization` requests are not stored; a stored response served from the cache keeps
//! its headers as stored (no `Age` is added).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use url::Url;

use crate::resource::Resource;

/// <https://fetch.spec.whatwg.org/#concept-request-cache-mode>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheMode {
    /// Use a fresh stored response; revalidate a stale one; store what the network gives.
    #[default]
    Default,
    /// Neither read nor write the cache.
    NoStore,
    /// Go to the network, and store what it gives.
    Reload,
    /// Revalidate any stored response with the server, and store what it gives.
    NoCache,
    /// Use any stored response, fresh or stale; otherwise as `Default`.
    ForceCache,
    /// Use any stored response; without one, a network error (for `same-origin` requests).
    OnlyIfCached,
}

impl CacheMode {
    /// The mode of a `RequestCache` value (`"no-store"`), or `None` for another string.
    pub fn from_fetch_name(name: &str) -> Option<CacheMode> {
        Some(match name {
            "default" => CacheMode::Default,
            "no-store" => CacheMode::NoStore,
            "reload" => CacheMode::Reload,
            "no-cache" => CacheMode::NoCache,
            "force-cache" => CacheMode::ForceCache,
            "only-if-cached" => CacheMode::OnlyIfCached,
            _ => return None,
        })
    }
}

/// A shared, bounded HTTP cache; cheap to clone, and clones share the store.
#[derive(Clone, Debug)]
pub struct HttpCache {
    store: Arc<Mutex<Store>>,
}

impl HttpCache {
    /// An empty cache that holds at most `max_bytes` of bodies and headers (pref
    /// `net.http_cache_max_bytes`).
    pub fn new(max_bytes: u64) -> HttpCache {
        HttpCache {
            store: Arc::new(Mutex::new(Store {
                max_bytes: usize::try_from(max_bytes).unwrap_or(usize::MAX),
                ..Store::default()
            })),
        }
    }

    /// The cache `prefs` ask for (`net.http_cache_max_bytes`); `None` when that is 0.
    pub fn from_prefs(prefs: &base::Prefs) -> Option<HttpCache> {
        match prefs.net_http_cache_max_bytes() {
            0 => None,
            max_bytes => Some(HttpCache::new(max_bytes)),
        }
    }

    /// How many responses are stored.
    pub fn len(&self) -> usize {
        self.lock().entries.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes the stored responses take.
    pub fn stored_bytes(&self) -> usize {
        self.lock().total_bytes
    }

    /// Forgets every stored response.
    pub fn clear(&self) {
        let mut store = self.lock();
        store.entries.clear();
        store.total_bytes = 0;
    }

    /// Forgets the responses stored for `origin`'s URLs, in every partition
    /// (`Clear-Site-Data: "cache"`).
    pub fn clear_origin(&self, origin: &url::Origin) {
        self.lock()
            .remove_where(|key| Url::parse(&key.url).is_ok_and(|url| url.origin() == *origin));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while the store was held leaves it consistent (every change is one step).
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stored response for a request of `url` with `request_headers`, if one matches.
    pub(crate) fn lookup(
        &self,
        partition: &str,
        url: &Url,
        request_headers: &[(String, String)],
    ) -> Option<Stored> {
        let mut store = self.lock();
        let key = Key::new(partition, url);
        store.clock += 1;
        let clock = store.clock;
        let entry = store
            .entries
            .get_mut(&key)?
            .iter_mut()
            .find(|entry| entry.matches(request_headers))?;
        entry.last_used = clock;
        let now = SystemTime::now();
        let directives = CacheControl::parse(&entry.response.headers);
        let fresh = !directives.no_cache && entry.freshness_lifetime > entry.current_age(now);
        let mut resource = entry.response.clone();
        resource.url = url.clone();
        Some(Stored {
            validators: Validators::of(&resource),
            resource,
            fresh,
        })
    }

    /// Stores `response` to a `GET` of `url`, if it may be: RFC 9111 section 3, for a private
    /// cache. `request_time` is when the request went out, `response_time` when its answer
    /// came.
    pub(crate) fn store(
        &self,
        partition: &str,
        url: &Url,
        request_headers: &[(String, String)],
        response: &Resource,
        request_time: SystemTime,
        response_time: SystemTime,
    ) {
        if !is_storable(request_headers, response) {
            return;
        }
        let entry = Entry::new(request_headers, response, request_time, response_time);
        self.lock().insert(Key::new(partition, url), entry);
    }

    /// A `304 Not Modified` answered the revalidation of the stored response for `url`: its
    /// headers are updated from the 304's and it is fresh again (RFC 9111 section 4.3.4). The
    /// updated response, or `None` if it went from the cache meanwhile.
    pub(crate) fn refresh(
        &self,
        partition: &str,
        url: &Url,
        request_headers: &[(String, String)],
        not_modified: &Resource,
        request_time: SystemTime,
        response_time: SystemTime,
    ) -> Option<Resource> {
        let mut store = self.lock();
        let key = Key::new(partition, url);
        let entry = store
            .entries
            .get_mut(&key)?
            .iter_mut()
            .find(|entry| entry.matches(request_headers))?;
        // The 304's headers replace the stored ones of the same names, except those that
        // describe its own (empty) body.
        let updates: Vec<(String, String)> = not_modified
            .headers
            .iter()
            .filter(|(name, _)| {
                !matches!(
                    name.as_str(),
                    "content-length" | "content-encoding" | "transfer-encoding" | "content-range"
                )
            })
            .cloned()
            .collect();
        entry
            .response
            .headers
            .retain(|(stored, _)| !updates.iter().any(|(name, _)| name == stored));
        entry.response.headers.extend(updates);
        entry.set_times(request_time, response_time);
        let mut resource = entry.response.clone();
        resource.url = url.clone();
        Some(resource)
    }

    /// An unsafe method succeeded on `url`: what is stored for it is out of date (RFC 9111
    /// section 4.4), in every partition.
    pub(crate) fn invalidate(&self, url: &Url) {
        let target = key_url(url);
        self.lock().remove_where(|key| key.url == target);
    }
}

/// A stored response found for a request.
pub(crate) struct Stored {
    /// The response, its URL the request's.
    pub resource: Resource,
    /// Whether it may be used without asking the server.
    pub fresh: bool,
    pub validators: Validators,
}

/// What a conditional request sends to revalidate a stored response.
pub(crate) struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    fn of(response: &Resource) -> Validators {
        Validators {
            etag: response.header("etag").map(str::to_owned),
            last_modified: response.header("last-modified").map(str::to_owned),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// The request headers that ask the server whether the stored response is still good.
    pub fn conditional_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(etag) = &self.etag {
            headers.push(("If-None-Match".to_owned(), etag.clone()));
        }
        if let Some(last_modified) = &self.last_modified {
            headers.push(("If-Modified-Since".to_owned(), last_modified.clone()));
        }
        headers
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    partition: String,
    url: String,
}

impl Key {
    fn new(partition: &str, url: &Url) -> Key {
        Key {
            partition: partition.to_owned(),
            url: key_url(url),
        }
    }
}

/// The URL as the cache knows it: without its fragment.
fn key_url(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.into()
}

#[derive(Debug, Default)]
struct Store {
    entries: HashMap<Key, Vec<Entry>>,
    total_bytes: usize,
    max_bytes: usize,
    /// Counts lookups and stores, for least-recently-used eviction.
    clock: u64,
}

impl Store {
    fn insert(&mut self, key: Key, mut entry: Entry) {
        if entry.bytes > self.max_bytes / 8 {
            // Too large to keep; an older variant of the same request is out of date too.
            self.remove_variant(&key, &entry.vary_values);
            return;
        }
        self.clock += 1;
        entry.last_used = self.clock;
        self.remove_variant(&key, &entry.vary_values);
        self.total_bytes += entry.bytes;
        self.entries.entry(key).or_default().push(entry);
        while self.total_bytes > self.max_bytes {
            let Some(oldest) = self
                .entries
                .iter()
                .flat_map(|(key, entries)| entries.iter().map(move |entry| (key, entry)))
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, entry)| (key.clone(), entry.vary_values.clone()))
            else {
                break;
            };
            self.remove_variant(&oldest.0, &oldest.1);
        }
    }

    fn remove_variant(&mut self, key: &Key, vary_values: &[(String, Option<String>)]) {
        let Some(entries) = self.entries.get_mut(key) else {
            return;
        };
        let before: usize = entries.iter().map(|entry| entry.bytes).sum();
        entries.retain(|entry| entry.vary_values != vary_values);
        let after: usize = entries.iter().map(|entry| entry.bytes).sum();
        self.total_bytes -= before - after;
        if entries.is_empty() {
            self.entries.remove(key);
        }
    }

    /// Removes every entry whose key `matches`.
    fn remove_where(&mut self, matches: impl Fn(&Key) -> bool) {
        let removed: Vec<Key> = self
            .entries
            .keys()
            .filter(|key| matches(key))
            .cloned()
            .collect();
        for key in removed {
            self.remove_key(&key);
        }
    }

    fn remove_key(&mut self, key: &Key) {
        if let Some(entries) = self.entries.remove(key) {
            self.total_bytes -= entries.iter().map(|entry| entry.bytes).sum::<usize>();
        }
    }
}

#[derive(Debug)]
struct Entry {
    response: Resource,
    /// The request's value of each header the response's `Vary` names (lower-cased).
    vary_values: Vec<(String, Option<String>)>,
    request_time: SystemTime,
    response_time: SystemTime,
    freshness_lifetime: Duration,
    bytes: usize,
    last_used: u64,
}

impl Entry {
    fn new(
        request_headers: &[(String, String)],
        response: &Resource,
        request_time: SystemTime,
        response_time: SystemTime,
    ) -> Entry {
        let vary_values = vary_names(response)
            .into_iter()
            .map(|name| {
                let value = header_value(request_headers, &name).map(str::to_owned);
                (name, value)
            })
            .collect();
        let bytes = response.body.len()
            + response
                .headers
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum::<usize>()
            + response.url.as_str().len();
        let mut entry = Entry {
            response: response.clone(),
            vary_values,
            request_time,
            response_time,
            freshness_lifetime: Duration::ZERO,
            bytes,
            last_used: 0,
        };
        entry.set_times(request_time, response_time);
        entry
    }

    fn set_times(&mut self, request_time: SystemTime, response_time: SystemTime) {
        self.request_time = request_time;
        self.response_time = response_time;
        self.freshness_lifetime = freshness_lifetime(&self.response, response_time);
    }

    /// Whether a request with `request_headers` may use this variant (RFC 9111 section 4.1).
    fn matches(&self, request_headers: &[(String, String)]) -> bool {
        self.vary_values
            .iter()
            .all(|(name, value)| header_value(request_headers, name) == value.as_deref())
    }

    /// RFC 9111 section 4.2.3.
    fn current_age(&self, now: SystemTime) -> Duration {
        let date = date_value(&self.response).unwrap_or(self.response_time);
        let apparent_age = self
            .response_time
            .duration_since(date)
            .unwrap_or(Duration::ZERO);
        let age_value = self
            .response
            .header("age")
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map_or(Duration::ZERO, Duration::from_secs);
        let response_delay = self
            .response_time
            .duration_since(self.request_time)
            .unwrap_or(Duration::ZERO);
        let corrected_initial_age = apparent_age.max(age_value + response_delay);
        let resident_time = now
            .duration_since(self.response_time)
            .unwrap_or(Duration::ZERO);
        corrected_initial_age + resident_time
    }
}

/// The status codes whose responses may be given a heuristic freshness (RFC 9110 section
/// 15.1).
const HEURISTICALLY_CACHEABLE: [u16; 12] =
    [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501];

/// RFC 9111 section 3, for a private cache that does not store partial content.
fn is_storable(request_headers: &[(String, String)], response: &Resource) -> bool {
    if response.status < 200
        || matches!(response.status, 206 | 304)
        || response.body_error.is_some()
    {
        return false;
    }
    let request = CacheControl::parse(request_headers);
    let directives = CacheControl::parse(&response.headers);
    if request.no_store || directives.no_store {
        return false;
    }
    if header_value(request_headers, "authorization").is_some() {
        return false;
    }
    if vary_names(response).iter().any(|name| name == "*") {
        return false;
    }
    let explicit = directives.max_age.is_some() || response.header("expires").is_some();
    let validators = !Validators::of(response).is_empty();
    (explicit || directives.public || HEURISTICALLY_CACHEABLE.contains(&response.status))
        && (explicit || validators || directives.no_cache)
}

/// RFC 9111 section 4.2.1 (a private cache ignores `s-maxage`), with the heuristic of section
/// 4.2.2: a tenth of the time since `Last-Modified`.
fn freshness_lifetime(response: &Resource, response_time: SystemTime) -> Duration {
    let directives = CacheControl::parse(&response.headers);
    if let Some(max_age) = directives.max_age {
        return Duration::from_secs(max_age);
    }
    let date = date_value(response).unwrap_or(response_time);
    if let Some(expires) = response.header("expires") {
        // An invalid date, "0" included, means already expired.
        return httpdate::parse_http_date(expires.trim())
            .ok()
            .and_then(|expires| expires.duration_since(date).ok())
            .unwrap_or(Duration::ZERO);
    }
    if HEURISTICALLY_CACHEABLE.contains(&response.status) {
        if let Some(last_modified) = response
            .header("last-modified")
            .and_then(|value| httpdate::parse_http_date(value.trim()).ok())
        {
            return date
                .duration_since(last_modified)
                .map_or(Duration::ZERO, |age| age / 10);
        }
    }
    Duration::ZERO
}

fn date_value(response: &Resource) -> Option<SystemTime> {
    response
        .header("date")
        .and_then(|value| httpdate::parse_http_date(value.trim()).ok())
}

/// The header names of the response's `Vary`, lower-cased.
fn vary_names(response: &Resource) -> Vec<String> {
    response
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("vary"))
        .flat_map(|(_, value)| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The value of the first header named `name` (compared case-insensitively) in `headers`.
fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// The `Cache-Control` (and `Pragma: no-cache`) directives the cache acts on.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CacheControl {
    pub no_store: bool,
    pub no_cache: bool,
    pub public: bool,
    pub max_age: Option<u64>,
}

impl CacheControl {
    pub fn parse(headers: &[(String, String)]) -> CacheControl {
        let mut directives = CacheControl::default();
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("pragma") {
                if value
                    .split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case("no-cache"))
                {
                    directives.no_cache = true;
                }
                continue;
            }
            if !name.eq_ignore_ascii_case("cache-control") {
                continue;
            }
            for directive in value.split(',') {
                let (name, argument) = match directive.split_once('=') {
                    Some((name, argument)) => (name, Some(argument.trim().trim_matches('"'))),
                    None => (directive, None),
                };
                match name.trim().to_ascii_lowercase().as_str() {
                    "no-store" => directives.no_store = true,
                    "no-cache" => directives.no_cache = true,
                    "public" => directives.public = true,
                    // A malformed max-age makes the response stale (RFC 9111 section
                    // 4.2.1); the first one counts.
                    "max-age" if directives.max_age.is_none() => {
                        directives.max_age =
                            Some(argument.and_then(|a| a.parse().ok()).unwrap_or(0));
                    }
                    _ => {}
                }
            }
        }
        directives
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn response(status: u16, pairs: &[(&str, &str)], body: &str) -> Resource {
        Resource {
            url: Url::parse("http://example.test/a").unwrap(),
            status,
            status_text: String::new(),
            headers: headers(pairs),
            content_type: None,
            charset: None,
            body: body.as_bytes().to_vec(),
            redirected: false,
            body_error: None,
        }
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn store(cache: &HttpCache, url_text: &str, request: &[(&str, &str)], resource: &Resource) {
        let now = SystemTime::now();
        cache.store("p", &url(url_text), &headers(request), resource, now, now);
    }

    #[test]
    fn max_age_is_fresh_until_it_passes() {
        let cache = HttpCache::new(1 << 20);
        let fresh = response(200, &[("cache-control", "max-age=60")], "one");
        store(&cache, "http://example.test/a", &[], &fresh);
        let found = cache
            .lookup("p", &url("http://example.test/a#frag"), &[])
            .unwrap();
        assert!(found.fresh);
        assert_eq!(found.resource.body, b"one");
        assert_eq!(found.resource.url.as_str(), "http://example.test/a#frag");

        let aged = response(
            200,
            &[("cache-control", "max-age=60"), ("age", "61")],
            "two",
        );
        store(&cache, "http://example.test/b", &[], &aged);
        let found = cache
            .lookup("p", &url("http://example.test/b"), &[])
            .unwrap();
        assert!(!found.fresh);
    }

    #[test]
    fn partitions_do_not_see_each_other() {
        let cache = HttpCache::new(1 << 20);
        store(
            &cache,
            "http://example.test/a",
            &[],
            &response(200, &[("cache-control", "max-age=60")], "x"),
        );
        assert!(cache
            .lookup("other", &url("http://example.test/a"), &[])
            .is_none());
    }

    #[test]
    fn what_may_not_be_stored_is_not() {
        let cache = HttpCache::new(1 << 20);
        let cases: [(&[(&str, &str)], Resource); 5] = [
            (
                &[],
                response(200, &[("cache-control", "no-store, max-age=60")], ""),
            ),
            (&[], response(200, &[], "no freshness, no validator")),
            (&[], response(206, &[("cache-control", "max-age=60")], "")),
            (
                &[],
                response(200, &[("cache-control", "max-age=60"), ("vary", "*")], ""),
            ),
            (
                &[("Authorization", "Basic eA==")],
                response(200, &[("cache-control", "max-age=60")], ""),
            ),
        ];
        for (request, resource) in &cases {
            store(&cache, "http://example.test/a", request, resource);
        }
        assert!(cache.is_empty());
        // A validator alone is enough: it can be revalidated.
        let validated = response(200, &[("etag", "\"v1\"")], "");
        store(&cache, "http://example.test/a", &[], &validated);
        let found = cache
            .lookup("p", &url("http://example.test/a"), &[])
            .unwrap();
        assert!(!found.fresh);
        assert_eq!(
            found.validators.conditional_headers(),
            headers(&[("If-None-Match", "\"v1\"")])
        );
    }

    #[test]
    fn heuristic_freshness_is_a_tenth_of_the_last_modified_age() {
        let now = SystemTime::now();
        let date = httpdate::fmt_http_date(now);
        let ten_days_ago = httpdate::fmt_http_date(now - Duration::from_secs(10 * 86_400));
        let resource = response(
            200,
            &[("date", &date), ("last-modified", &ten_days_ago)],
            "",
        );
        let lifetime = freshness_lifetime(&resource, now).as_secs();
        assert!((86_399..=86_400).contains(&lifetime), "{lifetime}");
        // Not for a status that is not heuristically cacheable.
        let created = response(
            201,
            &[("date", &date), ("last-modified", &ten_days_ago)],
            "",
        );
        assert_eq!(freshness_lifetime(&created, now), Duration::ZERO);
    }

    #[test]
    fn expires_counts_from_date_and_an_invalid_one_is_past() {
        let now = SystemTime::now();
        let date = httpdate::fmt_http_date(now);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        let resource = response(200, &[("date", &date), ("expires", &later)], "");
        assert_eq!(freshness_lifetime(&resource, now).as_secs(), 120);
        let invalid = response(200, &[("date", &date), ("expires", "0")], "");
        assert_eq!(freshness_lifetime(&invalid, now), Duration::ZERO);
    }

    #[test]
    fn vary_picks_the_variant_of_the_request() {
        let cache = HttpCache::new(1 << 20);
        let vary = [("cache-control", "max-age=60"), ("vary", "Accept")];
        store(
            &cache,
            "http://example.test/a",
            &[("Accept", "text/html")],
            &response(200, &vary, "html"),
        );
        store(
            &cache,
            "http://example.test/a",
            &[("accept", "text/plain")],
            &response(200, &vary, "text"),
        );
        let lookup = |accept: &str| {
            cache
                .lookup(
                    "p",
                    &url("http://example.test/a"),
                    &headers(&[("accept", accept)]),
                )
                .map(|stored| String::from_utf8(stored.resource.body).unwrap())
        };
        assert_eq!(lookup("text/html").as_deref(), Some("html"));
        assert_eq!(lookup("text/plain").as_deref(), Some("text"));
        assert_eq!(lookup("image/png"), None);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_304_refreshes_the_stored_headers() {
        let cache = HttpCache::new(1 << 20);
        let stale = response(
            200,
            &[
                ("etag", "\"v1\""),
                ("x-kept", "old"),
                ("cache-control", "no-cache"),
            ],
            "body",
        );
        store(&cache, "http://example.test/a", &[], &stale);
        let not_modified = response(304, &[("x-kept", "new"), ("content-length", "0")], "");
        let now = SystemTime::now();
        let refreshed = cache
            .refresh(
                "p",
                &url("http://example.test/a"),
                &[],
                &not_modified,
                now,
                now,
            )
            .unwrap();
        assert_eq!(refreshed.status, 200);
        assert_eq!(refreshed.body, b"body");
        assert_eq!(refreshed.header("x-kept"), Some("new"));
        assert_eq!(refreshed.header("content-length"), None);
    }

    #[test]
    fn the_least_recently_used_entry_goes_first_and_huge_ones_are_not_kept() {
        let cache = HttpCache::new(8 * 1000);
        let fresh = [("cache-control", "max-age=60")];
        let body = "x".repeat(900);
        for name in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] {
            store(
                &cache,
                &format!("http://example.test/{name}"),
                &[],
                &response(200, &fresh, &body),
            );
            // "a" is used after each store, so it is never the least recently used.
            assert!(cache
                .lookup("p", &url("http://example.test/a"), &[])
                .is_some());
        }
        assert!(cache.stored_bytes() <= 8000);
        assert!(cache
            .lookup("p", &url("http://example.test/b"), &[])
            .is_none());
        assert!(cache
            .lookup("p", &url("http://example.test/i"), &[])
            .is_some());
        store(
            &cache,
            "http://example.test/huge",
            &[],
            &response(200, &fresh, &"y".repeat(1001)),
        );
        assert!(cache
            .lookup("p", &url("http://example.test/huge"), &[])
            .is_none());
    }

    #[test]
    fn invalidation_and_clearing_an_origin() {
        let cache = HttpCache::new(1 << 20);
        let fresh = response(200, &[("cache-control", "max-age=60")], "");
        store(&cache, "http://example.test/a", &[], &fresh);
        store(&cache, "http://example.test/b", &[], &fresh);
        store(&cache, "http://other.test/a", &[], &fresh);
        cache.invalidate(&url("http://example.test/a?"));
        assert_eq!(cache.len(), 3, "a different URL is not invalidated");
        cache.invalidate(&url("http://example.test/a"));
        assert_eq!(cache.len(), 2);
        cache.clear_origin(&url("http://example.test/").origin());
        assert_eq!(cache.len(), 1);
        cache.clear();
        assert!(cache.is_empty());
        assert_eq!(cache.stored_bytes(), 0);
    }

    #[test]
    fn cache_control_parsing() {
        let parsed = CacheControl::parse(&headers(&[
            ("Cache-Control", "Public, max-age=\"30\""),
            ("cache-control", "max-age=5, no-cache"),
        ]));
        assert_eq!(
            parsed,
            CacheControl {
                no_store: false,
                no_cache: true,
                public: true,
                max_age: Some(30),
            }
        );
        assert_eq!(
            CacheControl::parse(&headers(&[("cache-control", "max-age=soon")])).max_age,
            Some(0)
        );
        assert!(CacheControl::parse(&headers(&[("pragma", "no-cache")])).no_cache);
    }
}
