//! IndexedDB and CacheStorage in the constellation thread: messages of pages
//! and workers go to the backends (`indexeddb::Backend`,
//! `cache_storage::Backend`, each a thread per origin) with the sender's
//! identity and origin as the constellation knows them; a message never
//! names its origin.
//!
//! A page's answers go from the backend's thread straight to the page's
//! postman (the route is registered here with the page's first message and
//! removed when the page goes), one thread and one wake-up fewer on every
//! answer. A worker's come back here, to join the worker's outbox, which
//! holds everything until the worker's script has run. Nothing here waits:
//! handing a message over is a queue push.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use base::ipc_waiter::Waker;
use base::origin::{ascii_serialization, Origin};
use base::Prefs;
use cache_storage_traits::{CacheMsg, CacheReply};
use crossbeam_channel::{Receiver, Sender};
use indexeddb_traits::{IdbEvent, IdbMsg};
use script_traits::{ClientId, Reply, ServiceWorkerId, ToClientMsg, ToWorkerMsg};

use super::{Constellation, LOG_TARGET};
use crate::postman::Postman;

/// The postmans of the pages that use storage, shared with the backends'
/// delivery callbacks.
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

    /// Sends `messages` to `client`, in order; false if it has no route (it is gone).
    fn deliver(&self, client: &ClientId, messages: impl IntoIterator<Item = ToClientMsg>) -> bool {
        // Cloned out, so the lock is not held while the page's queue is pushed to.
        let postman = self.lock().get(client).cloned();
        match postman {
            Some(postman) => {
                for message in messages {
                    postman.send(message);
                }
                true
            }
            None => false,
        }
    }
}

/// Who a storage message came from: a page (or a page's dedicated worker),
/// or one run of a service worker (a worker started again is a new global
/// with new connections and cache handles).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum StoragePeer {
    Client(ClientId),
    Worker(ServiceWorkerId, u64),
    /// The static router's cache lookup numbered so (a rule whose source is the cache): no
    /// global, its answer comes back to the constellation.
    Router(u64),
}

/// A backend's answer for a run of a service worker, on its way back to
/// the constellation.
pub(crate) type WorkerStorageMsg = (ServiceWorkerId, u64, ToWorkerMsg);

/// The backends the constellation hands messages to, and where workers'
/// answers come back (ringing the constellation's waker).
pub(crate) struct StorageLink {
    pub indexeddb: indexeddb::Backend<StoragePeer>,
    pub caches: cache_storage::Backend<StoragePeer>,
    pub worker_answers: Receiver<WorkerStorageMsg>,
    /// The answers to the static router's cache lookups, by lookup number.
    pub router_answers: Receiver<(u64, CacheReply)>,
    pub pages: PageRoutes,
}

/// Sends `message` for a worker's run back to the constellation.
fn to_worker(sender: &Sender<WorkerStorageMsg>, waker: &Waker, message: WorkerStorageMsg) {
    if sender.send(message).is_ok() {
        waker.wake();
    }
}

/// A CacheStorage reply as it travels to a global: the answer to its request number.
fn cache_reply(reply: CacheReply) -> (u64, Option<Box<Reply>>) {
    (reply.id, Some(Box::new(Reply::CacheStorage(reply.result))))
}

