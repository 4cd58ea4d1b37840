//! Window: the global object of a page (https://html.spec.whatwg.org/#the-window-object).

use std::cell::RefCell;
use std::rc::Rc;

use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::interface::GlobalKind;
use crate::dom::crossoriginwindowproxy::CrossOriginWindowProxy;
use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::event::Event;
use crate::dom::globalscope::ConsoleSink;
use crate::dom::history::{History, JointSessionHistory};
use crate::dom::location::Location;
use crate::dom::messageevent::{MessageEvent, Source};
use crate::dom::navigator::Navigator;
use crate::dom::postmessage::{deserialize_message, serialize_message};
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
    /// The window whose `open()` made this one (`opener`; none after `noopener`).
    opener: MutNullableDom<Window>,
    /// The auxiliary windows this one opened (`window.open()`), discarded with it.
    opened: RefCell<Vec<Dom<Window>>>,
    /// Whether `window.open()` made it (an auxiliary browsing context's window).
    auxiliary: std::cell::Cell<bool>,
    /// The window of another origin that this auxiliary window's navigation loaded: the one
    /// its opener's reference now stands for.
    replaced_by: MutNullableDom<Window>,
    /// It was discarded (a second discard does nothing).
    discarded: std::cell::Cell<bool>,
    /// The proxies of this window made for windows of other origins, one per accessor.
    proxies: RefCell<Vec<Dom<CrossOriginWindowProxy>>>,
    history: MutNullableDom<History>,
    /// A page's joint session history (unused in a frame's window: its page's holds it).
    joint_history: JointSessionHistory,
    /// Numbers the windows of the thread: which document a session history entry is of.
    serial: u64,
    #[no_trace]
    animation_frames: crate::animation_frames::AnimationFrames,
}

