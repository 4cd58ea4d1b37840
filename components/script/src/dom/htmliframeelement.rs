//! HTMLIFrameElement (https://html.spec.whatwg.org/multipage/iframe-embed-object.html#the-iframe-element):
//! a frame whose Window and Document live on its page's script thread and event loop.
//!
//! An iframe loads when it becomes connected and when `src`/`srcdoc` is set on a connected
//! one: `srcdoc` (an `about:srcdoc` document), `about:blank` (no `src`), or a URL. A URL's
//! document is fetched off the thread (a connected page's frame is a client of the engine
//! first, of frame type "nested", so its navigation goes through the service worker whose scope
//! it is in, as a page's does), then its Window is made on the page's thread, in a realm of its
//! own, its document parsed and its scripts run; once its `load` event has fired, `load` fires
//! at the iframe. A later load, or removing the iframe, discards the frame it had.
//!
//! Same-origin frames reach each other's objects (SpiderMonkey's transparent cross-compartment
//! wrappers); a frame of another origin loads, but `contentWindow`, `contentDocument`,
//! `parent`, `top` and `frameElement` across origins are null. A frame nested more than
//! [`MAX_FRAME_DEPTH`] deep is not loaded (a page that frames itself recursively).

use std::cell::Cell;

use script_traits::{ClientChannels, ClientType, FrameType, ToClientMsg};
use url::Url;

use crate::dom::bindings::trusted::Trusted;
use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::ConsoleLevel;
use crate::dom::history::{Entry, Handling, PostData};
use crate::dom::htmlelement::HTMLElement;
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::window::Window;
use crate::event_loop::EventLoop;

/// How many frames deep a document may be; deeper iframes stay empty.
pub const MAX_FRAME_DEPTH: usize = 16;

const LOG_TARGET: &str = "bgsync::script::iframe";

#[derive(Trace)]
#[repr(C)]
pub struct HTMLIFrameElement {
    htmlelement: HTMLElement,
    /// The frame's Window, once one has loaded.
    content: MutNullableDom<Window>,
    /// Numbers the loads: a load that finishes after a later one started is dropped.
    generation: Cell<u64>,
    /// Its load delays its document's `load` event (it started before that fired).
    delaying: Cell<bool>,
    /// It shows a document of its own (not its initial `about:blank`): a navigation pushes a
    /// session history entry, where the first one replaces the initial entry.
    has_entry: Cell<bool>,
}

/// What kind of navigation a frame's is, for its session history and its request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A navigation that adds an entry (or replaces the initial one, or one of the same URL).
    Normal,
    /// `location.replace()`: the current entry is replaced.
    Replace,
    /// `location.reload()`, `history.go(0)`: the reload-navigation flag.
    Reload,
    /// A traversal of the session history: the history-navigation flag.
    Traverse,
}

/// A navigation of the frame (`location`, or a service worker's `navigate()`).
struct Navigation {
    url: Url,
    /// The `WindowClient.navigate()` it is for, if any.
    token: Option<u64>,
    /// The URL of the document that navigates (the referrer's source), if any.
    source: Option<Url>,
    kind: Kind,
    /// The body of a POST navigation (a form's submission, or the reload or traversal of its
    /// entry).
    post: Option<PostData>,
}

/// A document to show in a frame (or an auxiliary window).
pub(crate) struct FrameDocument {
    pub url: Url,
    html: String,
    content_type: String,
    /// `about:blank` and `about:srcdoc` have their parent's (or opener's) origin.
    pub inherits_origin: bool,
    /// The frame's client of the engine (an http(s) frame of a connected page).
    pub channels: Option<ClientChannels>,
    /// What the engine sent the client before its document loaded.
    early: Vec<ToClientMsg>,
    /// How it changes the frame's session history.
    handling: Handling,
    /// The body it was POSTed with, for its entry.
    post: Option<PostData>,
    /// The referrer of its request (`document.referrer`).
    referrer: Option<Url>,
    /// The policy its response's `Referrer-Policy` header names.
    referrer_policy: Option<&'static str>,
    /// Its response's status, for its navigation timing.
    status: u16,
    /// A reload, a traversal of the session history or another navigation.
    navigation_type: NavigationTimingType,
}

