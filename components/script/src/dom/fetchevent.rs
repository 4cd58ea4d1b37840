//! FetchEvent (https://w3c.github.io/ServiceWorker/#fetchevent-interface): a controlled page's
//! request, as its service worker's `fetch` listeners see it. `respondWith()` hands over the
//! promise of the response; the worker thread watches it after the dispatch (see
//! `ServiceWorkerGlobalScope::report_finished_events`) and sends the page its answer.

use std::cell::{Cell, RefCell};

use mozjs::rooted;
use script_traits::{FetchAnswer, FetchResponseData};

use crate::dom::domexception::DOMErrorName;
use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::prelude::*;
use crate::dom::request::Request;
use crate::dom::response::Response;

#[derive(Trace)]
#[repr(C)]
pub struct FetchEvent {
    extendableevent: ExtendableEvent,
    request: Dom<Request>,
    client_id: String,
    resulting_client_id: String,
    replaces_client_id: String,
    preload_response: Rc<Promise>,
    handled: Rc<Promise>,
    /// The spec's respond-with entered flag.
    #[no_trace]
    respond_with_entered: Cell<bool>,
    /// The promise given to `respondWith()`.
    response: RefCell<Option<Rc<Promise>>>,
}

impl FetchEvent {
    /// The trusted `fetch` event of Handle Fetch. With `preload`, a navigation preload
    /// request is on its way: `preloadResponse` waits for [`FetchEvent::settle_preload`];
    /// else it resolves with undefined.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        request: &Request,
        client_id: String,
        resulting_client_id: String,
        preload: bool,
    ) -> DomRoot<FetchEvent> {
        let event = Self::create(
            cx,
            global,
            None,
            request,
            [client_id, resulting_client_id, String::new()],
        );
        if !preload {
            event.no_preload(cx);
        }
        // Handle Fetch: bubbles false, cancelable true.
        event.upcast::<Event>().init("fetch", false, true);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        request: &Request,
        [client_id, resulting_client_id, replaces_client_id]: [String; 3],
    ) -> DomRoot<FetchEvent> {
        // SAFETY: called in the global's realm.
        let (preload_response, handled) = unsafe { (Promise::new(cx), Promise::new(cx)) };
        // `handled` rejects whenever the page gets a network error, watched or not: that is
        // the page's failure, reported there, not an unhandled rejection in the worker (as in
        // Chromium).
        // SAFETY: as above.
        unsafe { handled.mark_handled(cx) };
        FetchEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(FetchEvent {
                extendableevent: ExtendableEvent::new_inherited(global),
                request: Dom::from_ref(request),
                client_id,
                resulting_client_id,
                replaces_client_id,
                preload_response,
                handled,
                respond_with_entered: Cell::new(false),
                response: RefCell::new(None),
            }),
        )
    }

    /// No navigation preload: `preloadResponse` resolves with undefined.
    fn no_preload(&self, cx: &mut JSContext) {
        // SAFETY: events are made and settled in their global's realm.
        unsafe {
            self.preload_response
                .resolve(cx, &mozjs::jsval::UndefinedValue())
        };
    }

    /// Settles `preloadResponse` with the navigation preload response (a Response, as
    /// the network gave it), or rejects it with a TypeError for a network error.
    pub fn settle_preload(
        &self,
        cx: &mut JSContext,
        response: Option<Box<script_traits::FetchResponseData>>,
    ) {
        let global = self.global();
        // SAFETY: as above.
        unsafe {
            match response {
                Some(data) => {
                    let response = Response::new(
                        cx,
                        global,
                        None,
                        crate::dom::response::ResponseParts {
                            response_type: ResponseType::Basic,
                            url: data.url,
                            redirected: data.redirected,
                            status: data.status,
                            status_text: data.status_text,
                            headers: data.headers,
                            guard: crate::dom::headers::Guard::Immutable,
                            body: Some(data.body),
                            hidden: None,
                        },
                    );
                    // A body the network cut after the head: reading it is a TypeError.
                    response.set_body_error(data.body_error);
                    self.preload_response.resolve(cx, &*response)
                }
                None => self.preload_response.reject_error(
                    cx,
                    global,
                    Error::Type("The navigation preload request failed.".into()),
                ),
            }
        }
    }

    /// The promise given to `respondWith()`, if a listener called it.
    pub fn response_promise(&self) -> Option<Rc<Promise>> {
        self.response.borrow().clone()
    }

    /// The page's answer from the settled promise `response` of `respondWith()`
    /// (https://w3c.github.io/ServiceWorker/#fetch-event-respondwith, steps 8-9): a Response
    /// whose body is unused, else a network error. A body that is a stream is read to its end
    /// first. The `handled` promise settles with the answer, then `done` has it.
    ///
    /// # Safety
    /// `cx` in the event's realm; `response` settled.
    pub unsafe fn answer_from(&self, cx: &mut JSContext, response: &Promise, done: AnswerDone) {
        let response = if response.is_rejected() {
            Err("the promise given to respondWith() was rejected")
        } else {
            rooted!(&in(cx) let mut value = mozjs::jsval::UndefinedValue());
            mozjs::glue::JS_GetPromiseResult(response.handle().into(), value.handle_mut().into());
            let conv = crate::dom::bindings::conversions::Conv::plain("respondWith");
            crate::dom::bindings::conversions::from_js::<DomRoot<Response>>(
                cx,
                value.handle(),
                &conv,
            )
            .map_err(|_| "respondWith() was given something that is not a Response")
        };
        let response = match response {
            Ok(response) if response.body_unusable() => {
                Err("respondWith() was given a Response whose body is already used")
            }
            other => other,
        };
        let response = match response {
            Ok(response) => response,
            Err(reason) => {
                let answer = FetchAnswer::NetworkError(reason.into());
                self.settle_handled(cx, &answer);
                done(cx, answer);
                return;
            }
        };
        let limit = self.global().event_loop().loader().max_response_bytes();
        // An opaque response travels with its internal response, which only a `<script>` of
        // the page runs (the page's fetch() shows nothing of it).
        if let Some(hidden) = response.hidden() {
            let body = hidden.body.clone();
            response.take_body();
            let answer = response_data(&response, Ok(body), limit);
            self.settle_handled(cx, &answer);
            done(cx, answer);
            return;
        }
        // respondWith() reads the body to the end: the worker's Response is used from now on
        // (its bodyUsed is true, and it cannot answer a second request).
        let event = DomRoot::from_ref(self);
        let answered = response.clone();
        response.read_whole_body(
            cx,
            limit,
            Box::new(move |cx, body| {
                let body = body.map(Option::unwrap_or_default).map_err(|_| ());
                let answer = response_data(&answered, body, limit);
                event.settle_handled(cx, &answer);
                done(cx, answer);
            }),
        );
    }

    /// Settles `handled`: fulfilled once the page has the worker's response or goes to the
    /// network (as Chromium does), rejected with a NetworkError when the page gets a network
    /// error.
    ///
    /// # Safety
    /// `cx` in the event's realm.
    pub unsafe fn settle_handled(&self, cx: &mut JSContext, answer: &FetchAnswer) {
        match answer {
            FetchAnswer::Respond(_) | FetchAnswer::Fallback => {
                self.handled.resolve(cx, &mozjs::jsval::UndefinedValue())
            }
            FetchAnswer::NetworkError(_) => {
                let error = Error::dom(
                    DOMErrorName::NetworkError,
                    "The service worker did not answer the request.",
                );
                self.handled.reject_error(cx, self.global(), error)
            }
        }
    }
}

