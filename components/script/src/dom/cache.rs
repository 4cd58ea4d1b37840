//! Cache (https://w3c.github.io/ServiceWorker/#cache-interface): one named cache of the
//! origin, as `caches.open()` gives it.
//!
//! A Cache holds the handle the backend gave this global (see `cache_storage_traits`): it
//! keeps working after `caches.delete()` removed its name. Requests and responses travel as
//! plain records, bodies read to the end; what the spec makes script check (a put's method and
//! scheme, a 206 or `Vary: *` response, a used body) is checked here, and again by the backend.
//!
//! `add()` and `addAll()` fetch with the global's `fetch()` (so a controlled page's requests go
//! through its service worker, as the spec's fetch does), wait for every response, then store
//! them in one batch: all of them or, if one fails, none.

use std::cell::RefCell;

use cache_storage_traits::{
    CacheAnswer, CacheHandle, CacheOp, CacheRequest, CacheResponse, CacheStorageOp, MatchScope,
    QueryOptions,
};
use url::Url;

use crate::dom::bindings::conversions::{from_default, Conv, DefaultJs, FromJs};
use crate::dom::cachestorage::{
    cache_storage_request, resolve_first_response, send_cache_op, unexpected,
};
use crate::dom::headers::Guard;
use crate::dom::prelude::*;
use crate::dom::request::Request;
use crate::dom::response::{HiddenResponse, Response, ResponseParts};

#[derive(Trace)]
#[repr(C)]
pub struct Cache {
    reflector: Reflector,
    #[no_trace]
    handle: CacheHandle,
}

impl Cache {
    pub fn new(cx: &mut JSContext, global: &GlobalScope, handle: CacheHandle) -> DomRoot<Cache> {
        CacheBinding::Wrap(
            cx,
            global,
            None,
            Box::new(Cache {
                reflector: Reflector::new(),
                handle,
            }),
        )
    }

    /// Sends a batch of `ops` to this cache; `settle` resolves the promise with the batch's
    /// answer (one boolean per operation).
    fn batch(
        &self,
        cx: &mut JSContext,
        ops: Vec<CacheOp>,
        settle: impl FnOnce(&mut JSContext, &Promise, Vec<bool>) + 'static,
    ) -> Fallible<Rc<Promise>> {
        let op = CacheStorageOp::Batch {
            cache: self.handle,
            ops,
        };
        cache_storage_request(cx, self.global(), op, |cx, _, promise, answer| {
            let CacheAnswer::Batched(results) = answer else {
                return Err(unexpected(&answer));
            };
            settle(cx, promise, results);
            Ok(())
        })
    }
}

/// The Request `input` names: itself, or a new one of the URL, as `new Request(input)` makes.
fn to_request(
    cx: &mut JSContext,
    global: &GlobalScope,
    input: RequestOrUSVString,
) -> Fallible<DomRoot<Request>> {
    match input {
        RequestOrUSVString::Request(request) => Ok(request),
        input => {
            // SAFETY: bindings call in the global's realm.
            let init: RequestInit =
                unsafe { from_default(cx, DefaultJs::EmptyDictionary, &Conv::plain("Cache"))? };
            Request::construct(cx, global, None, input, &init)
        }
    }
}

/// A request as the backend compares it.
fn cache_request(request: &Request) -> CacheRequest {
    CacheRequest {
        url: request.url().to_string(),
        method: request.method().to_owned(),
        headers: request
            .header_list()
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect(),
    }
}

/// The record of the request `input` names, for a query.
pub(crate) fn request_to_cache(
    cx: &mut JSContext,
    global: &GlobalScope,
    input: RequestOrUSVString,
) -> Fallible<CacheRequest> {
    Ok(cache_request(&*to_request(cx, global, input)?))
}

/// The record of a request to store (`put`, `add`, `addAll`): an http(s) `GET`, or a
/// TypeError.
fn request_to_store(request: &Request, operation: &str) -> Fallible<CacheRequest> {
    let scheme = request.url().scheme();
    if !matches!(scheme, "http" | "https") {
        return Err(Error::Type(format!(
            "Failed to execute '{operation}' on 'Cache': Request scheme '{scheme}' is unsupported"
        )));
    }
    if request.method() != "GET" {
        return Err(Error::Type(format!(
            "Failed to execute '{operation}' on 'Cache': Request method '{}' is unsupported",
            request.method()
        )));
    }
    Ok(cache_request(request))
}

/// Whether a response's `Vary` header names `*` (it can match no request).
fn varies_on_everything(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("vary"))
        .flat_map(|(_, value)| value.split(','))
        .any(|item| item.trim_matches([' ', '\t']) == "*")
}

