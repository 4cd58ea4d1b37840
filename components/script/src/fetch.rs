//! `fetch()` (https://fetch.spec.whatwg.org/#fetch-method) for windows and workers.
//!
//! The request runs on a thread of its own (the `net` loader blocks), and its response comes
//! back to the global's event loop as a task; a `PendingWork` kept on the loop's side keeps
//! the loop awake until then, unless the request is canceled ([`cancel`]: an aborted fetch, an
//! XMLHttpRequest's abort or timeout), so a page that gave up on a hanging server can go idle.
//! Bodies are buffered, up to `net.max_response_bytes`.
//!
//! While the network is offline (`navigator.onLine` false: the engine's observer or the
//! embedder's override), an `http(s)` fetch rejects with TypeError and sends nothing, even to
//! this machine: the offline switch is the devtools one.
//!
//! A page with a controller (https://w3c.github.io/ServiceWorker/#handle-fetch) hands an
//! `http(s)` request to the constellation first, which fires a `fetch` event at the controller;
//! the page's promise then settles with the worker's response, or a network error, or (the
//! worker did not call `respondWith()`) the request goes to the network as below. The offline
//! check comes after the worker, so an offline page's worker can still answer.
//!
//! [`start`] is that path behind a callback, which `fetch()` and XMLHttpRequest share;
//! [`fetch_now`] runs a request while the caller waits (a synchronous XMLHttpRequest).
//!
//! Cross-origin requests follow CORS for simple requests: the response is exposed only when it
//! carries `Access-Control-Allow-Origin` for this origin (or `*`); otherwise the promise
//! rejects with TypeError and the script sees nothing of the response. A cross-origin request
//! that would need a preflight (a method other than GET/HEAD/POST or headers beyond the
//! CORS-safelisted ones) is rejected without being sent: bgsync has no preflight yet.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use net::{RedirectMode, RequestOptions};
use script_traits::{FetchAnswer, FetchRequestData, FetchResponseData, RequestDetails, ScriptMsg};
use url::Url;

use crate::dom::abortsignal::AbortAlgorithm;
use crate::dom::bindings::trusted::Trusted;
use crate::dom::globalscope::current_global;
use crate::dom::headers::Guard;
use crate::dom::performance::Performance;
use crate::dom::performanceresourcetiming::ResourceTiming;
use crate::dom::prelude::*;
use crate::dom::request::{Referrer, Request, RequestExtras};
use crate::dom::response::{HiddenResponse, Response, ResponseParts};
use crate::dom::serviceworkercontainer::ServiceWorkerContainer;

/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>, the common cases.
fn is_safelisted_request_header(name: &str, value: &str) -> bool {
    match name.to_ascii_lowercase().as_str() {
        "accept" | "accept-language" | "content-language" => true,
        "content-type" => {
            let essence = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            )
        }
        _ => false,
    }
}

/// <https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name>
fn is_safelisted_response_header(name: &str, exposed: &[String]) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "cache-control"
            | "content-language"
            | "content-length"
            | "content-type"
            | "expires"
            | "last-modified"
            | "pragma"
    ) || exposed
        .iter()
        .any(|e| e == "*" || e.eq_ignore_ascii_case(&name))
}

fn fetch_failed() -> Error {
    Error::Type("Failed to fetch".into())
}

/// What a service worker's `event.request` shows of `extras`: the referrer as main fetch
/// determines it (the client's URL under the request's policy), the rest as given.
pub(crate) fn request_details(
    global: &GlobalScope,
    extras: &RequestExtras,
    target: &Url,
) -> RequestDetails {
    let source = match &extras.referrer {
        Referrer::NoReferrer => None,
        Referrer::Client => Some(global.referrer_source()),
        Referrer::Url(url) => Some(url.clone()),
    };
    // Main fetch, step 8: no policy of the request's own is its client's, else the default.
    let policy = match extras.referrer_policy.as_str() {
        "" => global.referrer_policy_or_default(),
        policy => policy,
    };
    RequestDetails {
        referrer: source.and_then(|source| base::referrer::determine(&source, policy, target)),
        referrer_policy: policy.to_owned(),
        cache: extras.cache.as_str().to_owned(),
        integrity: extras.integrity.clone(),
        keepalive: extras.keepalive,
        reload_navigation: extras.reload_navigation,
        history_navigation: extras.history_navigation,
    }
}

/// The `fetch(input, init)` method of a global.
pub fn fetch(
    cx: &mut JSContext,
    global: &GlobalScope,
    input: RequestOrUSVString,
    init: &RequestInit,
) -> Fallible<Rc<Promise>> {
    let request = Request::construct(cx, global, None, input, init)?;
    let url = request.url().clone();
    if !matches!(url.scheme(), "http" | "https" | "data" | "about" | "blob") {
        return Err(Error::Type(format!(
            "Failed to fetch: URL scheme \"{}\" is not supported.",
            url.scheme()
        )));
    }
    if request.body().is_unusable() {
        return Err(Error::Type(
            "Failed to fetch: the request body is already used.".into(),
        ));
    }
    // SAFETY: bindings call in the global's realm.
    let promise = unsafe { Promise::new(cx) };
    // A stream body is read to its end before the request goes (bgsync does not upload as
    // it comes); what the stream gives that is not bytes rejects the fetch.
    if request.body().has_stream() {
        let limit = global.event_loop().loader().max_response_bytes();
        let settle = promise.clone();
        let sent = request.clone();
        // SAFETY: as above; the continuation runs in the global's realm.
        unsafe {
            request.body().read_whole(
                cx,
                global,
                limit,
                Box::new(move |cx, result| {
                    let global = crate::dom::globalscope::current_global(cx);
                    match result {
                        Ok(body) => send(cx, global, &sent, body, settle),
                        Err(_) => settle.reject_error(
                            cx,
                            global,
                            Error::Type("Failed to fetch: the request body stream failed.".into()),
                        ),
                    }
                }),
            )
        };
    } else {
        let body = request.body().transfer();
        send(cx, global, &request, body, promise.clone());
    }
    Ok(promise)
}

