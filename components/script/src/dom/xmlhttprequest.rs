//! XMLHttpRequest (https://xhr.spec.whatwg.org/), in windows and dedicated workers, on the
//! same fetch as `fetch()` (`crate::fetch`): a controlled global's request goes to its
//! service worker first, then to the network with the same CORS rules, and bodies are
//! buffered, so a response arrives whole: `readystatechange` to HEADERS_RECEIVED, then (a
//! non-empty body) LOADING with one `progress`, then DONE with `load` and `loadend`.
//!
//! Every `open()`, `abort()` and timeout ends the request in flight by moving to a new
//! generation: an answer for an older generation is dropped when it arrives.
//!
//! A synchronous request (`open(method, url, false)`) waits on the calling thread for the
//! network (or a blob URL). It is never handed to a service worker, the worker's answer would
//! come back as a task of the very loop that is waiting: a controlled global's synchronous
//! request goes to the network, as headless Chromium's does (decision; Handle Fetch would
//! hand it to the worker).
//!
//! Not here: Document request bodies, document responses (`responseXML` and a `"document"`
//! response are null), and upload progress while the body is sent (the body goes in one
//! piece: `upload` hears `loadstart` when it is sent and `progress`, `load`, `loadend` when
//! the response starts).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use mozjs::jsapi::Heap;
use mozjs::jsval::{NullValue, ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::typedarray::{ArrayBuffer, CreateWith};
use script_traits::FetchRequestData;
use url::Url;

use crate::dom::bindings::conversions::ToJs;
use crate::dom::bindings::error::DOMErrorName;
use crate::dom::blob::Blob;
use crate::dom::body::extract;
use crate::dom::document::Document;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::prelude::*;
use crate::dom::progressevent::ProgressEvent;
use crate::dom::request::RequestExtras;
use crate::dom::response::ResponseParts;
use crate::dom::window::Window;
use crate::dom::xmlhttprequesteventtarget::XMLHttpRequestEventTarget;
use crate::dom::xmlhttprequestupload::XMLHttpRequestUpload;
use crate::fetch::{Failure, FetchParams};
use crate::timers::TimerHandler;

/// <https://xhr.spec.whatwg.org/#concept-xmlhttprequest-state>
const UNSENT: u16 = 0;
const OPENED: u16 = 1;
const HEADERS_RECEIVED: u16 = 2;
const LOADING: u16 = 3;
const DONE: u16 = 4;

/// What `open()` set up.
#[derive(Clone)]
struct OpenedRequest {
    method: String,
    url: Url,
    /// The author request headers, names as given, values combined.
    headers: Vec<(String, String)>,
    synchronous: bool,
}

/// What came back: a network error is `None` in [`XMLHttpRequest::response`].
struct Received {
    url: Option<Url>,
    status: u16,
    status_text: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(Trace)]
#[repr(C)]
pub struct XMLHttpRequest {
    target: XMLHttpRequestEventTarget,
    state: Cell<u16>,
    upload: Dom<XMLHttpRequestUpload>,
    #[no_trace]
    request: RefCell<Option<OpenedRequest>>,
    send_flag: Cell<bool>,
    upload_complete: Cell<bool>,
    /// The length of the request body being sent.
    request_body_length: Cell<u64>,
    upload_listener: Cell<bool>,
    timed_out: Cell<bool>,
    timeout_ms: Cell<u32>,
    /// The timer of the request in flight's timeout, if any.
    timeout_timer: Cell<Option<i32>>,
    with_credentials: Cell<bool>,
    response_type: Cell<XMLHttpRequestResponseType>,
    override_mime: RefCell<Option<String>>,
    #[no_trace]
    response: RefCell<Option<Received>>,
    /// The response object of `response` once made (an ArrayBuffer, a Blob, or JSON's value);
    /// `response_made` says whether it was, as a JSON failure caches null.
    response_object: Heap<JSVal>,
    response_made: Cell<bool>,
    /// Which request an answer belongs to (see the module's doc).
    generation: Cell<u64>,
    /// The request in flight (`crate::fetch::start`'s number), to cancel.
    in_flight: Cell<Option<u64>>,
}

/// <https://fetch.spec.whatwg.org/#forbidden-response-header-name>
fn is_forbidden_response_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2")
}

