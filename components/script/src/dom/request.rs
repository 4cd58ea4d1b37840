//! Request (https://fetch.spec.whatwg.org/#request-class), with a buffered body.

use url::Url;

use crate::dom::body::{extract, Body};
use crate::dom::headers::{Guard, Headers};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct Request {
    reflector: Reflector,
    method: String,
    #[no_trace]
    url: Url,
    headers: MutNullableDom<Headers>,
    redirect: RequestRedirect,
    body: Body,
}

/// <https://fetch.spec.whatwg.org/#concept-method-normalize> after validation: a token, not
/// CONNECT/TRACE/TRACK.
fn normalize_method(method: &str) -> Fallible<String> {
    let token = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token {
        return Err(Error::Type(format!(
            "'{method}' is not a valid HTTP method."
        )));
    }
    let upper = method.to_ascii_uppercase();
    if matches!(upper.as_str(), "CONNECT" | "TRACE" | "TRACK") {
        return Err(Error::Type(format!(
            "'{method}' HTTP method is unsupported."
        )));
    }
    Ok(
        if matches!(
            upper.as_str(),
            "DELETE" | "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT"
        ) {
            upper
        } else {
            method.to_owned()
        },
    )
}

/// What a Request is made of.
struct RequestParts {
    method: String,
    url: Url,
    headers: Vec<(String, String)>,
    redirect: RequestRedirect,
    body: Option<Vec<u8>>,
}

impl Request {
    pub fn method(&self) -> &str {
        &self.method
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn redirect(&self) -> RequestRedirect {
        self.redirect
    }

    pub fn header_list(&self) -> Vec<(String, String)> {
        self.headers.get().map(|h| h.list()).unwrap_or_default()
    }

    pub fn body(&self) -> &Body {
        &self.body
    }

    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        parts: RequestParts,
    ) -> DomRoot<Request> {
        let RequestParts {
            method,
            url,
            headers,
            redirect,
            body,
        } = parts;
        let request = RequestBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(Request {
                reflector: Reflector::new(),
                method,
                url,
                headers: MutNullableDom::default(),
                redirect,
                body: Body::new(body),
            }),
        );
        let header_object = Headers::new(cx, global, Guard::None);
        header_object.set_list(headers);
        header_object.set_guard(Guard::Request);
        request.headers.set(Some(&header_object));
        request
    }

    /// The Request a service worker's `fetch` event carries.
    pub fn from_data(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: script_traits::FetchRequestData,
    ) -> DomRoot<Request> {
        let redirect = match data.redirect.as_str() {
            "error" => RequestRedirect::Error,
            "manual" => RequestRedirect::Manual,
            _ => RequestRedirect::Follow,
        };
        Self::create(
            cx,
            global,
            None,
            RequestParts {
                method: data.method,
                url: data.url,
                headers: data.headers,
                redirect,
                body: data.body,
            },
        )
    }

    /// <https://fetch.spec.whatwg.org/#dom-request>
    pub fn construct(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        input: RequestOrUSVString,
        init: &RequestInit,
    ) -> Fallible<DomRoot<Request>> {
        let (url, mut method, mut headers, mut body, mut redirect) = match &input {
            RequestOrUSVString::USVString(text) => {
                let url = global.url().join(text).map_err(|_| {
                    Error::Type(format!(
                        "Failed to construct 'Request': Invalid URL '{text}'."
                    ))
                })?;
                if !url.username().is_empty() || url.password().is_some() {
                    return Err(Error::Type(format!(
                        "Failed to construct 'Request': Request cannot be constructed from a URL \
                         that includes credentials: {url}"
                    )));
                }
                (
                    url,
                    "GET".to_owned(),
                    Vec::new(),
                    None,
                    RequestRedirect::Follow,
                )
            }
            RequestOrUSVString::Request(request) => {
                if request.body.used() {
                    return Err(Error::Type(
                        "Failed to construct 'Request': Cannot construct a Request with a \
                         Request object that has already been used."
                            .into(),
                    ));
                }
                // The input's body moves to the new request unless `init` replaces it
                // (https://fetch.spec.whatwg.org/#dom-request, steps 41-42).
                let body = match &init.body {
                    Some(_) => None,
                    None => request.body.transfer(),
                };
                (
                    request.url.clone(),
                    request.method.clone(),
                    request.header_list(),
                    body,
                    request.redirect,
                )
            }
        };
        if let Some(given) = &init.method {
            method = normalize_method(given)?;
        }
        if let Some(given) = init.redirect {
            redirect = given;
        }
        if let Some(given) = &init.headers {
            let filled = Headers::new(cx, global, Guard::Request);
            filled.fill(clone_headers_init(given))?;
            headers = filled.list();
        }
        if let Some(given) = &init.body {
            body = match given {
                Some(init_body) => {
                    let (bytes, content_type) = extract(init_body);
                    let has_type = headers
                        .iter()
                        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
                    if let (Some(content_type), false) = (content_type, has_type) {
                        headers.push(("Content-Type".to_owned(), content_type.to_owned()));
                    }
                    Some(bytes)
                }
                None => None,
            };
        }
        if body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
            return Err(Error::Type(
                "Failed to construct 'Request': Request with GET/HEAD method cannot have body."
                    .into(),
            ));
        }
        let parts = RequestParts {
            method,
            url,
            headers,
            redirect,
            body,
        };
        Ok(Self::create(cx, global, proto, parts))
    }
}

/// A copy of a HeadersInit (the dictionary keeps its own).
pub fn clone_headers_init(
    init: &ByteStringSequenceSequenceOrByteStringByteStringRecord,
) -> ByteStringSequenceSequenceOrByteStringByteStringRecord {
    match init {
        ByteStringSequenceSequenceOrByteStringByteStringRecord::ByteStringSequenceSequence(v) => {
            ByteStringSequenceSequenceOrByteStringByteStringRecord::ByteStringSequenceSequence(
                v.clone(),
            )
        }
        ByteStringSequenceSequenceOrByteStringByteStringRecord::ByteStringByteStringRecord(v) => {
            ByteStringSequenceSequenceOrByteStringByteStringRecord::ByteStringByteStringRecord(
                v.clone(),
            )
        }
    }
}

impl RequestMethods for Request {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        input: RequestOrUSVString,
        init: &RequestInit,
    ) -> Fallible<DomRoot<Request>> {
        Request::construct(cx, global, proto, input, init)
    }
    fn Method(&self, _cx: &mut JSContext) -> DOMString {
        self.method.clone()
    }
    fn Url(&self, _cx: &mut JSContext) -> DOMString {
        self.url.to_string()
    }
    fn Headers(&self, cx: &mut JSContext) -> DomRoot<Headers> {
        self.headers
            .or_init(|| Headers::new(cx, self.global(), Guard::Request))
    }
    fn Redirect(&self, _cx: &mut JSContext) -> RequestRedirect {
        self.redirect
    }
    /// <https://fetch.spec.whatwg.org/#dom-request-clone>
    fn Clone(&self, cx: &mut JSContext) -> Fallible<DomRoot<Request>> {
        if self.body.used() {
            return Err(Error::Type(
                "Failed to execute 'clone' on 'Request': Request body is already used".into(),
            ));
        }
        let parts = RequestParts {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.header_list(),
            redirect: self.redirect,
            body: self.body.bytes(),
        };
        Ok(Self::create(cx, self.global(), None, parts))
    }
    crate::body_mixin_methods!();
}
