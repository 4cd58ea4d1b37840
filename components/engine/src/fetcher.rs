//! Service-worker script fetches and navigation preload requests, off the
//! constellation thread.
//!
//! The registry asks for a script with [`RegistryAction::FetchScript`];
//! [`ScriptFetches::start`] runs the request over the `net` loader on a
//! thread of its own and queues the answer, tagged with the job, on a
//! crossbeam channel the constellation's loop selects on (ringing the
//! inbox's waker, so a sleeping constellation wakes). A slow or silent
//! server holds that thread and the job of its scope, nothing else.
//!
//! <https://w3c.github.io/ServiceWorker/#update-algorithm>, "fetch a
//! classic worker script": the request carries `Service-Worker: script`,
//! and redirects are not followed: a redirect response is reported with
//! its target as the final URL, which the registry rejects.
//!
//! A navigation preload request
//! (<https://w3c.github.io/ServiceWorker/#handle-fetch>) goes the same way:
//! [`ScriptFetches::preload`] loads the navigated URL with the
//! `Service-Worker-Navigation-Preload` header on a thread of its own, and the
//! constellation hands the response to the worker whose fetch event waits
//! for it.
//!
//! [`RegistryAction::FetchScript`]: service_worker_registry::RegistryAction::FetchScript

use std::time::Duration;

use base::ipc_waiter::Waker;
use base::prefs::Prefs;
use crossbeam_channel::{Receiver, Sender};
use net::{CacheMode, HttpCache, Loader, LoaderConfig, RedirectMode, RequestOptions};
use script_traits::{FetchRequestData, FetchResponseData, ServiceWorkerId, WorkerEventId};
use service_worker_registry::{FetchError, FetchedScript, JobId};
use url::Url;

const LOG_TARGET: &str = "bgsync::engine::fetcher";

/// A fetch's answer: a script, for the job that asked, or a navigation
/// preload response, for the fetch event that waits for it.
pub(crate) enum Fetched {
    Script {
        job: JobId,
        result: Result<FetchedScript, FetchError>,
    },
    /// The scripts a worker imported, fetched again for an update's byte check: each URL's
    /// body, or why it is a bad import script response.
    Imports {
        job: JobId,
        results: Vec<(Url, Result<Vec<u8>, FetchError>)>,
    },
    Preload {
        worker: ServiceWorkerId,
        event: WorkerEventId,
        /// `None`: a network error.
        response: Option<Box<FetchResponseData>>,
    },
}

pub(crate) struct ScriptFetches {
    loader: Loader,
    sender: Sender<Fetched>,
    receiver: Receiver<Fetched>,
    waker: Waker,
}

impl ScriptFetches {
    /// Fetches through `http_cache`, the engine's (`None`: none).
    pub fn new(prefs: &Prefs, http_cache: Option<HttpCache>, waker: Waker) -> ScriptFetches {
        // A server that never answers must not hold the job (and the jobs
        // of its scope behind it) forever: a script fetch gets as long as
        // an event may run.
        let config = LoaderConfig {
            timeout: Some(Duration::from_millis(
                prefs.serviceworker_max_event_duration_ms(),
            )),
            ..LoaderConfig::from_prefs(prefs)
        };
        let (sender, receiver) = crossbeam_channel::unbounded();
        ScriptFetches {
            loader: Loader::new(config).with_http_cache(http_cache),
            sender,
            receiver,
            waker,
        }
    }

    /// Where the answers arrive.
    pub fn answers(&self) -> &Receiver<Fetched> {
        &self.receiver
    }

    /// The navigation preload request of `worker`'s fetch `event` for `url`, on a thread of
    /// its own: a GET with `Service-Worker-Navigation-Preload: header_value`, redirects not
    /// followed (the request's redirect mode is "manual").
    pub fn preload(
        &self,
        worker: ServiceWorkerId,
        event: WorkerEventId,
        url: Url,
        header_value: String,
    ) {
        let loader = self.loader.clone();
        let sender = self.sender.clone();
        let waker = self.waker.clone();
        let spawned = std::thread::Builder::new()
            .name("navigation-preload".to_owned())
            .spawn(move || {
                let options = RequestOptions {
                    headers: vec![("Service-Worker-Navigation-Preload".to_owned(), header_value)],
                    redirect: RedirectMode::Manual,
                    // preloadResponse resolves with the head: a body cut later errors on read.
                    keep_broken_body: true,
                    // A navigation's: its own origin's cache entries.
                    ..RequestOptions::partitioned(&url.origin())
                };
                let response = match loader.load_with(&url, &options) {
                    Ok(resource) => Some(Box::new(FetchResponseData {
                        url: Some(resource.url),
                        status: resource.status,
                        status_text: resource.status_text,
                        headers: resource.headers,
                        body: resource.body,
                        redirected: false,
                        response_type: "basic".to_owned(),
                        body_error: resource.body_error,
                    })),
                    Err(error) => {
                        log::debug!(target: LOG_TARGET, "navigation preload of {url}: {error}");
                        None
                    }
                };
                let _ = sender.send(Fetched::Preload {
                    worker,
                    event,
                    response,
                });
                waker.wake();
            });
        if let Err(error) = spawned {
            log::error!(target: LOG_TARGET, "cannot start a navigation preload: {error}");
            let _ = self.sender.send(Fetched::Preload {
                worker,
                event,
                response: None,
            });
        }
    }

