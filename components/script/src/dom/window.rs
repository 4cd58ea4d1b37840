//! Window: the global object of a page (https://html.spec.whatwg.org/#the-window-object).

use std::cell::RefCell;
use std::rc::Rc;

use crate::dom::bindings::interface::GlobalKind;
use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::globalscope::ConsoleSink;
use crate::dom::location::Location;
use crate::dom::navigator::Navigator;
use crate::dom::prelude::*;
use crate::event_loop::EventLoop;
use crate::timers::TimerHandler;

#[derive(Trace)]
#[repr(C)]
pub struct Window {
    globalscope: GlobalScope,
    document: MutNullableDom<Document>,
    location: MutNullableDom<Location>,
    navigator: MutNullableDom<Navigator>,
    /// The window of the document whose `<iframe>` this window is the content of.
    parent: MutNullableDom<Window>,
    /// That `<iframe>`.
    frame_element: MutNullableDom<Element>,
    /// The windows of this document's `<iframe>`s, in the order they loaded.
    frames: RefCell<Vec<Dom<Window>>>,
}

impl Window {
    /// Creates the global object of a page at `url`, in a new realm of the thread's runtime,
    /// with every interface exposed to windows defined on it.
    pub fn create(
        cx: &mut JSContext,
        url: url::Url,
        event_loop: Rc<EventLoop>,
        console: Rc<dyn ConsoleSink>,
    ) -> DomRoot<Window> {
        let secure = base::origin::is_potentially_trustworthy(&url);
        Window::create_with(cx, url, event_loop, console, secure)
    }

    /// [`Window::create`] for a frame, which is a secure context only in one (`secure`).
    pub fn create_with(
        cx: &mut JSContext,
        url: url::Url,
        event_loop: Rc<EventLoop>,
        console: Rc<dyn ConsoleSink>,
        secure: bool,
    ) -> DomRoot<Window> {
        let kind = GlobalKind {
            names: &["Window"],
            secure,
        };
        let window = Box::new(Window {
            globalscope: GlobalScope::new_inherited(kind, url, event_loop, console),
            document: MutNullableDom::default(),
            location: MutNullableDom::default(),
            navigator: MutNullableDom::default(),
            parent: MutNullableDom::default(),
            frame_element: MutNullableDom::default(),
            frames: RefCell::new(Vec::new()),
        });
        // SAFETY: a fresh global of Window's class.
        unsafe {
            crate::dom::bindings::interface::create_global::<_, GlobalScope>(
                cx,
                &WindowBinding::INFO,
                window,
            )
        }
    }

    pub fn document(&self) -> Option<DomRoot<Document>> {
        self.document.get()
    }

    pub fn set_document(&self, document: &Document) {
        self.document.set(Some(document))
    }

    pub fn global_scope(&self) -> &GlobalScope {
        &self.globalscope
    }

    /// Makes this window the content of `frame`, an `<iframe>` of `parent`'s document.
    pub fn set_parent(&self, parent: &Window, frame: &Element) {
        self.parent.set(Some(parent));
        self.frame_element.set(Some(frame));
        parent.frames.borrow_mut().push(Dom::from_ref(self));
    }

    pub fn parent_window(&self) -> Option<DomRoot<Window>> {
        self.parent.get()
    }

    /// How many windows are above this one (0 for a page).
    pub fn depth(&self) -> usize {
        let mut depth = 0;
        let mut current = self.parent.get();
        while let Some(window) = current {
            depth += 1;
            current = window.parent.get();
        }
        depth
    }

    /// The windows of this document's frames, and theirs.
    pub fn descendant_frames(&self) -> Vec<DomRoot<Window>> {
        let mut found = Vec::new();
        for frame in self.frames.borrow().iter() {
            found.extend(frame.descendant_frames());
            found.push(frame.root());
        }
        found
    }

    /// The window is no longer a frame's content (its `<iframe>` was removed or navigated, or
    /// its page ended): its frames are discarded first, then it ends as a page does (its
    /// workers and ports end, it leaves the engine's clients, and its tasks and timers stop).
    pub fn discard(&self) {
        let frames = std::mem::take(&mut *self.frames.borrow_mut());
        for frame in frames {
            frame.discard();
        }
        if let Some(parent) = self.parent.get() {
            parent
                .frames
                .borrow_mut()
                .retain(|frame| !std::ptr::eq(&**frame, self));
        }
        let global = &self.globalscope;
        global.end();
        if let Some(link) = global.constellation_link() {
            link.send_client(script_traits::ScriptMsg::Closed);
        }
        global.clear_service_worker_objects();
        global.close();
        global.event_loop().unbind_global();
    }

    /// `other` may reach this window's objects: same origin.
    fn same_origin(&self, other: &Window) -> bool {
        self.globalscope.origin() == other.globalscope.origin()
    }
}

impl WindowMethods for Window {
    fn Window(&self, _cx: &mut JSContext) -> DomRoot<Window> {
        DomRoot::from_ref(self)
    }
    fn Self_(&self, _cx: &mut JSContext) -> DomRoot<Window> {
        DomRoot::from_ref(self)
    }
    fn Frames(&self, _cx: &mut JSContext) -> DomRoot<Window> {
        DomRoot::from_ref(self)
    }
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.frames.borrow().len() as u32
    }
    /// The topmost window; null when it is of another origin (bgsync has no cross-origin
    /// WindowProxy: another origin's window is not reachable at all).
    fn Top(&self, _cx: &mut JSContext) -> Option<DomRoot<Window>> {
        let mut top = DomRoot::from_ref(self);
        while let Some(parent) = top.parent.get() {
            top = parent;
        }
        self.same_origin(&top).then_some(top)
    }
    /// The parent window (itself for a page); null when it is of another origin.
    fn Parent(&self, _cx: &mut JSContext) -> Option<DomRoot<Window>> {
        match self.parent.get() {
            Some(parent) => self.same_origin(&parent).then_some(parent),
            None => Some(DomRoot::from_ref(self)),
        }
    }
    /// The `<iframe>` of this window; null for a page, or when the parent is of another origin.
    fn FrameElement(&self, _cx: &mut JSContext) -> Option<DomRoot<Element>> {
        let parent = self.parent.get()?;
        if !self.same_origin(&parent) {
            return None;
        }
        self.frame_element.get()
    }
    fn Document(&self, _cx: &mut JSContext) -> Fallible<DomRoot<Document>> {
        self.document
            .get()
            .ok_or_else(|| Error::invalid_state("The window has no document yet."))
    }
    fn Location(&self, cx: &mut JSContext) -> DomRoot<Location> {
        self.location
            .or_init(|| Location::new(cx, &self.globalscope))
    }
    fn Navigator(&self, cx: &mut JSContext) -> DomRoot<Navigator> {
        self.navigator
            .or_init(|| Navigator::new(cx, &self.globalscope))
    }
    fn Close(&self, _cx: &mut JSContext) {
        self.globalscope.close();
    }
    fn Closed(&self, _cx: &mut JSContext) -> bool {
        self.globalscope.is_closed()
    }
    crate::window_or_worker_global_scope_methods!();
}

pub fn timer_handler(handler: StringOrFunction) -> TimerHandler {
    match handler {
        StringOrFunction::String(source) => TimerHandler::Source(source),
        StringOrFunction::Function(function) => TimerHandler::Function(function),
    }
}
