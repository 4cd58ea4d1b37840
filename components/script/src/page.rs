//! Running one page headless: load the document, parse it with its scripts, fire
//! DOMContentLoaded and load, then run the event loop until it is idle or the deadline
//! passes. This is what `bgsync run` does.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base::prefs::Prefs;
use url::Url;

use crate::constellation_link::ConstellationLink;
use crate::dom::bindings::reflector::{Castable, DomObject};
use crate::dom::codegen::DocumentReadyState;
use crate::dom::document::Document;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::GlobalOf;
use crate::dom::globalscope::{ConsoleLevel, ConsoleSink};
use crate::dom::window::Window;
use crate::event_loop::{EventLoop, RunOutcome};

const LOG_TARGET: &str = "bgsync::script::service_worker";

/// Receives each console message of the page, from the script thread.
pub type ConsoleCallback = Arc<dyn Fn(ConsoleLevel, &str) + Send + Sync>;

/// Connects a page's dedicated worker (`ClientType::Worker`, frame type "none"), frame
/// (`ClientType::Window`, "nested") or auxiliary window (`window.open()`, "auxiliary") whose
/// script or document is at the URL to the engine, as a client (the engine makes its
/// channels); the reason if it cannot.
pub type ClientConnector = Arc<
    dyn Fn(
            &Url,
            script_traits::ClientType,
            script_traits::FrameType,
        ) -> Result<script_traits::ClientChannels, String>
        + Send
        + Sync,
>;

pub struct PageOptions {
    pub url: Url,
    /// Stop the page (and interrupt a running script) after this long.
    pub timeout: Option<Duration>,
    pub prefs: Prefs,
    pub console: ConsoleCallback,
    /// How the page reaches the engine's constellation.
    pub client: PageConnection,
    /// How its dedicated workers reach it (`None`: they run unconnected, without IndexedDB).
    pub connect_worker: Option<ClientConnector>,
    /// The engine's HTTP cache, shared with its other pages and workers (`None`: the page
    /// makes one of its own, as `net.http_cache_max_bytes` says).
    pub http_cache: Option<net::HttpCache>,
}

/// A page's connection to the engine.
pub enum PageConnection {
    /// Run without an engine (tests, tools): `navigator.serviceWorker`
    /// requests reject with `InvalidStateError`.
    Unconnected,
    /// The channels the engine made when it created the client.
    Engine(script_traits::ClientChannels),
    /// The engine could not connect the page (no file descriptors left for
    /// its channels, or the engine is shut down): its requests reject with
    /// `UnknownError` giving this reason, and the page runs on.
    Refused(String),
}

/// How a page run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageOutcome {
    /// Ran until nothing was left to do.
    Idle,
    /// `window.close()` ended it.
    Closed,
    /// The timeout expired first.
    TimedOut,
    /// The page could not be loaded; the reason, in one line.
    LoadFailed(String),
    /// Its JavaScript went over `js.max_heap_bytes`: its scripts were stopped.
    OutOfMemory,
}

pub(crate) struct CallbackSink(pub(crate) ConsoleCallback);

impl ConsoleSink for CallbackSink {
    fn message(&self, level: ConsoleLevel, text: &str) {
        (self.0)(level, text)
    }
}

/// Stack size of script threads: well above SpiderMonkey's 1 MiB native stack quota, so
/// runaway recursion becomes a catchable "too much recursion" error.
pub(crate) const SCRIPT_THREAD_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Resolves a command-line argument to a URL: an absolute URL as is, anything else as a
/// file path.
pub fn url_from_arg(arg: &str) -> Result<Url, String> {
    if let Ok(url) = Url::parse(arg) {
        if url.scheme().len() > 1 {
            return Ok(url);
        }
    }
    let path = std::path::Path::new(arg);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot resolve {arg}: {e}"))?
            .join(path)
    };
    Url::from_file_path(&absolute).map_err(|()| format!("cannot make a URL of {arg}"))
}

/// Runs a page on a new script thread and waits for it.
pub fn run_page(options: PageOptions) -> PageOutcome {
    let max_heap_bytes = options.prefs.js_max_heap_bytes();
    run_on_script_thread(options.timeout, max_heap_bytes, move |cx, deadline| {
        run_page_on_this_thread(cx, options, deadline)
    })
}

