//! Response (https://fetch.spec.whatwg.org/#response-class).

use url::Url;

use crate::dom::body::{extract_init, Body, BodySource, WholeBody};
use crate::dom::headers::{Guard, Headers};
use crate::dom::prelude::*;
use crate::dom::request::clone_headers_init;

#[derive(Trace)]
#[repr(C)]
pub struct Response {
    reflector: Reflector,
    response_type: ResponseType,
    #[no_trace]
    url: Option<Url>,
    redirected: bool,
    status: u16,
    status_text: String,
    headers: MutNullableDom<Headers>,
    body: Body,
    #[no_trace]
    hidden: Option<Box<HiddenResponse>>,
}

/// What a Response is made of.
pub struct ResponseParts {
    pub response_type: ResponseType,
    pub url: Option<Url>,
    pub redirected: bool,
    pub status: u16,
    pub status_text: String,
    pub headers: Vec<(String, String)>,
    pub guard: Guard,
    pub body: Option<Vec<u8>>,
    /// An opaque response's internal response, which no script reads.
    pub hidden: Option<Box<HiddenResponse>>,
}

/// The internal response of an opaque filtered response
/// (https://fetch.spec.whatwg.org/#concept-filtered-response-opaque): what another origin
/// answered a no-cors request with. Script sees status 0 and no body, but it goes with the
/// Response (through `clone()` and `respondWith()`) so that a `<script>` whose request a
/// service worker answered with it runs it, as HTML's "fetch a classic script" uses the
/// response's unsafe response.
#[derive(Clone, Debug)]
pub struct HiddenResponse {
    pub url: Url,
    pub status: u16,
    /// Its header list (an opaque-redirect's `Location`, for the navigation that follows it).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ResponseParts {
    /// A response that shows nothing (status 0, no headers, no body, no URL): a network
    /// error's, or an opaque filtered one's.
    pub fn empty(response_type: ResponseType) -> ResponseParts {
        ResponseParts {
            response_type,
            url: None,
            redirected: false,
            status: 0,
            status_text: String::new(),
            headers: Vec::new(),
            guard: Guard::Immutable,
            body: None,
            hidden: None,
        }
    }
}

impl Response {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        parts: ResponseParts,
    ) -> DomRoot<Response> {
        let response = ResponseBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(Response {
                reflector: Reflector::new(),
                response_type: parts.response_type,
                url: parts.url,
                redirected: parts.redirected,
                status: parts.status,
                status_text: parts.status_text,
                headers: MutNullableDom::default(),
                body: Body::new(parts.body),
                hidden: parts.hidden,
            }),
        );
        let headers = Headers::new(cx, global, Guard::None);
        headers.set_list(parts.headers);
        headers.set_guard(parts.guard);
        response.headers.set(Some(&headers));
        response
    }

    pub fn response_type(&self) -> ResponseType {
        self.response_type
    }

    pub fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn status_text(&self) -> &str {
        &self.status_text
    }

    pub fn redirected(&self) -> bool {
        self.redirected
    }

    pub fn header_list(&self) -> Vec<(String, String)> {
        self.headers.get().map(|h| h.list()).unwrap_or_default()
    }

    pub fn body_used(&self) -> bool {
        self.body.used()
    }

    /// Takes the body's bytes out (none: a null body); a non-null body is then used.
    /// Why its body broke off, if it did.
    pub fn body_error(&self) -> Option<String> {
        self.body.error()
    }

    pub fn set_body_error(&self, reason: Option<String>) {
        self.body.set_error(reason);
    }

    pub fn take_body(&self) -> Option<Vec<u8>> {
        self.body.transfer()
    }

    /// Reads the whole body (bytes at once; a stream to its end), then calls `done`. The
    /// body is used from then on.
    ///
    /// # Safety
    /// `cx` in the response's realm.
    pub unsafe fn read_whole_body(&self, cx: &mut JSContext, limit: u64, done: WholeBody) {
        self.body.read_whole(cx, self.global(), limit, done)
    }

    /// Whether the body is a stream (script gave it or asked for it).
    pub fn has_stream_body(&self) -> bool {
        self.body.has_stream()
    }

    /// Whether the body cannot be read (read already, or its stream locked).
    pub fn body_unusable(&self) -> bool {
        self.body.is_unusable()
    }

    /// An opaque response's internal response (see [`HiddenResponse`]).
    pub fn hidden(&self) -> Option<&HiddenResponse> {
        self.hidden.as_deref()
    }

    /// <https://fetch.spec.whatwg.org/#concept-network-error>
    pub fn network_error(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Response> {
        Self::new(cx, global, None, ResponseParts::empty(ResponseType::Error))
    }
}

/// Serializes a value as `JSON.stringify` does (undefined: not serializable).
const STRINGIFY: &str = r#"(function (data) { return JSON.stringify(data); })"#;

