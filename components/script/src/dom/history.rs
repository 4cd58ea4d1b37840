//! History (https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-history-interface)
//! and the page's joint session history
//! (https://html.spec.whatwg.org/multipage/document-sequences.html#tn-session-history-entries).
//!
//! A page (the top-level traversable) keeps one [`JointSessionHistory`]: a list of steps, each
//! the new entry of one navigable, the page itself or one of its frames (`<iframe>`s at any
//! depth). A navigable's entry at a step is its latest step up to there, or else its first
//! entry (a frame's first document replaces its initial `about:blank` and adds no step).
//! `history.length` is the number of steps. Traversing to a step (`history.go()`) changes each
//! navigable whose entry differs: an entry of the document it shows is a same-document
//! traversal (its URL and `history.state` change, `popstate` fires, and `hashchange` when only
//! the fragment changed); another is loaded again with the history-navigation flag, so a
//! service worker sees `request.isHistoryNavigation`.
//!
//! A top-level page never loads another document in bgsync: its entries are those of
//! `pushState()`, `replaceState()` and fragment navigations. A frame's entries go when it is
//! removed. A service worker's `Client.url` is the document's creation URL, which none of this
//! changes (as in Chromium). What is not here: restoring a document from a cache (every
//! traversal to another document fetches it again) and scroll restoration
//! (`scrollRestoration` is kept, not acted on).

use std::cell::{Cell, RefCell};

use mozjs::jsapi::Heap;
use mozjs::jsval::NullValue;
use mozjs::rooted;
use url::{Position, Url};

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::structuredclone::{deserialize, serialize};
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::ConsoleLevel;
use crate::dom::hashchangeevent::HashChangeEvent;
use crate::dom::htmliframeelement::HTMLIFrameElement;
use crate::dom::popstateevent::PopStateEvent;
use crate::dom::prelude::*;
use crate::dom::window::Window;

/// How a navigation changes its navigable's session history
/// (https://html.spec.whatwg.org/multipage/browsing-the-web.html#navigationhistorybehavior).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handling {
    /// A new entry after the current one; the entries forward of it go.
    Push,
    /// The current entry becomes the new one.
    Replace,
    /// The current entry's document is loaded again (a reload, or a traversal to the entry):
    /// the entry keeps its URL and state and gets the new document.
    Reload,
}

/// The body of a POST navigation (a form's), kept by its entry to be sent again.
#[derive(Clone, Debug, PartialEq)]
pub struct PostData {
    pub body: Vec<u8>,
    pub content_type: String,
}

/// A session history entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub url: Url,
    /// The body its document was POSTed with, if it was.
    pub post: Option<PostData>,
    /// The serialized state of `pushState()`/`replaceState()` (none: null).
    pub state: Option<Vec<u8>>,
    /// The document it is of ([`Window::serial`]).
    pub document: u64,
}

#[derive(Trace)]
struct Step {
    /// The frame whose entry it is; none for the page's own.
    frame: Option<Dom<HTMLIFrameElement>>,
    #[no_trace]
    entry: Entry,
}

impl Step {
    fn is_of(&self, frame: Option<&HTMLIFrameElement>) -> bool {
        match (&self.frame, frame) {
            (None, None) => true,
            (Some(own), Some(frame)) => std::ptr::eq(&**own, frame),
            _ => false,
        }
    }
}

/// A page's joint session history (see the module's doc).
#[derive(Trace, Default)]
pub struct JointSessionHistory {
    steps: RefCell<Vec<Step>>,
    current: Cell<usize>,
    /// Each frame's first entry, before any step of its own.
    firsts: RefCell<Vec<Step>>,
}

/// A navigable's change in a traversal: the frame (none: the page) and its entry there.
pub type Change = (Option<DomRoot<HTMLIFrameElement>>, Entry);

impl JointSessionHistory {
    /// Starts the history with the page's first entry, if it has none yet.
    pub fn start(&self, url: Url, document: u64) {
        let mut steps = self.steps.borrow_mut();
        if steps.is_empty() {
            steps.push(Step {
                frame: None,
                entry: Entry {
                    url,
                    post: None,
                    state: None,
                    document,
                },
            });
            self.current.set(0);
        }
    }

    /// The index of `frame`'s latest step up to step `at`.
    fn step_of(&self, frame: Option<&HTMLIFrameElement>, at: usize) -> Option<usize> {
        let steps = self.steps.borrow();
        (0..=at.min(steps.len().saturating_sub(1)))
            .rev()
            .find(|&index| steps[index].is_of(frame))
    }

