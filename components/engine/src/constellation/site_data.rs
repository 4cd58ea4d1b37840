//! Clear-Site-Data for one origin (`Engine::clear_site_data`): its IndexedDB, its
//! CacheStorage, its service-worker registrations and, with them, their sync registrations,
//! together.
//!
//! Nothing here waits: the storage backends clear on the origin's threads and the
//! registrations go through the registry's unregister jobs; the embedder's answer is sent by
//! whichever finishes last.

use std::sync::{Arc, Mutex, PoisonError};

use base::origin::{ascii_serialization, origin_of, Origin};
use crossbeam_channel::Sender;
use service_worker_registry::{JobOutcome, JobResult};

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
    pub(super) fn clear_site_data(&mut self, origin: Origin, reply: Sender<SiteDataCleared>) {
        let registrations: Vec<_> = self
            .registry
            .registrations()
            .filter(|registration| origin_of(registration.scope()) == origin)
            .map(|registration| registration.id())
            .collect();
        log::info!(
            target: LOG_TARGET,
            "clearing the site data of {}: IndexedDB, CacheStorage and {} registration(s)",
            ascii_serialization(&origin),
            registrations.len()
        );
        let state: SharedClearing = Arc::new(Mutex::new(Clearing {
            pending: 2 + registrations.len(),
            cleared: SiteDataCleared::default(),
            reply: Some(reply),
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
        for registration in registrations {
            let state = state.clone();
            self.registry.schedule_unregister(
                &origin,
                registration,
                Box::new(move |result: JobResult| {
                    let removed = matches!(result, Ok(JobOutcome::Unregistered(true)));
                    record(&state, |cleared| {
                        cleared.registrations += usize::from(removed)
                    })
                }),
            );
        }
    }
}