impl Response {
    /// <https://fetch.spec.whatwg.org/#initialize-a-response>, with `body` already extracted
    /// (its bytes and the Content-Type it implies).
    fn initialize(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        body: Option<(BodySource, Option<String>)>,
        init: &ResponseInit,
    ) -> Fallible<DomRoot<Response>> {
        if !(200..=599).contains(&init.status) {
            return Err(Error::Range(format!(
                "Failed to construct 'Response': The status provided ({}) is outside the range \
                 [200, 599].",
                init.status
            )));
        }
        if init.status_text.contains(['\r', '\n']) {
            return Err(Error::Type(
                "Failed to construct 'Response': Invalid statusText".into(),
            ));
        }
        let filled = Headers::new(cx, global, Guard::None);
        if let Some(headers) = &init.headers {
            filled.fill(clone_headers_init(headers))?;
        }
        let mut headers = filled.list();
        let source = match body {
            Some((source, content_type)) => {
                if matches!(init.status, 101 | 103 | 204 | 205 | 304) {
                    return Err(Error::Type(
                        "Failed to construct 'Response': Response with null body status cannot \
                         have body"
                            .into(),
                    ));
                }
                let has_type = headers
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
                if let (Some(content_type), false) = (content_type, has_type) {
                    headers.push(("Content-Type".to_owned(), content_type.to_owned()));
                }
                Some(source)
            }
            None => None,
        };
        let response = Self::new(
            cx,
            global,
            proto,
            ResponseParts {
                response_type: ResponseType::Default,
                url: None,
                redirected: false,
                status: init.status,
                status_text: init.status_text.clone(),
                headers,
                guard: Guard::None,
                body: None,
                hidden: None,
            },
        );
        response.body.replace_with(Body::from_source(source));
        Ok(response)
    }
}

impl ResponseMethods for Response {
    /// <https://fetch.spec.whatwg.org/#dom-response>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        body: Option<BlobOrBufferSourceOrFormDataOrURLSearchParamsOrReadableStreamOrUSVString>,
        init: &ResponseInit,
    ) -> Fallible<DomRoot<Response>> {
        let body = body.as_ref().map(extract_init).transpose()?;
        Self::initialize(cx, global, proto, body, init)
    }
    fn Error(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Response> {
        Self::network_error(cx, global)
    }
    /// <https://fetch.spec.whatwg.org/#dom-response-redirect>
    fn Redirect(
        cx: &mut JSContext,
        global: &GlobalScope,
        url: DOMString,
        status: u16,
    ) -> Fallible<DomRoot<Response>> {
        let parsed = global.base_url().join(&url).map_err(|_| {
            Error::Type(format!(
                "Failed to execute 'redirect' on 'Response': Invalid URL '{url}'."
            ))
        })?;
        if !net::is_redirect_status(status) {
            return Err(Error::Range(format!(
                "Failed to execute 'redirect' on 'Response': Invalid status code {status}."
            )));
        }
        Ok(Self::new(
            cx,
            global,
            None,
            ResponseParts {
                response_type: ResponseType::Default,
                url: None,
                redirected: false,
                status,
                status_text: String::new(),
                headers: vec![("Location".to_owned(), parsed.to_string())],
                guard: Guard::Immutable,
                body: None,
                hidden: None,
            },
        ))
    }
    /// <https://fetch.spec.whatwg.org/#dom-response-json>
    fn StaticJson(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: HandleValue<'_>,
        init: &ResponseInit,
    ) -> Fallible<DomRoot<Response>> {
        let value = data.get();
        // SAFETY: bindings call in the global's realm; `data` is rooted.
        let text = unsafe { crate::script_runtime::call_helper(cx, global, STRINGIFY, &[&value]) }?;
        if !text.get().is_string() {
            return Err(Error::Type(
                "Failed to execute 'json' on 'Response': The data is not JSON serializable.".into(),
            ));
        }
        let conv = crate::dom::bindings::conversions::Conv::plain("Response.json");
        // SAFETY: as above; the result is rooted.
        let text: DOMString =
            unsafe { crate::dom::bindings::conversions::from_js(cx, text.handle(), &conv) }?;
        let body = (
            BodySource::Bytes(text.into_bytes()),
            Some("application/json".to_owned()),
        );
        Self::initialize(cx, global, None, Some(body), init)
    }
    fn Type(&self, _cx: &mut JSContext) -> ResponseType {
        self.response_type
    }
    fn Url(&self, _cx: &mut JSContext) -> DOMString {
        self.url
            .as_ref()
            .map(|url| {
                let mut url = url.clone();
                url.set_fragment(None);
                url.to_string()
            })
            .unwrap_or_default()
    }
    fn Redirected(&self, _cx: &mut JSContext) -> bool {
        self.redirected
    }
    fn Status(&self, _cx: &mut JSContext) -> u16 {
        self.status
    }
    fn Ok(&self, _cx: &mut JSContext) -> bool {
        (200..=299).contains(&self.status)
    }
    fn StatusText(&self, _cx: &mut JSContext) -> DOMString {
        self.status_text.clone()
    }
    fn Headers(&self, cx: &mut JSContext) -> DomRoot<Headers> {
        self.headers
            .or_init(|| Headers::new(cx, self.global(), Guard::Immutable))
    }
    /// <https://fetch.spec.whatwg.org/#dom-response-clone>
    fn Clone(&self, cx: &mut JSContext) -> Fallible<DomRoot<Response>> {
        if self.body.is_unusable() {
            return Err(Error::Type(
                "Failed to execute 'clone' on 'Response': Response body is already used".into(),
            ));
        }
        let guard = if self.response_type == ResponseType::Default {
            Guard::None
        } else {
            Guard::Immutable
        };
        let clone = Self::new(
            cx,
            self.global(),
            None,
            ResponseParts {
                response_type: self.response_type,
                url: self.url.clone(),
                redirected: self.redirected,
                status: self.status,
                status_text: self.status_text.clone(),
                headers: self.header_list(),
                guard,
                body: None,
                hidden: self.hidden.clone(),
            },
        );
        // SAFETY: bindings call in the response's realm.
        clone
            .body
            .replace_with(unsafe { self.body.clone_body(cx) }?);
        Ok(clone)
    }
    crate::body_mixin_methods!();
}
