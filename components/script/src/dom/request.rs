//! Request (https://fetch.spec.whatwg.org/#request-class).

use url::Url;

use crate::dom::abortsignal::AbortSignal;
use crate::dom::body::{extract_init, Body, BodySource};
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
    #[no_trace]
    extras: RequestExtras,
    signal: MutNullableDom<AbortSignal>,
    body: Body,
}

/// <https://fetch.spec.whatwg.org/#concept-request-referrer>
#[derive(Clone, Debug, PartialEq)]
pub enum Referrer {
    NoReferrer,
    Client,
    Url(Url),
}

/// The request's members that only some code acts on: `mode` (fetch's CORS rules), `cache`
/// (the HTTP cache mode), the rest kept and shown (there are no cookies).
#[derive(Clone, Debug)]
pub struct RequestExtras {
    pub mode: RequestMode,
    pub credentials: RequestCredentials,
    pub cache: RequestCache,
    pub referrer: Referrer,
    pub referrer_policy: ReferrerPolicy,
    pub integrity: String,
    pub keepalive: bool,
    pub destination: RequestDestination,
    /// The reload-navigation flag: a navigation by `location.reload()`.
    pub reload_navigation: bool,
    /// The history-navigation flag: a navigation by `history.go()` and friends.
    pub history_navigation: bool,
}

impl Default for RequestExtras {
    /// A new request's, as `new Request(url)` makes it.
    fn default() -> Self {
        RequestExtras {
            mode: RequestMode::Cors,
            credentials: RequestCredentials::SameOrigin,
            cache: RequestCache::Default,
            referrer: Referrer::Client,
            referrer_policy: ReferrerPolicy::Empty,
            integrity: String::new(),
            keepalive: false,
            destination: RequestDestination::Empty,
            reload_navigation: false,
            history_navigation: false,
        }
    }
}

/// The value of `candidates` whose IDL string is `text` (none: not one of them).
fn parse_idl<T: Copy>(text: &str, candidates: &[T], as_str: fn(&T) -> &'static str) -> Option<T> {
    candidates
        .iter()
        .copied()
        .find(|value| as_str(value) == text)
}

/// <https://fetch.spec.whatwg.org/#concept-method-normalize> after validation: a token, not
/// CONNECT/TRACE/TRACK.
fn normalize_method(method: &str) -> Fallible<String> {
    base::method::normalize_method(method).map_err(|error| {
        Error::Type(match error {
            base::method::MethodError::NotAToken => {
                format!("'{method}' is not a valid HTTP method.")
            }
            base::method::MethodError::Forbidden => {
                format!("'{method}' HTTP method is unsupported.")
            }
        })
    })
}

/// What a Request is made of.
struct RequestParts {
    method: String,
    url: Url,
    headers: Vec<(String, String)>,
    redirect: RequestRedirect,
    extras: RequestExtras,
    /// The signal the request's own follows.
    signal: Option<DomRoot<AbortSignal>>,
    body: Option<BodySource>,
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

    pub fn extras(&self) -> &RequestExtras {
        &self.extras
    }

