//! Document (https://dom.spec.whatwg.org/#interface-document, HTML's additions).

use std::cell::{Cell, RefCell};

use url::Url;

use crate::dom::comment::Comment;
use crate::dom::documenttype::DocumentType;
use crate::dom::domimplementation::DOMImplementation;
use crate::dom::element::{is_valid_element_name, Element};
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::htmlcollection::HTMLCollection;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::htmliframeelement::HTMLIFrameElement;
use crate::dom::htmlmetaelement::HTMLMetaElement;
use crate::dom::htmlscriptelement::HTMLScriptElement;
use crate::dom::location::Location;
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::text::Text;
use crate::dom::window::Window;

#[derive(Trace)]
#[repr(C)]
pub struct Document {
    node: Node,
    window: MutNullableDom<Window>,
    #[no_trace]
    url: RefCell<Url>,
    content_type: String,
    ready_state: Cell<DocumentReadyState>,
    quirks: Cell<bool>,
    current_script: MutNullableDom<HTMLScriptElement>,
    implementation: MutNullableDom<DOMImplementation>,
    /// Frames still loading that delay this document's `load` event.
    load_delayers: Cell<u32>,
    /// Its `load` event has fired (https://html.spec.whatwg.org/#completely-loaded).
    completely_loaded: Cell<bool>,
    /// Its parser-inserted module scripts not run yet, in document order (they run in it).
    module_scripts: RefCell<std::collections::VecDeque<Dom<HTMLScriptElement>>>,
    /// The `load` event, waiting for those frames (what runs after it with it).
    #[no_trace]
    deferred_load: RefCell<Option<Option<crate::page::AfterLoad>>>,
    /// `document.referrer`: the referrer of the request that fetched it, or its creator's URL
    /// (an iframe's initial `about:blank`, an `about:srcdoc`); empty for none.
    #[no_trace]
    referrer: RefCell<String>,
}

impl Document {
    pub fn new(
        cx: &mut JSContext,
        window: &Window,
        url: Url,
        content_type: String,
    ) -> DomRoot<Document> {
        let document = DocumentBinding::Wrap(
            cx,
            window.global_scope(),
            None,
            Box::new(Document {
                node: Node::new_inherited(None),
                window: MutNullableDom::new(Some(window)),
                url: RefCell::new(url),
                content_type,
                ready_state: Cell::new(DocumentReadyState::Loading),
                quirks: Cell::new(false),
                current_script: MutNullableDom::default(),
                implementation: MutNullableDom::default(),
                load_delayers: Cell::new(0),
                completely_loaded: Cell::new(false),
                module_scripts: RefCell::new(std::collections::VecDeque::new()),
                deferred_load: RefCell::new(None),
                referrer: RefCell::new(String::new()),
            }),
        );
        window.set_document(&document);
        document
    }

    pub fn set_referrer(&self, referrer: Option<&Url>) {
        *self.referrer.borrow_mut() = referrer.map(Url::to_string).unwrap_or_default();
    }

