//! Window: the global object of a page (https://html.spec.whatwg.org/#the-window-object).

use std::rc::Rc;

use crate::dom::bindings::interface::GlobalKind;
use crate::dom::document::Document;
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
        let kind = GlobalKind {
            names: &["Window"],
            secure,
        };
        let window = Box::new(Window {
            globalscope: GlobalScope::new_inherited(kind, url, event_loop, console),
            document: MutNullableDom::default(),
            location: MutNullableDom::default(),
            navigator: MutNullableDom::default(),
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
        0
    }
    fn Top(&self, _cx: &mut JSContext) -> Option<DomRoot<Window>> {
        Some(DomRoot::from_ref(self))
    }
    fn Parent(&self, _cx: &mut JSContext) -> Option<DomRoot<Window>> {
        Some(DomRoot::from_ref(self))
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