/// The checks of a response to store that `put` and `add` share (a 206, `Vary: *`).
fn check_response(response: &Response, operation: &str) -> Fallible<()> {
    if response.status() == 206 {
        return Err(Error::Type(format!(
            "Failed to execute '{operation}' on 'Cache': Partial response (status code 206) is \
             unsupported"
        )));
    }
    if varies_on_everything(&response.header_list()) {
        return Err(Error::Type(format!(
            "Failed to execute '{operation}' on 'Cache': Vary header contains *"
        )));
    }
    if response.body_unusable() {
        return Err(Error::Type(format!(
            "Failed to execute '{operation}' on 'Cache': Response body is already used"
        )));
    }
    Ok(())
}

/// The record of a response to store, its body taken: the Response's body is used after.
/// An opaque or opaque-redirect response is stored as its internal response (what a page's
/// `<script>` answered with it needs, or a navigation the `Location` it follows), and shows
/// nothing when it comes back.
fn response_to_store(response: &Response) -> CacheResponse {
    let body = response.take_body().unwrap_or_default();
    response_record(response, body)
}

/// The record of `response` with its whole `body`, read already.
fn response_record(response: &Response, body: Vec<u8>) -> CacheResponse {
    if let Some(hidden) = response.hidden() {
        return CacheResponse {
            response_type: response.response_type().as_str().to_owned(),
            url_list: vec![hidden.url.to_string()],
            status: hidden.status,
            status_text: String::new(),
            headers: hidden.headers.clone(),
            body: hidden.body.clone(),
            redirected: false,
        };
    }
    CacheResponse {
        response_type: response.response_type().as_str().to_owned(),
        url_list: response.url().map(Url::to_string).into_iter().collect(),
        status: response.status(),
        status_text: response.status_text().to_owned(),
        headers: response.header_list(),
        body,
        redirected: response.redirected(),
    }
}

/// A Response of a stored record: a new object each time, its headers immutable.
pub(crate) fn response_from_cache(
    cx: &mut JSContext,
    global: &GlobalScope,
    stored: CacheResponse,
) -> DomRoot<Response> {
    let url = stored.url_list.last().and_then(|url| Url::parse(url).ok());
    let response_type = match stored.response_type.as_str() {
        "basic" => ResponseType::Basic,
        "cors" => ResponseType::Cors,
        "opaque" => ResponseType::Opaque,
        "opaqueredirect" => ResponseType::Opaqueredirect,
        _ => ResponseType::Default,
    };
    let parts = match (response_type, url) {
        (ResponseType::Opaque, Some(url)) => crate::fetch::opaque_response(HiddenResponse {
            url,
            status: stored.status,
            headers: stored.headers,
            body: stored.body,
        }),
        (ResponseType::Opaqueredirect, Some(url)) => {
            crate::fetch::opaque_redirect_response(HiddenResponse {
                url,
                status: stored.status,
                headers: stored.headers,
                body: Vec::new(),
            })
        }
        (response_type @ (ResponseType::Opaque | ResponseType::Opaqueredirect), None) => {
            ResponseParts::empty(response_type)
        }
        (response_type, url) => ResponseParts {
            response_type,
            url,
            redirected: stored.redirected,
            status: stored.status,
            status_text: stored.status_text,
            headers: stored.headers,
            guard: Guard::Immutable,
            body: Some(stored.body),
            hidden: None,
        },
    };
    Response::new(cx, global, None, parts)
}

/// A Request of a stored record (`cache.keys()`): its URL, method and headers, and the
/// defaults of `new Request(url)` for the rest.
fn request_from_cache(
    cx: &mut JSContext,
    global: &GlobalScope,
    stored: CacheRequest,
) -> Option<DomRoot<Request>> {
    let url = Url::parse(&stored.url).ok()?;
    let data = script_traits::FetchRequestData {
        url,
        method: stored.method,
        headers: stored.headers,
        body: None,
        redirect: "follow".to_owned(),
        mode: "cors".to_owned(),
        credentials: "same-origin".to_owned(),
        destination: String::new(),
        details: script_traits::RequestDetails::default(),
    };
    Some(Request::from_data(cx, global, data))
}

fn query_options(options: &CacheQueryOptions) -> QueryOptions {
    QueryOptions {
        ignore_search: options.ignore_search,
        ignore_method: options.ignore_method,
        ignore_vary: options.ignore_vary,
    }
}