/// Sends `fetch()`'s request with its body's bytes; `promise` settles with what comes back.
fn send(
    cx: &mut JSContext,
    global: &GlobalScope,
    request: &Request,
    body: Option<Vec<u8>>,
    promise: Rc<Promise>,
) {
    let url = request.url().clone();
    let mut headers = request.header_list();
    // Fetch, step 12: a request without `Accept` gets the destination's default (`*/*` for
    // fetch()), before a service worker sees it.
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("accept"))
    {
        headers.push(("Accept".to_owned(), "*/*".to_owned()));
    }
    let params = FetchParams {
        url,
        method: request.method().to_owned(),
        headers,
        body,
        redirect: request.redirect(),
        mode: request.extras().mode,
        origin: global.origin().clone(),
        referrer: None,
        referrer_policy: String::new(),
        cache: net::CacheMode::from_fetch_name(request.extras().cache.as_str()).unwrap_or_default(),
        initiator_type: "fetch",
    };
    // An aborted signal rejects now; one aborted later rejects the promise then, and what the
    // worker or the network answers after that is dropped.
    let signal = request.signal();
    if let Some(signal) = &signal {
        if signal.aborted() {
            // SAFETY: tasks and bindings run in the global's realm.
            unsafe { promise.reject(cx, &signal.reason()) };
            return;
        }
    }
    let data = FetchRequestData {
        url: params.url.clone(),
        method: params.method.clone(),
        headers: params.headers.clone(),
        body: params.body.clone(),
        redirect: params.redirect.as_str().to_owned(),
        mode: params.mode.as_str().to_owned(),
        credentials: request.extras().credentials.as_str().to_owned(),
        destination: request.extras().destination.as_str().to_owned(),
        details: request_details(global, request.extras(), &params.url),
    };
    let handed = Trusted::new(promise.clone());
    let url = params.url.clone();
    let id = start(
        cx,
        global,
        params,
        data,
        Box::new(move |cx, global, result, _by_worker| {
            let Some(promise) = handed.take() else {
                return;
            };
            settle(cx, global, promise, &url, result)
        }),
    );
    if let Some(signal) = signal {
        let promise = Trusted::new(promise.clone());
        signal.add_algorithm(AbortAlgorithm::RejectFetch(promise, id));
    }
}

/// Settles a `fetch()` promise with what became of its request.
fn settle(
    cx: &mut JSContext,
    global: &GlobalScope,
    promise: Rc<Promise>,
    url: &Url,
    result: Result<ResponseParts, Failure>,
) {
    // SAFETY: tasks run in the global's realm.
    unsafe {
        match result {
            Ok(parts) => {
                let response = Response::new(cx, global, None, parts);
                promise.resolve(cx, &response);
            }
            Err(Failure::Offline) => promise.reject_error(
                cx,
                global,
                Error::Type(format!(
                    "Failed to fetch: the network is offline ({url} was not requested)."
                )),
            ),
            Err(Failure::Network(reason)) => {
                eprintln!("bgsync: fetch {url} failed: {reason}");
                promise.reject_error(cx, global, fetch_failed());
            }
        }
    }
}

/// Why a request came to nothing.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The network is offline: nothing was sent.
    Offline,
    /// A network error, and why (for the console: scripts see none of it).
    Network(String),
}

/// What to do with a request's response, or its failure: run as a task of the global's loop.
/// The last argument says whether a service worker answered (its response, or its network
/// error), so the request body never went to the network.
pub(crate) type OnResponse =
    Box<dyn FnOnce(&mut JSContext, &GlobalScope, Result<ResponseParts, Failure>, bool)>;

/// Fetches `params` (`data` is how a service worker sees it) for `global`: a blob URL from the
/// process's table, an http(s) request through the global's controller first (Handle Fetch),
/// then the network. `on_response` always runs in a later task, never before this returns.
///
/// The returned number names the request for [`cancel`].
pub(crate) fn start(
    cx: &mut JSContext,
    global: &GlobalScope,
    params: FetchParams,
    data: FetchRequestData,
    on_response: OnResponse,
) -> u64 {
    start_with(cx, global, params, data, on_response, None)
}

/// What the reader of a streamed response gets (see [`start_streaming`]), each in a task of
/// the global's loop, in order.
pub(crate) enum StreamEvent {
    /// The response, its body empty (its CORS check passed).
    Head(ResponseParts),
    Chunk(Vec<u8>),
    /// The body ended; `Err`: it broke off (a network error after the head).
    End(Result<(), String>),
}

pub(crate) type OnStream = Box<dyn FnMut(&mut JSContext, &GlobalScope, StreamEvent)>;

/// [`start`] for a reader of a body that may never end (an EventSource): a service worker's
/// answer, or a blob's, comes whole to `on_response` as for [`start`]; a request that goes to
/// the network has its response handed to `on_stream` as it arrives instead (the head, then
/// each chunk of the body, then its end), and to `on_response` only a failure before the head.
/// [`cancel`] stops it.
pub(crate) fn start_streaming(
    cx: &mut JSContext,
    global: &GlobalScope,
    params: FetchParams,
    data: FetchRequestData,
    on_response: OnResponse,
    on_stream: OnStream,
) -> u64 {
    start_with(cx, global, params, data, on_response, Some(on_stream))
}

fn start_with(
    cx: &mut JSContext,
    global: &GlobalScope,
    params: FetchParams,
    data: FetchRequestData,
    on_response: OnResponse,
    on_stream: Option<OnStream>,
) -> u64 {
    let id = NEXT_REQUEST_ID.with(|next| {
        let id = next.get();
        next.set(id + 1);
        id
    });
    LIVE.with(|live| live.borrow_mut().insert(id));
    if let Some(on_stream) = on_stream {
        STREAMED.with(|streamed| {
            streamed.borrow_mut().insert(
                id,
                Streamed {
                    on_stream: Some(on_stream),
                    on_failure: None,
                    stop: Arc::new(AtomicBool::new(false)),
                    _guard: None,
                },
            )
        });
    }
    let timing = Rc::new(TimingStart::now(global, &params.url, params.initiator_type));
    let timed = timing.clone();
    let on_response: OnResponse = Box::new(move |cx, global, result, by_worker| {
        LIVE.with(|live| live.borrow_mut().remove(&id));
        if let Ok(parts) = &result {
            timed.record(cx, global, parts, by_worker);
        }
        on_response(cx, global, result, by_worker)
    });
    let mut params = params;
    params.referrer = data.details.referrer.clone();
    params.referrer_policy = data.details.referrer_policy.clone();
    let (params, data) = match mixed_content(global, params, data) {
        Ok(upgraded) => upgraded,
        Err(reason) => {
            global.event_loop().queue_task(Box::new(move |cx| {
                // SAFETY: local tasks run in the realm of the global that queued them.
                let global = unsafe { current_global(cx) };
                on_response(cx, global, Err(Failure::Network(reason)), false)
            }));
            return id;
        }
    };
    if data.url.scheme() == "blob" {
        let answer = blob_answer(&data.method, &data.url);
        global.event_loop().queue_task(Box::new(move |cx| {
            // SAFETY: local tasks run in the realm of the global that queued them.
            let global = unsafe { current_global(cx) };
            after_worker(cx, global, id, params, None, answer, on_response, 0)
        }));
        return id;
    }
    let handed_at = crate::dom::performance::now(global);
    if through_worker(cx, global, id, params, data, on_response, 0) {
        timing.worker_start.set(handed_at);
    }
    id
}

