//! The CacheStorage backend: one thread per origin, which owns the origin's
//! SQLite file and serves the [`CacheMsg`]s of the origin's globals.
//!
//! The engine hands each message in with the origin and the sender ("peer")
//! it routed it from ([`Backend::handle`]); a message never names its own
//! origin, so a global can reach only its origin's file, and a cache handle
//! means something only for the globals it was given to ([`Handles`]).
//! Every message is answered by one [`CacheReply`] with its number; the
//! replies to a burst of messages go to each peer as one `deliver` call, in
//! the order the messages came.
//!
//! An origin's file is opened on the first message that needs it, so a
//! [`Backend::clear_origin`] can close and delete it between two messages:
//! the next one starts a fresh file.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use cache_storage_traits::{
    CacheAnswer, CacheError, CacheErrorName, CacheHandle, CacheMsg, CacheReply, CacheStorageOp,
    MatchScope,
};
use crossbeam_channel::{Receiver, Sender};

use crate::handles::Handles;
use crate::store::{CacheId, OriginStore};
use crate::{layout, LOG_TARGET};

/// At most this many inputs are served before their replies go out.
const MAX_BURST: usize = 256;

/// The default of the pref `cache_storage.max_bytes_per_origin`: 1 GiB, as
/// IndexedDB's.
pub const DEFAULT_MAX_BYTES_PER_ORIGIN: u64 = 1 << 30;

/// Who sends messages: the engine's identity of a global.
pub trait Peer: Clone + Eq + Hash + std::fmt::Debug + Send + 'static {}
impl<T: Clone + Eq + Hash + std::fmt::Debug + Send + 'static> Peer for T {}

/// Where the backend's replies go: a burst's replies to one peer, in order.
pub type Deliver<P> = Arc<dyn Fn(&P, Vec<CacheReply>) + Send + Sync>;

/// Told once an origin's CacheStorage is deleted: how many caches it had.
pub type Cleared = Box<dyn FnOnce(usize) + Send>;

/// Where origins' files live, and how big they may grow.
#[derive(Clone, Debug)]
pub struct BackendConfig {
    /// The profile directory; `None` keeps every origin in memory.
    pub profile: Option<PathBuf>,
    /// `cache_storage.max_bytes_per_origin`.
    pub max_bytes_per_origin: u64,
}

enum Input<P> {
    Message(P, CacheMsg),
    Gone(P),
    Clear(Cleared),
}