/// An `addAll()` waiting for its fetches.
struct AddAll {
    cache: CacheHandle,
    requests: Vec<CacheRequest>,
    responses: Vec<Option<CacheResponse>>,
    remaining: usize,
    /// Settled already: a fetch failed, or every response came.
    over: bool,
    promise: Rc<Promise>,
}

impl AddAll {
    /// The fetch of request `index` settled with `result`. The first failure rejects the
    /// promise and stores nothing; the last response sends the batch.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    unsafe fn settled(
        state: &RefCell<AddAll>,
        cx: &mut JSContext,
        global: &GlobalScope,
        index: usize,
        result: Result<HandleValue<'_>, HandleValue<'_>>,
    ) {
        let promise = state.borrow().promise.clone();
        if state.borrow().over {
            return;
        }
        let stored = match result {
            Err(reason) => {
                state.borrow_mut().over = true;
                promise.reject(cx, &reason);
                return;
            }
            Ok(value) => DomRoot::<Response>::from_js(cx, value, &Conv::plain("Cache.addAll"))
                .and_then(|response| {
                    let ok = (200..=299).contains(&response.status())
                        && response.response_type() != ResponseType::Error;
                    if !ok {
                        return Err(Error::Type(format!(
                            "Failed to execute 'addAll' on 'Cache': Request failed (status {})",
                            response.status()
                        )));
                    }
                    check_response(&response, "addAll")?;
                    Ok(response_to_store(&response))
                }),
        };
        let mut add_all = state.borrow_mut();
        match stored {
            Err(error) => {
                add_all.over = true;
                drop(add_all);
                promise.reject_error(cx, global, error);
            }
            Ok(response) => {
                add_all.responses[index] = Some(response);
                add_all.remaining -= 1;
                if add_all.remaining > 0 {
                    return;
                }
                add_all.over = true;
                let requests = std::mem::take(&mut add_all.requests);
                let responses = std::mem::take(&mut add_all.responses);
                let ops = requests
                    .into_iter()
                    .zip(responses.into_iter().flatten())
                    .map(|(request, response)| CacheOp::Put { request, response })
                    .collect();
                let op = CacheStorageOp::Batch {
                    cache: add_all.cache,
                    ops,
                };
                drop(add_all);
                send_cache_op(cx, global, &promise, op, |cx, _, promise, answer| {
                    let CacheAnswer::Batched(_) = answer else {
                        return Err(unexpected(&answer));
                    };
                    promise.resolve(cx, &());
                    Ok(())
                });
            }
        }
    }
}

