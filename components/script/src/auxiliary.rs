//! `window.open()`: auxiliary browsing contexts
//! (https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-open), on the thread and
//! event loop of the page that opens them (same-origin windows of one page share an agent).
//!
//! `open(url)` makes a top-level Window at once, with the initial `about:blank` document of
//! its opener's origin, and returns it; then it navigates: the document is fetched as a
//! frame's is (through the service worker whose scope it is in, for a connected page; the new
//! client's frame type is "auxiliary"). A document of the same origin goes into that same
//! Window ("initialize the document object": the initial `about:blank`'s Window is reused),
//! so what the opener set on the window it got (`onload`) applies to the loaded document. A
//! document of another origin gets a Window of its own; the one the opener holds then stands
//! for it (`closed`, `close()` and `postMessage()` reach the new one), as a WindowProxy would.
//!
//! Decisions: every `target` opens a new window (named targets and `_self`/`_parent`/`_top`
//! are not looked up); `features` are read only for `noopener` and `noreferrer` (then `open`
//! returns null, and `noreferrer` sends no referrer). An auxiliary window lives as long as the
//! window that opened it: discarding the opener (its frame removed, its page ended) discards
//! it. Like the page's own window, it does not navigate to another document afterwards. A
//! page has at most [`MAX_OPEN_WINDOWS`] auxiliary windows open at once: past that, `open()`
//! returns null (as a popup blocker does), so a page that opens windows without end (or a
//! window that opens itself) cannot exhaust the engine.

use std::cell::Cell;
use std::rc::Rc;

use script_traits::FrameType;
use url::Url;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::globalscope::ConsoleLevel;
use crate::dom::history::Handling;
use crate::dom::htmliframeelement::{
    blank_document, fetch_document, load_document, Deliver, FrameDocument, FrameRequest,
};
use crate::dom::prelude::*;
use crate::dom::window::Window;

/// How many auxiliary windows one page (one script thread) may have open at once.
pub const MAX_OPEN_WINDOWS: usize = 64;

thread_local! {
    /// The auxiliary windows of this thread not discarded yet.
    static OPEN_WINDOWS: Cell<usize> = const { Cell::new(0) };
}

/// An auxiliary window was discarded.
pub(crate) fn window_discarded() {
    OPEN_WINDOWS.with(|open| open.set(open.get().saturating_sub(1)));
}

/// `window.open(url, target, features)` called on `opener`.
pub(crate) fn open(
    cx: &mut JSContext,
    opener: &Window,
    url: &str,
    features: &str,
) -> Fallible<Option<WindowOrCrossOriginWindowProxy>> {
    let global = opener.global_scope();
    let blank = Url::parse("about:blank").expect("a valid about: URL");
    let url = if url.is_empty() {
        blank.clone()
    } else {
        global.base_url().join(url).map_err(|_| {
            Error::dom(
                DOMErrorName::SyntaxError,
                format!(
                    "Failed to execute 'open' on 'Window': Unable to open a window with invalid \
                     URL '{url}'."
                ),
            )
        })?
    };
    let has_feature = |name: &str| {
        features
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .any(|token| {
                token
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .eq_ignore_ascii_case(name)
            })
    };
    let noreferrer = has_feature("noreferrer");
    let noopener = noreferrer || has_feature("noopener");
    if OPEN_WINDOWS.with(Cell::get) >= MAX_OPEN_WINDOWS {
        global.console().message(
            ConsoleLevel::Warn,
            &format!(
                "window.open() was blocked: a page may have {MAX_OPEN_WINDOWS} windows open at \
                 once."
            ),
        );
        return Ok(None);
    }
    let window = create(cx, opener, &blank, global.is_secure_context());
    if !noopener {
        window.set_opener(Some(opener));
    }
    let initial = blank_document("about:blank", String::new(), Handling::Replace);
    let document = load_document(cx, &window, global, initial);
    if url.scheme() == "about" {
        crate::page::queue_load_events(window.global_scope().event_loop(), &document, None);
    } else {
        let source =
            (!noreferrer).then(|| (global.url().clone(), global.referrer_policy_or_default()));
        let details = crate::page::navigation_details(
            source.as_ref().map(|(url, policy)| (url, *policy)),
            &url,
            false,
            false,
        );
        let request = FrameRequest {
            url,
            token: None,
            details,
            handling: Handling::Replace,
            post: None,
        };
        let target = DomRoot::from_ref(&*window);
        let creator = DomRoot::from_ref(opener);
        let deliver: Deliver = Box::new(move |cx, result| arrive(cx, &target, &creator, result));
        fetch_document(global, request, "document", FrameType::Auxiliary, deliver);
    }
    if noopener {
        return Ok(None);
    }
    Ok(Some(Window::proxy_for(cx, &window, global)))
}

/// A top-level Window for a document at `url`, opened by `opener`, on its loop.
fn create(cx: &mut JSContext, opener: &Window, url: &Url, secure: bool) -> DomRoot<Window> {
    let global = opener.global_scope();
    let event_loop = Rc::new(global.event_loop().nested());
    let window = Window::create_with(
        cx,
        url.clone(),
        event_loop.clone(),
        global.console_sink(),
        secure,
    );
    event_loop.bind_global(window.reflector().get());
    opener.adopt_opened(&window);
    OPEN_WINDOWS.with(|open| open.set(open.get() + 1));
    window
}

/// The navigation of the auxiliary `window` (opened by `creator`) came back.
fn arrive(
    cx: &mut JSContext,
    window: &Window,
    creator: &Window,
    result: Result<FrameDocument, String>,
) {
    let global = window.global_scope();
    if global.is_closed() {
        // Closed meanwhile: the client made for the document goes.
        if let Some(channels) = result.ok().and_then(|frame| frame.channels) {
            let _ = channels
                .to_constellation
                .send(script_traits::ScriptMsg::Closed);
        }
        return;
    }
    let frame = match result {
        Ok(frame) => frame,
        Err(reason) => {
            // As a browser's error page would: the window stays, and its load event fires.
            global.console().message(
                ConsoleLevel::Warn,
                &format!("A window failed to load: {reason}"),
            );
            if let Some(document) = window.document() {
                crate::page::queue_load_events(global.event_loop(), &document, None);
            }
            return;
        }
    };
    if frame.url.origin() == global.origin() {
        // The initial about:blank's Window becomes the document's.
        global.set_url(frame.url.clone());
        global.forget_inherited_origin();
        let document = load_document(cx, window, creator.global_scope(), frame);
        crate::page::queue_load_events(global.event_loop(), &document, None);
        return;
    }
    let secure = base::origin::is_potentially_trustworthy(&frame.url);
    let successor = create(cx, creator, &frame.url, secure);
    successor.set_opener(window.opener_window().as_deref());
    window.replace_with(&successor);
    let document = load_document(cx, &successor, creator.global_scope(), frame);
    crate::page::queue_load_events(successor.global_scope().event_loop(), &document, None);
}
