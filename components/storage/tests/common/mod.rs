//! Rows the storage tests write.

use storage::{
    NewServiceWorkerRegistration, ServiceWorkerRegistrationId, ServiceWorkerState,
    SyncRegistrationInfo, SyncState, UpdateViaCache,
};

/// An activated registration of `scope`, with a one-line script.
pub fn new_registration(scope: &str) -> NewServiceWorkerRegistration {
    NewServiceWorkerRegistration {
        scope: scope.to_owned(),
        script_url: format!("{scope}sw.js"),
        origin: "https://example.test".to_owned(),
        state: ServiceWorkerState::Activated,
        script_source: b"self.onsync = e => {};".to_vec(),
        update_via_cache: UpdateViaCache::Imports,
        worker_type: storage::WorkerType::Classic,
    }
}

/// A new pending sync registration of `tag`.
pub fn sync(id: ServiceWorkerRegistrationId, tag: &str) -> SyncRegistrationInfo {
    SyncRegistrationInfo {
        registration: id,
        tag: tag.to_owned(),
        state: SyncState::Pending,
        num_attempts: 0,
        max_attempts: 3,
        delay_until_ms: None,
    }
}