impl CacheMethods for Cache {
    /// <https://w3c.github.io/ServiceWorker/#cache-match>
    fn Match(
        &self,
        cx: &mut JSContext,
        request: RequestOrUSVString,
        options: &CacheQueryOptions,
    ) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let op = CacheStorageOp::MatchAll {
            scope: MatchScope::Cache(self.handle),
            request: Some(request_to_cache(cx, global, request)?),
            options: query_options(options),
            only_first: true,
        };
        // SAFETY: replies settle in the global's realm.
        cache_storage_request(cx, global, op, |cx, global, promise, answer| unsafe {
            resolve_first_response(cx, global, promise, answer)
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-matchall>
    fn MatchAll(
        &self,
        cx: &mut JSContext,
        request: Option<RequestOrUSVString>,
        options: &CacheQueryOptions,
    ) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let request = request
            .map(|request| request_to_cache(cx, global, request))
            .transpose()?;
        let op = CacheStorageOp::MatchAll {
            scope: MatchScope::Cache(self.handle),
            request,
            options: query_options(options),
            only_first: false,
        };
        cache_storage_request(cx, global, op, |cx, global, promise, answer| {
            let CacheAnswer::Responses(stored) = answer else {
                return Err(unexpected(&answer));
            };
            let responses: Vec<_> = stored
                .into_iter()
                .map(|stored| response_from_cache(cx, global, stored))
                .collect();
            // SAFETY: replies settle in the global's realm.
            unsafe { promise.resolve(cx, &responses) };
            Ok(())
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-add>
    fn Add(&self, cx: &mut JSContext, request: RequestOrUSVString) -> Fallible<Rc<Promise>> {
        self.AddAll(cx, vec![request])
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-addAll>
    fn AddAll(
        &self,
        cx: &mut JSContext,
        requests: Vec<RequestOrUSVString>,
    ) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let mut objects = Vec::with_capacity(requests.len());
        let mut records = Vec::with_capacity(requests.len());
        for input in requests {
            let request = to_request(cx, global, input)?;
            records.push(request_to_store(&request, "addAll")?);
            objects.push(request);
        }
        // SAFETY: bindings call in the global's realm.
        let promise = unsafe { Promise::new(cx) };
        if objects.is_empty() {
            // SAFETY: as above.
            unsafe { promise.resolve(cx, &()) };
            return Ok(promise);
        }
        let state = Rc::new(RefCell::new(AddAll {
            cache: self.handle,
            requests: records,
            responses: vec![None; objects.len()],
            remaining: objects.len(),
            over: false,
            promise: promise.clone(),
        }));
        // SAFETY: as above.
        let init: RequestInit =
            unsafe { from_default(cx, DefaultJs::EmptyDictionary, &Conv::plain("Cache"))? };
        for (index, request) in objects.into_iter().enumerate() {
            let fetched =
                crate::fetch::fetch(cx, global, RequestOrUSVString::Request(request), &init)?;
            let state = state.clone();
            // SAFETY: as above; reactions run in the promise's realm, the global's.
            let added = unsafe {
                fetched.when_settled(
                    cx,
                    Box::new(move |cx, result| {
                        let global = crate::dom::globalscope::current_global(cx);
                        AddAll::settled(&state, cx, global, index, result)
                    }),
                )
            };
            if !added {
                return Err(Error::JSFailed);
            }
        }
        Ok(promise)
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-put>
    fn Put(
        &self,
        cx: &mut JSContext,
        request: RequestOrUSVString,
        response: &Response,
    ) -> Fallible<Rc<Promise>> {
        let request = to_request(cx, self.global(), request)?;
        let request = request_to_store(&request, "put")?;
        check_response(response, "put")?;
        if !response.has_stream_body() {
            let response = response_to_store(response);
            // SAFETY: replies settle in the global's realm.
            return self.batch(
                cx,
                vec![CacheOp::Put { request, response }],
                |cx, promise, _| unsafe { promise.resolve(cx, &()) },
            );
        }
        // A stream body is read to its end first; the put then goes as for bytes.
        let limit = self.global().event_loop().loader().max_response_bytes();
        // SAFETY: bindings call in the global's realm; the continuation runs there too.
        unsafe {
            let promise = Promise::new(cx);
            let settle = promise.clone();
            let cache = DomRoot::from_ref(self);
            let stored = DomRoot::from_ref(response);
            response.read_whole_body(
                cx,
                limit,
                Box::new(move |cx, body| {
                    let body = match body {
                        Ok(body) => body.unwrap_or_default(),
                        Err(error) => return settle.reject(cx, &error),
                    };
                    let response = response_record(&stored, body);
                    let put = cache.batch(
                        cx,
                        vec![CacheOp::Put { request, response }],
                        |cx, promise, _| promise.resolve(cx, &()),
                    );
                    match put {
                        Ok(put) => {
                            put.when_settled(
                                cx,
                                Box::new(move |cx, outcome| match outcome {
                                    Ok(_) => settle.resolve(cx, &()),
                                    Err(reason) => settle.reject(cx, &reason.get()),
                                }),
                            );
                        }
                        Err(error) => {
                            let global = crate::dom::globalscope::current_global(cx);
                            settle.reject_error(cx, global, error)
                        }
                    }
                }),
            );
            Ok(promise)
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-delete>
    fn Delete(
        &self,
        cx: &mut JSContext,
        request: RequestOrUSVString,
        options: &CacheQueryOptions,
    ) -> Fallible<Rc<Promise>> {
        let request = request_to_cache(cx, self.global(), request)?;
        let options = query_options(options);
        // SAFETY: replies settle in the global's realm.
        self.batch(
            cx,
            vec![CacheOp::Delete { request, options }],
            |cx, promise, results| unsafe {
                promise.resolve(cx, &results.first().copied().unwrap_or(false))
            },
        )
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-keys>
    fn Keys(
        &self,
        cx: &mut JSContext,
        request: Option<RequestOrUSVString>,
        options: &CacheQueryOptions,
    ) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let request = request
            .map(|request| request_to_cache(cx, global, request))
            .transpose()?;
        let op = CacheStorageOp::CacheKeys {
            cache: self.handle,
            request,
            options: query_options(options),
        };
        cache_storage_request(cx, global, op, |cx, global, promise, answer| {
            let CacheAnswer::Requests(stored) = answer else {
                return Err(unexpected(&answer));
            };
            let requests: Vec<_> = stored
                .into_iter()
                .filter_map(|stored| request_from_cache(cx, global, stored))
                .collect();
            // SAFETY: replies settle in the global's realm.
            unsafe { promise.resolve(cx, &requests) };
            Ok(())
        })
    }
}
