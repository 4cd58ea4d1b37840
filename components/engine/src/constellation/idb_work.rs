//! IndexedDB in the constellation thread: messages of pages and workers go
//! to the backend (`indexeddb::Backend`, a thread per origin) with the
//! sender's identity and origin as the constellation knows them. A page's
//! events go from the backend's thread straight to the page's postman (the
//! route is registered here with the page's first message and removed when
//! the page goes), one thread and one wake-up fewer on every answer; a
//! worker's come back here, to join the worker's outbox, which holds
//! everything until the worker's script has run. Nothing here waits:
//! handing a message over is a queue push.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use base::ipc_waiter::Waker;
use base::origin::{ascii_serialization, Origin};
use base::Prefs;
use crossbeam_channel::Receiver;
use indexeddb::{Backend, BackendConfig};
use indexeddb_traits::{IdbEvent, IdbMsg};
use script_traits::{ClientId, ServiceWorkerId, ToClientMsg, ToWorkerMsg};

use super::{Constellation, LOG_TARGET};
use crate::postman::Postman;

/// The postmans of the pages that use IndexedDB, shared with the backend's
/// delivery callback.
#[derive(Clone, Default)]
pub(crate) struct PageRoutes(Arc<Mutex<HashMap<ClientId, Postman<ToClientMsg>>>>);

impl PageRoutes {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ClientId, Postman<ToClientMsg>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Drops every route (the engine is shutting down).
    pub(super) fn clear(&self) {
        self.lock().clear();
    }

    /// Sends `event` to `client`; false if it has no route (it is gone).
    fn deliver(&self, client: &ClientId, event: IdbEvent) -> bool {
        // Cloned out, so the lock is not held while the page's queue is pushed to.
        let postman = self.lock().get(client).cloned();
        match postman {
            Some(postman) => {
                postman.send(ToClientMsg::IndexedDb(event));
                true
            }
            None => false,
        }
    }
}

/// Who an IndexedDB message came from: a page, or one run of a worker (a
/// worker started again is a new global with new connections).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IdbPeer {
    Client(ClientId),
    Worker(ServiceWorkerId, u64),
}

/// Where a worker's IndexedDB event comes back to the constellation: the
/// run of the worker it is for, and the event.
pub(crate) type WorkerIdbEvent = (ServiceWorkerId, u64, IdbEvent);

/// The backend the constellation hands messages to, and where workers'
/// events come back (ringing the constellation's waker).
pub(crate) struct IndexedDbLink {
    pub backend: Backend<IdbPeer>,
    pub events: Receiver<WorkerIdbEvent>,
    pub pages: PageRoutes,
}

impl IndexedDbLink {
    /// Origins' files in `profile/indexeddb/` (in memory without a profile).
    pub fn new(profile: Option<&Path>, prefs: &Prefs, waker: Waker) -> IndexedDbLink {
        let (sender, events) = crossbeam_channel::unbounded();
        let pages = PageRoutes::default();
        let routes = pages.clone();
        let backend = Backend::new(
            BackendConfig {
                profile: profile.map(Path::to_path_buf),
                max_bytes_per_origin: prefs.indexeddb_max_bytes_per_origin(),
            },
            Arc::new(move |peer: &IdbPeer, event| match peer {
                IdbPeer::Client(client) => {
                    if !routes.deliver(client, event) {
                        log::debug!(target: LOG_TARGET, "IndexedDB event for gone client {client}");
                    }
                }
                IdbPeer::Worker(worker, instance) => {
                    if sender.send((*worker, *instance, event)).is_ok() {
                        waker.wake();
                    }
                }
            }),
        );
        IndexedDbLink {
            backend,
            events,
            pages,
        }
    }
}

impl Constellation {
    /// Hands `message` of `peer`, whose origin is `origin`, to the backend.
    pub(super) fn indexeddb_message(&mut self, origin: &Origin, peer: IdbPeer, message: IdbMsg) {
        if !origin.is_tuple() {
            // Script refuses IndexedDB in an opaque origin (SecurityError):
            // such a message is forged.
            log::warn!(target: LOG_TARGET, "{peer:?} of an opaque origin sent {message:?}; dropped");
            return;
        }
        if let IdbPeer::Client(client) = &peer {
            let mut routes = self.indexeddb_pages.lock();
            if !routes.contains_key(client) {
                match self.host.clients.get(client) {
                    Some(record) => {
                        routes.insert(client.clone(), record.sender.clone());
                    }
                    None => return,
                }
            }
        }
        self.indexeddb
            .handle(&ascii_serialization(origin), peer, message);
    }

    /// The global is gone: its transactions abort, its connections close,
    /// and a page's route is dropped (its postman must end with the record's,
    /// so the page sees its channel close).
    pub(super) fn indexeddb_peer_gone(&mut self, peer: IdbPeer) {
        if let IdbPeer::Client(client) = &peer {
            self.indexeddb_pages.lock().remove(client);
        }
        self.indexeddb.peer_gone(&peer);
    }

    /// Sends the backend's `event` to run `instance` of `worker`, if it is
    /// still there (pages' events do not come here).
    pub(super) fn indexeddb_event(
        &mut self,
        worker: ServiceWorkerId,
        instance: u64,
        event: IdbEvent,
    ) {
        match self.host.workers.instance(worker, instance) {
            Some(running) => running.send(ToWorkerMsg::IndexedDb(event)),
            None => {
                log::debug!(target: LOG_TARGET, "IndexedDB event for a stopped run of {worker}")
            }
        }
    }
}
