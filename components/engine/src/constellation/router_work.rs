//! The Static Routing API in the constellation: before a fetch event, the active worker's
//! router rules say where a request goes
//! (<https://w3c.github.io/ServiceWorker/#handle-fetch>, "Get Router Source").
//!
//! - `network`: the client fetches from the network; the worker is not started.
//! - `cache`: the origin's CacheStorage answers (the named cache, or every cache in creation
//!   order); a miss goes to the network. The lookup is a message to the origin's cache
//!   thread like a page's `caches.match()`, from a peer of its own
//!   ([`StoragePeer::Router`]); its answer comes back here and answers the client. The
//!   worker is not started.
//! - `race-network-and-fetch-handler`: the fetch event runs and the request goes to the
//!   network at once, on a thread of its own; the first response answers the client (a
//!   fetch handler that falls back, or fails, leaves it to the network; a network response
//!   whose status is not ok, or a network error, leaves it to the fetch handler). A
//!   cross-origin or `no-cors` request is not raced: its network response is the client's
//!   to fetch (CORS, opaque filtering), so it goes to the fetch event alone.
//! - `fetch-event`, or no matching rule: the fetch event, as without rules.
//!
//! Nothing here waits: a lookup or a race holds the client's [`FetchNotice`] until its
//! answer comes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base::origin::{ascii_serialization, Origin};
use cache_storage_traits::{
    CacheAnswer, CacheMsg, CacheReply, CacheRequest, CacheResponse, CacheStorageOp, MatchScope,
    QueryOptions,
};
use script_traits::{
    FetchAnswer, FetchRequestData, FetchResponseData, RouterSource, ServiceWorkerId,
};
use service_worker_registry::router::RouteRequest;

use super::storage_work::StoragePeer;
use super::{Constellation, LOG_TARGET};
use crate::workers::FetchNotice;

/// The static router's lookups in flight: each holds its client's answer.
#[derive(Default)]
pub(crate) struct RouterLookups {
    pending: HashMap<u64, FetchNotice>,
    next: u64,
}

impl Constellation {
    /// Get Router Source for `request` to `worker` (active, of `origin`), and what follows
    /// from it: the notice the fetch event answers (the client's own, or, for a race whose
    /// network side has started, one that answers the race), or `None` when the request is
    /// answered, or being answered, without the worker.
    pub(super) fn route_fetch(
        &mut self,
        worker: ServiceWorkerId,
        origin: &Origin,
        request: &FetchRequestData,
        mut notice: FetchNotice,
    ) -> Option<FetchNotice> {
        let route = RouteRequest {
            url: &request.url,
            method: &request.method,
            mode: &request.mode,
            destination: &request.destination,
        };
        let running = self.host.workers.is_running(worker);
        match self.registry.router_source(worker, &route, running) {
            None | Some(RouterSource::FetchEvent) => Some(notice),
            Some(RouterSource::Network) => {
                log::debug!(target: LOG_TARGET, "router: {} to the network", request.url);
                notice.fallback = true;
                None
            }
            Some(RouterSource::Cache { cache_name }) => {
                self.look_up_cache(origin, cache_name, request, notice);
                None
            }
            Some(RouterSource::RaceNetworkAndFetchHandler)
                if request.url.origin() == *origin && request.mode != "no-cors" =>
            {
                let client = notice.client.clone();
                let race = Race::new(notice);
                self.race_network(request, race.clone());
                Some(FetchNotice::raced(client, race))
            }
            Some(RouterSource::RaceNetworkAndFetchHandler) => Some(notice),
        }
    }