/// What a request's resource timing entry needs from its start.
pub(crate) struct TimingStart {
    url: String,
    initiator_type: &'static str,
    fetch_start: f64,
    /// When it was handed to the service worker (0: it was not).
    worker_start: Cell<f64>,
}

impl TimingStart {
    /// A request of `global` for `url` by `initiator_type`, starting now.
    pub(crate) fn now(
        global: &GlobalScope,
        url: &Url,
        initiator_type: &'static str,
    ) -> TimingStart {
        TimingStart {
            url: url.to_string(),
            initiator_type,
            fetch_start: crate::dom::performance::now(global),
            worker_start: Cell::new(0.0),
        }
    }

    /// The request was handed to the service worker now.
    pub(crate) fn handed_to_worker(&self, global: &GlobalScope) {
        self.worker_start.set(crate::dom::performance::now(global));
    }

    /// Adds the entry of the request, answered with `parts` now, to `global`'s timeline
    /// (https://w3c.github.io/resource-timing/#dfn-mark-resource-timing): an http(s) request
    /// with an initiator. A response of another origin passes no timing allow check here (no
    /// Timing-Allow-Origin is read): only its start and end show.
    fn record(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
        parts: &ResponseParts,
        by_worker: bool,
    ) {
        let size = parts.body.as_ref().map_or(0, |body| body.len() as u64);
        self.record_response(
            cx,
            global,
            parts.response_type,
            parts.status,
            size,
            by_worker,
        );
    }

    /// [`Self::record`] from a response's type, status and body size.
    pub(crate) fn record_response(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
        response_type: ResponseType,
        status: u16,
        size: u64,
        by_worker: bool,
    ) {
        if self.initiator_type.is_empty()
            || !(self.url.starts_with("http:") || self.url.starts_with("https:"))
        {
            return;
        }
        let response_end = crate::dom::performance::now(global);
        let mut timing = ResourceTiming {
            initiator_type: self.initiator_type,
            fetch_start: self.fetch_start,
            response_end,
            ..ResourceTiming::default()
        };
        if response_type == ResponseType::Basic {
            timing.worker_start = self.worker_start.get();
            timing.request_start = self.fetch_start.max(timing.worker_start);
            timing.response_start = response_end;
            timing.encoded_body_size = size;
            timing.decoded_body_size = size;
            // A worker's answer crossed no network; a network one has its headers too
            // (counted as 300 bytes, as Resource Timing suggests).
            timing.transfer_size = if by_worker { 0 } else { size + 300 };
            timing.next_hop_protocol = if by_worker { "" } else { "http/1.1" };
        }
        // The status shows for a response the CORS check let through, not an opaque one.
        if matches!(response_type, ResponseType::Basic | ResponseType::Cors) {
            timing.response_status = status;
        }
        Performance::add_resource_timing(cx, global, self.url.clone(), timing);
    }
}

/// Mixed Content (https://w3c.github.io/webappsec-mixed-content/level2.html): a secure
/// context's request for an `http:` URL that is not a priori authenticated (its origin is not
/// potentially trustworthy: not loopback, not localhost) is upgraded to `https:` when it is for
/// an image, audio or video (upgradeable content), and blocked otherwise, before any service
/// worker sees it. Why it was blocked, for the console.
fn mixed_content(
    global: &GlobalScope,
    mut params: FetchParams,
    mut data: FetchRequestData,
) -> Result<(FetchParams, FetchRequestData), String> {
    let Some(reason) = insecure_for(global, &params.url) else {
        return Ok((params, data));
    };
    if !matches!(data.destination.as_str(), "image" | "audio" | "video") {
        return Err(reason);
    }
    let mut upgraded = params.url.clone();
    let port = upgraded.port();
    // Url refuses no scheme change between special schemes; port 80 becomes the default.
    let _ = upgraded.set_scheme("https");
    if port == Some(80) {
        let _ = upgraded.set_port(None);
    }
    params.url = upgraded.clone();
    data.url = upgraded;
    Ok((params, data))
}

/// Why `url` is mixed content for `global` (an `http:` URL, not a priori authenticated, from a
/// secure context of an `https:` origin), if it is. A page on `http://127.0.0.1` is a secure
/// context but restricts no mixed content, as in Chromium (only secure schemes restrict it).
fn insecure_for(global: &GlobalScope, url: &Url) -> Option<String> {
    let secure_scheme = matches!(
        global.origin(),
        url::Origin::Tuple(scheme, _, _) if scheme == "https" || scheme == "wss"
    );
    (url.scheme() == "http"
        && secure_scheme
        && global.is_secure_context()
        && !base::origin::is_potentially_trustworthy(url))
    .then(|| {
        format!(
            "mixed content: {url} was blocked, as the secure page {} may not load insecure content",
            global.url()
        )
    })
}

/// Ends the request `id` of [`start`] early (an aborted `fetch()`, an XMLHttpRequest's
/// `abort()`, `open()` or timeout): a request at the network no longer keeps the global's loop
/// from going idle, and its answer is dropped; one still at the service worker goes no
/// further (the worker's event itself is bounded by `serviceworker.max_event_duration_ms`).
pub(crate) fn cancel(id: u64) {
    // A stream stops reading at its next chunk, and keeps the loop awake no more.
    if let Some(streamed) = STREAMED.with(|streamed| streamed.borrow_mut().remove(&id)) {
        streamed.stop.store(true, Ordering::SeqCst);
    }
    if !LIVE.with(|live| live.borrow_mut().remove(&id)) {
        return;
    }
    let waiting = AT_THE_NETWORK.with(|waiting| waiting.borrow_mut().remove(&id));
    if waiting.is_none() {
        CANCELED.with(|canceled| canceled.borrow_mut().insert(id));
    }
}

/// Whether request `id` was canceled before this stage (and forgets it).
fn was_canceled(id: u64) -> bool {
    CANCELED.with(|canceled| canceled.borrow_mut().remove(&id))
}