    pub fn signal(&self) -> Option<DomRoot<AbortSignal>> {
        self.signal.get()
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
            extras,
            signal,
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
                extras,
                signal: MutNullableDom::default(),
                body: Body::from_source(body),
            }),
        );
        let own = AbortSignal::following(cx, global, signal.as_deref());
        request.signal.set(Some(&own));
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
        use ReferrerPolicy as P;
        use RequestCache as K;
        use RequestCredentials as C;
        use RequestDestination as D;
        use RequestMode as M;
        use RequestRedirect as R;
        let defaults = RequestExtras::default();
        let details = data.details;
        let caches = [
            K::Default,
            K::NoStore,
            K::Reload,
            K::NoCache,
            K::ForceCache,
            K::OnlyIfCached,
        ];
        let policies = [
            P::Empty,
            P::NoReferrer,
            P::NoReferrerWhenDowngrade,
            P::SameOrigin,
            P::Origin,
            P::StrictOrigin,
            P::OriginWhenCrossOrigin,
            P::StrictOriginWhenCrossOrigin,
            P::UnsafeUrl,
        ];
        let redirect = parse_idl(&data.redirect, &[R::Follow, R::Error, R::Manual], R::as_str);
        let mode = [M::Navigate, M::SameOrigin, M::NoCors, M::Cors];
        let credentials = [C::Omit, C::SameOrigin, C::Include];
        let destination = [
            D::Empty,
            D::Document,
            D::Iframe,
            D::Script,
            D::Worker,
            D::Style,
            D::Image,
        ];
        let extras = RequestExtras {
            mode: parse_idl(&data.mode, &mode, M::as_str).unwrap_or(defaults.mode),
            credentials: parse_idl(&data.credentials, &credentials, C::as_str)
                .unwrap_or(defaults.credentials),
            destination: parse_idl(&data.destination, &destination, D::as_str)
                .unwrap_or(defaults.destination),
            cache: parse_idl(&details.cache, &caches, K::as_str).unwrap_or(defaults.cache),
            referrer: details.referrer.map_or(Referrer::NoReferrer, Referrer::Url),
            referrer_policy: parse_idl(&details.referrer_policy, &policies, P::as_str)
                .unwrap_or(defaults.referrer_policy),
            integrity: details.integrity,
            keepalive: details.keepalive,
            reload_navigation: details.reload_navigation,
            history_navigation: details.history_navigation,
        };
        Self::create(
            cx,
            global,
            None,
            RequestParts {
                method: data.method,
                url: data.url,
                headers: data.headers,
                redirect: redirect.unwrap_or(R::Follow),
                extras,
                signal: None,
                body: data.body.map(BodySource::Bytes),
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
        let (url, mut method, mut headers, mut body, mut redirect, mut extras, mut signal) =
            match &input {
                RequestOrUSVString::USVString(text) => {
                    let url = global.base_url().join(text).map_err(|_| {
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
                        RequestExtras::default(),
                        None,
                    )
                }
                RequestOrUSVString::Request(request) => {
                    if request.body.is_unusable() {
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
                        None => request.body.take_source(),
                    };
                    (
                        request.url.clone(),
                        request.method.clone(),
                        request.header_list(),
                        body,
                        request.redirect,
                        request.extras.clone(),
                        request.signal.get(),
                    )
                }
            };
        apply_init_extras(global, init, &mut extras)?;
        // Step 27: a signal member (null included) replaces the input's.
        if let Some(given) = &init.signal {
            signal = given.clone();
        }
        if let Some(given) = &init.method {
            method = normalize_method(given)?;
        }
        // Step 30: a no-cors request is a simple one.
        if extras.mode == RequestMode::NoCors && !matches!(method.as_str(), "GET" | "HEAD" | "POST")
        {
            return Err(Error::Type(format!(
                "Failed to construct 'Request': '{method}' is unsupported in no-cors mode."
            )));
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
                    let (source, content_type) = extract_init(init_body)?;
                    if let BodySource::Stream(_) = source {
                        // Steps 36.2 and 40.1: a stream body is not kept alive, and says it
                        // is sent half-duplex.
                        if extras.keepalive {
                            return Err(Error::Type(
                                "Failed to construct 'Request': keepalive cannot be set with a \
                                 ReadableStream body."
                                    .into(),
                            ));
                        }
                        if init.duplex.is_none() {
                            return Err(Error::Type(
                                "Failed to construct 'Request': The duplex member must be \
                                 specified for a request with a streaming body."
                                    .into(),
                            ));
                        }
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
        }
        // Step 40.2: a stream body goes only where CORS can guard it.
        if matches!(body, Some(BodySource::Stream(_)))
            && !matches!(extras.mode, RequestMode::SameOrigin | RequestMode::Cors)
        {
            return Err(Error::Type(
                "Failed to construct 'Request': a ReadableStream body needs mode \"same-origin\" \
                 or \"cors\"."
                    .into(),
            ));
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
            extras,
            signal,
            body,
        };
        Ok(Self::create(cx, global, proto, parts))
    }
}

/// <https://fetch.spec.whatwg.org/#dom-request>, steps 13-24: what `init` says of the mode,
/// credentials, cache, referrer and the rest.
fn apply_init_extras(
    global: &GlobalScope,
    init: &RequestInit,
    extras: &mut RequestExtras,
) -> Fallible<()> {
    let any = init.method.is_some()
        || init.headers.is_some()
        || init.body.is_some()
        || init.referrer.is_some()
        || init.referrer_policy.is_some()
        || init.mode.is_some()
        || init.credentials.is_some()
        || init.cache.is_some()
        || init.redirect.is_some()
        || init.integrity.is_some()
        || init.keepalive.is_some()
        || init.signal.is_some();
    // Step 13: init not empty: a navigate request becomes same-origin, the referrer the client.
    if any {
        if extras.mode == RequestMode::Navigate {
            extras.mode = RequestMode::SameOrigin;
        }
        extras.reload_navigation = false;
        extras.history_navigation = false;
        extras.referrer = Referrer::Client;
        extras.referrer_policy = ReferrerPolicy::Empty;
    }
    if let Some(referrer) = &init.referrer {
        extras.referrer = if referrer.is_empty() {
            Referrer::NoReferrer
        } else {
            let parsed = global.base_url().join(referrer).map_err(|_| {
                Error::Type(format!(
                    "Failed to construct 'Request': The referrer '{referrer}' is not a valid URL."
                ))
            })?;
            let client = parsed.scheme() == "about" && parsed.path() == "client";
            if client || parsed.origin() != global.origin() {
                Referrer::Client
            } else {
                Referrer::Url(parsed)
            }
        };
    }
    if let Some(policy) = init.referrer_policy {
        extras.referrer_policy = policy;
    }
    if let Some(mode) = init.mode {
        if mode == RequestMode::Navigate {
            return Err(Error::Type(
                "Failed to construct 'Request': Cannot construct a Request with a RequestInit \
                 whose mode member is set as 'navigate'."
                    .into(),
            ));
        }
        extras.mode = mode;
    }
    if let Some(credentials) = init.credentials {
        extras.credentials = credentials;
    }
    if let Some(cache) = init.cache {
        extras.cache = cache;
    }
    if extras.cache == RequestCache::OnlyIfCached && extras.mode != RequestMode::SameOrigin {
        return Err(Error::Type(
            "Failed to construct 'Request': 'only-if-cached' can be set only with \
             'same-origin' mode"
                .into(),
        ));
    }
    if let Some(integrity) = &init.integrity {
        extras.integrity = integrity.clone();
    }
    if let Some(keepalive) = init.keepalive {
        extras.keepalive = keepalive;
    }
    Ok(())
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
    fn Destination(&self, _cx: &mut JSContext) -> RequestDestination {
        self.extras.destination
    }
    /// <https://fetch.spec.whatwg.org/#dom-request-referrer>
    fn Referrer(&self, _cx: &mut JSContext) -> DOMString {
        match &self.extras.referrer {
            Referrer::NoReferrer => String::new(),
            Referrer::Client => "about:client".to_owned(),
            Referrer::Url(url) => url.to_string(),
        }
    }
    fn IsReloadNavigation(&self, _cx: &mut JSContext) -> bool {
        self.extras.reload_navigation
    }
    fn IsHistoryNavigation(&self, _cx: &mut JSContext) -> bool {
        self.extras.history_navigation
    }
    fn ReferrerPolicy(&self, _cx: &mut JSContext) -> ReferrerPolicy {
        self.extras.referrer_policy
    }
    fn Mode(&self, _cx: &mut JSContext) -> RequestMode {
        self.extras.mode
    }
    fn Credentials(&self, _cx: &mut JSContext) -> RequestCredentials {
        self.extras.credentials
    }
    fn Cache(&self, _cx: &mut JSContext) -> RequestCache {
        self.extras.cache
    }
    fn Integrity(&self, _cx: &mut JSContext) -> DOMString {
        self.extras.integrity.clone()
    }
    fn Keepalive(&self, _cx: &mut JSContext) -> bool {
        self.extras.keepalive
    }
    fn Signal(&self, cx: &mut JSContext) -> DomRoot<AbortSignal> {
        self.signal.or_init(|| AbortSignal::new(cx, self.global()))
    }
    /// <https://fetch.spec.whatwg.org/#dom-request-clone>
    fn Clone(&self, cx: &mut JSContext) -> Fallible<DomRoot<Request>> {
        if self.body.is_unusable() {
            return Err(Error::Type(
                "Failed to execute 'clone' on 'Request': Request body is already used".into(),
            ));
        }
        let parts = RequestParts {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.header_list(),
            redirect: self.redirect,
            extras: self.extras.clone(),
            signal: self.signal.get(),
            body: None,
        };
        // SAFETY: bindings call in the request's realm.
        let body = unsafe { self.body.clone_body(cx) }?;
        let clone = Self::create(cx, self.global(), None, parts);
        clone.body.replace_with(body);
        Ok(clone)
    }
    fn Duplex(&self, _cx: &mut JSContext) -> RequestDuplex {
        RequestDuplex::Half
    }
    crate::body_mixin_methods!();
}