/// The backend's handle: the threads of the origins used so far.
pub struct Backend<P: Peer> {
    config: BackendConfig,
    deliver: Deliver<P>,
    origins: HashMap<String, Sender<Input<P>>>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl<P: Peer> Backend<P> {
    pub fn new(config: BackendConfig, deliver: Deliver<P>) -> Backend<P> {
        Backend {
            config,
            deliver,
            origins: HashMap::new(),
            threads: Vec::new(),
        }
    }

    /// Serves `message` of `peer`, whose origin (ASCII serialization) the
    /// engine knows. Never blocks.
    pub fn handle(&mut self, origin: &str, peer: P, message: CacheMsg) {
        if self
            .origin_thread(origin)
            .send(Input::Message(peer, message))
            .is_err()
        {
            log::error!(target: LOG_TARGET, "the CacheStorage thread of {origin} is gone");
        }
    }

    /// `peer` is gone: it holds no cache any more, and the deleted caches
    /// only it held are removed.
    pub fn peer_gone(&mut self, peer: &P) {
        for sender in self.origins.values() {
            let _ = sender.send(Input::Gone(peer.clone()));
        }
    }

    /// Deletes `origin`'s CacheStorage (Clear-Site-Data): once the messages
    /// sent before are answered, its file is closed and removed (with the
    /// damaged files moved aside), every handle to its caches stops working,
    /// and the next message starts an empty file; then `done` hears how
    /// many caches there were.
    pub fn clear_origin(&mut self, origin: &str, done: Cleared) {
        if let Err(error) = self.origin_thread(origin).send(Input::Clear(done)) {
            log::error!(target: LOG_TARGET, "the CacheStorage thread of {origin} is gone");
            if let Input::Clear(done) = error.into_inner() {
                done(0);
            }
        }
    }

    /// Ends every origin's thread once it has served what it was sent.
    pub fn shutdown(&mut self) {
        self.origins.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }

    fn origin_thread(&mut self, origin: &str) -> &Sender<Input<P>> {
        if !self.origins.contains_key(origin) {
            let (sender, receiver) = crossbeam_channel::unbounded();
            let thread = OriginThread {
                origin: origin.to_owned(),
                config: self.config.clone(),
                deliver: self.deliver.clone(),
                store: None,
                handles: Handles::default(),
                outbox: Vec::new(),
            };
            let spawned = thread::Builder::new()
                .name(format!("CacheStorage {origin}"))
                .spawn(move || thread.run(receiver));
            match spawned {
                Ok(handle) => self.threads.push(handle),
                Err(error) => {
                    log::error!(target: LOG_TARGET, "cannot start the CacheStorage thread of {origin}: {error}")
                }
            }
            self.origins.insert(origin.to_owned(), sender);
        }
        &self.origins[origin]
    }
}

impl<P: Peer> Drop for Backend<P> {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct OriginThread<P: Peer> {
    origin: String,
    config: BackendConfig,
    deliver: Deliver<P>,
    /// `None` until a message needs the file, and again after a clear.
    store: Option<OriginStore>,
    handles: Handles<P>,
    /// Replies not sent yet, by peer in the order of their first reply.
    outbox: Vec<(P, Vec<CacheReply>)>,
}

impl<P: Peer> OriginThread<P> {
    fn run(mut self, receiver: Receiver<Input<P>>) {
        while let Ok(first) = receiver.recv() {
            let mut input = Some(first);
            let mut served = 0;
            while let Some(next) = input.take() {
                match next {
                    Input::Message(peer, message) => {
                        let result = self.serve(&peer, message.op);
                        self.send(
                            peer,
                            CacheReply {
                                id: message.id,
                                result,
                            },
                        );
                    }
                    Input::Gone(peer) => self.gone(&peer),
                    Input::Clear(done) => {
                        // Replies to what came before go first.
                        self.flush();
                        done(self.clear());
                    }
                }
                served += 1;
                if served < MAX_BURST {
                    input = receiver.try_recv().ok();
                }
            }
            self.flush();
        }
    }

    fn send(&mut self, peer: P, reply: CacheReply) {
        match self.outbox.iter_mut().find(|(owner, _)| *owner == peer) {
            Some((_, replies)) => replies.push(reply),
            None => self.outbox.push((peer, vec![reply])),
        }
    }

    fn flush(&mut self) {
        for (peer, replies) in std::mem::take(&mut self.outbox) {
            (self.deliver)(&peer, replies);
        }
    }

    /// The origin's file, opened (or made) if it is not.
    fn store(&mut self) -> Result<&mut OriginStore, CacheError> {
        if self.store.is_none() {
            let mut store = match &self.config.profile {
                Some(profile) => layout::open_origin(profile, &self.origin)?.store,
                None => OriginStore::in_memory()?,
            };
            store.set_quota(self.config.max_bytes_per_origin)?;
            self.store = Some(store);
        }
        self.store.as_mut().ok_or_else(|| {
            CacheError::new(
                CacheErrorName::Unknown,
                "the origin's CacheStorage is closed",
            )
        })
    }

    /// The cache `handle` names for `peer`: a handle it was not given is a
    /// forged or stale message, answered with `NotFoundError`.
    fn resolve(&self, peer: &P, handle: CacheHandle) -> Result<CacheId, CacheError> {
        self.handles.resolve(peer, handle).ok_or_else(|| {
            log::warn!(
                target: LOG_TARGET,
                "{peer:?} of {} used cache handle {} it does not hold",
                self.origin,
                handle.0
            );
            CacheError::new(CacheErrorName::NotFound, "The cache is not open.")
        })
    }