/// Runs `params` while the calling script waits (a synchronous XMLHttpRequest): a blob URL
/// from the table, anything else at the network, never through a service worker (the caller
/// decides what a controlled global does). `None`: `timeout` passed first; the request is left
/// to finish on its own thread, and its answer is dropped.
pub(crate) fn fetch_now(
    global: &GlobalScope,
    params: FetchParams,
    timeout: Option<std::time::Duration>,
) -> Option<Result<ResponseParts, Failure>> {
    if params.url.scheme() == "blob" {
        let answer = blob_answer(&params.method, &params.url);
        return Some(match answer {
            FetchAnswer::Respond(data) => worker_response(*data, &params).map_err(Failure::Network),
            FetchAnswer::NetworkError(reason) => Err(Failure::Network(reason)),
            FetchAnswer::Fallback => Err(Failure::Network("a blob URL with no answer".into())),
        });
    }
    if !global.is_online() && matches!(params.url.scheme(), "http" | "https") {
        return Some(Err(Failure::Offline));
    }
    if let Some(reason) = insecure_for(global, &params.url) {
        return Some(Err(Failure::Network(reason)));
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let loader = global.event_loop().loader().clone();
    let spawned = std::thread::Builder::new()
        .name("fetch".into())
        .spawn(move || {
            let _ = sender.send(run_fetch(&loader, params).map_err(Failure::Network));
        });
    if let Err(error) = spawned {
        return Some(Err(Failure::Network(format!("no fetch thread: {error}"))));
    }
    let ended = || {
        Err(Failure::Network(
            "the fetch thread ended without an answer".into(),
        ))
    };
    match timeout {
        Some(timeout) => match receiver.recv_timeout(timeout) {
            Ok(result) => Some(result),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Some(ended()),
        },
        None => Some(receiver.recv().unwrap_or_else(|_| ended())),
    }
}

/// <https://fetch.spec.whatwg.org/#scheme-fetch> for `blob:`: the blob the URL stands for, to a
/// GET; a network error otherwise (another method, or a URL revoked or never made).
fn blob_answer(method: &str, url: &Url) -> FetchAnswer {
    if method != "GET" {
        return FetchAnswer::NetworkError(format!("{url}: a blob URL answers GET only"));
    }
    let Some(entry) = crate::blob_urls::resolve(url) else {
        return FetchAnswer::NetworkError(format!("{url}: no such blob URL"));
    };
    let mut headers = vec![("Content-Length".to_owned(), entry.bytes.len().to_string())];
    headers.push(("Content-Type".to_owned(), entry.type_));
    FetchAnswer::Respond(Box::new(script_traits::FetchResponseData {
        url: Some(url.clone()),
        status: 200,
        status_text: "OK".to_owned(),
        headers,
        body: entry.bytes.to_vec(),
        redirected: false,
        response_type: "basic".to_owned(),
        body_error: None,
    }))
}

/// What to do with the worker's answer to a handed request.
pub type OnAnswer = Box<dyn FnOnce(&mut JSContext, &GlobalScope, FetchAnswer)>;

thread_local! {
    /// The requests of this thread's page handed to its service worker, by token.
    static HANDED_TO_WORKER: RefCell<HashMap<u64, OnAnswer>> = RefCell::new(HashMap::new());
}

/// Hands `request` to the page's controller (Handle Fetch): `on_answer` runs, in a task, with
/// its answer. `Err(on_answer)` when there is none to hand it to (not an http(s) request, no
/// controller, no engine): the caller goes to the network.
pub fn hand_to_worker(
    global: &GlobalScope,
    request: FetchRequestData,
    on_answer: OnAnswer,
) -> Result<(), OnAnswer> {
    if !matches!(request.url.scheme(), "http" | "https")
        || !ServiceWorkerContainer::is_controlled(global)
    {
        return Err(on_answer);
    }
    let Some(link) = global.constellation_link() else {
        return Err(on_answer);
    };
    // The page stays alive until the answer (MessageDone's guard, by token).
    let token = global.message_in_flight();
    let message = ScriptMsg::Fetch {
        token,
        request: Box::new(request),
    };
    if !link.send_client(message) {
        global.message_done(token);
        return Err(on_answer);
    }
    HANDED_TO_WORKER.with(|handed| handed.borrow_mut().insert(token, on_answer));
    Ok(())
}

/// The service worker's answer to the request numbered `token` (see [`hand_to_worker`]).
pub fn answered(cx: &mut JSContext, global: &GlobalScope, token: u64, answer: FetchAnswer) {
    let handed = HANDED_TO_WORKER.with(|handed| handed.borrow_mut().remove(&token));
    let Some(on_answer) = handed else {
        log::warn!(target: "bgsync::script::fetch", "an answer to no fetch ({token}); dropped");
        return;
    };
    on_answer(cx, global, answer);
    global.message_done(token);
}

/// Goes on with a request after its worker's answer: its response, the network, or a
/// network error. `request` is the request as the worker saw it (`None`: no worker did, a
/// blob URL's), `hops` how many redirects of a worker's it has followed.
#[allow(clippy::too_many_arguments)]
fn after_worker(
    cx: &mut JSContext,
    global: &GlobalScope,
    id: u64,
    params: FetchParams,
    request: Option<FetchRequestData>,
    answer: FetchAnswer,
    on_response: OnResponse,
    hops: usize,
) {
    if was_canceled(id) {
        return;
    }
    match answer {
        FetchAnswer::Respond(data) => {
            if let (Some(location), Some(request)) = (worker_redirect_location(&data), request) {
                let redirect = WorkerRedirect {
                    status: data.status,
                    url: data.url.clone().unwrap_or_else(|| params.url.clone()),
                    headers: data.headers.clone(),
                    location,
                };
                return after_worker_redirect(
                    cx,
                    global,
                    id,
                    params,
                    request,
                    redirect,
                    on_response,
                    hops,
                );
            }
            let result = worker_response(*data, &params).map_err(Failure::Network);
            on_response(cx, global, result, true);
        }
        FetchAnswer::Fallback => go_to_network(global, id, params, on_response),
        FetchAnswer::NetworkError(reason) => {
            on_response(cx, global, Err(Failure::Network(reason)), true)
        }
    }
}

/// Hands `request` (`params` as the fetch thread would run it) to the global's service worker,
/// and goes on after its answer ([`after_worker`]); with no worker, to the network at once.
/// Whether a worker got it.
fn through_worker(
    cx: &mut JSContext,
    global: &GlobalScope,
    id: u64,
    params: FetchParams,
    mut request: FetchRequestData,
    on_response: OnResponse,
    hops: usize,
) -> bool {
    // Kept for a redirect the worker may answer with; its body is `params.body`, not copied.
    let body = request.body.take();
    let seen = request.clone();
    request.body = body;
    let on_answer: OnAnswer = Box::new(move |cx, global, answer| {
        after_worker(
            cx,
            global,
            id,
            params,
            Some(seen),
            answer,
            on_response,
            hops,
        )
    });
    match hand_to_worker(global, request, on_answer) {
        Ok(()) => true,
        Err(on_answer) => {
            on_answer(cx, global, FetchAnswer::Fallback);
            false
        }
    }
}

/// The `Location` of a worker's answer that is a redirect the page acts on (a response of
/// status 301, 302, 303, 307 or 308 with a `Location`, not an opaque or opaque-redirect one,
/// which the page never looks into): `Response.redirect()`, or the worker's own fetch of a
/// redirect with `redirect: "manual"` turned into a Response.
fn worker_redirect_location(data: &FetchResponseData) -> Option<String> {
    if matches!(data.response_type.as_str(), "opaque" | "opaqueredirect")
        || !net::is_redirect_status(data.status)
    {
        return None;
    }
    data.header("location").map(str::to_owned)
}

/// A redirect a service worker answered a request with.
struct WorkerRedirect {
    status: u16,
    url: Url,
    headers: Vec<(String, String)>,
    location: String,
}

/// <https://fetch.spec.whatwg.org/#http-fetch>, step "if actualResponse's status is a
/// redirect status", for a redirect a worker answered with: by the request's redirect mode a
/// network error, an opaque-redirect, or the next request (HTTP-redirect fetch), which goes
/// through the worker again (at most `net::MAX_REDIRECTS` times) and whose response is
/// `redirected`.
#[allow(clippy::too_many_arguments)]
fn after_worker_redirect(
    cx: &mut JSContext,
    global: &GlobalScope,
    id: u64,
    mut params: FetchParams,
    mut request: FetchRequestData,
    redirect: WorkerRedirect,
    on_response: OnResponse,
    hops: usize,
) {
    let next = match params.redirect {
        RequestRedirect::Error => Err(format!(
            "the service worker answered {} with a redirect, and its redirect mode is 'error'",
            params.url
        )),
        RequestRedirect::Manual => {
            let parts = opaque_redirect_response(HiddenResponse {
                url: redirect.url,
                status: redirect.status,
                headers: redirect.headers,
                body: Vec::new(),
            });
            return on_response(cx, global, Ok(parts), true);
        }
        RequestRedirect::Follow if hops >= net::MAX_REDIRECTS as usize => Err(format!(
            "too many redirects (more than {})",
            net::MAX_REDIRECTS
        )),
        RequestRedirect::Follow => location_url(&params.url, &redirect.location),
    };
    let next = match next {
        Ok(next) => next,
        Err(reason) => return on_response(cx, global, Err(Failure::Network(reason)), true),
    };
    // Step 12 of HTTP-redirect fetch: a 301/302 to a POST, or a 303 to anything but
    // GET/HEAD, becomes a GET without a body.
    if (matches!(redirect.status, 301 | 302) && params.method == "POST")
        || (redirect.status == 303 && !matches!(params.method.as_str(), "GET" | "HEAD"))
    {
        params.method = "GET".to_owned();
        params.body = None;
        params.headers.retain(|(name, _)| {
            !REQUEST_BODY_HEADERS.contains(&name.to_ascii_lowercase().as_str())
        });
        request.method = params.method.clone();
        request.headers = params.headers.clone();
    }
    request.body = params.body.clone();
    params.referrer = params
        .referrer
        .and_then(|referrer| base::referrer::determine(&referrer, &params.referrer_policy, &next));
    request.details.referrer = params.referrer.clone();
    params.url = next.clone();
    request.url = next;
    let on_response: OnResponse = Box::new(move |cx, global, result, by_worker| {
        let result = result.map(|mut parts| {
            parts.redirected = true;
            parts
        });
        on_response(cx, global, result, by_worker)
    });
    through_worker(cx, global, id, params, request, on_response, hops + 1);
}

/// The Response the page sees of its worker's: the request's URL when it has none, and
/// filtered by the request's response tainting (Fetch's main fetch, which runs after the
/// worker answered): basic for a same-origin request, CORS-checked and CORS-filtered for
/// another origin.
fn worker_response(data: FetchResponseData, params: &FetchParams) -> Result<ResponseParts, String> {
    let same_origin = params.url.origin() == params.origin;
    // A response whose body broke off (a navigation preload's, passed on): the page's request
    // fails, as buffered bodies cannot fail later.
    if let Some(reason) = &data.body_error {
        return Err(format!(
            "the service worker's response body broke off: {reason}"
        ));
    }
    // Handle Fetch: an opaque-redirect answers a request of redirect mode "manual" only.
    if data.response_type == "opaqueredirect" {
        if params.redirect != RequestRedirect::Manual {
            return Err(format!(
                "the service worker answered {} (redirect mode \"{}\") with an opaque-redirect \
                 response",
                params.url,
                params.redirect.as_str()
            ));
        }
        return Ok(opaque_redirect_response(HiddenResponse {
            url: data.url.unwrap_or_else(|| params.url.clone()),
            status: data.status,
            headers: data.headers,
            body: Vec::new(),
        }));
    }
    if data.response_type == "opaque" || (!same_origin && params.mode == RequestMode::NoCors) {
        if params.mode != RequestMode::NoCors {
            return Err(format!(
                "the service worker answered the {} request {} with an opaque response",
                params.mode.as_str(),
                params.url
            ));
        }
        return Ok(opaque_response(HiddenResponse {
            url: data.url.unwrap_or_else(|| params.url.clone()),
            status: data.status,
            headers: data.headers,
            body: data.body,
        }));
    }
    let url = data.url.unwrap_or_else(|| params.url.clone());
    let mut headers = data.headers;
    // A CORS response the worker fetched (a redirect to another origin) stays one, its
    // headers filtered already; otherwise the request's origin decides.
    let response_type = if data.response_type == "cors" {
        // https://fetch.spec.whatwg.org/#http-fetch, step 5.5: a same-origin request gets no
        // CORS response.
        if params.mode == RequestMode::SameOrigin {
            return Err(format!(
                "the service worker answered the same-origin request {} with a CORS response",
                params.url
            ));
        }
        ResponseType::Cors
    } else if same_origin {
        headers.retain(|(name, _)| {
            !name.eq_ignore_ascii_case("set-cookie") && !name.eq_ignore_ascii_case("set-cookie2")
        });
        ResponseType::Basic
    } else {
        let header = |wanted: &str| {
            headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .map(|(_, value)| value.trim().to_owned())
        };
        if !cors_allows(
            header("access-control-allow-origin").as_deref(),
            &params.origin,
        ) {
            return Err(format!(
                "the service worker's response to the cross-origin request {} has no \
                 Access-Control-Allow-Origin for {}",
                params.url,
                params.origin.ascii_serialization()
            ));
        }
        let exposed: Vec<String> = header("access-control-expose-headers")
            .map(|list| list.split(',').map(|name| name.trim().to_owned()).collect())
            .unwrap_or_default();
        headers.retain(|(name, _)| is_safelisted_response_header(name, &exposed));
        ResponseType::Cors
    };
    Ok(ResponseParts {
        response_type,
        url: Some(url),
        redirected: data.redirected,
        status: data.status,
        status_text: data.status_text,
        headers,
        guard: Guard::Immutable,
        body: Some(data.body),
        hidden: None,
    })
}

/// Sends `params` (request `id`) to the network on a thread of its own; `on_response` runs in
/// a task. Until then the entry in `AT_THE_NETWORK` keeps the loop from going idle, so
/// [`cancel`] lets it go at once.
fn go_to_network(global: &GlobalScope, id: u64, params: FetchParams, on_response: OnResponse) {
    let fail_later = |failure: Failure, on_response: OnResponse| {
        global.event_loop().queue_task(Box::new(move |cx| {
            if was_canceled(id) {
                return;
            }
            // SAFETY: local tasks run in the realm of the global that queued them.
            let global = unsafe { current_global(cx) };
            on_response(cx, global, Err(failure), false)
        }));
    };
    // Offline (the engine's network observer, or the embedder's override): nothing is sent.
    if !global.is_online() && matches!(params.url.scheme(), "http" | "https") {
        return fail_later(Failure::Offline, on_response);
    }
    if STREAMED.with(|streamed| streamed.borrow().contains_key(&id)) {
        return stream_from_network(global, id, params, on_response);
    }
    let guard = global.event_loop().expect_remote_task();
    AT_THE_NETWORK.with(|waiting| waiting.borrow_mut().insert(id, (on_response, guard)));
    let poster = global.event_loop().poster();
    let loader = global.event_loop().loader().clone();
    let spawned = std::thread::Builder::new()
        .name("fetch".into())
        .spawn(move || {
            let result = run_fetch(&loader, params).map_err(Failure::Network);
            poster.post(Box::new(move |cx: &mut JSContext| {
                let Some((on_response, _guard)) =
                    AT_THE_NETWORK.with(|w| w.borrow_mut().remove(&id))
                else {
                    return;
                };
                // SAFETY: remote tasks run in the realm of the global they were posted for.
                let global = unsafe { current_global(cx) };
                if let Ok(parts) = &result {
                    clear_site_data_if_asked(global, parts);
                }
                on_response(cx, global, result, false);
            }));
        });
    if let Err(error) = spawned {
        if let Some((on_response, _guard)) = AT_THE_NETWORK.with(|w| w.borrow_mut().remove(&id)) {
            fail_later(
                Failure::Network(format!("no fetch thread: {error}")),
                on_response,
            );
        }
    }
}

/// A request of [`start_streaming`] read as it arrives.
struct Streamed {
    /// Taken out while it runs.
    on_stream: Option<OnStream>,
    /// Gets a failure before the head (dropped once the head came).
    on_failure: Option<OnResponse>,
    /// Set by [`cancel`]: the network thread stops reading.
    stop: Arc<AtomicBool>,
    /// Keeps the loop awake while the body may still come.
    _guard: Option<crate::event_loop::PendingWork>,
}

/// Hands `event` to the reader of stream `id`, if it still reads; its end forgets it.
fn deliver_stream_event(cx: &mut JSContext, id: u64, event: StreamEvent) {
    let end = matches!(event, StreamEvent::End(_));
    let head = matches!(event, StreamEvent::Head(_));
    let Some(mut on_stream) = STREAMED.with(|streamed| {
        let mut streamed = streamed.borrow_mut();
        let entry = streamed.get_mut(&id)?;
        if head {
            entry.on_failure = None;
        }
        entry.on_stream.take()
    }) else {
        return;
    };
    // SAFETY: remote tasks run in the realm of the global they were posted for.
    let global = unsafe { current_global(cx) };
    on_stream(cx, global, event);
    STREAMED.with(|streamed| {
        let mut streamed = streamed.borrow_mut();
        if end {
            streamed.remove(&id);
            LIVE.with(|live| live.borrow_mut().remove(&id));
        } else if let Some(entry) = streamed.get_mut(&id) {
            entry.on_stream = Some(on_stream);
        }
    });
}

/// [`go_to_network`] for a request of [`start_streaming`]: a GET (or whatever `params` say)
/// whose redirects the loader follows, its final response checked for CORS when it is of
/// another origin, then handed over as it arrives. It keeps the loop awake until its body ends
/// or it is canceled.
fn stream_from_network(
    global: &GlobalScope,
    id: u64,
    params: FetchParams,
    on_response: OnResponse,
) {
    let guard = global.event_loop().expect_remote_task();
    let Some(stop) = STREAMED.with(|streamed| {
        let mut streamed = streamed.borrow_mut();
        let entry = streamed.get_mut(&id)?;
        entry._guard = Some(guard);
        entry.on_failure = Some(on_response);
        Some(entry.stop.clone())
    }) else {
        return;
    };
    let poster = global.event_loop().poster();
    let loader = global.event_loop().loader().clone();
    let spawned = std::thread::Builder::new()
        .name("fetch stream".into())
        .spawn(move || {
            let FetchParams {
                url,
                method,
                mut headers,
                body,
                origin,
                referrer,
                ..
            } = params;
            let cross_origin = url.origin() != origin;
            if cross_origin {
                headers.push(("Origin".to_owned(), origin.ascii_serialization()));
            }
            if let Some(referrer) = &referrer {
                headers.push(("Referer".to_owned(), referrer.to_string()));
            }
            let options = RequestOptions {
                method,
                headers,
                body,
                redirect: RedirectMode::Follow,
                cache: net::CacheMode::NoStore,
                cache_partition: origin.ascii_serialization(),
                keep_broken_body: false,
            };
            let mut refused = None;
            let mut headed = false;
            let result = loader.stream(&url, &options, &mut |event| {
                if stop.load(Ordering::SeqCst) {
                    return false;
                }
                let event = match event {
                    net::StreamEvent::Head(head) => {
                        let tainted = head.url.origin() != origin;
                        if tainted
                            && !cors_allows(head.header("access-control-allow-origin"), &origin)
                        {
                            refused = Some(format!(
                                "the cross-origin response of {} has no \
                                 Access-Control-Allow-Origin for {}",
                                head.url,
                                origin.ascii_serialization()
                            ));
                            return false;
                        }
                        headed = true;
                        StreamEvent::Head(final_response(head.clone(), tainted, head.redirected))
                    }
                    net::StreamEvent::Chunk(bytes) => StreamEvent::Chunk(bytes.to_vec()),
                };
                poster.post(Box::new(move |cx: &mut JSContext| {
                    deliver_stream_event(cx, id, event)
                }));
                true
            });
            let result = result.map(|_| ()).map_err(|error| error.to_string());
            let failure = match (refused, &result) {
                (Some(reason), _) => Some(reason),
                (None, Err(error)) if !headed => Some(error.clone()),
                _ => None,
            };
            if let Some(reason) = failure {
                poster.post(Box::new(move |cx: &mut JSContext| {
                    let streamed = STREAMED.with(|streamed| streamed.borrow_mut().remove(&id));
                    LIVE.with(|live| live.borrow_mut().remove(&id));
                    if let Some(on_response) = streamed.and_then(|streamed| streamed.on_failure) {
                        // SAFETY: remote tasks run in the realm of the global they were posted for.
                        let global = unsafe { current_global(cx) };
                        on_response(cx, global, Err(Failure::Network(reason)), false);
                    }
                }));
                return;
            }
            poster.post(Box::new(move |cx: &mut JSContext| {
                deliver_stream_event(cx, id, StreamEvent::End(result))
            }));
        });
    if let Err(error) = spawned {
        log::error!(target: "bgsync::script::fetch", "no fetch stream thread: {error}");
        STREAMED.with(|streamed| streamed.borrow_mut().remove(&id));
    }
}

/// Clear-Site-Data (<https://w3c.github.io/webappsec-clear-site-data/#header>): a network
/// response of the global's own origin naming `"storage"` (or `"*"`) has the constellation
/// clear the origin's storage before the script sees the response, and `"cache"` has the
/// engine's HTTP cache forget the origin's URLs. `"cookies"` names nothing bgsync keeps; a
/// response of another origin is not read for it.
fn clear_site_data_if_asked(global: &GlobalScope, parts: &ResponseParts) {
    let Some(url) = &parts.url else {
        return;
    };
    if parts.response_type != ResponseType::Basic {
        return;
    }
    let asks_for = |wanted: &str| {
        parts
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("clear-site-data"))
            .flat_map(|(_, value)| value.split(','))
            .any(|kind| kind.trim() == wanted || kind.trim() == "\"*\"")
    };
    if asks_for("\"cache\"") {
        if let Some(cache) = global.event_loop().loader().http_cache() {
            cache.clear_origin(&url.origin());
        }
    }
    if !asks_for("\"storage\"") {
        return;
    }
    if let Some(link) = global.constellation_link() {
        link.send_client(ScriptMsg::ClearSiteData { url: url.clone() });
    }
}

