//! Which global holds which cache: the handles of an origin's thread.
//!
//! A handle is a number this table hands out, never a row id a global
//! could guess: a global reaches a cache only through a handle it was
//! given by `caches.open()`, and a number is never reused while the thread
//! runs, so a stale handle (its cache purged, its origin cleared) names
//! nothing rather than another cache. All the globals holding one cache
//! hold the same number, so opening a name twice gives the same handle.
//!
//! The table decides when a deleted cache's entries may go: when no global
//! holds it any more (the spec's `Cache` object keeps its request-response
//! list; Chromium keeps a deleted cache until its last reference goes).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use cache_storage_traits::CacheHandle;

use crate::store::CacheId;

/// The handles of one origin's caches, by holder.
pub struct Handles<P> {
    next: u64,
    caches: HashMap<CacheHandle, CacheId>,
    by_cache: HashMap<CacheId, CacheHandle>,
    holders: HashMap<CacheHandle, HashSet<P>>,
}

impl<P: Clone + Eq + Hash> Default for Handles<P> {
    fn default() -> Handles<P> {
        Handles {
            next: 1,
            caches: HashMap::new(),
            by_cache: HashMap::new(),
            holders: HashMap::new(),
        }
    }
}

impl<P: Clone + Eq + Hash> Handles<P> {
    /// `peer` holds `cache` (again): its handle.
    pub fn hold(&mut self, peer: &P, cache: CacheId) -> CacheHandle {
        let handle = match self.by_cache.get(&cache) {
            Some(handle) => *handle,
            None => {
                let handle = CacheHandle(self.next);
                self.next += 1;
                self.caches.insert(handle, cache);
                self.by_cache.insert(cache, handle);
                handle
            }
        };
        self.holders.entry(handle).or_default().insert(peer.clone());
        handle
    }

    /// The cache `handle` names, if `peer` holds it.
    pub fn resolve(&self, peer: &P, handle: CacheHandle) -> Option<CacheId> {
        let held = self
            .holders
            .get(&handle)
            .is_some_and(|holders| holders.contains(peer));
        held.then(|| self.caches.get(&handle).copied()).flatten()
    }

    /// Whether any global holds `cache`.
    pub fn is_held(&self, cache: CacheId) -> bool {
        self.by_cache.contains_key(&cache)
    }

    /// `peer` holds `handle` no more: the cache, if `peer` held it and now
    /// no one does.
    pub fn release(&mut self, peer: &P, handle: CacheHandle) -> Option<CacheId> {
        let holders = self.holders.get_mut(&handle)?;
        if !holders.remove(peer) || !holders.is_empty() {
            return None;
        }
        self.holders.remove(&handle);
        let cache = self.caches.remove(&handle)?;
        self.by_cache.remove(&cache);
        Some(cache)
    }

    /// `peer` is gone: the caches no one holds now.
    pub fn release_peer(&mut self, peer: &P) -> Vec<CacheId> {
        let held: Vec<CacheHandle> = self
            .holders
            .iter()
            .filter(|(_, holders)| holders.contains(peer))
            .map(|(handle, _)| *handle)
            .collect();
        held.into_iter()
            .filter_map(|handle| self.release(peer, handle))
            .collect()
    }

    /// Every handle stops naming anything (the origin's data is gone); new
    /// handles keep counting from where these stopped.
    pub fn clear(&mut self) {
        self.caches.clear();
        self.by_cache.clear();
        self.holders.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_resolves_only_for_its_holders() {
        let mut handles = Handles::default();
        let handle = handles.hold(&"page", CacheId(7));
        assert_eq!(handles.resolve(&"page", handle), Some(CacheId(7)));
        assert_eq!(handles.resolve(&"worker", handle), None);
        assert_eq!(handles.resolve(&"page", CacheHandle(handle.0 + 1)), None);
        assert_eq!(handles.hold(&"worker", CacheId(7)), handle);
        assert_eq!(handles.resolve(&"worker", handle), Some(CacheId(7)));
    }

    #[test]
    fn a_cache_is_free_once_its_last_holder_releases_it() {
        let mut handles = Handles::default();
        let handle = handles.hold(&"page", CacheId(1));
        handles.hold(&"worker", CacheId(1));
        let other = handles.hold(&"worker", CacheId(2));
        assert_eq!(handles.release(&"page", handle), None);
        assert_eq!(handles.release(&"page", handle), None, "released twice");
        assert!(handles.is_held(CacheId(1)));
        let mut freed = handles.release_peer(&"worker");
        freed.sort_by_key(|cache| cache.0);
        assert_eq!(freed, [CacheId(1), CacheId(2)]);
        assert!(!handles.is_held(CacheId(1)));
        assert_eq!(handles.resolve(&"worker", other), None);
    }

    #[test]
    fn numbers_are_never_reused_even_after_a_clear() {
        let mut handles = Handles::default();
        let first = handles.hold(&"page", CacheId(1));
        handles.release(&"page", first);
        let second = handles.hold(&"page", CacheId(1));
        handles.clear();
        assert_eq!(handles.resolve(&"page", second), None);
        let third = handles.hold(&"page", CacheId(1));
        assert!(first.0 < second.0 && second.0 < third.0);
    }
}
