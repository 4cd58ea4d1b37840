//! Who may ask what: the checks [`BackgroundSync`] makes before a request
//! reaches the [`SyncService`](background_sync::SyncService), in the spec's
//! order for `register()`
//! (<https://wicg.github.io/background-sync/spec/#dom-syncmanager-register>):
//!
//! 1. the service-worker registration named in the request exists and
//!    belongs to the client's origin; one of another origin is treated
//!    exactly like an unknown one (`InvalidStateError`), so a page learns
//!    nothing about other origins, and the attempt is logged (target
//!    `bgsync::constellation`) as a forged or foreign id;
//! 2. the registration has an active worker (`InvalidStateError`);
//! 3. the service is enabled (`UnknownError`), then the tag fits
//!    (`InvalidAccessError`): `SyncService::check_register`;
//! 4. a top-level window client of the origin is connected
//!    (`InvalidAccessError`);
//! 5. the "background-sync" permission is not denied for the origin
//!    (`NotAllowedError`);
//!
//! then `SyncService::register`.
//!
//! The constellation is the authority on origins: a client's origin is the
//! one recorded when it connected, never one read from a message; the
//! registration id in a request is a claim checked against it.

use std::fmt;

use background_sync::Action;
use background_sync_traits::{GetTagsReply, RegisterReply, ServiceWorkerRegistrationId, SyncError};
use base::origin::Origin;
use script_traits::{ClientId, ServiceWorkerId};
use service_worker_registry::ServiceWorkerRegistry;

use super::permissions::BACKGROUND_SYNC_PERMISSION;
use super::BackgroundSync;

/// The target of the checks' logs, forged ids among them: the
/// constellation's judgement of its clients, under the name embedders
/// filter it by (`RUST_LOG=bgsync::constellation=warn`).
pub(super) const LOG_TARGET: &str = "bgsync::constellation";

/// Who sent a sync request: the one identity of a sync client, given by the
/// constellation's router from the channel the request came on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SyncClient {
    Page(ClientId),
    Worker(ServiceWorkerId),
}

impl fmt::Display for SyncClient {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncClient::Page(page) => write!(formatter, "page {page}"),
            SyncClient::Worker(worker) => write!(formatter, "{worker}"),
        }
    }
}

/// What is known of a connected client.
#[derive(Clone, Debug)]
pub(super) struct Client {
    pub origin: Origin,
    /// A top-level browsing context's window, as opposed to a worker.
    pub is_top_level_window: bool,
}

impl BackgroundSync {
    /// `register(tag)` for `client`, with every check in the spec's order
    /// (see the module docs). `Ok` once the registration is stored.
    pub(super) fn register(
        &mut self,
        client: &SyncClient,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        registry: &ServiceWorkerRegistry,
    ) -> RegisterReply {
        let origin = self.origin_of(client, "register")?.clone();
        // 1-2: the registration is the client's origin's, with an active
        // worker.
        active_registration(client, &origin, registration, registry, "register")?;
        // 3: disabled -> UnknownError; tag too long -> InvalidAccessError.
        self.service.check_register(tag)?;
        // 4: a top-level window of the origin.
        if !self.has_window_client(&origin) {
            log::debug!(
                target: LOG_TARGET,
                "{client}: register on {registration} rejected: no top-level window of {}",
                origin.ascii_serialization()
            );
            return Err(SyncError::InvalidAccess);
        }
        // 5: permission.
        if self.denied.is_denied(BACKGROUND_SYNC_PERMISSION, &origin) {
            log::debug!(
                target: LOG_TARGET,
                "{client}: register on {registration} rejected: permission denied to {}",
                origin.ascii_serialization()
            );
            return Err(SyncError::NotAllowed);
        }
        self.service.register(registration, tag)
    }

    /// The registering context resolved its promise. Ignored (and logged)
    /// when the registration is not the client's origin's.
    pub(super) fn confirm_registration(
        &mut self,
        client: &SyncClient,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        registry: &ServiceWorkerRegistry,
    ) -> Vec<Action> {
        let Ok(origin) = self.origin_of(client, "confirm") else {
            return Vec::new();
        };
        if own_registration(client, origin, registration, registry, "confirm").is_none() {
            return Vec::new();
        }
        self.service.confirm_registration(registration, tag)
    }

    /// `getTags()` for `client`: unknown or foreign registration, or no
    /// active worker -> `InvalidStateError`; disabled -> `UnknownError`.
    pub(super) fn get_tags(
        &self,
        client: &SyncClient,
        registration: ServiceWorkerRegistrationId,
        registry: &ServiceWorkerRegistry,
    ) -> GetTagsReply {
        let origin = self.origin_of(client, "getTags")?;
        active_registration(client, origin, registration, registry, "getTags")?;
        self.service.get_tags(registration)
    }

    fn origin_of(&self, client: &SyncClient, what: &str) -> Result<&Origin, SyncError> {
        self.client_origin(client).ok_or_else(|| {
            log::warn!(
                target: LOG_TARGET,
                "{what} from {client}, which is not connected: rejected"
            );
            SyncError::InvalidState
        })
    }

    fn has_window_client(&self, origin: &Origin) -> bool {
        self.clients
            .values()
            .any(|record| record.is_top_level_window && record.origin == *origin)
    }
}

/// Whether `registration` has an active worker, if it exists and is
/// `origin`'s. Another origin's is logged as a forged or foreign id and
/// treated as unknown (`None`).
fn own_registration(
    client: &SyncClient,
    origin: &Origin,
    registration: ServiceWorkerRegistrationId,
    registry: &ServiceWorkerRegistry,
    what: &str,
) -> Option<bool> {
    let Some(found) = registry.registration(registration) else {
        log::debug!(target: LOG_TARGET, "{what} from {client} names unknown {registration}");
        return None;
    };
    let found_origin = found.scope().origin();
    if found_origin != *origin {
        log::warn!(
            target: LOG_TARGET,
            "{what} from {client} ({}) names {registration} of {}: forged or foreign id, \
             treated as unknown",
            origin.ascii_serialization(),
            found_origin.ascii_serialization()
        );
        return None;
    }
    Some(found.active().is_some())
}

/// Checks 1 and 2 of the module docs.
fn active_registration(
    client: &SyncClient,
    origin: &Origin,
    registration: ServiceWorkerRegistrationId,
    registry: &ServiceWorkerRegistry,
    what: &str,
) -> Result<(), SyncError> {
    let has_active_worker = own_registration(client, origin, registration, registry, what)
        .ok_or(SyncError::InvalidState)?;
    if !has_active_worker {
        log::debug!(
            target: LOG_TARGET,
            "{what} from {client} on {registration}: no active worker"
        );
        return Err(SyncError::InvalidState);
    }
    Ok(())
}