/// What a frame's (or an auxiliary window's) navigation fetches.
pub(crate) struct FrameRequest {
    pub url: Url,
    /// The service worker's `navigate()` it is for, if any.
    pub token: Option<u64>,
    pub details: script_traits::RequestDetails,
    pub handling: Handling,
    pub post: Option<PostData>,
}

/// What becomes of a fetched document, in a task of the loop that fetched it.
pub(crate) type Deliver = Box<dyn FnOnce(&mut JSContext, Result<FrameDocument, String>)>;

impl HTMLIFrameElement {
    pub fn new(cx: &mut JSContext, document: &Document) -> DomRoot<HTMLIFrameElement> {
        HTMLIFrameElementBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(HTMLIFrameElement {
                htmlelement: HTMLElement::new_inherited(document, "iframe".into()),
                content: MutNullableDom::default(),
                generation: Cell::new(0),
                delaying: Cell::new(false),
                has_entry: Cell::new(false),
            }),
        )
    }

    fn element(&self) -> &Element {
        self.upcast::<Element>()
    }

    /// The insertion steps: a connected iframe loads.
    pub fn on_connected(&self, cx: &mut JSContext) {
        self.process_attributes(cx);
    }

    /// Its document's `load` event need not wait for it any more.
    fn stop_delaying_load(&self) {
        if self.delaying.replace(false) {
            if let Some(document) = self.upcast::<Node>().owner_doc() {
                document.stop_delaying_load();
            }
        }
    }

    /// The removal steps: the frame is discarded, and its session history entries go.
    pub fn on_disconnected(&self) {
        self.stop_delaying_load();
        self.generation.set(self.generation.get() + 1);
        self.has_entry.set(false);
        if let Some(parent) = self.parent_window() {
            let history = parent.top_window();
            let history = history.joint_history();
            history.forget(self);
            // The frames inside it go with it, and so do their entries.
            let nested = self.content.get().map(|window| window.descendant_frames());
            for window in nested.unwrap_or_default() {
                let element = window.frame_element();
                if let Some(frame) = element.as_deref().and_then(|e| e.downcast::<Self>()) {
                    history.forget(frame);
                }
            }
        }
        if let Some(window) = self.content.get() {
            self.content.set(None);
            window.discard();
        }
    }

    /// The frame's window, whatever its origin.
    pub fn content_window(&self) -> Option<DomRoot<Window>> {
        self.content.get()
    }

    /// The content window, if it may be reached from this iframe's document (same origin).
    fn reachable_content(&self) -> Option<DomRoot<Window>> {
        let window = self.content.get()?;
        let own = self.global().origin();
        (window.global_scope().origin() == own).then_some(window)
    }

    /// <https://html.spec.whatwg.org/multipage/iframe-embed-object.html#process-the-iframe-attributes>
    fn process_attributes(&self, cx: &mut JSContext) {
        self.start_load(cx, None);
    }

    /// Navigates the frame to `url`, in a task of its parent's loop (the frame's window's
    /// `location.href = url`, `assign()`, `replace()`, `reload()`): the script that asked
    /// runs on, then the frame's document is replaced as by a change of `src`. `source` is the
    /// URL of the document that navigates (the request's referrer comes from it).
    pub fn navigate(&self, url: Url, source: Url, kind: Kind) {
        self.navigate_with(url, source, kind, None);
    }

    /// [`Self::navigate`] with the body of a POST (a form's submission).
    pub fn navigate_with(&self, url: Url, source: Url, kind: Kind, post: Option<PostData>) {
        self.queue_navigation(Navigation {
            url,
            token: None,
            source: Some(source),
            kind,
            post,
        });
    }

    /// Loads `url` again for a traversal of the session history to an entry of another
    /// document (see `crate::dom::history`).
    pub fn navigate_in_history(&self, url: Url, post: Option<PostData>) {
        self.queue_navigation(Navigation {
            url,
            token: None,
            source: None,
            kind: Kind::Traverse,
            post,
        });
    }

    /// The iframe whose content `global` is, if it is a frame's Window (not a page's, not a
    /// worker's).
    pub fn of_global(global: &GlobalScope) -> Option<DomRoot<HTMLIFrameElement>> {
        let window = global.upcast_event_target().downcast::<Window>()?;
        let element = window.frame_element()?;
        element
            .downcast::<HTMLIFrameElement>()
            .map(DomRoot::from_ref)
    }

    /// [`Self::navigate`] for a service worker's `WindowClient.navigate()` numbered `token`:
    /// the client made for the new document tells the engine it is that navigation's.
    /// The worker's navigation has no referrer.
    pub fn navigate_for(&self, url: Url, token: u64) {
        self.queue_navigation(Navigation {
            url,
            token: Some(token),
            source: None,
            kind: Kind::Normal,
            post: None,
        });
    }

    fn queue_navigation(&self, navigation: Navigation) {
        let Some(parent) = self.parent_window() else {
            return;
        };
        let this = DomRoot::from_ref(self);
        parent
            .global_scope()
            .event_loop()
            .queue_task(Box::new(move |cx| this.start_load(cx, Some(navigation))));
    }

    /// Loads the frame's document: that of `navigated_to`, or else what its attributes say.
    fn start_load(&self, cx: &mut JSContext, navigated_to: Option<Navigation>) {
        if !self.upcast::<Node>().is_connected() {
            return;
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        self.stop_delaying_load();
        let Some(parent) = self.parent_window() else {
            return;
        };
        if parent.depth() + 1 > MAX_FRAME_DEPTH {
            parent.global_scope().console().message(
                ConsoleLevel::Warn,
                &format!(
                    "An iframe was not loaded: frames may nest {MAX_FRAME_DEPTH} deep at most."
                ),
            );
            return;
        }
        if let Some(document) = self.upcast::<Node>().owner_doc() {
            self.delaying.set(document.delay_load());
        }
        let srcdoc = self.element().get_attribute("srcdoc");
        let src = self.element().get_attribute("src").unwrap_or_default();
        let token = navigated_to
            .as_ref()
            .and_then(|navigation| navigation.token);
        let (url, source, kind, mut post) = match navigated_to {
            Some(navigation) => (
                navigation.url,
                navigation.source,
                navigation.kind,
                navigation.post,
            ),
            None => {
                let parent_url = parent.global_scope().url().clone();
                match parent.global_scope().base_url().join(&src) {
                    _ if srcdoc.is_some() => (
                        Url::parse("about:srcdoc").expect("a valid about: URL"),
                        None,
                        Kind::Normal,
                        None,
                    ),
                    Ok(url) if !src.is_empty() => (url, Some(parent_url), Kind::Normal, None),
                    // The initial about:blank: no entry of its own.
                    _ => {
                        let blank = blank_document("about:blank", String::new(), Handling::Replace);
                        self.has_entry.set(false);
                        return self.show(cx, generation, blank);
                    }
                }
            }
        };
        let handling = self.handling(kind, &url);
        // A reload sends its entry's body again.
        if kind == Kind::Reload && post.is_none() {
            post = parent
                .top_window()
                .joint_history()
                .current_entry(Some(self))
                .filter(|entry| entry.url == url)
                .and_then(|entry| entry.post);
        }
        if url.scheme() == "about" {
            let html = if url.as_str() == "about:srcdoc" {
                srcdoc.unwrap_or_default()
            } else {
                String::new()
            };
            return self.show(cx, generation, blank_document(url.as_str(), html, handling));
        }
        if post.is_some() && !matches!(url.scheme(), "http" | "https") {
            // A POST to anything but HTTP(S) is a GET of it.
            post = None;
        }
        // The navigating document's policy: the frame's own for its location's navigations,
        // else its parent's (the iframe's document).
        let policy = match (&source, self.content.get()) {
            (Some(source), Some(window)) if *window.global_scope().url() == *source => {
                window.global_scope().referrer_policy_or_default()
            }
            _ => parent.global_scope().referrer_policy_or_default(),
        };
        let details = crate::page::navigation_details(
            source.as_ref().map(|source| (source, policy)),
            &url,
            kind == Kind::Reload,
            kind == Kind::Traverse,
        );
        let request = FrameRequest {
            url,
            token,
            details,
            handling,
            post,
        };
        self.fetch(parent.global_scope(), generation, request);
    }

    /// <https://html.spec.whatwg.org/multipage/browsing-the-web.html#navigate>, step 12, and
    /// "navigate an iframe or frame": a navigation of a frame that has no document of its own
    /// yet, or whose document is not completely loaded, or to the URL it shows, replaces its
    /// entry; a reload or traversal only gives the entry a new document.
    fn handling(&self, kind: Kind, url: &Url) -> Handling {
        match kind {
            Kind::Reload | Kind::Traverse => Handling::Reload,
            Kind::Replace => Handling::Replace,
            Kind::Normal => {
                let content = self.content.get();
                let same_url = content
                    .as_ref()
                    .is_some_and(|window| *window.global_scope().url() == *url);
                let loading = content
                    .and_then(|window| window.document())
                    .is_some_and(|document| !document.is_completely_loaded());
                if !self.has_entry.get() || same_url || loading {
                    Handling::Replace
                } else {
                    Handling::Push
                }
            }
        }
    }

    /// The window of this iframe's document.
    fn parent_window(&self) -> Option<DomRoot<Window>> {
        self.upcast::<Node>().owner_doc()?.window()
    }

    /// Fetches the frame's document (see [`fetch_document`]), then shows it in a task.
    fn fetch(&self, parent: &GlobalScope, generation: u64, request: FrameRequest) {
        let iframe = DomRoot::from_ref(self);
        let deliver: Deliver = Box::new(move |cx, document| match document {
            Ok(document) => iframe.show(cx, generation, document),
            Err(reason) => iframe.failed(cx, generation, &reason),
        });
        fetch_document(parent, request, "iframe", FrameType::Nested, deliver);
    }

    /// The frame's document could not be loaded: an empty frame, and `load` at the iframe, as
    /// a browser's error page would.
    fn failed(&self, cx: &mut JSContext, generation: u64, reason: &str) {
        if self.generation.get() != generation {
            return;
        }
        self.global().console().message(
            ConsoleLevel::Warn,
            &format!("A frame failed to load: {reason}"),
        );
        let handling = if self.has_entry.get() {
            Handling::Push
        } else {
            Handling::Replace
        };
        self.show(
            cx,
            generation,
            blank_document("about:blank", String::new(), handling),
        );
    }

    /// Makes the frame's Window and Document for `frame`, parses it (running its scripts in
    /// its realm), and queues its load events; the iframe's `load` follows the frame's.
    fn show(&self, cx: &mut JSContext, generation: u64, frame: FrameDocument) {
        if self.generation.get() != generation || !self.upcast::<Node>().is_connected() {
            return;
        }
        let Some(parent) = self.parent_window() else {
            return;
        };
        if let Some(previous) = self.content.get() {
            self.content.set(None);
            previous.discard();
        }
        let parent_global = parent.global_scope();
        let event_loop = Rc::new(parent_global.event_loop().nested());
        // https://html.spec.whatwg.org/multipage/webappapis.html#secure-context
        let secure = parent_global.is_secure_context()
            && (frame.inherits_origin || base::origin::is_potentially_trustworthy(&frame.url));
        let window = Window::create_with(
            cx,
            frame.url.clone(),
            event_loop.clone(),
            parent_global.console_sink(),
            secure,
        );
        window.set_parent(&parent, self.element());
        event_loop.bind_global(window.reflector().get());
        self.content.set(Some(&window));
        let entry = Entry {
            url: frame.url.clone(),
            post: frame.post.clone(),
            state: None,
            document: window.serial(),
        };
        crate::dom::history::record_entry(&window, frame.handling, entry);
        if frame.url.as_str() != "about:blank" || frame.handling != Handling::Replace {
            self.has_entry.set(true);
        }
        let document = load_document(cx, &window, parent_global, frame);
        let iframe = Trusted::new(DomRoot::from_ref(self));
        let parent_loop: Rc<EventLoop> = parent_global.event_loop().clone();
        let after_load: crate::page::AfterLoad = Box::new(move || {
            parent_loop.queue_task(Box::new(move |cx| {
                let Some(iframe) = iframe.take() else {
                    return;
                };
                if iframe.generation.get() != generation {
                    return;
                }
                iframe.stop_delaying_load();
                let event = Event::new(cx, iframe.global(), "load", false, false);
                event.set_trusted(true);
                // SAFETY: tasks of the parent's loop run in its realm.
                unsafe { iframe.upcast::<EventTarget>().dispatch_event(cx, &event) };
            }));
        });
        crate::page::queue_load_events(&event_loop, &document, Some(after_load));
    }
}