    /// `frame`'s entry at step `at`.
    fn entry_at(&self, frame: Option<&HTMLIFrameElement>, at: usize) -> Option<Entry> {
        if let Some(index) = self.step_of(frame, at) {
            return Some(self.steps.borrow()[index].entry.clone());
        }
        self.firsts
            .borrow()
            .iter()
            .find(|first| first.is_of(frame))
            .map(|first| first.entry.clone())
    }

    /// `frame`'s current entry (the page's for none).
    pub fn current_entry(&self, frame: Option<&HTMLIFrameElement>) -> Option<Entry> {
        self.entry_at(frame, self.current.get())
    }

    /// Records `entry` of `frame` (none: the page) as `handling` says.
    pub fn record(&self, frame: Option<&HTMLIFrameElement>, handling: Handling, entry: Entry) {
        if handling == Handling::Push {
            let mut steps = self.steps.borrow_mut();
            steps.truncate(self.current.get() + 1);
            steps.push(Step {
                frame: frame.map(Dom::from_ref),
                entry,
            });
            self.current.set(steps.len() - 1);
            return;
        }
        let update = |own: &mut Entry| {
            if handling == Handling::Reload {
                own.document = entry.document;
            } else {
                *own = entry.clone();
            }
        };
        if let Some(index) = self.step_of(frame, self.current.get()) {
            return update(&mut self.steps.borrow_mut()[index].entry);
        }
        let mut firsts = self.firsts.borrow_mut();
        match firsts.iter_mut().find(|first| first.is_of(frame)) {
            Some(first) => update(&mut first.entry),
            None => firsts.push(Step {
                frame: frame.map(Dom::from_ref),
                entry,
            }),
        }
    }

    /// `frame` was removed: its entries go.
    pub fn forget(&self, frame: &HTMLIFrameElement) {
        let mut steps = self.steps.borrow_mut();
        let current = self.current.get();
        let before = steps
            .iter()
            .take(current + 1)
            .filter(|step| step.is_of(Some(frame)))
            .count();
        steps.retain(|step| !step.is_of(Some(frame)));
        self.current
            .set((current + 1).saturating_sub(before).saturating_sub(1));
        self.firsts
            .borrow_mut()
            .retain(|first| !first.is_of(Some(frame)));
    }

    /// `history.length`.
    pub fn length(&self) -> usize {
        self.steps.borrow().len().max(1)
    }