/// Drops what this thread's requests would have done with their answers (requests still at
/// a worker or at the network), before its runtime goes away: they hold rooted values.
pub fn forget_pending() {
    let streamed = STREAMED.with(|streamed| std::mem::take(&mut *streamed.borrow_mut()));
    for stream in streamed.values() {
        stream.stop.store(true, Ordering::SeqCst);
    }
    drop(streamed);
    let handed = HANDED_TO_WORKER.with(|handed| std::mem::take(&mut *handed.borrow_mut()));
    let waiting = AT_THE_NETWORK.with(|waiting| std::mem::take(&mut *waiting.borrow_mut()));
    drop((handed, waiting));
}

thread_local! {
    /// What to do with the responses of this thread's requests at the network, by number, and
    /// the guard that keeps their loop awake meanwhile.
    static AT_THE_NETWORK: RefCell<HashMap<u64, (OnResponse, crate::event_loop::PendingWork)>> =
        RefCell::new(HashMap::new());
    static NEXT_REQUEST_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
    /// The requests of [`start_streaming`] still read, by number.
    static STREAMED: RefCell<HashMap<u64, Streamed>> = RefCell::new(HashMap::new());
    /// The requests of [`start`] not answered yet.
    static LIVE: RefCell<std::collections::HashSet<u64>> =
        RefCell::new(std::collections::HashSet::new());
    /// Requests canceled before they reached the network.
    static CANCELED: RefCell<std::collections::HashSet<u64>> =
        RefCell::new(std::collections::HashSet::new());
}