/// Step 4 of `send()`: a string body's author Content-Type keeps its value, with any charset
/// parameter made `UTF-8`. Edited in place rather than parsed and serialized again: the
/// serializer would respell the author's value (`text/x; charset=ascii` becomes
/// `text/x;charset=UTF-8`), where Chromium, and the tests of ours that check it, keep it.
fn with_utf8_charset(content_type: &str) -> String {
    let mut parts: Vec<String> = content_type.split(';').map(str::to_owned).collect();
    for part in parts.iter_mut().skip(1) {
        if let Some((name, value)) = part.split_once('=') {
            if name.trim().eq_ignore_ascii_case("charset")
                && !value.trim().trim_matches('"').eq_ignore_ascii_case("UTF-8")
            {
                *part = format!("{}=UTF-8", name);
            }
        }
    }
    parts.join(";")
}

impl XMLHttpRequest {
    fn upload(&self) -> &XMLHttpRequestUpload {
        &self.upload
    }

    fn is_window(&self) -> bool {
        self.global()
            .upcast_event_target()
            .downcast::<Window>()
            .is_some()
    }

    /// The request is synchronous and of a document, which may set neither a timeout nor a
    /// response type.
    fn synchronous_in_window(&self) -> bool {
        let synchronous = self
            .request
            .borrow()
            .as_ref()
            .is_some_and(|r| r.synchronous);
        synchronous && self.is_window()
    }

    fn set_state(&self, state: u16) {
        self.state.set(state);
    }

    /// <https://xhr.spec.whatwg.org/#concept-event-fire-progress>
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn fire_progress(
        &self,
        cx: &mut JSContext,
        target: &EventTarget,
        event_type: &str,
        loaded: u64,
        total: u64,
    ) {
        // https://xhr.spec.whatwg.org/#concept-event-fire-progress: the length is computable
        // when the total is known (not 0).
        let (loaded, total) = (loaded as f64, total as f64);
        let event =
            ProgressEvent::new_trusted(cx, self.global(), event_type, total != 0.0, loaded, total);
        target.dispatch_event(cx, event.upcast::<Event>());
    }