/// What is done with a fetch event's answer, once it is known.
pub type AnswerDone = Box<dyn FnOnce(&mut JSContext, FetchAnswer)>;

/// What the page gets of `response`, whose whole `body` was read (`Err`: its stream failed):
/// its parts, or a network error for a body larger than `limit` (`net.max_response_bytes`,
/// as for the network), a failed body stream, or an error response. (Whether an opaque one
/// may answer the page's request, its mode says: the page checks.)
fn response_data(response: &Response, body: Result<Vec<u8>, ()>, limit: u64) -> FetchAnswer {
    let Ok(body) = body else {
        return FetchAnswer::NetworkError(
            "the body stream of the response given to respondWith() failed".into(),
        );
    };
    let hidden = response.hidden();
    if body.len() as u64 > limit {
        return FetchAnswer::NetworkError(format!(
            "the response given to respondWith() is larger than net.max_response_bytes \
             ({} > {limit} bytes)",
            body.len()
        ));
    }
    // An opaque-redirect answers only a request whose redirect mode is "manual" (a
    // navigation, which follows its Location): the page checks, as for an opaque one.
    if response.response_type() == ResponseType::Error {
        return FetchAnswer::NetworkError("respondWith() was given Response.error()".into());
    }
    FetchAnswer::Respond(Box::new(FetchResponseData {
        url: hidden
            .map(|hidden| hidden.url.clone())
            .or_else(|| response.url().cloned()),
        status: hidden.map_or(response.status(), |hidden| hidden.status),
        status_text: response.status_text().to_owned(),
        headers: hidden.map_or_else(|| response.header_list(), |hidden| hidden.headers.clone()),
        body,
        redirected: response.redirected(),
        response_type: response_type_name(response.response_type()).to_owned(),
        body_error: response.body_error(),
    }))
}