impl StorageLink {
    /// Origins' files in `profile/indexeddb/` and `profile/cache_storage/`
    /// (in memory without a profile).
    pub fn new(profile: Option<&Path>, prefs: &Prefs, waker: Waker) -> StorageLink {
        let (sender, worker_answers) = crossbeam_channel::unbounded();
        let (router_sender, router_answers) = crossbeam_channel::unbounded();
        let pages = PageRoutes::default();
        let indexeddb = {
            let (routes, sender, waker) = (pages.clone(), sender.clone(), waker.clone());
            indexeddb::Backend::new(
                indexeddb::BackendConfig {
                    profile: profile.map(Path::to_path_buf),
                    max_bytes_per_origin: prefs.indexeddb_max_bytes_per_origin(),
                },
                Arc::new(move |peer: &StoragePeer, event: IdbEvent| match peer {
                    StoragePeer::Client(client) => {
                        if !routes.deliver(client, [ToClientMsg::IndexedDb(event)]) {
                            log::debug!(target: LOG_TARGET, "IndexedDB event for gone client {client}");
                        }
                    }
                    StoragePeer::Worker(worker, instance) => to_worker(
                        &sender,
                        &waker,
                        (*worker, *instance, ToWorkerMsg::IndexedDb(event)),
                    ),
                    StoragePeer::Router(_) => {}
                }),
            )
        };
        let caches = {
            let routes = pages.clone();
            let waker = waker.clone();
            cache_storage::Backend::new(
                cache_storage::BackendConfig {
                    profile: profile.map(Path::to_path_buf),
                    max_bytes_per_origin: prefs.cache_storage_max_bytes_per_origin(),
                },
                Arc::new(
                    move |peer: &StoragePeer, replies: Vec<CacheReply>| match peer {
                        StoragePeer::Client(client) => {
                            let messages = replies.into_iter().map(|reply| {
                                let (id, answer) = cache_reply(reply);
                                ToClientMsg::Reply { id, answer }
                            });
                            if !routes.deliver(client, messages) {
                                log::debug!(target: LOG_TARGET, "CacheStorage replies for gone client {client}");
                            }
                        }
                        StoragePeer::Worker(worker, instance) => {
                            for reply in replies {
                                let (id, answer) = cache_reply(reply);
                                let message = ToWorkerMsg::Reply { id, answer };
                                to_worker(&sender, &waker, (*worker, *instance, message));
                            }
                        }
                        StoragePeer::Router(lookup) => {
                            for reply in replies {
                                if router_sender.send((*lookup, reply)).is_ok() {
                                    waker.wake();
                                }
                            }
                        }
                    },
                ),
            )
        };
        StorageLink {
            indexeddb,
            caches,
            worker_answers,
            router_answers,
            pages,
        }
    }
}

impl Constellation {
    /// Registers the route of a page's answers with its first message; false
    /// if the page is gone.
    fn route_page(&mut self, peer: &StoragePeer) -> bool {
        let StoragePeer::Client(client) = peer else {
            return true;
        };
        let mut routes = self.storage.pages.lock();
        if !routes.contains_key(client) {
            match self.host.clients.get(client) {
                Some(record) => {
                    routes.insert(client.clone(), record.sender.clone());
                }
                None => return false,
            }
        }
        true
    }

    /// Whether a storage message of `peer` may go to `origin`'s backend:
    /// script refuses storage in an opaque origin (SecurityError), so such a
    /// message is forged.
    fn storage_allowed(&mut self, origin: &Origin, peer: &StoragePeer, what: &str) -> bool {
        if !origin.is_tuple() {
            log::warn!(target: LOG_TARGET, "{peer:?} of an opaque origin sent {what}; dropped");
            return false;
        }
        self.route_page(peer)
    }

    /// Hands `message` of `peer`, whose origin is `origin`, to the IndexedDB backend.
    pub(super) fn indexeddb_message(
        &mut self,
        origin: &Origin,
        peer: StoragePeer,
        message: IdbMsg,
    ) {
        if self.storage_allowed(origin, &peer, &format!("{message:?}")) {
            self.storage
                .indexeddb
                .handle(&ascii_serialization(origin), peer, message);
        }
    }

    /// Hands `message` of `peer`, whose origin is `origin`, to the CacheStorage backend.
    pub(super) fn cache_storage_message(
        &mut self,
        origin: &Origin,
        peer: StoragePeer,
        message: CacheMsg,
    ) {
        let what = format!("CacheStorage request {}", message.id);
        if self.storage_allowed(origin, &peer, &what) {
            self.storage
                .caches
                .handle(&ascii_serialization(origin), peer, message);
        }
    }

    /// The global is gone: its IndexedDB transactions abort, its connections
    /// close, the caches it held are released, and a page's route is dropped
    /// (its postman must end with the record's, so the page sees its channel
    /// close).
    pub(super) fn storage_peer_gone(&mut self, peer: StoragePeer) {
        if let StoragePeer::Client(client) = &peer {
            self.storage.pages.lock().remove(client);
        }
        self.storage.indexeddb.peer_gone(&peer);
        self.storage.caches.peer_gone(&peer);
    }

    /// Sends a backend's `message` to run `instance` of `worker`, if it is
    /// still there (pages' answers do not come here).
    pub(super) fn storage_answer(
        &mut self,
        worker: ServiceWorkerId,
        instance: u64,
        message: ToWorkerMsg,
    ) {
        match self.host.workers.instance(worker, instance) {
            Some(running) => running.send(message),
            None => {
                log::debug!(target: LOG_TARGET, "storage answer for a stopped run of {worker}")
            }
        }
    }

    /// Shuts both backends down, once they have served what they were sent.
    pub(super) fn shutdown_storage(&mut self) {
        self.storage.pages.clear();
        self.storage.indexeddb.shutdown();
        self.storage.caches.shutdown();
    }
}