/// Runs `body` on a new script thread with its own SpiderMonkey runtime, and a watchdog that
/// interrupts whatever script runs when `timeout` expires.
pub(crate) fn run_on_script_thread(
    timeout: Option<Duration>,
    max_heap_bytes: u64,
    body: impl FnOnce(&mut mozjs::context::JSContext, Option<Instant>) -> PageOutcome + Send + 'static,
) -> PageOutcome {
    let terminate = Arc::new(AtomicBool::new(false));
    let thread_terminate = terminate.clone();
    let (context_tx, context_rx) = std::sync::mpsc::channel();
    let deadline = timeout.map(|t| Instant::now() + t);
    let script_thread = std::thread::Builder::new()
        .name("script".into())
        .stack_size(SCRIPT_THREAD_STACK_BYTES)
        .spawn(move || {
            let mut runtime = crate::script_runtime::new_runtime(thread_terminate, max_heap_bytes);
            let _ = context_tx.send(runtime.thread_safe_js_context());
            body(runtime.cx(), deadline)
        })
        .expect("spawning the script thread");
    if let Some(deadline) = deadline {
        if let Ok(context) = context_rx.recv() {
            std::thread::spawn(move || {
                let now = Instant::now();
                if deadline > now {
                    std::thread::sleep(deadline - now);
                }
                terminate.store(true, Ordering::SeqCst);
                context.request_interrupt_callback();
            });
        }
    }
    match script_thread.join() {
        Ok(outcome) => outcome,
        Err(_) => PageOutcome::LoadFailed("the script thread panicked".into()),
    }
}

/// Refuses content that is clearly not a document: a non-text MIME type, or binary data
/// (https://mimesniff.spec.whatwg.org/#binary-data-byte) in the first 512 bytes. A stray NUL
/// in an HTML page is malformed markup, not binary: it takes several binary bytes.
pub(crate) fn check_document(resource: &net::Resource) -> Result<String, String> {
    if let Some(mime) = &resource.content_type {
        let textual =
            mime.starts_with("text/") || mime.ends_with("+xml") || mime == "application/xml";
        if !textual {
            return Err(format!("{} is {mime}, not an HTML document", resource.url));
        }
    }
    let head = &resource.body[..resource.body.len().min(512)];
    let binary_bytes = head
        .iter()
        .filter(|b| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F))
        .count();
    if binary_bytes >= 4 {
        return Err(format!(
            "{} is binary content, not an HTML document",
            resource.url
        ));
    }
    Ok(String::from_utf8_lossy(&resource.body).into_owned())
}