    /// Fires `readystatechange` at the request.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn fire_readystatechange(&self, cx: &mut JSContext) {
        self.upcast::<EventTarget>()
            .fire_event(cx, "readystatechange");
    }

    /// Ends the request in flight (the fetch's "terminate"): its answer will be dropped.
    fn terminate(&self) {
        self.generation.set(self.generation.get() + 1);
        if let Some(request) = self.in_flight.take() {
            crate::fetch::cancel(request);
        }
        if let Some(timer) = self.timeout_timer.take() {
            self.global().timers().clear(timer);
        }
    }

    fn forget_response(&self) {
        *self.response.borrow_mut() = None;
        self.response_made.set(false);
        self.response_object.set(UndefinedValue());
    }

    /// <https://xhr.spec.whatwg.org/#request-error-steps>, for an asynchronous request.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn request_error(&self, cx: &mut JSContext, event_type: &str) {
        // Steps 1-3.
        self.set_state(DONE);
        self.send_flag.set(false);
        self.forget_response();
        // Step 5.
        self.fire_readystatechange(cx);
        // Step 6.
        if !self.upload_complete.replace(true) && self.upload_listener.get() {
            let upload = self.upload().upcast::<EventTarget>();
            self.fire_progress(cx, upload, event_type, 0, 0);
            self.fire_progress(cx, upload, "loadend", 0, 0);
        }
        // Steps 7-8.
        let this = self.upcast::<EventTarget>();
        self.fire_progress(cx, this, event_type, 0, 0);
        self.fire_progress(cx, this, "loadend", 0, 0);
    }

    /// The request's fetch, as `crate::fetch` runs it, and as its service worker sees it.
    fn fetch_params(&self, request: &OpenedRequest, body: Option<Vec<u8>>) -> FetchParams {
        FetchParams {
            url: request.url.clone(),
            method: request.method.clone(),
            headers: request.headers.clone(),
            body,
            redirect: RequestRedirect::Follow,
            mode: RequestMode::Cors,
            origin: self.global().origin(),
            referrer: None,
            referrer_policy: String::new(),
            cache: net::CacheMode::Default,
            initiator_type: "xmlhttprequest",
        }
    }

    /// The answer to the request of `generation`, in a task (processResponse and
    /// processResponseEndOfBody at once: the body is buffered). A response of a service worker
    /// (`by_worker`) ends the upload without its events: the body never went to the network,
    /// as in Chromium.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn process_response(
        &self,
        cx: &mut JSContext,
        generation: u64,
        result: Result<ResponseParts, Failure>,
        by_worker: bool,
    ) {
        if generation != self.generation.get() || !self.send_flag.get() {
            return;
        }
        self.in_flight.set(None);
        if let Some(timer) = self.timeout_timer.take() {
            self.global().timers().clear(timer);
        }
        let parts = match result {
            Ok(parts) => parts,
            Err(failure) => {
                if let Failure::Network(reason) = &failure {
                    eprintln!("bgsync: XMLHttpRequest failed: {reason}");
                }
                return self.request_error(cx, "error");
            }
        };
        // processRequestEndOfBody: the body was sent.
        if !self.upload_complete.replace(true) && self.upload_listener.get() && !by_worker {
            let length = self.request_body_length.get();
            let upload = self.upload().upcast::<EventTarget>();
            self.fire_progress(cx, upload, "progress", length, length);
            self.fire_progress(cx, upload, "load", length, length);
            self.fire_progress(cx, upload, "loadend", length, length);
            if generation != self.generation.get() {
                return;
            }
        }
        let received = received_of(parts);
        let total = content_length(&received.headers);
        let length = received.body.len() as u64;
        *self.response.borrow_mut() = Some(received);
        // processResponse, steps 4-6.
        self.set_state(HEADERS_RECEIVED);
        self.fire_readystatechange(cx);
        if generation != self.generation.get() || self.state.get() != HEADERS_RECEIVED {
            return;
        }
        // processBodyChunk, once for the whole body.
        if length > 0 {
            self.set_state(LOADING);
            self.fire_readystatechange(cx);
            let this = self.upcast::<EventTarget>();
            self.fire_progress(cx, this, "progress", length, total);
            if generation != self.generation.get() {
                return;
            }
        }
        self.end_of_body(cx, length, total);
    }

    /// <https://xhr.spec.whatwg.org/#handle-response-end-of-body>, steps 6-10.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn end_of_body(&self, cx: &mut JSContext, transmitted: u64, length: u64) {
        self.set_state(DONE);
        self.send_flag.set(false);
        self.fire_readystatechange(cx);
        let this = self.upcast::<EventTarget>();
        self.fire_progress(cx, this, "load", transmitted, length);
        self.fire_progress(cx, this, "loadend", transmitted, length);
    }

    /// The timeout of the request of `generation` passed.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    pub unsafe fn time_out(&self, cx: &mut JSContext, generation: u64) {
        if generation != self.generation.get() || !self.send_flag.get() {
            return;
        }
        self.timeout_timer.set(None);
        self.timed_out.set(true);
        self.terminate();
        self.request_error(cx, "timeout");
    }

    /// Step 12 of `send()`: the request runs while the script waits.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn send_synchronously(
        &self,
        cx: &mut JSContext,
        request: &OpenedRequest,
        body: Option<Vec<u8>>,
    ) -> Fallible<()> {
        let global = self.global();
        let failed = |this: &Self, name: DOMErrorName, message: String| {
            this.set_state(DONE);
            this.send_flag.set(false);
            this.forget_response();
            Err(Error::dom(name, message))
        };
        let timeout = match self.timeout_ms.get() {
            0 => None,
            ms => Some(Duration::from_millis(ms.into())),
        };
        let mut params = self.fetch_params(request, body);
        // A synchronous request has its referrer too (an asynchronous one gets it in `start`).
        let details =
            crate::fetch::request_details(global, &RequestExtras::default(), &request.url);
        params.referrer = details.referrer;
        params.referrer_policy = details.referrer_policy;
        let result = crate::fetch::fetch_now(global, params, timeout);
        let parts = match result {
            None => {
                self.timed_out.set(true);
                return failed(
                    self,
                    DOMErrorName::TimeoutError,
                    format!("Failed to load '{}': timed out.", request.url),
                );
            }
            Some(Err(failure)) => {
                if let Failure::Network(reason) = &failure {
                    eprintln!("bgsync: XMLHttpRequest failed: {reason}");
                }
                return failed(
                    self,
                    DOMErrorName::NetworkError,
                    format!("Failed to load '{}'.", request.url),
                );
            }
            Some(Ok(parts)) => parts,
        };
        self.upload_complete.set(true);
        let received = received_of(parts);
        let total = content_length(&received.headers);
        let length = received.body.len() as u64;
        *self.response.borrow_mut() = Some(received);
        self.end_of_body(cx, length, total);
        Ok(())
    }

    /// <https://xhr.spec.whatwg.org/#final-charset> and the text response
    /// (https://xhr.spec.whatwg.org/#text-response): the body decoded by the charset of the
    /// override MIME type or else of the response's Content-Type, UTF-8 by default; a BOM
    /// decides over both.
    fn text_response(&self) -> String {
        let response = self.response.borrow();
        let Some(response) = response.as_ref() else {
            return String::new();
        };
        let encoding = self
            .final_mime_type()
            .as_deref()
            .and_then(base::mime::charset)
            .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
            .unwrap_or(encoding_rs::UTF_8);
        encoding.decode(&response.body).0.into_owned()
    }

    /// <https://xhr.spec.whatwg.org/#final-mime-type>: the override MIME type, else the
    /// response's Content-Type, if any.
    fn final_mime_type(&self) -> Option<String> {
        if let Some(mime) = self.override_mime.borrow().clone() {
            return Some(mime);
        }
        let response = self.response.borrow();
        response.as_ref().and_then(|response| {
            response
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map(|(_, value)| value.clone())
        })
    }

    /// The response object for an `arraybuffer`, `blob` or `json` response type, made once.
    ///
    /// # Safety
    /// `cx` in the request's realm.
    unsafe fn response_object(&self, cx: &mut JSContext) -> Fallible<JSVal> {
        if self.response_made.get() {
            return Ok(self.response_object.get());
        }
        let body = match self.response.borrow().as_ref() {
            Some(response) => response.body.clone(),
            None => return Ok(NullValue()),
        };
        rooted!(&in(cx) let mut value = NullValue());
        match self.response_type.get() {
            XMLHttpRequestResponseType::Arraybuffer => {
                rooted!(&in(cx) let mut buffer = std::ptr::null_mut::<JSObject>());
                if ArrayBuffer::create(cx, CreateWith::Slice(&body), buffer.handle_mut()).is_err() {
                    return Err(Error::Range(
                        "Out of memory creating an ArrayBuffer.".into(),
                    ));
                }
                value.set(ObjectValue(buffer.get()));
            }
            XMLHttpRequestResponseType::Blob => {
                // The final MIME type, or application/octet-stream.
                let type_ = self
                    .final_mime_type()
                    .map(|mime| mime.to_ascii_lowercase())
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                let blob = Blob::new(cx, self.global(), None, body, type_);
                blob.to_js(cx, value.handle_mut());
            }
            XMLHttpRequestResponseType::Json => {
                let text: Vec<u16> =
                    String::from_utf8_lossy(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body))
                        .encode_utf16()
                        .collect();
                if !mozjs::rust::wrappers2::JS_ParseJSON(
                    cx,
                    text.as_ptr(),
                    text.len() as u32,
                    value.handle_mut(),
                ) {
                    // A parse failure is a null response, not an exception.
                    mozjs::rust::wrappers2::JS_ClearPendingException(cx);
                    value.set(NullValue());
                }
            }
            // Document responses are not made (see the module's doc).
            _ => value.set(NullValue()),
        }
        self.response_object.set(value.get());
        self.response_made.set(true);
        Ok(value.get())
    }
}