/// Fetches a window's document off the thread: through the engine first when `global`'s page
/// is connected (a client of `frame_type` is made for an http(s) URL, so the service worker of
/// its scope answers the navigation), else from the network, following redirects hop by hop;
/// then hands it to `deliver` in a task of `global`'s loop. `request.token` numbers the service
/// worker's `navigate()` it is for.
pub(crate) fn fetch_document(
    global: &GlobalScope,
    request: FrameRequest,
    destination: &'static str,
    frame_type: FrameType,
    deliver: Deliver,
) {
    let FrameRequest {
        url,
        token,
        details,
        handling,
        post,
    } = request;
    let navigation_type = if details.reload_navigation {
        NavigationTimingType::Reload
    } else if details.history_navigation {
        NavigationTimingType::BackForward
    } else {
        NavigationTimingType::Navigate
    };
    let web = matches!(url.scheme(), "http" | "https");
    let connector = global
        .worker_connector()
        .filter(|_| web && global.constellation_link().is_some());
    let mut channels =
        connector.clone().and_then(
            |connect| match connect(&url, ClientType::Window, frame_type) {
                Ok(channels) => Some(channels),
                Err(reason) => {
                    log::warn!(target: LOG_TARGET, "the window {url} runs unconnected: {reason}");
                    None
                }
            },
        );
    let guard = global.event_loop().expect_remote_task();
    let loader = global.event_loop().loader().clone();
    let deliver = Trusted::new(deliver);
    let spawned = std::thread::Builder::new()
        .name("frame load".into())
        .spawn(move || {
            if let (Some(channels), Some(token)) = (&channels, token) {
                // First on the new client's channel, before its navigation fetch.
                let started = script_traits::ScriptMsg::NavigationStarted { token };
                let _ = channels.to_constellation.send(started);
            }
            let mut early = Vec::new();
            let navigation = crate::page::NavigationRequest {
                url: &url,
                destination,
                details,
                post: post.as_ref(),
            };
            let loaded = crate::page::fetch_navigation(
                &mut channels,
                connector.as_ref().map(|connect| (connect, frame_type)),
                &loader,
                navigation,
                None,
                &mut early,
            );
            // An HTTP error is a document like any other (the server's error page), and
            // content that is not HTML (JSON, an image) is a document too, at its URL,
            // empty here (a browser would render it).
            let document = loaded.map(|navigated| {
                let resource = navigated.resource;
                let html = crate::page::check_document(&resource).unwrap_or_default();
                FrameDocument {
                    referrer: navigated.referrer,
                    referrer_policy: resource
                        .header("referrer-policy")
                        .and_then(base::referrer::parse_header),
                    content_type: resource
                        .content_type
                        .clone()
                        .unwrap_or_else(|| "text/html".into()),
                    url: resource.url,
                    html,
                    inherits_origin: false,
                    channels,
                    early,
                    handling,
                    post,
                    status: resource.status,
                    navigation_type,
                }
            });
            guard.post(Box::new(move |cx| {
                if let Some(deliver) = deliver.take() {
                    deliver(cx, document);
                }
            }));
        });
    if let Err(error) = spawned {
        log::error!(target: LOG_TARGET, "cannot load a window's document: {error}");
    }
}