fn run_page_on_this_thread(
    cx: &mut mozjs::context::JSContext,
    options: PageOptions,
    deadline: Option<Instant>,
) -> PageOutcome {
    let http_cache =
        (options.http_cache.clone()).or_else(|| net::HttpCache::from_prefs(&options.prefs));
    let loader =
        net::Loader::new(net::LoaderConfig::from_prefs(&options.prefs)).with_http_cache(http_cache);
    // A page the engine connected asks first whether a service worker answers its navigation.
    let mut early = Vec::new();
    let (mut channels, refused) = match options.client {
        PageConnection::Engine(channels) => (Some(channels), None),
        PageConnection::Refused(reason) => (None, Some(reason)),
        PageConnection::Unconnected => (None, None),
    };
    let navigation = NavigationRequest {
        url: &options.url,
        destination: "document",
        details: navigation_details(None, &options.url, false, false),
        post: None,
    };
    let loaded = if matches!(options.url.scheme(), "http" | "https") {
        match fetch_navigation(
            &mut channels,
            None,
            &loader,
            navigation,
            deadline,
            &mut early,
        ) {
            Ok(navigated) => Ok(navigated.resource),
            Err(reason) => return PageOutcome::LoadFailed(reason),
        }
    } else {
        loader.load(&options.url)
    };
    let resource = match loaded {
        Ok(r) if r.status >= 400 => {
            return PageOutcome::LoadFailed(format!(
                "{}: HTTP {} {}",
                options.url, r.status, r.status_text
            ))
        }
        Ok(r) => r,
        Err(e) => return PageOutcome::LoadFailed(format!("{}: {e}", options.url)),
    };
    let html = match check_document(&resource) {
        Ok(html) => html,
        Err(reason) => return PageOutcome::LoadFailed(reason),
    };
    let event_loop = Rc::new(EventLoop::new(loader));
    let sink: Rc<dyn ConsoleSink> = Rc::new(CallbackSink(options.console.clone()));
    let url = resource.url.clone();
    let outcome = {
        let window = Window::create(cx, url.clone(), event_loop.clone(), sink);
        event_loop.bind_global(window.reflector().get());
        let _realm = mozjs::jsapi::JSAutoRealm::new(
            // SAFETY: the raw context is only used to enter the realm.
            unsafe { cx.raw_cx() },
            window.reflector().get(),
        );
        let content_type = resource
            .content_type
            .clone()
            .unwrap_or_else(|| "text/html".into());
        window
            .global_scope()
            .set_worker_connector(options.connect_worker.clone());
        window
            .global_scope()
            .set_max_dedicated_workers(options.prefs.js_max_dedicated_workers());
        let client = channels
            .map(|channels| connect_client(cx, window.global_scope(), &url, channels, early));
        if let Some(reason) = refused {
            window.global_scope().set_connection_refused(reason);
        }
        window.global_scope().set_referrer_policy(
            resource
                .header("referrer-policy")
                .and_then(base::referrer::parse_header),
        );
        crate::dom::performancenavigationtiming::PerformanceNavigationTiming::add(
            cx,
            window.global_scope(),
            &url,
            resource.status,
            resource.body.len() as u64,
            crate::dom::codegen::NavigationTimingType::Navigate,
        );
        let document = Document::new(cx, &window, url, content_type);
        crate::html_parser::parse_html(cx, &document, &html);
        queue_load_events(&event_loop, &document, None);
        // SAFETY: in the window's realm.
        let outcome = unsafe { event_loop.run_until_idle(cx, window.global_scope(), deadline) };
        for frame in window.descendant_frames() {
            frame.discard();
        }
        window.discard_opened();
        window.global_scope().end();
        if let Some(to_constellation) = client {
            let _ = to_constellation.send(script_traits::ScriptMsg::Closed);
        }
        window.global_scope().clear_service_worker_objects();
        event_loop.unbind_global();
        crate::modules::clear_thread();
        crate::fetch::forget_pending();
        crate::dom::bindings::trusted::clear();
        drop(document);
        drop(window);
        outcome
    };
    outcome.into()
}

/// A navigation's request: a document's (`document`) or a frame's (`iframe`), a GET or a form's
/// POST; or a dedicated worker's script (`worker`), the other non-subresource request.
pub(crate) struct NavigationRequest<'a> {
    pub url: &'a Url,
    pub destination: &'a str,
    pub details: script_traits::RequestDetails,
    pub post: Option<&'a crate::dom::history::PostData>,
}

/// How a navigation to `url` goes to the network: a GET, or a POST of `post`, with the
/// document `Accept` header (a worker's script: `*/*`); redirects followed (a 301, 302 or 303
/// makes a POST a GET);
/// through the HTTP cache as `cache` (a RequestCache value) says, in the partition of `url`'s
/// origin (a document is its own first party).
pub(crate) fn navigation_options(
    url: &Url,
    destination: &str,
    post: Option<&crate::dom::history::PostData>,
    cache: &str,
) -> net::RequestOptions {
    // https://fetch.spec.whatwg.org/#fetching, step 11: a document's Accept, else */*.
    let accept = match destination {
        "document" | "iframe" => DOCUMENT_ACCEPT,
        _ => "*/*",
    };
    let mut headers = vec![("Accept".to_owned(), accept.to_owned())];
    let (method, body) = match post {
        Some(post) => {
            headers.push(("Content-Type".to_owned(), post.content_type.clone()));
            ("POST", Some(post.body.clone()))
        }
        None => ("GET", None),
    };
    net::RequestOptions {
        method: method.to_owned(),
        headers,
        body,
        redirect: net::RedirectMode::Follow,
        cache: net::CacheMode::from_fetch_name(cache).unwrap_or_default(),
        cache_partition: url.origin().ascii_serialization(),
        keep_broken_body: false,
    }
}