/// What the script may see of `parts`: its headers without `Set-Cookie`.
fn received_of(parts: ResponseParts) -> Received {
    Received {
        url: parts.url,
        status: parts.status,
        status_text: parts.status_text,
        headers: parts
            .headers
            .into_iter()
            .filter(|(name, _)| !is_forbidden_response_header(name))
            .collect(),
        body: parts.body.unwrap_or_default(),
    }
}

/// <https://fetch.spec.whatwg.org/#header-list-extract-a-length>, 0 when there is none.
fn content_length(headers: &[(String, String)]) -> u64 {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

impl XMLHttpRequestMethods for XMLHttpRequest {
    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<XMLHttpRequest> {
        let upload = XMLHttpRequestUpload::new(cx, global);
        XMLHttpRequestBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(XMLHttpRequest {
                target: XMLHttpRequestEventTarget::new_inherited(),
                state: Cell::new(UNSENT),
                upload: Dom::from_ref(&*upload),
                request: RefCell::new(None),
                send_flag: Cell::new(false),
                upload_complete: Cell::new(false),
                request_body_length: Cell::new(0),
                upload_listener: Cell::new(false),
                timed_out: Cell::new(false),
                timeout_ms: Cell::new(0),
                timeout_timer: Cell::new(None),
                with_credentials: Cell::new(false),
                response_type: Cell::new(XMLHttpRequestResponseType::Empty),
                override_mime: RefCell::new(None),
                response: RefCell::new(None),
                response_object: Heap::default(),
                response_made: Cell::new(false),
                generation: Cell::new(0),
                in_flight: Cell::new(None),
            }),
        )
    }

    fn ReadyState(&self, _cx: &mut JSContext) -> u16 {
        self.state.get()
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-open>, without `async`.
    fn Open(&self, cx: &mut JSContext, method: String, url: String) -> Fallible<()> {
        self.Open_(cx, method, url, true, None, None)
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-open>
    fn Open_(
        &self,
        cx: &mut JSContext,
        method: String,
        url: String,
        asynchronous: bool,
        username: Option<String>,
        password: Option<String>,
    ) -> Fallible<()> {
        // Steps 2-4: a token, not CONNECT/TRACE/TRACK, normalized.
        let method = base::method::normalize_method(&method).map_err(|error| match error {
            base::method::MethodError::NotAToken => Error::dom(
                DOMErrorName::SyntaxError,
                format!("'{method}' is not a valid HTTP method."),
            ),
            base::method::MethodError::Forbidden => Error::dom(
                DOMErrorName::SecurityError,
                format!("'{method}' HTTP method is unsupported."),
            ),
        })?;
        // Steps 5-6: parsed against the global's base URL.
        let mut parsed =
            self.global().base_url().join(&url).map_err(|_| {
                Error::dom(DOMErrorName::SyntaxError, format!("Invalid URL '{url}'."))
            })?;
        // Step 8.
        if parsed.has_host() {
            if let Some(username) = &username {
                let _ = parsed.set_username(username);
            }
            if let Some(password) = &password {
                let _ = parsed.set_password(Some(password));
            }
        }
        // Step 9: a synchronous request of a window has no timeout and no response type.
        if !asynchronous
            && self.is_window()
            && (self.timeout_ms.get() != 0
                || self.response_type.get() != XMLHttpRequestResponseType::Empty)
        {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "Synchronous requests from a document must not set a timeout or a response \
                 type.",
            ));
        }
        // Step 10: terminate the ongoing fetch.
        self.terminate();
        // Step 12.
        self.send_flag.set(false);
        self.upload_listener.set(false);
        *self.request.borrow_mut() = Some(OpenedRequest {
            method,
            url: parsed,
            headers: Vec::new(),
            synchronous: !asynchronous,
        });
        self.forget_response();
        // Step 13.
        if self.state.get() != OPENED {
            self.set_state(OPENED);
            // SAFETY: bindings call in the request's realm.
            unsafe { self.fire_readystatechange(cx) };
        }
        Ok(())
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-setrequestheader>
    fn SetRequestHeader(&self, _cx: &mut JSContext, name: String, value: String) -> Fallible<()> {
        // Steps 1-2.
        if self.state.get() != OPENED || self.send_flag.get() {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "Failed to execute 'setRequestHeader' on 'XMLHttpRequest': The object's state \
                 must be OPENED.",
            ));
        }
        // Steps 3-4.
        let value = crate::dom::headers::trim_http_whitespace(&value);
        if !crate::dom::headers::is_header_name(&name) {
            return Err(Error::dom(
                DOMErrorName::SyntaxError,
                format!("'{name}' is not a valid HTTP header field name."),
            ));
        }
        if value.contains(['\0', '\r', '\n']) {
            return Err(Error::dom(
                DOMErrorName::SyntaxError,
                format!("'{value}' is not a valid HTTP header field value."),
            ));
        }
        // Step 5: a forbidden request header is ignored.
        if crate::dom::headers::is_forbidden_request_header(&name) {
            return Ok(());
        }
        // Step 6: combined with an earlier value of the same name.
        let mut request = self.request.borrow_mut();
        let Some(request) = request.as_mut() else {
            return Ok(());
        };
        match request
            .headers
            .iter_mut()
            .find(|(known, _)| known.eq_ignore_ascii_case(&name))
        {
            Some((_, known)) => {
                known.push_str(", ");
                known.push_str(value);
            }
            None => request.headers.push((name.to_string(), value.to_owned())),
        }
        Ok(())
    }

    fn Timeout(&self, _cx: &mut JSContext) -> u32 {
        self.timeout_ms.get()
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-timeout>
    fn SetTimeout(&self, _cx: &mut JSContext, value: u32) -> Fallible<()> {
        if self.synchronous_in_window() {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "Timeouts cannot be set for synchronous requests made from a document.",
            ));
        }
        self.timeout_ms.set(value);
        Ok(())
    }

    fn WithCredentials(&self, _cx: &mut JSContext) -> bool {
        self.with_credentials.get()
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-withcredentials>
    fn SetWithCredentials(&self, _cx: &mut JSContext, value: bool) -> Fallible<()> {
        if !matches!(self.state.get(), UNSENT | OPENED) || self.send_flag.get() {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "The value may only be set if the object's state is UNSENT or OPENED.",
            ));
        }
        self.with_credentials.set(value);
        Ok(())
    }

    fn Upload(&self, _cx: &mut JSContext) -> DomRoot<XMLHttpRequestUpload> {
        DomRoot::from_ref(self.upload())
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-send>
    fn Send(
        &self,
        cx: &mut JSContext,
        body: Option<BlobOrBufferSourceOrFormDataOrURLSearchParamsOrUSVString>,
    ) -> Fallible<()> {
        // Steps 1-2.
        if self.state.get() != OPENED || self.send_flag.get() {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "Failed to execute 'send' on 'XMLHttpRequest': The object's state must be \
                 OPENED.",
            ));
        }
        let Some(mut request) = self.request.borrow().clone() else {
            return Ok(());
        };
        // Step 3: GET and HEAD send no body.
        let body = body.filter(|_| !matches!(request.method.as_str(), "GET" | "HEAD"));
        // Step 4: the body's bytes, and its Content-Type unless the author set one.
        let mut bytes = None;
        if let Some(body) = &body {
            let (extracted, content_type) = extract(body);
            bytes = Some(extracted);
            let author = request
                .headers
                .iter_mut()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"));
            match author {
                Some((_, value)) => {
                    if matches!(
                        body,
                        BlobOrBufferSourceOrFormDataOrURLSearchParamsOrUSVString::USVString(_)
                    ) {
                        *value = with_utf8_charset(value);
                    }
                }
                None => {
                    if let Some(content_type) = content_type {
                        request
                            .headers
                            .push(("Content-Type".to_owned(), content_type));
                    }
                }
            }
        }
        // Fetch, step 12: `Accept: */*` unless the author set one.
        if !request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("accept"))
        {
            request
                .headers
                .push(("Accept".to_owned(), "*/*".to_owned()));
        }
        // Step 5.
        self.upload_listener.set(
            self.upload()
                .upcast::<XMLHttpRequestEventTarget>()
                .has_progress_listeners(),
        );
        // Steps 7-9.
        let length = bytes.as_ref().map_or(0, |bytes| bytes.len() as u64);
        self.request_body_length.set(length);
        self.upload_complete.set(bytes.is_none());
        self.timed_out.set(false);
        self.send_flag.set(true);
        // Step 12: a synchronous request.
        if request.synchronous {
            // SAFETY: bindings call in the request's realm.
            return unsafe { self.send_synchronously(cx, &request, bytes) };
        }
        // Step 11: an asynchronous one. SAFETY (each block): bindings call in the request's
        // realm.
        let this = self.upcast::<EventTarget>();
        unsafe { self.fire_progress(cx, this, "loadstart", 0, 0) };
        if !self.upload_complete.get() && self.upload_listener.get() {
            let upload = self.upload().upcast::<EventTarget>();
            unsafe { self.fire_progress(cx, upload, "loadstart", 0, length) };
        }
        if self.state.get() != OPENED || !self.send_flag.get() {
            return Ok(());
        }
        let generation = self.generation.get();
        let global = self.global();
        let extras = RequestExtras {
            credentials: if self.with_credentials.get() {
                RequestCredentials::Include
            } else {
                RequestCredentials::SameOrigin
            },
            ..RequestExtras::default()
        };
        let data = FetchRequestData {
            url: request.url.clone(),
            method: request.method.clone(),
            headers: request.headers.clone(),
            body: bytes.clone(),
            redirect: RequestRedirect::Follow.as_str().to_owned(),
            mode: RequestMode::Cors.as_str().to_owned(),
            credentials: extras.credentials.as_str().to_owned(),
            destination: String::new(),
            details: crate::fetch::request_details(global, &extras, &request.url),
        };
        let params = self.fetch_params(&request, bytes);
        let xhr = DomRoot::from_ref(self);
        let request = crate::fetch::start(
            cx,
            global,
            params,
            data,
            Box::new(move |cx, _global, result, by_worker| {
                // SAFETY: fetch's tasks run in the global's realm.
                unsafe { xhr.process_response(cx, generation, result, by_worker) }
            }),
        );
        self.in_flight.set(Some(request));
        // Step 11.5: the timeout counts from here.
        if self.timeout_ms.get() != 0 {
            let handler = TimerHandler::XhrTimeout(DomRoot::from_ref(self), generation);
            let ms = i32::try_from(self.timeout_ms.get()).unwrap_or(i32::MAX);
            let timer = global.timers().schedule(handler, ms, Vec::new(), false);
            self.timeout_timer.set(Some(timer));
        }
        Ok(())
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-abort>
    fn Abort(&self, cx: &mut JSContext) {
        // Step 1.
        self.terminate();
        // Step 2. SAFETY: bindings call in the request's realm.
        let state = self.state.get();
        if (state == OPENED && self.send_flag.get())
            || state == HEADERS_RECEIVED
            || state == LOADING
        {
            unsafe { self.request_error(cx, "abort") };
        }
        // Step 3.
        if self.state.get() == DONE {
            self.set_state(UNSENT);
            self.forget_response();
        }
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-responseurl>
    fn ResponseURL(&self, _cx: &mut JSContext) -> String {
        let response = self.response.borrow();
        let Some(mut url) = response.as_ref().and_then(|r| r.url.clone()) else {
            return String::new();
        };
        url.set_fragment(None);
        url.to_string()
    }

    fn Status(&self, _cx: &mut JSContext) -> u16 {
        self.response.borrow().as_ref().map_or(0, |r| r.status)
    }

    fn StatusText(&self, _cx: &mut JSContext) -> String {
        self.response
            .borrow()
            .as_ref()
            .map_or_else(String::new, |r| r.status_text.clone())
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-getresponseheader>
    fn GetResponseHeader(&self, _cx: &mut JSContext, name: String) -> Option<String> {
        let response = self.response.borrow();
        let values: Vec<&str> = response
            .as_ref()?
            .headers
            .iter()
            .filter(|(known, _)| known.eq_ignore_ascii_case(&name))
            .map(|(_, value)| value.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-getallresponseheaders>: names
    /// lower-cased, sorted, values of a name combined.
    fn GetAllResponseHeaders(&self, _cx: &mut JSContext) -> String {
        let response = self.response.borrow();
        let Some(response) = response.as_ref() else {
            return String::new();
        };
        let mut combined: Vec<(String, String)> = Vec::new();
        for (name, value) in &response.headers {
            let name = name.to_ascii_lowercase();
            match combined.iter_mut().find(|(known, _)| *known == name) {
                Some((_, known)) => {
                    known.push_str(", ");
                    known.push_str(value);
                }
                None => combined.push((name, value.clone())),
            }
        }
        combined.sort_by(|a, b| a.0.cmp(&b.0));
        combined
            .into_iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect()
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-overridemimetype>
    fn OverrideMimeType(&self, _cx: &mut JSContext, mime: DOMString) -> Fallible<()> {
        if matches!(self.state.get(), LOADING | DONE) {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "Failed to execute 'overrideMimeType' on 'XMLHttpRequest': MimeType cannot be \
                 overridden when the state is LOADING or DONE.",
            ));
        }
        // A string that is no MIME type overrides as application/octet-stream.
        *self.override_mime.borrow_mut() = Some(if base::mime::is_mime_type(&mime) {
            mime.trim().to_owned()
        } else {
            "application/octet-stream".to_owned()
        });
        Ok(())
    }

    fn ResponseType(&self, _cx: &mut JSContext) -> XMLHttpRequestResponseType {
        self.response_type.get()
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-responsetype>
    fn SetResponseType(
        &self,
        _cx: &mut JSContext,
        value: XMLHttpRequestResponseType,
    ) -> Fallible<()> {
        // Step 1: a worker ignores "document".
        if value == XMLHttpRequestResponseType::Document && !self.is_window() {
            return Ok(());
        }
        if matches!(self.state.get(), LOADING | DONE) {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "Failed to set the 'responseType' property on 'XMLHttpRequest': The response \
                 type cannot be set if the object's state is LOADING or DONE.",
            ));
        }
        if self.synchronous_in_window() {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "The response type cannot be changed for synchronous requests made from a \
                 document.",
            ));
        }
        self.response_type.set(value);
        Ok(())
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-response>
    fn Response(&self, cx: &mut JSContext) -> Fallible<JSVal> {
        let state = self.state.get();
        match self.response_type.get() {
            XMLHttpRequestResponseType::Empty | XMLHttpRequestResponseType::Text => {
                let text = if matches!(state, LOADING | DONE) {
                    self.text_response()
                } else {
                    String::new()
                };
                rooted!(&in(cx) let mut value = UndefinedValue());
                // SAFETY: bindings call in the request's realm.
                unsafe { text.to_js(cx, value.handle_mut()) };
                Ok(value.get())
            }
            _ if state != DONE => Ok(NullValue()),
            // SAFETY: as above.
            _ => unsafe { self.response_object(cx) },
        }
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-responsetext>
    fn ResponseText(&self, _cx: &mut JSContext) -> Fallible<String> {
        if !matches!(
            self.response_type.get(),
            XMLHttpRequestResponseType::Empty | XMLHttpRequestResponseType::Text
        ) {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                format!(
                    "Failed to read the 'responseText' property from 'XMLHttpRequest': The \
                     value is only accessible if the object's 'responseType' is '' or 'text' \
                     (was '{}').",
                    self.response_type.get().as_str()
                ),
            ));
        }
        if !matches!(self.state.get(), LOADING | DONE) {
            return Ok(String::new());
        }
        Ok(self.text_response())
    }

    /// <https://xhr.spec.whatwg.org/#dom-xmlhttprequest-responsexml>: null, as bgsync makes
    /// no document responses (see the module's doc).
    fn ResponseXML(&self, _cx: &mut JSContext) -> Fallible<Option<DomRoot<Document>>> {
        if !matches!(
            self.response_type.get(),
            XMLHttpRequestResponseType::Empty | XMLHttpRequestResponseType::Document
        ) {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "Failed to read the 'responseXML' property from 'XMLHttpRequest': The value is \
                 only accessible if the object's 'responseType' is '' or 'document'.",
            ));
        }
        Ok(None)
    }
}
