//! HTMLScriptElement (https://html.spec.whatwg.org/multipage/scripting.html#the-script-element):
//! preparing, fetching and running classic scripts, parser-inserted (blocking the parser) or
//! inserted by script (run as a task).

use std::cell::Cell;

use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::eventtarget::EventTarget;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::node::Node;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct HTMLScriptElement {
    htmlelement: HTMLElement,
    already_started: Cell<bool>,
    parser_inserted: Cell<bool>,
    /// Between the parser creating the element and seeing its end tag.
    parser_building: Cell<bool>,
    /// The source line the element starts on, for inline scripts' error positions.
    line: Cell<u32>,
    /// A module script's graph, loaded and waiting for its turn (see `Document::run_module_scripts`).
    #[no_trace]
    ready_module: std::cell::RefCell<Option<crate::modules::Ready>>,
    /// A module script delays its document's load event until it has run.
    delaying_load: Cell<bool>,
}

impl HTMLScriptElement {
    pub fn new(
        cx: &mut JSContext,
        document: &Document,
        parser_inserted: bool,
        line: u32,
    ) -> DomRoot<HTMLScriptElement> {
        HTMLScriptElementBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(HTMLScriptElement {
                htmlelement: HTMLElement::new_inherited(document, "script".into()),
                already_started: Cell::new(false),
                parser_inserted: Cell::new(parser_inserted),
                parser_building: Cell::new(parser_inserted),
                line: Cell::new(line),
                ready_module: std::cell::RefCell::new(None),
                delaying_load: Cell::new(false),
            }),
        )
    }

    /// Scripts from `innerHTML` never run.
    pub fn mark_already_started(&self) {
        self.already_started.set(true);
        self.parser_building.set(false);
    }

    fn element(&self) -> &Element {
        self.upcast::<Element>()
    }

    /// The insertion steps: a script connected by DOM manipulation is prepared now.
    pub fn on_connected(&self, cx: &mut JSContext) {
        if !self.parser_building.get() {
            self.prepare(cx);
        }
    }

    /// The parser saw the end tag: prepare the script (which may run it right away).
    pub fn parser_finished(&self, cx: &mut JSContext) {
        self.parser_building.set(false);
        self.prepare(cx);
    }

    /// https://html.spec.whatwg.org/multipage/scripting.html#prepare-the-script-element
    fn prepare(&self, cx: &mut JSContext) {
        if self.already_started.get() {
            return;
        }
        let element = self.element();
        let src = element.get_attribute("src");
        let text = self.upcast::<Node>().descendant_text_content();
        if src.is_none() && text.is_empty() {
            return;
        }
        if !self.upcast::<Node>().is_connected() {
            return;
        }
        let script_type = element.get_attribute("type").or_else(|| {
            element
                .get_attribute("language")
                .map(|l| format!("text/{l}"))
        });
        let mut module = false;
        if let Some(t) = script_type {
            let t = t.trim().to_ascii_lowercase();
            module = t == "module";
            if !module && !t.is_empty() && !base::mime::is_javascript_mime_type(&t) {
                return;
            }
        }
        self.already_started.set(true);
        let Some(document) = self.upcast::<Node>().owner_doc() else {
            return;
        };
        if module {
            self.prepare_module(cx, &document, src, &text);
            return;
        }
        match src {
            None => {
                let url = document.url().to_string();
                self.execute(cx, &document, &text, &url, self.line.get());
            }
            Some(src) => {
                let Ok(url) = document.url().join(&src) else {
                    self.queue_error_event(&document);
                    return;
                };
                let blocking = self.parser_inserted.get() && !element.has_attribute("async");
                if blocking {
                    self.fetch_and_run(cx, &document, url, true);
                } else {
                    let this = DomRoot::from_ref(self);
                    let event_loop = document.global().event_loop().clone();
                    event_loop.queue_task(Box::new(move |cx| {
                        if let Some(document) = this.upcast::<Node>().owner_doc() {
                            this.fetch_and_run(cx, &document, url, false);
                        }
                    }));
                }
            }
        }
    }

    /// Fetches and runs an external script. A parser-blocking one (`spin`) is fetched on
    /// its own thread while this one keeps running tasks (timers, messages, replies): the
    /// parser is blocked, the event loop is not
    /// (https://html.spec.whatwg.org/#spin-the-event-loop). A script-inserted one is
    /// already a task of its own and loads in place, so scripts inserted together run in
    /// order. In a controlled page either goes to the service worker first, and the event
    /// loop runs until it answers (script-inserted scripts are async: those inserted
    /// together may then run in the order their answers come).
    fn fetch_and_run(&self, cx: &mut JSContext, document: &Document, url: url::Url, spin: bool) {
        let global = document.global();
        // Its resource timing entry (initiator "script") once a response came.
        let timing = crate::fetch::TimingStart::now(global, &url, "script");
        // A controlled page's script is a fetch event first (destination "script", no-cors);
        // the event loop runs while the worker answers.
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let request = script_traits::FetchRequestData::script(url.clone(), "no-cors", "include");
        let on_answer: crate::fetch::OnAnswer = Box::new(move |_cx, _global, answer| {
            let _ = sender.send(answer);
        });
        if crate::fetch::hand_to_worker(global, request, on_answer).is_ok() {
            timing.handed_to_worker(global);
            // SAFETY: in the document's realm; between parser feeds or in a task of its own.
            unsafe {
                global
                    .event_loop()
                    .run_until(cx, global, None, || !receiver.is_empty())
            };
            match receiver.try_recv() {
                Ok(script_traits::FetchAnswer::Respond(data)) => {
                    let response_type = match data.response_type.as_str() {
                        "basic" | "default" => ResponseType::Basic,
                        "cors" => ResponseType::Cors,
                        _ => ResponseType::Opaque,
                    };
                    let size = data.body.len() as u64;
                    timing.record_response(cx, global, response_type, data.status, size, true);
                    let url = data.url.clone().unwrap_or_else(|| url.clone());
                    let ok = (200..=299).contains(&data.status);
                    if ok {
                        let source = String::from_utf8_lossy(&data.body).into_owned();
                        self.execute(cx, document, &source, url.as_str(), 1);
                    } else {
                        eprintln!(
                            "bgsync: failed to load script {url}: HTTP {} from the service worker",
                            data.status
                        );
                    }
                    let event = if ok { "load" } else { "error" };
                    // SAFETY: in the document's realm (the thread's only realm).
                    unsafe { self.upcast::<EventTarget>().fire_event(cx, event) };
                    return;
                }
                Ok(script_traits::FetchAnswer::Fallback) => {}
                Ok(script_traits::FetchAnswer::NetworkError(reason)) => {
                    eprintln!("bgsync: failed to load script {url}: {reason}");
                    // SAFETY: as above.
                    unsafe { self.upcast::<EventTarget>().fire_event(cx, "error") };
                    return;
                }
                Err(_) => {
                    eprintln!("bgsync: failed to load script {url}: the page closed first");
                    return;
                }
            }
        }
        let loader = global.event_loop().loader().clone();
        let options = net::RequestOptions::partitioned(&global.origin());
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let guard = global.event_loop().expect_remote_task();
        let fetch_url = url.clone();
        let fetcher = spin.then(|| {
            std::thread::Builder::new()
                .name("script fetch".into())
                .spawn(move || {
                    let _ = sender.send(loader.load_with(&fetch_url, &options));
                    drop(guard);
                })
        });
        let result = match fetcher {
            Some(Ok(_)) => {
                // SAFETY: in the document's realm; between parser feeds.
                unsafe {
                    global
                        .event_loop()
                        .run_until(cx, global, None, || !receiver.is_empty())
                };
                receiver.try_recv().unwrap_or_else(|_| {
                    Err(net::LoadError::Network(
                        "the page closed while the script loaded".into(),
                    ))
                })
            }
            _ => global
                .event_loop()
                .loader()
                .load_with(&url, &net::RequestOptions::partitioned(&global.origin())),
        };
        if let Ok(resource) = &result {
            // A classic script is a no-cors request: another origin's response is opaque.
            let response_type = if resource.url.origin() == global.origin() {
                ResponseType::Basic
            } else {
                ResponseType::Opaque
            };
            let size = resource.body.len() as u64;
            timing.record_response(cx, global, response_type, resource.status, size, false);
        }
        match result {
            Ok(resource) if resource.is_ok() => {
                let source = String::from_utf8_lossy(&resource.body).into_owned();
                self.execute(cx, document, &source, resource.url.as_str(), 1);
                // SAFETY: in the document's realm (the thread's only realm).
                unsafe { self.upcast::<EventTarget>().fire_event(cx, "load") };
            }
            Ok(resource) => {
                eprintln!(
                    "bgsync: failed to load script {url}: HTTP {}",
                    resource.status
                );
                // SAFETY: as above.
                unsafe { self.upcast::<EventTarget>().fire_event(cx, "error") };
            }
            Err(error) => {
                eprintln!("bgsync: failed to load script {url}: {error}");
                // SAFETY: as above.
                unsafe { self.upcast::<EventTarget>().fire_event(cx, "error") };
            }
        }
    }

    /// A module script: fetched (with its imports) without blocking the parser, then run in a
    /// task once its graph is there (see `modules.rs`), those of the markup (not `async`) in
    /// document order; the document's load event waits for it. Then `load` at an external
    /// script's element, or `error` if a module could not be fetched.
    fn prepare_module(
        &self,
        cx: &mut JSContext,
        document: &Document,
        src: Option<String>,
        text: &str,
    ) {
        self.delaying_load.set(document.delay_load());
        let in_order = self.parser_inserted.get() && !self.element().has_attribute("async");
        if in_order {
            document.add_module_script(self);
        }
        let this = DomRoot::from_ref(self);
        let on_ready: crate::modules::OnReady = Box::new(move |_cx, ready| {
            let event_loop = this.global().event_loop().clone();
            if in_order {
                *this.ready_module.borrow_mut() = Some(ready);
                event_loop.queue_task(Box::new(move |cx| {
                    if let Some(document) = this.upcast::<Node>().owner_doc() {
                        document.run_module_scripts(cx);
                    }
                }));
            } else {
                event_loop.queue_task(Box::new(move |cx| this.execute_module(cx, ready)));
            }
        });
        let global = document.global();
        match src {
            Some(src) => match document.url().join(&src) {
                Ok(url) => crate::modules::run_external(global, url, on_ready),
                Err(_) => on_ready(cx, crate::modules::Ready::FetchFailed),
            },
            None => {
                let base = document.url().clone();
                // SAFETY: in the document's realm.
                unsafe {
                    crate::modules::run_source(cx, global, text, base, self.line.get(), on_ready)
                };
            }
        }
    }

    /// The loaded graph of a module script waiting for its turn, if it is loaded.
    pub fn take_ready_module(&self) -> Option<crate::modules::Ready> {
        self.ready_module.borrow_mut().take()
    }

    /// Runs a module script whose graph is loaded, then fires `load` (or `error`) at an
    /// external one's element.
    pub fn execute_module(&self, cx: &mut JSContext, ready: crate::modules::Ready) {
        // SAFETY: tasks run in the document's realm.
        let outcome = unsafe { ready.run(cx) };
        if self.element().has_attribute("src") {
            let event = match outcome {
                crate::modules::Outcome::FetchFailed => "error",
                // An external script that was fetched gets `load`, whatever its errors (they
                // were reported).
                crate::modules::Outcome::Ran
                | crate::modules::Outcome::Threw
                | crate::modules::Outcome::Awaiting
                | crate::modules::Outcome::Errored => "load",
            };
            // SAFETY: as above.
            unsafe { self.upcast::<EventTarget>().fire_event(cx, event) };
        }
        if self.delaying_load.replace(false) {
            if let Some(document) = self.upcast::<Node>().owner_doc() {
                document.stop_delaying_load();
            }
        }
    }

    fn queue_error_event(&self, document: &Document) {
        let this = DomRoot::from_ref(self);
        document
            .global()
            .event_loop()
            .queue_task(Box::new(move |cx| {
                // SAFETY: tasks run in the page's realm.
                unsafe { this.upcast::<EventTarget>().fire_event(cx, "error") };
            }));
    }

    /// https://html.spec.whatwg.org/multipage/scripting.html#execute-the-script-element
    fn execute(&self, cx: &mut JSContext, document: &Document, source: &str, url: &str, line: u32) {
        document.set_current_script(Some(self));
        // SAFETY: in the document's realm.
        unsafe {
            crate::script_runtime::run_classic_script(cx, document.global(), source, url, line)
        };
        document.set_current_script(None);
    }
}