/// The `Accept` header fetch gives a request whose destination is `document`.
const DOCUMENT_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The details of a navigation request to `url`: its referrer from `source` (the URL of the
/// document that navigates and its policy, `referrer_policy_or_default()`; none for a
/// top-level page the embedder loads) under that policy, for a `location.reload()` the
/// reload-navigation flag and cache mode `no-cache` (cached responses are revalidated, as
/// browsers do on reload), and for a traversal of the session history the
/// history-navigation flag.
pub(crate) fn navigation_details(
    source: Option<(&Url, &'static str)>,
    url: &Url,
    reload: bool,
    history: bool,
) -> script_traits::RequestDetails {
    let policy = source.map_or(base::referrer::DEFAULT_POLICY, |(_, policy)| policy);
    script_traits::RequestDetails {
        referrer: source.and_then(|(source, _)| base::referrer::determine(source, policy, url)),
        referrer_policy: policy.to_owned(),
        cache: if reload { "no-cache" } else { "default" }.to_owned(),
        reload_navigation: reload,
        history_navigation: history,
        ..Default::default()
    }
}

/// <https://w3c.github.io/ServiceWorker/#handle-fetch> for the page's own document: asks the
/// constellation (before the document exists, so this thread waits for the answer, bounded by
/// the page's deadline and by the fetch event's own limit) whether a service worker answers
/// the navigation. `None`: load it from the network; `Some(Err)`: a network error. Messages
/// that arrive meanwhile go to `early`.
pub(crate) fn navigation_fetch(
    channels: &script_traits::ClientChannels,
    navigation: &NavigationRequest<'_>,
    deadline: Option<Instant>,
    early: &mut Vec<script_traits::ToClientMsg>,
) -> Option<Result<net::Resource, String>> {
    use script_traits::{FetchAnswer, FetchRequestData, ScriptMsg, ToClientMsg};
    let url = navigation.url;
    let options = navigation_options(
        url,
        navigation.destination,
        navigation.post,
        &navigation.details.cache,
    );
    // A worker's script (https://html.spec.whatwg.org/multipage/workers.html#fetch-a-classic-worker-script)
    // is a same-origin request whose redirects fetch follows; a document's navigates.
    let (mode, redirect, credentials) = match navigation.destination {
        "worker" => ("same-origin", "follow", "same-origin"),
        _ => ("navigate", "manual", "include"),
    };
    let request = FetchRequestData {
        url: url.clone(),
        method: options.method,
        headers: options.headers,
        body: options.body,
        redirect: redirect.to_owned(),
        mode: mode.to_owned(),
        credentials: credentials.to_owned(),
        destination: navigation.destination.to_owned(),
        details: navigation.details.clone(),
    };
    let message = ScriptMsg::NavigationFetch {
        request: Box::new(request),
    };
    channels.to_constellation.send(message).ok()?;
    loop {
        let received = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                channels
                    .from_constellation
                    .try_recv_timeout(left)
                    .map_err(|error| format!("{error:?}"))
            }
            None => channels
                .from_constellation
                .recv()
                .map_err(|error| error.to_string()),
        };
        match received {
            Ok(ToClientMsg::FetchAnswer { token: 0, answer }) => {
                return match answer {
                    // Handle Fetch: an opaque response answers no-cors requests only.
                    FetchAnswer::Respond(data) if data.response_type == "opaque" => {
                        Some(Err(format!(
                            "{url}: the service worker answered the navigation with an opaque \
                             response, which is a network error"
                        )))
                    }
                    // An opaque-redirect (the worker's fetch() of the navigation request, whose
                    // redirect mode is "manual"): the navigation follows its Location.
                    FetchAnswer::Respond(data) => Some(Ok(worker_resource(url, *data))),
                    FetchAnswer::Fallback => None,
                    FetchAnswer::NetworkError(reason) => Some(Err(format!(
                        "{url}: the service worker's answer is a network error: {reason}"
                    ))),
                };
            }
            Ok(other) => early.push(other),
            Err(error) => {
                return Some(Err(format!(
                    "{url}: no answer to the navigation from the engine: {error}"
                )))
            }
        }
    }
}

/// What a navigation fetched: the final response (at the last hop's URL, `redirected` when
/// there were hops) and the referrer of the request that got it (its document's
/// `document.referrer`).
pub(crate) struct Navigated {
    pub resource: net::Resource,
    pub referrer: Option<Url>,
}