/// A request as the fetch thread runs it.
pub(crate) struct FetchParams {
    pub(crate) url: Url,
    pub(crate) method: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) redirect: RequestRedirect,
    /// `cors`, or `no-cors` (another origin's response is opaque), or `same-origin` (another
    /// origin is a network error).
    pub(crate) mode: RequestMode,
    /// The origin of the global that fetches.
    pub(crate) origin: url::Origin,
    /// The referrer main fetch determined for the first URL, sent as `Referer` (and
    /// determined again for each redirect's URL under `referrer_policy`). [`start`] sets both
    /// from the request's details.
    pub(crate) referrer: Option<Url>,
    pub(crate) referrer_policy: String,
    /// How the HTTP cache is used (the request's `cache`).
    pub(crate) cache: net::CacheMode,
    /// Who made the request, for its resource timing entry (`"fetch"`, `"xmlhttprequest"`,
    /// `"img"`); `""`: no entry (a module script's fetch, made off the timeline).
    pub(crate) initiator_type: &'static str,
}

/// <https://fetch.spec.whatwg.org/#request-body-header-name>
const REQUEST_BODY_HEADERS: [&str; 4] = [
    "content-encoding",
    "content-language",
    "content-location",
    "content-type",
];

/// <https://fetch.spec.whatwg.org/#concept-cors-check> for a request of `origin` without
/// credentials: whether the response's `Access-Control-Allow-Origin` (`allow_origin`) is `*`
/// or that origin.
fn cors_allows(allow_origin: Option<&str>, origin: &url::Origin) -> bool {
    allow_origin.is_some_and(|value| {
        let value = value.trim();
        value == "*" || value == origin.ascii_serialization()
    })
}