thread_local! {
    static NEXT_SERIAL: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
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
            opener: MutNullableDom::default(),
            opened: RefCell::new(Vec::new()),
            auxiliary: std::cell::Cell::new(false),
            replaced_by: MutNullableDom::default(),
            discarded: std::cell::Cell::new(false),
            proxies: RefCell::new(Vec::new()),
            history: MutNullableDom::default(),
            joint_history: JointSessionHistory::default(),
            animation_frames: Default::default(),
            serial: NEXT_SERIAL.with(|next| {
                let serial = next.get();
                next.set(serial + 1);
                serial
            }),
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

    /// Which document of the thread this window is of (session history entries name it).
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// The page's joint session history (meaningful on a page's window: see
    /// [`Window::top_window`]).
    pub fn joint_history(&self) -> &JointSessionHistory {
        &self.joint_history
    }

    /// Runs the animation frame callbacks (the frame's timer fired).
    ///
    /// # Safety
    /// `cx` in the window's realm.
    pub unsafe fn run_animation_frames(&self, cx: &mut JSContext) {
        self.animation_frames.run(cx, self);
    }

    pub fn history(&self, cx: &mut JSContext) -> DomRoot<History> {
        self.history.or_init(|| History::new(cx, &self.globalscope))
    }

    /// Makes this window the content of `frame`, an `<iframe>` of `parent`'s document.
    pub fn set_parent(&self, parent: &Window, frame: &Element) {
        self.parent.set(Some(parent));
        self.frame_element.set(Some(frame));
        parent.frames.borrow_mut().push(Dom::from_ref(self));
    }

    /// Makes `window` an auxiliary window this one opened.
    pub fn adopt_opened(&self, window: &Window) {
        window.auxiliary.set(true);
        self.opened.borrow_mut().push(Dom::from_ref(window));
    }

    pub fn set_opener(&self, opener: Option<&Window>) {
        self.opener.set(opener);
    }

    pub fn opener_window(&self) -> Option<DomRoot<Window>> {
        self.opener.get()
    }

    /// This auxiliary window's navigation loaded a document of another origin into
    /// `successor`: this one is discarded, and stands for `successor` from now on.
    pub fn replace_with(&self, successor: &Window) {
        self.replaced_by.set(Some(successor));
        self.discard();
    }

    /// The window this one stands for: itself, or the window that replaced it.
    pub fn current(&self) -> DomRoot<Window> {
        let mut current = DomRoot::from_ref(self);
        while let Some(next) = current.replaced_by.get() {
            current = next;
        }
        current
    }

    /// Discards the auxiliary windows this one opened (its page ends).
    pub fn discard_opened(&self) {
        let opened = std::mem::take(&mut *self.opened.borrow_mut());
        for window in opened {
            window.discard();
        }
    }

    /// The `<iframe>` whose content this window is (none for a page).
    pub fn frame_element(&self) -> Option<DomRoot<Element>> {
        self.frame_element.get()
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
        if self.discarded.replace(true) {
            return;
        }
        if self.auxiliary.get() {
            crate::auxiliary::window_discarded();
        }
        let frames = std::mem::take(&mut *self.frames.borrow_mut());
        for frame in frames {
            frame.discard();
        }
        self.discard_opened();
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

    /// How many frames its document has (`length`).
    pub fn frame_count(&self) -> u32 {
        self.frames.borrow().len() as u32
    }

    /// The topmost window above this one (itself for a page).
    pub fn top_window(&self) -> DomRoot<Window> {
        let mut top = DomRoot::from_ref(self);
        while let Some(parent) = top.parent.get() {
            top = parent;
        }
        top
    }

    /// `window` as scripts of `accessor` see it: the window itself when they may reach it
    /// (same origin), else its CrossOriginWindowProxy for `accessor` (made once).
    pub fn proxy_for(
        cx: &mut JSContext,
        window: &Window,
        accessor: &GlobalScope,
    ) -> WindowOrCrossOriginWindowProxy {
        if window.globalscope.origin() == accessor.origin() {
            return WindowOrCrossOriginWindowProxy::Window(DomRoot::from_ref(window));
        }
        let made = window
            .proxies
            .borrow()
            .iter()
            .find(|proxy| std::ptr::eq(proxy.global(), accessor))
            .map(|proxy| proxy.root());
        let proxy = made.unwrap_or_else(|| {
            let proxy = CrossOriginWindowProxy::new(cx, accessor, window);
            window.proxies.borrow_mut().push(Dom::from_ref(&*proxy));
            proxy
        });
        WindowOrCrossOriginWindowProxy::CrossOriginWindowProxy(proxy)
    }

    /// The window post message steps
    /// (https://html.spec.whatwg.org/multipage/web-messaging.html#window-post-message-steps):
    /// the message is serialized now, in the caller's turn, and delivered in a task of this
    /// window's loop, if this window's origin is then `target_origin` (`"*"`: any, `"/"`: the
    /// caller's). The event's `source` is the caller's window and its `origin` the caller's.
    pub(crate) fn post_message(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        target_origin: &str,
        transfer: &[RootedObject],
    ) -> Fallible<()> {
        let source = incumbent_window(cx).unwrap_or_else(|| DomRoot::from_ref(self));
        let source_origin = source.globalscope.origin();
        let target_origin = match target_origin {
            "*" => None,
            "/" => Some(source_origin.clone()),
            other => Some(
                url::Url::parse(other)
                    .map_err(|_| {
                        Error::dom(
                            DOMErrorName::SyntaxError,
                            format!(
                                "Failed to execute 'postMessage' on 'Window': Invalid target \
                                 origin '{other}' in a call to 'postMessage'."
                            ),
                        )
                    })?
                    .origin(),
            ),
        };
        // SAFETY: bindings call in a realm, with `message` rooted.
        let bytes = unsafe { serialize_message(cx, message, transfer, "Window")? };
        let target = DomRoot::from_ref(self);
        let origin = source_origin.ascii_serialization();
        // A discarded window's tasks are dropped with it: the message is lost, as the spec's.
        self.globalscope
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                if target_origin.is_some_and(|wanted| wanted != target.globalscope.origin()) {
                    return;
                }
                // SAFETY: a task of this window's loop runs in its realm.
                unsafe { target.deliver_message(cx, &bytes, origin, &source) };
            }));
        Ok(())
    }

    /// Fires `message` (or `messageerror`, for bytes that do not deserialize) at this window.
    ///
    /// # Safety
    /// `cx` in this window's realm.
    unsafe fn deliver_message(
        &self,
        cx: &mut JSContext,
        bytes: &[u8],
        origin: String,
        source: &Window,
    ) {
        let target = self.globalscope.upcast_event_target();
        rooted!(&in(cx) let mut data = UndefinedValue());
        let Ok(ports) = deserialize_message(cx, bytes, data.handle_mut()) else {
            target.fire_event(cx, "messageerror");
            return;
        };
        let source = Window::proxy_for(cx, source, &self.globalscope);
        let source = match &source {
            WindowOrCrossOriginWindowProxy::Window(window) => Source::Window(window),
            WindowOrCrossOriginWindowProxy::CrossOriginWindowProxy(proxy) => Source::Proxy(proxy),
        };
        let event = MessageEvent::new_trusted(cx, &self.globalscope, data.handle(), origin, source);
        event.set_ports(ports);
        target.dispatch_event(cx, event.upcast::<Event>());
    }
}