    /// Fetches `url` for `job` on a thread of its own, through the HTTP cache as `cache`
    /// says (the registration's `updateViaCache` decides it).
    pub fn start(&self, job: JobId, url: Url, cache: CacheMode) {
        let loader = self.loader.clone();
        let sender = self.sender.clone();
        let waker = self.waker.clone();
        let spawned = std::thread::Builder::new()
            .name("sw-script-fetch".to_owned())
            .spawn(move || {
                let result = fetch_script(&loader, &url, cache);
                let _ = sender.send(Fetched::Script { job, result });
                waker.wake();
            });
        if let Err(error) = spawned {
            log::error!(target: LOG_TARGET, "cannot start the fetch of {job}'s script: {error}");
            let result = Err(FetchError(format!("cannot start the fetch: {error}")));
            let _ = self.sender.send(Fetched::Script { job, result });
        }
    }

    /// The network side of a static router race (`race-network-and-fetch-handler`): `request`
    /// on a thread of its own, its response (or network error) handed to `race`, which
    /// answers the client if it comes first. Redirects are followed for a request whose
    /// redirect mode is `follow`; for any other (a navigation) a redirect is no answer here:
    /// the fetch event answers, or the client goes to the network itself.
    pub fn race(&self, request: FetchRequestData, race: crate::constellation::Race) {
        let loader = self.loader.clone();
        let failed = race.clone();
        let spawned = std::thread::Builder::new()
            .name("sw-race-fetch".to_owned())
            .spawn(move || {
                let follow = request.redirect == "follow";
                // A navigation uses its own origin's cache entries; a subresource's race
                // bypasses the cache, whose partition (the client's origin) is not known here.
                let (cache, cache_partition) = if request.mode == "navigate" {
                    (CacheMode::Default, request.url.origin().ascii_serialization())
                } else {
                    (CacheMode::NoStore, String::new())
                };
                let options = RequestOptions {
                    method: request.method.clone(),
                    headers: request.headers.clone(),
                    body: request.body.clone(),
                    redirect: if follow {
                        RedirectMode::Follow
                    } else {
                        RedirectMode::Manual
                    },
                    cache,
                    cache_partition,
                    ..RequestOptions::default()
                };
                let response = match loader.load_with(&request.url, &options) {
                    // A redirect the client follows itself: the network side has no answer.
                    Ok(resource) if !follow && (300..400).contains(&resource.status) => None,
                    Ok(resource) => Some(FetchResponseData {
                        redirected: resource.url != request.url,
                        url: Some(resource.url),
                        status: resource.status,
                        status_text: resource.status_text,
                        headers: resource.headers,
                        body: resource.body,
                        response_type: "basic".to_owned(),
                        body_error: None,
                    }),
                    Err(error) => {
                        log::debug!(target: LOG_TARGET, "race network side of {}: {error}", request.url);
                        None
                    }
                };
                race.network_answered(response);
            });
        if let Err(error) = spawned {
            log::error!(target: LOG_TARGET, "cannot start a race's network side: {error}");
            failed.network_answered(None);
        }
    }

    /// Fetches the scripts a worker imported (`importScripts()` or a module's `import`s) for
    /// `job`'s byte check, one after the other on a thread of their own, through the HTTP
    /// cache as `cache` says.
    pub fn imports(&self, job: JobId, origin: &url::Origin, urls: Vec<Url>, cache: CacheMode) {
        let loader = self.loader.clone();
        // The worker's origin's cache entries, as its importScripts() used.
        let options = RequestOptions {
            cache,
            ..RequestOptions::partitioned(origin)
        };
        let sender = self.sender.clone();
        let waker = self.waker.clone();
        let failed_urls = urls.clone();
        let spawned = std::thread::Builder::new()
            .name("sw-imports-fetch".to_owned())
            .spawn(move || {
                let results = urls
                    .into_iter()
                    .map(|url| {
                        let result = fetch_import(&loader, &url, &options);
                        (url, result)
                    })
                    .collect();
                let _ = sender.send(Fetched::Imports { job, results });
                waker.wake();
            });
        if let Err(error) = spawned {
            log::error!(target: LOG_TARGET, "cannot start the fetch of {job}'s imports: {error}");
            let error = FetchError(format!("cannot start the fetch: {error}"));
            let results = failed_urls
                .into_iter()
                .map(|url| (url, Err(error.clone())))
                .collect();
            let _ = self.sender.send(Fetched::Imports { job, results });
        }
    }
}

/// An imported script for the byte check: its body, unless it is a "bad import script
/// response" (not a 2xx, or not JavaScript).
fn fetch_import(
    loader: &Loader,
    url: &Url,
    options: &RequestOptions,
) -> Result<Vec<u8>, FetchError> {
    let resource = loader
        .load_with(url, options)
        .map_err(|error| FetchError(error.to_string()))?;
    if !resource.is_ok() {
        return Err(FetchError(format!("HTTP {}", resource.status)));
    }
    let mime = resource.header("content-type").unwrap_or_default();
    if !base::mime::is_javascript_mime_type(mime) {
        return Err(FetchError(format!("not JavaScript ({mime})")));
    }
    Ok(resource.body)
}

fn fetch_script(loader: &Loader, url: &Url, cache: CacheMode) -> Result<FetchedScript, FetchError> {
    let options = RequestOptions {
        headers: vec![("Service-Worker".to_owned(), "script".to_owned())],
        redirect: RedirectMode::Manual,
        cache,
        // The worker's origin (the script is of the scope's origin).
        ..RequestOptions::partitioned(&url.origin())
    };
    let resource = loader
        .load_with(url, &options)
        .map_err(|error| FetchError(error.to_string()))?;
    let redirected_to = resource
        .redirect_location()
        .and_then(|location| resource.url.join(location).ok());
    Ok(FetchedScript {
        status: resource.status,
        final_url: redirected_to.unwrap_or_else(|| resource.url.clone()),
        mime_type: resource.header("content-type").map(str::to_owned),
        service_worker_allowed: resource.header("service-worker-allowed").map(str::to_owned),
        body: resource.body,
    })
}