fn response_type_name(response_type: ResponseType) -> &'static str {
    match response_type {
        ResponseType::Basic => "basic",
        ResponseType::Cors => "cors",
        ResponseType::Default => "default",
        ResponseType::Error => "error",
        ResponseType::Opaque => "opaque",
        ResponseType::Opaqueredirect => "opaqueredirect",
    }
}

impl FetchEventMethods for FetchEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &FetchEventInit,
    ) -> DomRoot<FetchEvent> {
        let ids = [
            init.client_id.clone(),
            init.resulting_client_id.clone(),
            init.replaces_client_id.clone(),
        ];
        let event = Self::create(cx, global, proto, &init.request, ids);
        event.no_preload(cx);
        event
            .upcast::<Event>()
            .init_from_dict(&type_, &init.parent.parent);
        event
    }
    fn Request(&self, _cx: &mut JSContext) -> DomRoot<Request> {
        self.request.root()
    }
    fn PreloadResponse(&self, _cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        Ok(self.preload_response.clone())
    }
    fn ClientId(&self, _cx: &mut JSContext) -> DOMString {
        self.client_id.clone()
    }
    fn ResultingClientId(&self, _cx: &mut JSContext) -> DOMString {
        self.resulting_client_id.clone()
    }
    fn ReplacesClientId(&self, _cx: &mut JSContext) -> DOMString {
        self.replaces_client_id.clone()
    }
    fn Handled(&self, _cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        Ok(self.handled.clone())
    }
    /// <https://w3c.github.io/ServiceWorker/#fetch-event-respondwith>
    fn RespondWith(&self, cx: &mut JSContext, r: Rc<Promise>) -> Fallible<()> {
        let event = self.upcast::<Event>();
        // Step 1: the dispatch flag must be set.
        if !event.dispatching() {
            return Err(Error::invalid_state(
                "Failed to execute 'respondWith' on 'FetchEvent': The event handler is already finished.",
            ));
        }
        // Step 2.
        if self.respond_with_entered.get() {
            return Err(Error::invalid_state(
                "Failed to execute 'respondWith' on 'FetchEvent': The event has already been responded to.",
            ));
        }
        // Step 3: add lifetime promise r.
        self.extendableevent.add_lifetime_promise(cx, r.clone())?;
        // Steps 4-6: stop propagation, respond-with entered, wait to respond.
        event.stop_immediate_propagation();
        self.respond_with_entered.set(true);
        *self.response.borrow_mut() = Some(r);
        Ok(())
    }
}