    /// The `cache` source: `caches.match(request, {cacheName})` of the origin, answered in
    /// [`Self::router_cache_answer`].
    fn look_up_cache(
        &mut self,
        origin: &Origin,
        cache_name: Option<String>,
        request: &FetchRequestData,
        mut notice: FetchNotice,
    ) {
        if !origin.is_tuple() {
            notice.fallback = true;
            return;
        }
        let lookups = &mut self.router;
        lookups.next += 1;
        let lookup = lookups.next;
        lookups.pending.insert(lookup, notice);
        let message = CacheMsg {
            id: lookup,
            op: CacheStorageOp::MatchAll {
                scope: match cache_name {
                    Some(name) => MatchScope::Named(name),
                    None => MatchScope::EveryCache,
                },
                request: Some(CacheRequest {
                    url: request.url.to_string(),
                    method: request.method.clone(),
                    headers: request
                        .headers
                        .iter()
                        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                        .collect(),
                }),
                options: QueryOptions::default(),
                only_first: true,
            },
        };
        self.storage.caches.handle(
            &ascii_serialization(origin),
            StoragePeer::Router(lookup),
            message,
        );
    }

    /// A cache lookup's answer: the response it found, else the network.
    pub(super) fn router_cache_answer(&mut self, lookup: u64, reply: CacheReply) {
        let Some(mut notice) = self.router.pending.remove(&lookup) else {
            return;
        };
        match reply.result {
            Ok(CacheAnswer::Responses(mut responses)) if !responses.is_empty() => {
                let response = responses.swap_remove(0);
                notice.send(FetchAnswer::Respond(Box::new(response_data(response))));
            }
            Ok(_) => notice.fallback = true,
            Err(error) => {
                log::debug!(target: LOG_TARGET, "router cache lookup {lookup}: {error:?}");
                notice.fallback = true;
            }
        }
    }

    /// The `race-network-and-fetch-handler` source's network side: `request` goes to the
    /// network now; `race` answers the client with whichever response comes first.
    fn race_network(&mut self, request: &FetchRequestData, race: Race) {
        if !self.network.is_online() {
            // Offline: the network side fails at once; the fetch event may still answer.
            race.network_answered(None);
            return;
        }
        self.fetches.race(request.clone(), race);
    }
}

/// A response from the cache, as the client gets it.
fn response_data(response: CacheResponse) -> FetchResponseData {
    FetchResponseData {
        url: response
            .url_list
            .last()
            .and_then(|url| url::Url::parse(url).ok()),
        status: response.status,
        status_text: response.status_text,
        headers: response.headers,
        body: response.body,
        redirected: response.redirected,
        response_type: response.response_type,
        body_error: None,
    }
}

/// A race between a fetch event and the network for one client's answer: the first
/// response wins; a fetch handler that does not respond (or fails) leaves the answer to the
/// network, and a network error (or a status that is not ok) to the fetch handler; when both
/// fail, the client gets the fetch handler's answer (a fallback: the client goes to the
/// network itself; or a network error).
#[derive(Clone)]
pub(crate) struct Race(Arc<Mutex<RaceState>>);

struct RaceState {
    notice: Option<FetchNotice>,
    handler_failed: Option<FetchAnswer>,
    network_failed: bool,
}

impl Race {
    pub(crate) fn new(notice: FetchNotice) -> Race {
        Race(Arc::new(Mutex::new(RaceState {
            notice: Some(notice),
            handler_failed: None,
            network_failed: false,
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RaceState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fetch event's answer (`Fallback` or a network error when it did not respond).
    pub(crate) fn handler_answered(&self, answer: FetchAnswer) {
        let mut state = self.lock();
        match answer {
            FetchAnswer::Respond(_) => {
                if let Some(mut notice) = state.notice.take() {
                    notice.send(answer);
                }
            }
            failed if state.network_failed => {
                if let Some(mut notice) = state.notice.take() {
                    notice.send(failed);
                }
            }
            failed => state.handler_failed = Some(failed),
        }
    }

    /// The network side's response (`None`: a network error). Only an ok status wins; any
    /// other counts as a failure of the network side.
    pub(crate) fn network_answered(&self, response: Option<FetchResponseData>) {
        let mut state = self.lock();
        match response.filter(|response| (200..=299).contains(&response.status)) {
            Some(response) => {
                if let Some(mut notice) = state.notice.take() {
                    notice.send(FetchAnswer::Respond(Box::new(response)));
                }
            }
            None => {
                state.network_failed = true;
                if let Some(failed) = state.handler_failed.take() {
                    if let Some(mut notice) = state.notice.take() {
                        notice.send(failed);
                    }
                }
            }
        }
    }
}