    pub fn url(&self) -> std::cell::Ref<'_, Url> {
        self.url.borrow()
    }

    /// The URL changes without a new document (`history.pushState()`, a traversal between
    /// entries of this document): its window's URL with it.
    pub fn set_url(&self, url: Url) {
        if let Some(window) = self.window.get() {
            window.global_scope().set_url(url.clone());
        }
        *self.url.borrow_mut() = url;
    }

    /// <https://html.spec.whatwg.org/#completely-loaded>
    pub fn is_completely_loaded(&self) -> bool {
        self.completely_loaded.get()
    }

    pub fn window(&self) -> Option<DomRoot<Window>> {
        self.window.get()
    }

    pub fn set_quirks_mode(&self, quirks: bool) {
        self.quirks.set(quirks)
    }

    pub fn ready_state(&self) -> DocumentReadyState {
        self.ready_state.get()
    }

    /// A frame starts loading: if this document has not loaded yet, its `load` event waits for
    /// the frame (<https://html.spec.whatwg.org/multipage/parsing.html#delay-the-load-event>).
    /// True if it does; the caller then calls [`Document::stop_delaying_load`] once.
    /// A parser-inserted module script: it runs after those before it in the document.
    pub fn add_module_script(&self, script: &HTMLScriptElement) {
        self.module_scripts
            .borrow_mut()
            .push_back(Dom::from_ref(script));
    }

    /// Runs the module scripts of the markup whose graphs are loaded, in document order, up to
    /// the first that is not.
    pub fn run_module_scripts(&self, cx: &mut JSContext) {
        loop {
            let first = self
                .module_scripts
                .borrow()
                .front()
                .map(|script| script.root());
            let Some(script) = first else {
                return;
            };
            let Some(ready) = script.take_ready_module() else {
                return;
            };
            self.module_scripts.borrow_mut().pop_front();
            script.execute_module(cx, ready);
        }
    }

    pub fn delay_load(&self) -> bool {
        if self.ready_state.get() == DocumentReadyState::Complete {
            return false;
        }
        self.load_delayers.set(self.load_delayers.get() + 1);
        true
    }

    /// A frame that delayed the `load` event has loaded (or was removed): the last one lets a
    /// waiting `load` event fire, in a task.
    pub fn stop_delaying_load(&self) {
        let left = self.load_delayers.get().saturating_sub(1);
        self.load_delayers.set(left);
        if left > 0 {
            return;
        }
        if let Some(after_load) = self.deferred_load.borrow_mut().take() {
            let document = DomRoot::from_ref(self);
            self.global()
                .event_loop()
                .queue_task(Box::new(move |cx| document.fire_load(cx, after_load)));
        }
    }

    /// <https://html.spec.whatwg.org/#the-end>, its last steps: readiness `complete` and the
    /// window's `load` event, then `after_load`; once no frame delays it.
    pub fn finish_loading(&self, cx: &mut JSContext, after_load: Option<crate::page::AfterLoad>) {
        if self.load_delayers.get() > 0 {
            *self.deferred_load.borrow_mut() = Some(after_load);
            return;
        }
        self.fire_load(cx, after_load);
    }

    fn fire_load(&self, cx: &mut JSContext, after_load: Option<crate::page::AfterLoad>) {
        use crate::dom::performancenavigationtiming::{
            PerformanceNavigationTiming as Timing, Point,
        };
        Timing::record(cx, self.global(), Point::DomComplete);
        self.set_ready_state(cx, DocumentReadyState::Complete);
        if let Some(window) = self.window() {
            let event = crate::dom::event::Event::new(cx, self.global(), "load", false, false);
            event.set_trusted(true);
            Timing::record(cx, self.global(), Point::LoadStart);
            // SAFETY: tasks run in the document's realm.
            unsafe { window.upcast::<EventTarget>().dispatch_event(cx, &event) };
            Timing::record(cx, self.global(), Point::LoadEnd);
        }
        self.completely_loaded.set(true);
        if let Some(after_load) = after_load {
            after_load();
        }
    }

    /// https://html.spec.whatwg.org/#update-the-current-document-readiness
    pub fn set_ready_state(&self, cx: &mut JSContext, state: DocumentReadyState) {
        self.ready_state.set(state);
        // SAFETY: in the document's realm.
        unsafe {
            self.upcast::<EventTarget>()
                .fire_event(cx, "readystatechange")
        };
    }

    pub fn set_current_script(&self, script: Option<&HTMLScriptElement>) {
        self.current_script.set(script)
    }

    pub fn document_element(&self) -> Option<DomRoot<Element>> {
        self.node.child_elements().into_iter().next()
    }

    fn html_child(&self, name: &str) -> Option<DomRoot<HTMLElement>> {
        let root = self.document_element()?;
        if root.local_name() != "html" {
            return None;
        }
        root.upcast::<Node>()
            .child_elements()
            .into_iter()
            .find(|e| e.local_name() == name)
            .and_then(|e| e.downcast::<HTMLElement>().map(DomRoot::from_ref))
    }

    /// Creates an element the way the parser and `createElement` do.
    pub fn create_element(
        &self,
        cx: &mut JSContext,
        local_name: &str,
        parser_inserted: bool,
        line: u32,
    ) -> DomRoot<Element> {
        if local_name == "script" {
            let script = HTMLScriptElement::new(cx, self, parser_inserted, line);
            return DomRoot::upcast(script);
        }
        if local_name == "meta" {
            return DomRoot::upcast(HTMLMetaElement::new(cx, self));
        }
        if local_name == "iframe" {
            return DomRoot::upcast(HTMLIFrameElement::new(cx, self));
        }
        if local_name == "img" {
            return DomRoot::upcast(crate::dom::htmlimageelement::HTMLImageElement::new(
                cx, self, None,
            ));
        }
        if local_name == "form" {
            return DomRoot::upcast(crate::dom::htmlformelement::HTMLFormElement::new(cx, self));
        }
        if local_name == "input" {
            return DomRoot::upcast(crate::dom::htmlinputelement::HTMLInputElement::new(
                cx, self,
            ));
        }
        DomRoot::upcast(HTMLElement::new(cx, self, local_name.to_string()))
    }
}

