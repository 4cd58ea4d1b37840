//! IndexedDB in the constellation thread: messages of pages and workers go
//! to the backend (`indexeddb::Backend`, a thread per origin) with the
//! sender's identity and origin as the constellation knows them, and the
//! backend's events come back here to go out on the global's channel.
//! Nothing here waits: handing a message over is a queue push.

use std::path::Path;
use std::sync::Arc;

use base::ipc_waiter::Waker;
use base::origin::{ascii_serialization, Origin};
use base::Prefs;
use crossbeam_channel::Receiver;
use indexeddb::{Backend, BackendConfig};
use indexeddb_traits::{IdbEvent, IdbMsg};
use script_traits::{ClientId, ServiceWorkerId, ToClientMsg, ToWorkerMsg};

use super::{Constellation, LOG_TARGET};

/// Who an IndexedDB message came from: a page, or one run of a worker (a
/// worker started again is a new global with new connections).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IdbPeer {
    Client(ClientId),
    Worker(ServiceWorkerId, u64),
}

/// The backend the constellation hands messages to, and where its events
/// come back (ringing the constellation's waker).
pub(crate) struct IndexedDbLink {
    pub backend: Backend<IdbPeer>,
    pub events: Receiver<(IdbPeer, IdbEvent)>,
}

impl IndexedDbLink {
    /// Origins' files in `profile/indexeddb/` (in memory without a profile).
    pub fn new(profile: Option<&Path>, prefs: &Prefs, waker: Waker) -> IndexedDbLink {
        let (sender, events) = crossbeam_channel::unbounded();
        let backend = Backend::new(
            BackendConfig {
                profile: profile.map(Path::to_path_buf),
                max_bytes_per_origin: prefs.indexeddb_max_bytes_per_origin(),
            },
            Arc::new(move |peer: &IdbPeer, event| {
                if sender.send((peer.clone(), event)).is_ok() {
                    waker.wake();
                }
            }),
        );
        IndexedDbLink { backend, events }
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
        self.indexeddb
            .handle(&ascii_serialization(origin), peer, message);
    }

    /// The global is gone: its transactions abort, its connections close.
    pub(super) fn indexeddb_peer_gone(&mut self, peer: IdbPeer) {
        self.indexeddb.peer_gone(&peer);
    }

    /// Sends the backend's `event` to its global, if it is still there.
    pub(super) fn indexeddb_event(&mut self, peer: IdbPeer, event: IdbEvent) {
        match &peer {
            IdbPeer::Client(client) => match self.host.clients.get(client) {
                Some(record) => record.send(ToClientMsg::IndexedDb(event)),
                None => log::debug!(target: LOG_TARGET, "IndexedDB event for gone client {client}"),
            },
            IdbPeer::Worker(worker, instance) => {
                match self.host.workers.instance(*worker, *instance) {
                    Some(running) => running.send(ToWorkerMsg::IndexedDb(event)),
                    None => {
                        log::debug!(target: LOG_TARGET, "IndexedDB event for a stopped run of {worker}")
                    }
                }
            }
        }
    }
}