/// The window of the script that called into the engine (the incumbent global), if it is a
/// window.
pub(crate) fn incumbent_window(cx: &JSContext) -> Option<DomRoot<Window>> {
    // SAFETY: reads the context's stack of script frames.
    let global = unsafe { mozjs::rust::wrappers2::GetScriptedCallerGlobal(cx) };
    if global.is_null() {
        return None;
    }
    // SAFETY: every global of the runtime is a DOM global.
    let scope = unsafe { GlobalScope::from_object(global) };
    scope
        .upcast_event_target()
        .downcast::<Window>()
        .map(DomRoot::from_ref)
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
        self.frame_count()
    }
    /// The topmost window (a CrossOriginWindowProxy of it when it is of another origin).
    fn Top(&self, cx: &mut JSContext) -> Option<WindowOrCrossOriginWindowProxy> {
        let top = self.top_window();
        Some(Window::proxy_for(cx, &top, &self.globalscope))
    }
    /// The parent window (itself for a page; a CrossOriginWindowProxy of it when it is of
    /// another origin).
    fn Parent(&self, cx: &mut JSContext) -> Option<WindowOrCrossOriginWindowProxy> {
        let parent = self.parent.get().unwrap_or_else(|| DomRoot::from_ref(self));
        Some(Window::proxy_for(cx, &parent, &self.globalscope))
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
    fn RequestAnimationFrame(
        &self,
        _cx: &mut JSContext,
        callback: Rc<crate::dom::codegen::FrameRequestCallback>,
    ) -> u32 {
        self.animation_frames.request(self, callback)
    }
    fn CancelAnimationFrame(&self, _cx: &mut JSContext, handle: u32) {
        self.animation_frames.cancel(handle);
    }
    fn History(&self, cx: &mut JSContext) -> DomRoot<History> {
        self.history(cx)
    }
    fn Navigator(&self, cx: &mut JSContext) -> DomRoot<Navigator> {
        self.navigator
            .or_init(|| Navigator::new(cx, &self.globalscope))
    }
    /// A page's window ends its page; an auxiliary window is discarded, in a task of its own
    /// (the script that called goes on, and `closed` is true at once).
    fn Close(&self, _cx: &mut JSContext) {
        let current = self.current();
        if !current.auxiliary.get() {
            current.globalscope.close();
            return;
        }
        if current.globalscope.is_closed() {
            return;
        }
        current.globalscope.close();
        let window = current.clone();
        current
            .globalscope
            .event_loop()
            .queue_task(Box::new(move |_cx: &mut JSContext| window.discard()));
    }
    fn Closed(&self, _cx: &mut JSContext) -> bool {
        self.current().globalscope.is_closed()
    }
    fn Open(
        &self,
        cx: &mut JSContext,
        url: DOMString,
        _target: DOMString,
        features: DOMString,
    ) -> Fallible<Option<WindowOrCrossOriginWindowProxy>> {
        crate::auxiliary::open(cx, self, &url, &features)
    }
    fn Opener(&self, cx: &mut JSContext) -> Option<WindowOrCrossOriginWindowProxy> {
        let opener = self.opener.get()?;
        Some(Window::proxy_for(cx, &opener, &self.globalscope))
    }
    crate::window_post_message_overloads!(this => this.current());
    crate::window_or_worker_global_scope_methods!();
}

pub fn timer_handler(handler: StringOrFunction) -> TimerHandler {
    match handler {
        StringOrFunction::String(source) => TimerHandler::Source(source),
        StringOrFunction::Function(function) => TimerHandler::Function(function),
    }
}

/// The two `postMessage` overloads of a WindowProxy (`(message, targetOrigin, transfer)` and
/// `(message, {targetOrigin, transfer})`), posting to the Window that `$target` (an expression
/// of `$this`, the object called) gives.
#[macro_export]
macro_rules! window_post_message_overloads {
    ($this:ident => $target:expr) => {
        fn PostMessage(
            &self,
            cx: &mut JSContext,
            message: HandleValue<'_>,
            target_origin: DOMString,
            transfer: Vec<RootedObject>,
        ) -> Fallible<()> {
            let $this = self;
            $target.post_message(cx, message, &target_origin, &transfer)
        }

        fn PostMessage_(
            &self,
            cx: &mut JSContext,
            message: HandleValue<'_>,
            options: &WindowPostMessageOptions,
        ) -> Fallible<()> {
            let $this = self;
            $target.post_message(
                cx,
                message,
                &options.target_origin,
                &options.parent.transfer,
            )
        }
    };
}
