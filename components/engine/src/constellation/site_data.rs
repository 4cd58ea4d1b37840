//! Clear-Site-Data for one origin (`Engine::clear_site_data`): its IndexedDB, its
//! CacheStorage, its service-worker registrations and, with them, their sync registrations,
//! together.
//!
//! The same for a page's response with `Clear-Site-Data: "storage"` (of its own origin).
//!
//! Nothing here waits: the storage backends clear on the origin's threads, and the
//! registrations are cleared at once (`clear_origin_now`: their workers become redundant and
//! the clients they controlled lose their controller, without waiting for those clients to go);
//! the embedder's answer is sent by whichever backend finishes last.

use std::sync::{Arc, Mutex, PoisonError};

use base::origin::{ascii_serialization, is_origin_potentially_trustworthy, Origin};
use crossbeam_channel::Sender;
use url::Url;

use super::{Constellation, LOG_TARGET};

/// What clearing an origin's data removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SiteDataCleared {
    /// IndexedDB databases deleted.
    pub indexeddb_databases: usize,
    /// CacheStorage caches deleted.
    pub caches: usize,
    /// Service-worker registrations unregistered (their sync registrations went with them).
    pub registrations: usize,
}

/// The parts still clearing, and where the total goes.
struct Clearing {
    pending: usize,
    cleared: SiteDataCleared,
    reply: Option<Sender<SiteDataCleared>>,
}

type SharedClearing = Arc<Mutex<Clearing>>;

fn record(state: &SharedClearing, change: impl FnOnce(&mut SiteDataCleared)) {
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    change(&mut state.cleared);
    state.pending -= 1;
    if state.pending == 0 {
        if let Some(reply) = state.reply.take() {
            let _ = reply.send(state.cleared);
        }
    }
}

impl Constellation {
    /// Clears `origin`'s storage; `reply` (the embedder's) hears what went.
    pub(super) fn clear_site_data(
        &mut self,
        origin: Origin,
        reply: Option<Sender<SiteDataCleared>>,
    ) {
        let registrations = self.registry.clear_origin_now(&origin);
        for registration in &registrations {
            self.host.release_clients(*registration);
        }
        log::info!(
            target: LOG_TARGET,
            "clearing the site data of {}: IndexedDB, CacheStorage and {} registration(s)",
            ascii_serialization(&origin),
            registrations.len()
        );
        let state: SharedClearing = Arc::new(Mutex::new(Clearing {
            pending: 2,
            cleared: SiteDataCleared {
                registrations: registrations.len(),
                ..SiteDataCleared::default()
            },
            reply,
        }));
        if origin.is_tuple() {
            let serialized = ascii_serialization(&origin);
            let databases = state.clone();
            self.storage.indexeddb.clear_origin(
                &serialized,
                Box::new(move |count| {
                    record(&databases, |cleared| cleared.indexeddb_databases = count)
                }),
            );
            let caches = state.clone();
            self.storage.caches.clear_origin(
                &serialized,
                Box::new(move |count| record(&caches, |cleared| cleared.caches = count)),
            );
        } else {
            record(&state, |_| {});
            record(&state, |_| {});
        }
    }

    /// A page's response of `url` said `Clear-Site-Data: "storage"`: its origin's storage is
    /// cleared if it is the page's own origin and a secure one (the header is ignored
    /// otherwise: a page must not clear another origin's data by claiming its response).
    pub(super) fn clear_site_data_for_client(&mut self, client_origin: &Origin, url: &Url) {
        let origin = url.origin();
        if origin != *client_origin || !is_origin_potentially_trustworthy(&origin) {
            log::warn!(
                target: LOG_TARGET,
                "Clear-Site-Data of {url} for a client of {}: refused",
                ascii_serialization(client_origin)
            );
            return;
        }
        self.clear_site_data(origin, None);
    }
}