/// The CORS-safelisted methods.
fn is_simple_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Runs a request on the fetch thread: each redirect hop by hand, so every response from
/// another origin passes the CORS check (https://fetch.spec.whatwg.org/#http-redirect-fetch).
/// The parts of the Response the script sees, or why it gets a network error.
fn run_fetch(loader: &net::Loader, params: FetchParams) -> Result<ResponseParts, String> {
    let FetchParams {
        mut url,
        mut method,
        mut headers,
        mut body,
        redirect,
        mode,
        origin,
        mut referrer,
        mut referrer_policy,
        cache,
        ..
    } = params;
    let simple_headers = headers
        .iter()
        .all(|(name, value)| is_safelisted_request_header(name, value));
    let mut tainted = false;
    let mut opaque = false;
    for hop in 0..=net::MAX_REDIRECTS {
        let cross_origin = matches!(url.scheme(), "http" | "https") && url.origin() != origin;
        if cross_origin && mode == RequestMode::SameOrigin {
            return Err(format!(
                "the request's mode is 'same-origin' and {url} is of another origin"
            ));
        }
        // no-cors: sent as it is (construction allowed simple methods only); what comes back
        // is opaque to the script.
        if cross_origin && mode == RequestMode::NoCors {
            opaque = true;
        }
        if cross_origin && !tainted && !opaque {
            if !(is_simple_method(&method) && simple_headers) {
                return Err(format!(
                    "the cross-origin request to {url} needs a CORS preflight, which bgsync \
                     does not support yet"
                ));
            }
            tainted = true;
            headers.push(("Origin".to_owned(), origin.ascii_serialization()));
        }
        let mut sent_headers = headers.clone();
        if let Some(referrer) = &referrer {
            sent_headers.push(("Referer".to_owned(), referrer.to_string()));
        }
        let options = RequestOptions {
            method: method.clone(),
            headers: sent_headers,
            body: body.clone(),
            redirect: RedirectMode::Manual,
            cache,
            cache_partition: origin.ascii_serialization(),
            keep_broken_body: false,
        };
        let resource = loader
            .load_with(&url, &options)
            .map_err(|e| e.to_string())?;
        // Once tainted, every response passes the CORS check, a same-origin one after a
        // detour too.
        if tainted && !cors_allows(resource.header("access-control-allow-origin"), &origin) {
            return Err(format!(
                "the cross-origin response of {url} has no Access-Control-Allow-Origin for {}",
                origin.ascii_serialization()
            ));
        }
        let location = resource.redirect_location().map(str::to_owned);
        let Some(location) = location else {
            if opaque {
                return Ok(opaque_response(HiddenResponse {
                    url: resource.url,
                    status: resource.status,
                    headers: resource.headers,
                    body: resource.body,
                }));
            }
            return Ok(final_response(resource, tainted, hop > 0));
        };
        match redirect {
            RequestRedirect::Error => {
                return Err("redirected, and the request's redirect mode is 'error'".into())
            }
            RequestRedirect::Manual => {
                return Ok(opaque_redirect_response(HiddenResponse {
                    url: resource.url,
                    status: resource.status,
                    headers: resource.headers,
                    body: Vec::new(),
                }));
            }
            RequestRedirect::Follow => {}
        }
        let next = location_url(&url, &location)?;
        // Step 12: a 301/302 to a POST, or a 303 to anything but GET/HEAD, becomes a GET
        // without a body or the body's headers.
        if ((resource.status == 301 || resource.status == 302) && method == "POST")
            || (resource.status == 303 && method != "GET" && method != "HEAD")
        {
            method = "GET".to_owned();
            body = None;
            headers.retain(|(name, _)| {
                !REQUEST_BODY_HEADERS.contains(&name.to_ascii_lowercase().as_str())
            });
        }
        referrer = referrer_after_redirect(&resource, referrer, &mut referrer_policy, &next);
        url = next;
    }
    Err(format!(
        "too many redirects (more than {})",
        net::MAX_REDIRECTS
    ))
}