impl DocumentMethods for Document {
    fn Implementation(&self, cx: &mut JSContext) -> DomRoot<DOMImplementation> {
        self.implementation
            .or_init(|| DOMImplementation::new(cx, self.global()))
    }
    fn URL(&self, _cx: &mut JSContext) -> DOMString {
        self.url.borrow().to_string()
    }
    fn DocumentURI(&self, _cx: &mut JSContext) -> DOMString {
        self.url.borrow().to_string()
    }
    fn CompatMode(&self, _cx: &mut JSContext) -> DOMString {
        if self.quirks.get() {
            "BackCompat"
        } else {
            "CSS1Compat"
        }
        .into()
    }
    fn CharacterSet(&self, _cx: &mut JSContext) -> DOMString {
        "UTF-8".into()
    }
    fn Charset(&self, _cx: &mut JSContext) -> DOMString {
        "UTF-8".into()
    }
    fn InputEncoding(&self, _cx: &mut JSContext) -> DOMString {
        "UTF-8".into()
    }
    fn ContentType(&self, _cx: &mut JSContext) -> DOMString {
        self.content_type.clone()
    }
    fn Doctype(&self, _cx: &mut JSContext) -> Option<DomRoot<DocumentType>> {
        self.node
            .children()
            .into_iter()
            .find_map(|n| n.downcast::<DocumentType>().map(DomRoot::from_ref))
    }
    fn DocumentElement(&self, _cx: &mut JSContext) -> Option<DomRoot<Element>> {
        self.document_element()
    }
    fn GetElementsByTagName(
        &self,
        cx: &mut JSContext,
        qualified_name: DOMString,
    ) -> DomRoot<HTMLCollection> {
        HTMLCollection::by_tag_name(cx, &self.node, qualified_name)
    }
    fn GetElementsByClassName(
        &self,
        cx: &mut JSContext,
        class_names: DOMString,
    ) -> DomRoot<HTMLCollection> {
        HTMLCollection::by_class_names(cx, &self.node, &class_names)
    }
    /// <https://dom.spec.whatwg.org/#dom-document-createelement>
    fn CreateElement(
        &self,
        cx: &mut JSContext,
        local_name: DOMString,
    ) -> Fallible<DomRoot<Element>> {
        if !is_valid_element_name(&local_name) {
            return Err(Error::invalid_character(format!(
                "Failed to execute 'createElement' on 'Document': The tag name provided ('{local_name}') is not a valid name."
            )));
        }
        Ok(self.create_element(cx, &local_name.to_ascii_lowercase(), false, 1))
    }
    fn CreateTextNode(&self, cx: &mut JSContext, data: DOMString) -> DomRoot<Text> {
        Text::new(cx, self, data)
    }
    fn CreateComment(&self, cx: &mut JSContext, data: DOMString) -> DomRoot<Comment> {
        Comment::new(cx, self, None, data)
    }
    fn CreateDocumentFragment(
        &self,
        cx: &mut JSContext,
    ) -> DomRoot<crate::dom::documentfragment::DocumentFragment> {
        crate::dom::documentfragment::DocumentFragment::new(cx, self, None)
    }
    /// <https://dom.spec.whatwg.org/#dom-document-createevent>
    fn CreateEvent(&self, cx: &mut JSContext, interface: DOMString) -> Fallible<DomRoot<Event>> {
        match interface.to_ascii_lowercase().as_str() {
            "event" | "events" | "htmlevents" | "svgevents" => {
                let event = EventBinding::Wrap(
                    cx,
                    self.global(),
                    None,
                    Box::new(Event::new_inherited(self.global())),
                );
                Ok(event)
            }
            _ => Err(Error::not_supported(format!(
                "The provided event type ('{interface}') is invalid."
            ))),
        }
    }
    fn Location(&self, cx: &mut JSContext) -> Option<DomRoot<Location>> {
        self.window.get().map(|window| window.Location(cx))
    }
    fn Referrer(&self, _cx: &mut JSContext) -> DOMString {
        self.referrer.borrow().clone()
    }
    /// <https://html.spec.whatwg.org/#document.title>
    fn Title(&self, _cx: &mut JSContext) -> DOMString {
        let title = self
            .node
            .descendant_elements()
            .into_iter()
            .find(|e| e.local_name() == "title")
            .map(|e| e.upcast::<Node>().descendant_text_content())
            .unwrap_or_default();
        title.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
    }
    fn SetTitle(&self, cx: &mut JSContext, value: DOMString) {
        let existing = self
            .node
            .descendant_elements()
            .into_iter()
            .find(|e| e.local_name() == "title");
        let title = match existing {
            Some(t) => t,
            None => {
                let Some(head) = self.html_child("head") else {
                    return;
                };
                let title = self.create_element(cx, "title", false, 1);
                head.upcast::<Node>()
                    .append_child_node(cx, title.upcast::<Node>());
                title
            }
        };
        title.upcast::<Node>().replace_all_with_text(cx, &value);
    }
    fn Body(&self, _cx: &mut JSContext) -> Option<DomRoot<HTMLElement>> {
        self.html_child("body")
    }
    fn Head(&self, _cx: &mut JSContext) -> Option<DomRoot<HTMLElement>> {
        self.html_child("head")
    }
    fn ReadyState(&self, _cx: &mut JSContext) -> DocumentReadyState {
        self.ready_state.get()
    }
    fn CurrentScript(&self, _cx: &mut JSContext) -> Option<DomRoot<HTMLScriptElement>> {
        self.current_script.get()
    }
    fn DefaultView(&self, _cx: &mut JSContext) -> Option<DomRoot<Window>> {
        self.window.get()
    }
    fn Hidden(&self, _cx: &mut JSContext) -> bool {
        false
    }
    fn VisibilityState(&self, _cx: &mut JSContext) -> DocumentVisibilityState {
        DocumentVisibilityState::Visible
    }
    /// <https://html.spec.whatwg.org/multipage/interaction.html#has-focus-steps>: a headless
    /// top-level page has the system focus and its focused area is the document itself (no
    /// element takes focus), so only a top-level document has focus, never a frame's.
    fn HasFocus(&self, _cx: &mut JSContext) -> bool {
        self.window
            .get()
            .is_some_and(|window| window.frame_element().is_none())
    }
    fn GetElementById(
        &self,
        _cx: &mut JSContext,
        element_id: DOMString,
    ) -> Option<DomRoot<Element>> {
        self.node.element_by_id(&element_id)
    }
    crate::parent_node_methods!();
}