    fn serve(&mut self, peer: &P, op: CacheStorageOp) -> Result<CacheAnswer, CacheError> {
        match op {
            CacheStorageOp::Open { name } => {
                let cache = self.store()?.open_cache(&name)?;
                Ok(CacheAnswer::Opened(self.handles.hold(peer, cache)))
            }
            CacheStorageOp::Has { name } => {
                Ok(CacheAnswer::Has(self.store()?.find_cache(&name)?.is_some()))
            }
            CacheStorageOp::Delete { name } => {
                let deleted = self.store()?.delete_cache(&name)?;
                if let Some(cache) = deleted {
                    if !self.handles.is_held(cache) {
                        self.purge(cache);
                    }
                }
                Ok(CacheAnswer::Deleted(deleted.is_some()))
            }
            CacheStorageOp::Keys => Ok(CacheAnswer::Names(self.store()?.cache_names()?)),
            CacheStorageOp::MatchAll {
                scope,
                request,
                options,
                only_first,
            } => {
                let caches = match scope {
                    MatchScope::Cache(handle) => vec![self.resolve(peer, handle)?],
                    MatchScope::Named(name) => {
                        self.store()?.find_cache(&name)?.into_iter().collect()
                    }
                    MatchScope::EveryCache => self.store()?.caches()?,
                };
                let store = self.store()?;
                let mut responses = Vec::new();
                for cache in caches {
                    responses.extend(store.match_all(
                        cache,
                        request.as_ref(),
                        &options,
                        only_first,
                    )?);
                    if only_first && !responses.is_empty() {
                        break;
                    }
                }
                Ok(CacheAnswer::Responses(responses))
            }
            CacheStorageOp::CacheKeys {
                cache,
                request,
                options,
            } => {
                let cache = self.resolve(peer, cache)?;
                Ok(CacheAnswer::Requests(self.store()?.keys(
                    cache,
                    request.as_ref(),
                    &options,
                )?))
            }
            CacheStorageOp::Batch { cache, ops } => {
                let cache = self.resolve(peer, cache)?;
                Ok(CacheAnswer::Batched(self.store()?.batch(cache, ops)?))
            }
            CacheStorageOp::Release { cache: handle } => {
                self.resolve(peer, handle)?;
                if let Some(cache) = self.handles.release(peer, handle) {
                    self.purge(cache);
                }
                Ok(CacheAnswer::Released)
            }
        }
    }

    /// Removes `cache` if it was deleted: no one holds it any more.
    fn purge(&mut self, cache: CacheId) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match store.purge_if_deleted(cache) {
            Ok(true) => {
                log::debug!(target: LOG_TARGET, "removed a deleted cache of {}", self.origin)
            }
            Ok(false) => {}
            // It stays marked deleted, and goes when the file is next opened.
            Err(error) => {
                log::warn!(target: LOG_TARGET, "cannot remove a deleted cache of {}: {error}", self.origin)
            }
        }
    }

    fn gone(&mut self, peer: &P) {
        for cache in self.handles.release_peer(peer) {
            self.purge(cache);
        }
    }

    /// Deletes the origin's CacheStorage; how many caches it had.
    fn clear(&mut self) -> usize {
        let count = self
            .store()
            .and_then(|store| store.cache_names())
            .map_or(0, |names| names.len());
        // Closing the connection before removing the file: nothing of it is
        // written afterwards.
        self.store = None;
        self.handles.clear();
        if let Some(profile) = &self.config.profile {
            if let Err(error) = layout::remove_origin(profile, &self.origin) {
                log::error!(target: LOG_TARGET, "cannot remove the CacheStorage of {}: {error}", self.origin);
            }
        }
        log::info!(target: LOG_TARGET, "cleared the CacheStorage of {}: {count} cache(s)", self.origin);
        count
    }
}