/// <https://fetch.spec.whatwg.org/#concept-response-location-url> for a request at `url`: the
/// URL `location` names, with `url`'s fragment when it has none; an error when it is no URL or
/// not an HTTP(S) one.
pub(crate) fn location_url(url: &Url, location: &str) -> Result<Url, String> {
    let mut next = url
        .join(location)
        .map_err(|_| format!("{url} redirects to {location:?}, which is no URL"))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(format!(
            "{url} redirects to {next}, which is not an HTTP(S) URL"
        ));
    }
    if next.fragment().is_none() {
        next.set_fragment(url.fragment());
    }
    Ok(next)
}

/// The referrer of the request a redirect sends on to `next`: the redirect's `Referrer-Policy`
/// becomes `policy` from then on
/// (https://w3c.github.io/webappsec-referrer-policy/#set-requests-referrer-policy-on-redirect),
/// and the referrer is determined again under it.
pub(crate) fn referrer_after_redirect(
    redirect: &net::Resource,
    referrer: Option<Url>,
    policy: &mut String,
    next: &Url,
) -> Option<Url> {
    if let Some(named) = redirect
        .header("referrer-policy")
        .and_then(base::referrer::parse_header)
    {
        *policy = named.to_owned();
    }
    referrer.and_then(|referrer| base::referrer::determine(&referrer, policy, next))
}

/// A module script's request (https://html.spec.whatwg.org/multipage/webappapis.html#fetch-a-single-module-script):
/// a GET in `cors` mode from a global of `origin`, redirects followed, run on the calling
/// thread; another origin's response must pass the CORS check, as `fetch()`'s does. The
/// response's final URL, `Content-Type` and body, or why it is a network error.
pub(crate) fn fetch_module_script(
    loader: &net::Loader,
    url: Url,
    origin: url::Origin,
) -> Result<(Url, Option<String>, Vec<u8>), String> {
    let requested = url.clone();
    let params = FetchParams {
        url,
        method: "GET".to_owned(),
        headers: Vec::new(),
        body: None,
        redirect: RequestRedirect::Follow,
        mode: RequestMode::Cors,
        origin,
        referrer: None,
        referrer_policy: String::new(),
        cache: net::CacheMode::Default,
        initiator_type: "",
    };
    let response = run_fetch(loader, params)?;
    if !(200..=299).contains(&response.status) {
        return Err(format!("HTTP {}", response.status));
    }
    let content_type = response
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.clone());
    Ok((
        response.url.unwrap_or(requested),
        content_type,
        response.body.unwrap_or_default(),
    ))
}

/// An opaque filtered response around `internal`: nothing of it shows.
pub(crate) fn opaque_response(internal: HiddenResponse) -> ResponseParts {
    ResponseParts {
        hidden: Some(Box::new(internal)),
        ..ResponseParts::empty(ResponseType::Opaque)
    }
}

/// An opaque-redirect filtered response around the redirect `internal` (a request of redirect
/// mode "manual"): its URL shows, nothing else; the internal response goes with it, so that a
/// navigation a service worker answers with it follows its `Location`.
pub(crate) fn opaque_redirect_response(internal: HiddenResponse) -> ResponseParts {
    ResponseParts {
        url: Some(internal.url.clone()),
        hidden: Some(Box::new(internal)),
        ..ResponseParts::empty(ResponseType::Opaqueredirect)
    }
}

/// The Response a script sees of the final network response: basic, or CORS-filtered.
fn final_response(resource: net::Resource, tainted: bool, redirected: bool) -> ResponseParts {
    let mut headers = resource.headers.clone();
    let mut response_type = ResponseType::Basic;
    if tainted {
        let exposed: Vec<String> = resource
            .header("access-control-expose-headers")
            .map(|list| list.split(',').map(|name| name.trim().to_owned()).collect())
            .unwrap_or_default();
        headers.retain(|(name, _)| is_safelisted_response_header(name, &exposed));
        response_type = ResponseType::Cors;
    }
    ResponseParts {
        response_type,
        url: Some(resource.url),
        redirected,
        status: resource.status,
        status_text: resource.status_text,
        headers,
        guard: Guard::Immutable,
        body: Some(resource.body),
        hidden: None,
    }
}