impl HTMLScriptElementMethods for HTMLScriptElement {
    fn Src(&self, _cx: &mut JSContext) -> DOMString {
        let Some(src) = self.element().get_attribute("src") else {
            return String::new();
        };
        let base = self.global().url().clone();
        base.join(&src).map(|u| u.to_string()).unwrap_or(src)
    }
    fn SetSrc(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("src", value);
    }
    fn Type(&self, _cx: &mut JSContext) -> DOMString {
        self.element().get_attribute("type").unwrap_or_default()
    }
    fn SetType(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("type", value);
    }
    fn Async(&self, _cx: &mut JSContext) -> bool {
        !self.parser_inserted.get() || self.element().has_attribute("async")
    }
    fn SetAsync(&self, _cx: &mut JSContext, value: bool) {
        if value {
            self.element().set_attribute("async", String::new());
        } else {
            self.element().remove_attribute("async");
        }
    }
    fn Defer(&self, _cx: &mut JSContext) -> bool {
        self.element().has_attribute("defer")
    }
    fn SetDefer(&self, _cx: &mut JSContext, value: bool) {
        if value {
            self.element().set_attribute("defer", String::new());
        } else {
            self.element().remove_attribute("defer");
        }
    }
    fn Text(&self, _cx: &mut JSContext) -> DOMString {
        self.upcast::<Node>().descendant_text_content()
    }
    fn SetText(&self, cx: &mut JSContext, value: DOMString) {
        self.upcast::<Node>().replace_all_with_text(cx, &value);
    }
}
