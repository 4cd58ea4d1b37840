//! CacheStorage (https://w3c.github.io/ServiceWorker/#cachestorage-interface): `caches`, in
//! windows and workers of a secure context.
//!
//! Every request goes to the constellation, which hands it to the CacheStorage backend of the
//! global's origin (the origin comes from the constellation's record of the sender, never from
//! the message); the answer comes back as a numbered reply, like a service-worker request, and
//! settles the promise in a task. A [`Cache`] object holds the handle the backend gave this
//! global; the handles go when the global goes.

use cache_storage_traits::{
    CacheAnswer, CacheError, CacheErrorName, CacheMsg, CacheStorageOp, MatchScope, QueryOptions,
};
use script_traits::CacheStorageReply;

use crate::constellation_link::request_promise;
use crate::dom::cache::{request_to_cache, response_from_cache, Cache};
use crate::dom::domexception::DOMErrorName;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct CacheStorage {
    reflector: Reflector,
}

impl CacheStorage {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<CacheStorage> {
        CacheStorageBinding::Wrap(
            cx,
            global,
            None,
            Box::new(CacheStorage {
                reflector: Reflector::new(),
            }),
        )
    }
}

/// The exception a backend error becomes.
fn cache_error(error: CacheError) -> Error {
    let name = match error.name {
        CacheErrorName::Type => return Error::Type(error.message),
        CacheErrorName::InvalidState => DOMErrorName::InvalidStateError,
        CacheErrorName::QuotaExceeded => DOMErrorName::QuotaExceededError,
        CacheErrorName::NotFound => DOMErrorName::NotFoundError,
        CacheErrorName::Unknown => DOMErrorName::UnknownError,
    };
    Error::dom(name, error.message)
}

/// Sends `op` to the backend of the global's origin and returns the promise `settle` settles
/// with the answer (its error rejects the promise: an answer of another kind is a forged or
/// confused reply). A global of an opaque origin has no CacheStorage: SecurityError, as in
/// Chromium.
pub(crate) fn cache_storage_request(
    cx: &mut JSContext,
    global: &GlobalScope,
    op: CacheStorageOp,
    settle: impl FnOnce(&mut JSContext, &GlobalScope, &Promise, CacheAnswer) -> Fallible<()> + 'static,
) -> Fallible<Rc<Promise>> {
    if !global.origin().is_tuple() {
        return Err(Error::dom(
            DOMErrorName::SecurityError,
            "Access to CacheStorage is denied in an opaque origin.",
        ));
    }
    // SAFETY: bindings call in the global's realm.
    unsafe {
        let promise = Promise::new(cx);
        send_cache_op(cx, global, &promise, op, settle);
        Ok(promise)
    }
}

/// Sends `op` to the backend; `settle` settles `promise` with the answer, or the backend's
/// error rejects it.
///
/// # Safety
/// `cx` in `global`'s realm.
pub(crate) unsafe fn send_cache_op(
    cx: &mut JSContext,
    global: &GlobalScope,
    promise: &Rc<Promise>,
    op: CacheStorageOp,
    settle: impl FnOnce(&mut JSContext, &GlobalScope, &Promise, CacheAnswer) -> Fallible<()> + 'static,
) {
    request_promise(
        cx,
        global,
        promise,
        |link, id: script_traits::RequestId<CacheStorageReply>| {
            link.send_cache_storage(CacheMsg {
                id: id.number(),
                op,
            })
        },
        move |cx, global, promise, reply| {
            let settled = reply
                .map_err(cache_error)
                .and_then(|answer| settle(cx, global, promise, answer));
            if let Err(error) = settled {
                promise.reject_error(cx, global, error);
            }
        },
    );
}

/// The error of an answer of the wrong kind.
pub(crate) fn unexpected(answer: &CacheAnswer) -> Error {
    log::warn!(target: "bgsync::script::cache_storage", "unexpected CacheStorage answer {answer:?}");
    Error::dom(
        DOMErrorName::UnknownError,
        "The CacheStorage backend answered something else.",
    )
}

/// Resolves `promise` with the first response of `answer`, or undefined.
///
/// # Safety
/// `cx` in `global`'s realm.
pub(crate) unsafe fn resolve_first_response(
    cx: &mut JSContext,
    global: &GlobalScope,
    promise: &Promise,
    answer: CacheAnswer,
) -> Fallible<()> {
    let CacheAnswer::Responses(responses) = answer else {
        return Err(unexpected(&answer));
    };
    match responses.into_iter().next() {
        Some(response) => {
            let response = response_from_cache(cx, global, response);
            promise.resolve(cx, &response);
        }
        None => promise.resolve(cx, &()),
    }
    Ok(())
}

impl CacheStorageMethods for CacheStorage {
    /// <https://w3c.github.io/ServiceWorker/#cache-storage-match>
    fn Match(
        &self,
        cx: &mut JSContext,
        request: RequestOrUSVString,
        options: &MultiCacheQueryOptions,
    ) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let request = request_to_cache(cx, global, request)?;
        let query = &options.parent;
        let scope = match &options.cache_name {
            Some(name) => MatchScope::Named(name.clone()),
            None => MatchScope::EveryCache,
        };
        let op = CacheStorageOp::MatchAll {
            scope,
            request: Some(request),
            options: QueryOptions {
                ignore_search: query.ignore_search,
                ignore_method: query.ignore_method,
                ignore_vary: query.ignore_vary,
            },
            only_first: true,
        };
        // SAFETY: replies settle in the global's realm.
        cache_storage_request(cx, global, op, |cx, global, promise, answer| unsafe {
            resolve_first_response(cx, global, promise, answer)
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-storage-has>
    fn Has(&self, cx: &mut JSContext, cache_name: DOMString) -> Fallible<Rc<Promise>> {
        let op = CacheStorageOp::Has { name: cache_name };
        cache_storage_request(cx, self.global(), op, |cx, _, promise, answer| {
            let CacheAnswer::Has(has) = answer else {
                return Err(unexpected(&answer));
            };
            // SAFETY: replies settle in the global's realm.
            unsafe { promise.resolve(cx, &has) };
            Ok(())
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-storage-open>
    fn Open(&self, cx: &mut JSContext, cache_name: DOMString) -> Fallible<Rc<Promise>> {
        let op = CacheStorageOp::Open { name: cache_name };
        cache_storage_request(cx, self.global(), op, |cx, global, promise, answer| {
            let CacheAnswer::Opened(handle) = answer else {
                return Err(unexpected(&answer));
            };
            let cache = Cache::new(cx, global, handle);
            // SAFETY: replies settle in the global's realm.
            unsafe { promise.resolve(cx, &cache) };
            Ok(())
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-storage-delete>
    fn Delete(&self, cx: &mut JSContext, cache_name: DOMString) -> Fallible<Rc<Promise>> {
        let op = CacheStorageOp::Delete { name: cache_name };
        cache_storage_request(cx, self.global(), op, |cx, _, promise, answer| {
            let CacheAnswer::Deleted(deleted) = answer else {
                return Err(unexpected(&answer));
            };
            // SAFETY: replies settle in the global's realm.
            unsafe { promise.resolve(cx, &deleted) };
            Ok(())
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#cache-storage-keys>
    fn Keys(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        cache_storage_request(
            cx,
            self.global(),
            CacheStorageOp::Keys,
            |cx, _, promise, answer| {
                let CacheAnswer::Names(names) = answer else {
                    return Err(unexpected(&answer));
                };
                // SAFETY: replies settle in the global's realm.
                unsafe { promise.resolve(cx, &names) };
                Ok(())
            },
        )
    }
}