/// Gives `window` the document of `frame` and returns it: its origin, base URL and referrer
/// policy (`creator`'s, the parent's or opener's, for an `about:blank` or `about:srcdoc`
/// document), its client of the engine, its Document, parsed in its realm (its scripts run).
/// Its load events are the caller's to queue.
pub(crate) fn load_document(
    cx: &mut JSContext,
    window: &Window,
    creator: &GlobalScope,
    frame: FrameDocument,
) -> DomRoot<Document> {
    let global = window.global_scope();
    if frame.inherits_origin {
        global.inherit_origin(creator.origin(), creator.base_url());
        global.set_referrer_policy(Some(creator.referrer_policy()));
    } else {
        global.set_referrer_policy(frame.referrer_policy);
    }
    global.set_worker_connector(creator.worker_connector());
    global.set_max_dedicated_workers(creator.max_dedicated_workers());
    global.init_online(creator.is_online());
    // SAFETY: the raw context only enters the window's realm, left at the end of the scope.
    let _realm = unsafe { mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), window.reflector().get()) };
    if let Some(channels) = frame.channels {
        crate::page::connect_client(cx, global, &frame.url, channels, frame.early);
    }
    crate::dom::performancenavigationtiming::PerformanceNavigationTiming::add(
        cx,
        global,
        &frame.url,
        frame.status,
        frame.html.len() as u64,
        frame.navigation_type,
    );
    let document = Document::new(cx, window, frame.url, frame.content_type);
    if frame.inherits_origin {
        document.set_referrer(Some(&creator.url()));
    } else {
        document.set_referrer(frame.referrer.as_ref());
    }
    crate::html_parser::parse_html(cx, &document, &frame.html);
    document
}