/// A navigation's fetch, hop by hop (https://fetch.spec.whatwg.org/#concept-http-redirect-fetch
/// for a request of redirect mode "manual" that navigates): each URL goes through Handle Fetch
/// first when `channels` connect the client and it is http(s), then to the network without
/// following redirects. A redirect (the network's 3xx, or the worker's opaque-redirect
/// answer) is followed to its `Location` as a new request, so each hop is answered by the
/// worker whose scope it is in (and is a navigation of that scope, for Soft Update); a 301 or
/// 302 of a POST, and any 303, make a GET; the redirect's `Referrer-Policy` header sets the
/// policy of the hops after it (https://w3c.github.io/webappsec-referrer-policy/#set-requests-referrer-policy-on-redirect).
/// At most `net::MAX_REDIRECTS` hops.
///
/// A hop to another origin is another client: with `reconnect` (a frame's or an auxiliary
/// window's connector, and its frame type), the client of
/// `channels` is closed and one for the new URL's origin made in its place (its messages so
/// far in `early` go with the old one); without, the hops of other origins go to the network.
pub(crate) fn fetch_navigation(
    channels: &mut Option<script_traits::ClientChannels>,
    reconnect: Option<(&ClientConnector, script_traits::FrameType)>,
    loader: &net::Loader,
    navigation: NavigationRequest<'_>,
    deadline: Option<Instant>,
    early: &mut Vec<script_traits::ToClientMsg>,
) -> Result<Navigated, String> {
    let mut url = navigation.url.clone();
    let mut post = navigation.post.cloned();
    let mut details = navigation.details;
    for hop in 0..=net::MAX_REDIRECTS {
        let web = matches!(url.scheme(), "http" | "https");
        let request = NavigationRequest {
            url: &url,
            destination: navigation.destination,
            details: details.clone(),
            post: post.as_ref(),
        };
        let from_worker = channels
            .as_ref()
            .filter(|_| web)
            .and_then(|channels| navigation_fetch(channels, &request, deadline, early));
        let mut resource = match from_worker {
            Some(result) => result?,
            None => {
                let mut options =
                    navigation_options(&url, navigation.destination, post.as_ref(), &details.cache);
                options.redirect = net::RedirectMode::Manual;
                if let Some(referrer) = &details.referrer {
                    options
                        .headers
                        .push(("Referer".to_owned(), referrer.to_string()));
                }
                loader
                    .load_with(&url, &options)
                    .map_err(|error| format!("{url}: {error}"))?
            }
        };
        let Some(location) = resource.redirect_location() else {
            resource.redirected |= hop > 0;
            return Ok(Navigated {
                resource,
                referrer: details.referrer,
            });
        };
        let next = crate::fetch::location_url(&url, location)?;
        if resource.status == 303 || matches!(resource.status, 301 | 302) && post.is_some() {
            post = None;
        }
        details.referrer = crate::fetch::referrer_after_redirect(
            &resource,
            details.referrer,
            &mut details.referrer_policy,
            &next,
        );
        if let Some((connect, frame_type)) = reconnect.filter(|_| next.origin() != url.origin()) {
            if let Some(old) = channels.take() {
                let _ = old.to_constellation.send(script_traits::ScriptMsg::Closed);
            }
            early.clear();
            *channels = connect(&next, script_traits::ClientType::Window, frame_type)
                .map_err(|reason| log::warn!(target: LOG_TARGET, "the frame {next} runs unconnected: {reason}"))
                .ok();
        }
        url = next;
    }
    Err(format!(
        "{}: too many redirects (more than {})",
        navigation.url,
        net::MAX_REDIRECTS
    ))
}

/// The document a service worker answered a navigation with, as the network loader's. Its URL
/// is the navigation's (as the address bar shows it), whatever response the worker picked.
fn worker_resource(url: &Url, data: script_traits::FetchResponseData) -> net::Resource {
    let headers: Vec<(String, String)> = data
        .headers
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect();
    let content_type = headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, value)| value.clone());
    let mut parameters = content_type.as_deref().unwrap_or("").split(';');
    let essence = parameters
        .next()
        .map(|essence| essence.trim().to_ascii_lowercase());
    let charset = parameters.find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("charset"))
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    });
    net::Resource {
        url: url.clone(),
        status: data.status,
        status_text: data.status_text,
        headers,
        content_type: essence.filter(|essence| !essence.is_empty()),
        charset,
        body: data.body,
        redirected: data.redirected,
        // A document shows what came of a body that broke off, as browsers render it.
        body_error: data.body_error,
    }
}