    /// Moves to the step `delta` away from the current one: the navigables whose entry
    /// differs there, with that entry. None when there is no such step.
    pub fn traverse(&self, delta: i64) -> Option<Vec<Change>> {
        let current = self.current.get();
        let target = usize::try_from(current as i64 + delta).ok()?;
        if target >= self.steps.borrow().len() {
            return None;
        }
        let mut navigables: Vec<Option<DomRoot<HTMLIFrameElement>>> = vec![None];
        for step in self
            .steps
            .borrow()
            .iter()
            .chain(self.firsts.borrow().iter())
        {
            let frame = step.frame.as_ref().map(|frame| frame.root());
            let known = navigables.iter().any(|known| match (known, &frame) {
                (None, None) => true,
                (Some(a), Some(b)) => std::ptr::eq(&**a, &**b),
                _ => false,
            });
            if !known {
                navigables.push(frame);
            }
        }
        let mut changes = Vec::new();
        for frame in navigables {
            let from = self.entry_at(frame.as_deref(), current);
            let to = self.entry_at(frame.as_deref(), target);
            if let Some(to) = to.filter(|to| Some(to) != from.as_ref()) {
                changes.push((frame, to));
            }
        }
        self.current.set(target);
        Some(changes)
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct History {
    reflector: Reflector,
    /// `history.state`: the deserialized state of the current entry, made once per change.
    state: Heap<JSVal>,
    scroll_restoration: Cell<ScrollRestoration>,
}

/// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#can-have-its-url-rewritten>
fn can_rewrite(document: &Url, target: &Url) -> bool {
    if document[..Position::AfterPort] != target[..Position::AfterPort] {
        return false;
    }
    match target.scheme() {
        "http" | "https" => true,
        "file" => document.path() == target.path(),
        _ => document[..Position::AfterQuery] == target[..Position::AfterQuery],
    }
}

impl History {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<History> {
        let history = HistoryBinding::Wrap(
            cx,
            global,
            None,
            Box::new(History {
                reflector: Reflector::new(),
                state: Heap::default(),
                scroll_restoration: Cell::new(ScrollRestoration::Auto),
            }),
        );
        history.state.set(NullValue());
        history
    }

    fn window(&self) -> Option<DomRoot<Window>> {
        self.global()
            .upcast_event_target()
            .downcast::<Window>()
            .map(DomRoot::from_ref)
    }

    /// Sets `history.state` to a new deserialization of `state` (null for none).
    ///
    /// # Safety
    /// `cx` in the history's realm.
    unsafe fn restore_state(&self, cx: &mut JSContext, state: Option<&[u8]>) -> Fallible<()> {
        rooted!(&in(cx) let mut value = NullValue());
        if let Some(bytes) = state {
            deserialize(cx, bytes, value.handle_mut())?;
        }
        self.state.set(value.get());
        Ok(())
    }

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#shared-history-push/replace-state-steps>
    fn push_or_replace(
        &self,
        cx: &mut JSContext,
        data: HandleValue<'_>,
        url: Option<String>,
        handling: Handling,
        what: &str,
    ) -> Fallible<()> {
        let (Some(window), Some(document)) =
            (self.window(), self.window().and_then(|w| w.document()))
        else {
            return Err(Error::dom(
                DOMErrorName::SecurityError,
                format!(
                    "Failed to execute '{what}' on 'History': the document is not fully active."
                ),
            ));
        };
        // Step 4: the state, serialized for storage.
        // SAFETY: bindings call in the history's realm; `data` is rooted by the caller.
        let bytes = unsafe { serialize(cx, data)? };
        // Steps 5-6: the new URL, which must be one the document can have.
        let current = document.url().clone();
        let new_url = match url {
            None => current.clone(),
            Some(url) => {
                let parsed = current.join(&url).map_err(|_| {
                    Error::dom(
                        DOMErrorName::SecurityError,
                        format!(
                            "Failed to execute '{what}' on 'History': '{url}' is not a valid URL."
                        ),
                    )
                })?;
                if !can_rewrite(&current, &parsed) {
                    return Err(Error::dom(
                        DOMErrorName::SecurityError,
                        format!(
                            "Failed to execute '{what}' on 'History': A history state object \
                             with URL '{parsed}' cannot be created in a document with origin \
                             '{}' and URL '{current}'.",
                            current.origin().ascii_serialization()
                        ),
                    ));
                }
                parsed
            }
        };
        // URL and history update steps.
        let entry = Entry {
            url: new_url.clone(),
            post: None,
            state: Some(bytes.clone()),
            document: window.serial(),
        };
        record_entry(&window, handling, entry);
        document.set_url(new_url);
        // SAFETY: as above.
        unsafe { self.restore_state(cx, Some(&bytes)) }
    }
}

/// Records `entry` of `window`'s navigable in its page's joint session history.
pub fn record_entry(window: &Window, handling: Handling, entry: Entry) {
    let top = window.top_window();
    let frame = HTMLIFrameElement::of_global(window.global_scope());
    let history = top.joint_history();
    history.start(top.global_scope().url().clone(), top.serial());
    history.record(frame.as_deref(), handling, entry);
}

/// A same-document navigation of `window` to `url` (a fragment, by `location`): a new entry
/// (or the current one replaced), a null state, and `hashchange` in a task if the fragment
/// changed (https://html.spec.whatwg.org/multipage/browsing-the-web.html#navigate-fragid).
pub fn navigate_to_fragment(cx: &mut JSContext, window: &Window, url: Url, handling: Handling) {
    let Some(document) = window.document() else {
        return;
    };
    let old = document.url().clone();
    let entry = Entry {
        url: url.clone(),
        post: None,
        state: None,
        document: window.serial(),
    };
    record_entry(window, handling, entry);
    document.set_url(url.clone());
    let history = window.history(cx);
    // SAFETY: a null state deserializes nothing.
    let _ = unsafe { history.restore_state(cx, None) };
    if old.fragment() != url.fragment() {
        queue_hashchange(window, old, url);
    }
}

fn queue_hashchange(window: &Window, old: Url, new: Url) {
    let target = DomRoot::from_ref(window);
    window
        .global_scope()
        .event_loop()
        .queue_task(Box::new(move |cx| {
            let global = target.global_scope();
            let event =
                HashChangeEvent::new_trusted(cx, global, "hashchange", old.into(), new.into());
            // SAFETY: tasks of the window's loop run in its realm.
            unsafe {
                target
                    .upcast::<EventTarget>()
                    .dispatch_event(cx, event.upcast::<Event>())
            };
        }));
}

/// <https://html.spec.whatwg.org/multipage/browsing-the-web.html#traverse-the-history-by-a-delta>,
/// in a task of the page's loop: each navigable whose entry changes goes there.
fn traverse_by(top: &Window, delta: i64) {
    let history = top.joint_history();
    history.start(top.global_scope().url().clone(), top.serial());
    let Some(changes) = history.traverse(delta) else {
        return;
    };
    for (frame, entry) in changes {
        let shown = match &frame {
            None => Some(DomRoot::from_ref(top)),
            Some(frame) if frame.upcast::<crate::dom::node::Node>().is_connected() => {
                frame.content_window()
            }
            Some(_) => continue,
        };
        match (frame, shown) {
            (_, Some(window)) if window.serial() == entry.document => {
                traverse_within(&window, entry);
            }
            (Some(frame), _) => frame.navigate_in_history(entry.url, entry.post),
            (None, _) => top.global_scope().console().message(
                ConsoleLevel::Warn,
                "A history traversal would load another document in the page: bgsync does not \
                 navigate a top-level page.",
            ),
        }
    }
}

/// A traversal to `entry` of the document `window` shows, in a task of its loop: its URL and
/// state, `popstate`, and `hashchange` if only the fragment changed.
fn traverse_within(window: &Window, entry: Entry) {
    let target = DomRoot::from_ref(window);
    window
        .global_scope()
        .event_loop()
        .queue_task(Box::new(move |cx| {
            let Some(document) = target.document() else {
                return;
            };
            let old = document.url().clone();
            document.set_url(entry.url.clone());
            let history = target.history(cx);
            // SAFETY: tasks of the window's loop run in its realm.
            unsafe {
                if let Err(error) = history.restore_state(cx, entry.state.as_deref()) {
                    log::warn!(target: "bgsync::script::history", "a state not restored: {error:?}");
                }
                rooted!(&in(cx) let state = history.state.get());
                let event = PopStateEvent::new_trusted(cx, target.global_scope(), "popstate", state.handle(), false);
                target
                    .upcast::<EventTarget>()
                    .dispatch_event(cx, event.upcast::<Event>());
            }
            let same_document = old[..Position::AfterQuery] == entry.url[..Position::AfterQuery];
            if same_document && old.fragment() != entry.url.fragment() {
                queue_hashchange(&target, old, entry.url);
            }
        }));
}

impl HistoryMethods for History {
    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-history-length>
    fn Length(&self, _cx: &mut JSContext) -> Fallible<u32> {
        let window = self.window().ok_or_else(|| {
            Error::dom(
                DOMErrorName::SecurityError,
                "The document is not fully active.",
            )
        })?;
        let top = window.top_window();
        let history = top.joint_history();
        history.start(top.global_scope().url().clone(), top.serial());
        Ok(u32::try_from(history.length()).unwrap_or(u32::MAX))
    }

    fn ScrollRestoration(&self, _cx: &mut JSContext) -> ScrollRestoration {
        self.scroll_restoration.get()
    }

    fn SetScrollRestoration(&self, _cx: &mut JSContext, value: ScrollRestoration) {
        self.scroll_restoration.set(value);
    }

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-history-state>
    fn State(&self, _cx: &mut JSContext) -> Fallible<JSVal> {
        Ok(self.state.get())
    }

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-history-go>
    fn Go(&self, _cx: &mut JSContext, delta: i32) -> Fallible<()> {
        let window = self.window().ok_or_else(|| {
            Error::dom(
                DOMErrorName::SecurityError,
                "The document is not fully active.",
            )
        })?;
        // Step 3: go(0) reloads the window's navigable.
        if delta == 0 {
            match HTMLIFrameElement::of_global(window.global_scope()) {
                Some(frame) => {
                    let url = window.global_scope().url().clone();
                    frame.navigate(
                        url.clone(),
                        url,
                        crate::dom::htmliframeelement::Kind::Reload,
                    );
                }
                None => window.global_scope().console().message(
                    ConsoleLevel::Warn,
                    "history.go(0) would reload the page: bgsync does not navigate a top-level \
                     page.",
                ),
            }
            return Ok(());
        }
        // Step 4: the traversal runs after the calling script.
        let top = window.top_window();
        let page = top.clone();
        top.global_scope()
            .event_loop()
            .queue_task(Box::new(move |_cx| traverse_by(&page, delta.into())));
        Ok(())
    }

    fn Back(&self, cx: &mut JSContext) -> Fallible<()> {
        self.Go(cx, -1)
    }

    fn Forward(&self, cx: &mut JSContext) -> Fallible<()> {
        self.Go(cx, 1)
    }

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-history-pushstate>
    fn PushState(
        &self,
        cx: &mut JSContext,
        data: HandleValue<'_>,
        _unused: DOMString,
        url: Option<String>,
    ) -> Fallible<()> {
        self.push_or_replace(cx, data, url, Handling::Push, "pushState")
    }

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-history-replacestate>
    fn ReplaceState(
        &self,
        cx: &mut JSContext,
        data: HandleValue<'_>,
        _unused: DOMString,
        url: Option<String>,
    ) -> Fallible<()> {
        self.push_or_replace(cx, data, url, Handling::Replace, "replaceState")
    }
}