/// An `about:` document: `about:blank`, or `about:srcdoc` with `html`.
pub(crate) fn blank_document(url: &str, html: String, handling: Handling) -> FrameDocument {
    FrameDocument {
        url: Url::parse(url).expect("a valid about: URL"),
        html,
        content_type: "text/html".to_owned(),
        inherits_origin: true,
        channels: None,
        early: Vec::new(),
        handling,
        post: None,
        referrer: None,
        referrer_policy: None,
        status: 200,
        navigation_type: NavigationTimingType::Navigate,
    }
}

impl HTMLIFrameElementMethods for HTMLIFrameElement {
    fn Src(&self, _cx: &mut JSContext) -> DOMString {
        let src = self.element().get_attribute("src").unwrap_or_default();
        if src.is_empty() {
            return src;
        }
        match self.global().base_url().join(&src) {
            Ok(url) => url.to_string(),
            Err(_) => src,
        }
    }
    fn SetSrc(&self, cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("src", value);
        if self.element().get_attribute("srcdoc").is_none() {
            self.process_attributes(cx);
        }
    }
    fn Srcdoc(&self, _cx: &mut JSContext) -> DOMString {
        self.element().get_attribute("srcdoc").unwrap_or_default()
    }
    fn SetSrcdoc(&self, cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("srcdoc", value);
        self.process_attributes(cx);
    }
    fn ContentDocument(&self, _cx: &mut JSContext) -> Option<DomRoot<Document>> {
        self.reachable_content()?.document()
    }
    /// The frame's window: itself when of this document's origin, else a proxy of it.
    fn ContentWindow(&self, cx: &mut JSContext) -> Option<WindowOrCrossOriginWindowProxy> {
        let window = self.content.get()?;
        Some(Window::proxy_for(cx, &window, self.global()))
    }
}