/// Connects a page (or a page's dedicated worker) to the constellation: its link for
/// requests, the `DocumentLoaded` round trip that names its controller, and its incoming
/// messages as tasks.
pub(crate) fn connect_client(
    cx: &mut mozjs::context::JSContext,
    global: &crate::dom::globalscope::GlobalScope,
    url: &Url,
    channels: script_traits::ClientChannels,
    early: Vec<script_traits::ToClientMsg>,
) -> ipc_channel::ipc::IpcSender<script_traits::ScriptMsg> {
    use script_traits::{ScriptMsg, ToClientMsg};
    let to_constellation = channels.to_constellation.clone();
    global.set_constellation_link(ConstellationLink::Client(channels.to_constellation));
    let loaded = ScriptMsg::DocumentLoaded { url: url.clone() };
    // The setup is the first message the constellation sends a client (it broadcasts only to
    // loaded clients), so it is read here, before the channel is handed to the event loop.
    let setup = match to_constellation.send(loaded) {
        Ok(()) => channels
            .from_constellation
            .recv()
            .map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let first = match setup {
        Ok(ToClientMsg::Setup(Ok(setup))) => {
            // SAFETY: in the window's realm.
            unsafe { crate::dom::serviceworkercontainer::apply_client_setup(cx, global, &setup) };
            None
        }
        Ok(ToClientMsg::Setup(Err(reason))) => {
            log::warn!(target: LOG_TARGET, "the constellation refused {url}: {reason}");
            None
        }
        Ok(other) => Some(other),
        Err(error) => {
            log::warn!(target: LOG_TARGET, "the constellation did not set up {url}: {error}");
            None
        }
    };
    for message in early.into_iter().chain(first) {
        log::warn!(target: LOG_TARGET, "{url} heard {message:?} before its setup");
        global.event_loop().queue_task(Box::new(move |cx| {
            // SAFETY: event-loop tasks run in their global's realm.
            let global = unsafe { crate::dom::globalscope::current_global(cx) };
            crate::dom::serviceworkercontainer::handle_client_message(cx, global, message)
        }));
    }
    crate::constellation_link::route_to_event_loop(
        global,
        channels.from_constellation,
        crate::dom::serviceworkercontainer::handle_client_message,
        None,
    );
    to_constellation
}

impl From<RunOutcome> for PageOutcome {
    fn from(outcome: RunOutcome) -> PageOutcome {
        match outcome {
            RunOutcome::Idle | RunOutcome::Done => PageOutcome::Idle,
            RunOutcome::Closed => PageOutcome::Closed,
            RunOutcome::TimedOut => PageOutcome::TimedOut,
            RunOutcome::OutOfMemory => PageOutcome::OutOfMemory,
        }
    }
}

/// What runs after a document's `load` event (a frame's: its `<iframe>`'s load event).
pub(crate) type AfterLoad = Box<dyn FnOnce()>;

/// https://html.spec.whatwg.org/#the-end: interactive + DOMContentLoaded, then complete + load,
/// then `after_load`.
pub(crate) fn queue_load_events(
    event_loop: &EventLoop,
    document: &Document,
    after_load: Option<AfterLoad>,
) {
    let doc = crate::dom::bindings::root::DomRoot::from_ref(document);
    event_loop.queue_task(Box::new(move |cx| {
        use crate::dom::performancenavigationtiming::{
            PerformanceNavigationTiming as Timing, Point,
        };
        Timing::record(cx, doc.global(), Point::DomInteractive);
        doc.set_ready_state(cx, DocumentReadyState::Interactive);
        let event = Event::new(cx, doc.global(), "DOMContentLoaded", true, false);
        event.set_trusted(true);
        Timing::record(cx, doc.global(), Point::DomContentLoadedStart);
        // SAFETY: tasks run in the page's realm.
        unsafe {
            doc.upcast::<EventTarget>().dispatch_event(cx, &event);
            crate::dom::serviceworkercontainer::document_parsed(cx, doc.global());
        }
        Timing::record(cx, doc.global(), Point::DomContentLoadedEnd);
        let doc2 = doc.clone();
        doc.global()
            .event_loop()
            .queue_task(Box::new(move |cx| doc2.finish_loading(cx, after_load)));
    }));
}
