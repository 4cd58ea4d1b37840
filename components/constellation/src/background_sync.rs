//! The constellation's side of Background Sync: [`SyncHost`].
//!
//! Spec: <https://wicg.github.io/background-sync/spec/>.
//!
//! The host owns the profile's [`SyncService`] and answers the
//! [`SyncRequest`]s of pages and workers. It is where the checks that need
//! the constellation's knowledge happen, in the spec's order for
//! `register()`:
//!
//! 1. the service-worker registration named in the request exists and
//!    belongs to the client's origin; one of another origin is treated
//!    exactly like an unknown one (`InvalidStateError`), so a page learns
//!    nothing about other origins, and the attempt is logged (target
//!    `bgsync::constellation`) as a forged or foreign id;
//! 2. the registration has an active worker (`InvalidStateError`);
//! 3. the service is enabled (`UnknownError`), then the tag fits
//!    (`InvalidAccessError`): [`SyncService::check_register`];
//! 4. a top-level window client of the origin is connected
//!    (`InvalidAccessError`);
//! 5. the "background-sync" permission is not denied for the origin
//!    (`NotAllowedError`);
//!
//! then [`SyncService::register`].
//!
//! The constellation is the authority on origins: every client (a page, or
//! a worker) is connected with [`SyncHost::connect_client`], which records
//! its origin, and requests arrive as `(ClientId, SyncRequest)`, the
//! `ClientId` given by the router from the channel the message came on.
//! Nothing in a request is trusted: its registration id is a claim checked
//! against the recorded origin.
//!
//! Registrations are looked up through [`RegistrationLookup`]: the
//! [`ServiceWorkerRegistry`] itself, or a copy of its registrations (the
//! engine judges a worker's request with its copy while the registry is
//! busy waiting on that worker's lifecycle event).

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use ::background_sync::{Action, SyncService};
use background_sync_traits::{
    GetTagsReply, RegisterReply, ServiceWorkerRegistrationId, SyncError, SyncRequest,
};
use base::origin::Origin;
use script_traits::RegistrationInfo;
use url::Url;

use crate::service_worker::ServiceWorkerRegistry;

const LOG_TARGET: &str = "bgsync::constellation";

/// The permission `register()` needs.
pub const BACKGROUND_SYNC_PERMISSION: &str = "background-sync";

/// What the host needs to know of a service-worker registration to judge
/// a request naming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationFacts {
    /// The origin of its scope.
    pub origin: Origin,
    pub has_active_worker: bool,
}

/// Where the host looks registrations up: the registry itself, or a copy of
/// its registrations (the engine's, usable while the registry is busy
/// running a job whose worker sends sync requests).
pub trait RegistrationLookup {
    fn registration_facts(&self, id: ServiceWorkerRegistrationId) -> Option<RegistrationFacts>;
}

impl RegistrationLookup for ServiceWorkerRegistry {
    fn registration_facts(&self, id: ServiceWorkerRegistrationId) -> Option<RegistrationFacts> {
        self.registration(id).map(|registration| RegistrationFacts {
            origin: registration.scope().origin(),
            has_active_worker: registration.active().is_some(),
        })
    }
}

impl RegistrationLookup for BTreeMap<ServiceWorkerRegistrationId, RegistrationInfo> {
    fn registration_facts(&self, id: ServiceWorkerRegistrationId) -> Option<RegistrationFacts> {
        self.get(&id).map(|registration| RegistrationFacts {
            origin: registration.scope.origin(),
            has_active_worker: registration.active.is_some(),
        })
    }
}

/// A page or worker connected to the host. Given by
/// [`SyncHost::connect_client`]; never taken from a content process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u64);

impl fmt::Display for ClientId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "client-{}", self.0)
    }
}

/// What the host knows of a connected client.
#[derive(Clone, Debug)]
struct Client {
    origin: Origin,
    /// A top-level (or auxiliary) browsing context's window, as opposed to
    /// a nested frame or a worker.
    is_top_level_window: bool,
}

/// A `--deny-permission` argument that does not read as
/// `permission=origin`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DenyPermissionError {
    #[error("expected permission=origin, got {0:?}")]
    MissingEquals(String),
    #[error("{0:?} is not an origin with a scheme and a host")]
    BadOrigin(String),
}

/// Permissions the embedder denied, per origin (the shell's
/// `--deny-permission background-sync=https://example.test`).
#[derive(Clone, Debug, Default)]
pub struct DeniedPermissions {
    denied: HashSet<(String, Origin)>,
}

impl DeniedPermissions {
    pub fn new() -> DeniedPermissions {
        DeniedPermissions::default()
    }

    /// Denies `permission` to `origin`.
    pub fn deny(&mut self, permission: &str, origin: Origin) {
        self.denied.insert((permission.to_owned(), origin));
    }

    /// Denies what a `--deny-permission` argument names:
    /// `permission=origin`, the origin written as a URL (a path is ignored).
    pub fn deny_arg(&mut self, argument: &str) -> Result<(), DenyPermissionError> {
        let Some((permission, origin_text)) = argument.split_once('=') else {
            return Err(DenyPermissionError::MissingEquals(argument.to_owned()));
        };
        let origin = Url::parse(origin_text.trim())
            .map(|url| url.origin())
            .map_err(|_| DenyPermissionError::BadOrigin(origin_text.to_owned()))?;
        if !origin.is_tuple() {
            return Err(DenyPermissionError::BadOrigin(origin_text.to_owned()));
        }
        self.deny(permission.trim(), origin);
        Ok(())
    }

    pub fn is_denied(&self, permission: &str, origin: &Origin) -> bool {
        self.denied
            .contains(&(permission.to_owned(), origin.clone()))
    }
}

/// The constellation-side host of the sync service: clients and their
/// origins, permissions, and the service itself.
#[derive(Debug)]
pub struct SyncHost {
    service: SyncService,
    denied: DeniedPermissions,
    clients: BTreeMap<ClientId, Client>,
    next_client: u64,
}

impl SyncHost {
    pub fn new(service: SyncService, denied: DeniedPermissions) -> SyncHost {
        SyncHost {
            service,
            denied,
            clients: BTreeMap::new(),
            next_client: 1,
        }
    }

    /// The service, for what needs no origin check (network state,
    /// outcomes, wake-ups, devtools listings).
    pub fn service(&self) -> &SyncService {
        &self.service
    }

    pub fn service_mut(&mut self) -> &mut SyncService {
        &mut self.service
    }

    /// Records a new client of `origin`: a window (`is_top_level_window`
    /// for a top-level or auxiliary browsing context) or a worker or frame.
    /// The origin is the constellation's own knowledge of the pipeline.
    pub fn connect_client(&mut self, origin: Origin, is_top_level_window: bool) -> ClientId {
        let client = ClientId(self.next_client);
        self.next_client += 1;
        log::debug!(
            target: LOG_TARGET,
            "{client} connected: {}{}",
            origin.ascii_serialization(),
            if is_top_level_window {
                " (top-level window)"
            } else {
                ""
            }
        );
        self.clients.insert(
            client,
            Client {
                origin,
                is_top_level_window,
            },
        );
        client
    }

    /// Forgets a client (its page closed or its worker stopped). Returns
    /// whether it was connected.
    pub fn disconnect_client(&mut self, client: ClientId) -> bool {
        let known = self.clients.remove(&client).is_some();
        log::debug!(
            target: LOG_TARGET,
            "{client} disconnected{}",
            if known { "" } else { " (was not connected)" }
        );
        known
    }

    /// The origin recorded for `client`, if connected.
    pub fn client_origin(&self, client: ClientId) -> Option<&Origin> {
        self.clients.get(&client).map(|record| &record.origin)
    }

    /// Serves one request of `client`, answering on the request's reply
    /// sender, and returns what the constellation must then do (a
    /// confirmation can fire events).
    pub fn handle(
        &mut self,
        client: ClientId,
        request: SyncRequest,
        registry: &dyn RegistrationLookup,
    ) -> Vec<Action> {
        match request {
            SyncRequest::Register {
                registration,
                tag,
                reply,
            } => {
                let result = self.register(client, registration, &tag, registry);
                send_reply(client, "register", reply.send(result));
                Vec::new()
            }
            SyncRequest::ConfirmRegistration { registration, tag } => {
                self.confirm_registration(client, registration, &tag, registry)
            }
            SyncRequest::GetTags {
                registration,
                reply,
            } => {
                let result = self.get_tags(client, registration, registry);
                send_reply(client, "getTags", reply.send(result));
                Vec::new()
            }
        }
    }

    /// `register(tag)` for `client`, with every check in the spec's order
    /// (see the module docs). `Ok` once the registration is stored.
    pub fn register(
        &mut self,
        client: ClientId,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        registry: &dyn RegistrationLookup,
    ) -> RegisterReply {
        let origin = self.origin_of(client, "register")?.clone();
        // 1-2: the registration is the client's origin's, with an active
        // worker.
        self.active_registration(client, &origin, registration, registry, "register")?;
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
    pub fn confirm_registration(
        &mut self,
        client: ClientId,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        registry: &dyn RegistrationLookup,
    ) -> Vec<Action> {
        let Ok(origin) = self.origin_of(client, "confirm") else {
            return Vec::new();
        };
        if self
            .own_registration(client, origin, registration, registry, "confirm")
            .is_none()
        {
            return Vec::new();
        }
        self.service.confirm_registration(registration, tag)
    }

    /// `getTags()` for `client`: unknown or foreign registration, or no
    /// active worker -> `InvalidStateError`; disabled -> `UnknownError`.
    pub fn get_tags(
        &self,
        client: ClientId,
        registration: ServiceWorkerRegistrationId,
        registry: &dyn RegistrationLookup,
    ) -> GetTagsReply {
        let origin = self.origin_of(client, "getTags")?;
        self.active_registration(client, origin, registration, registry, "getTags")?;
        self.service.get_tags(registration)
    }

    fn origin_of(&self, client: ClientId, what: &str) -> Result<&Origin, SyncError> {
        self.client_origin(client).ok_or_else(|| {
            log::warn!(
                target: LOG_TARGET,
                "{what} from {client}, which is not connected: rejected"
            );
            SyncError::InvalidState
        })
    }

    /// The registration if it exists and is `origin`'s. Another origin's is
    /// logged as a forged or foreign id and treated as unknown.
    fn own_registration(
        &self,
        client: ClientId,
        origin: &Origin,
        registration: ServiceWorkerRegistrationId,
        registry: &dyn RegistrationLookup,
        what: &str,
    ) -> Option<RegistrationFacts> {
        let facts = registry.registration_facts(registration);
        let found = facts.clone().filter(|facts| facts.origin == *origin);
        if found.is_none() {
            if let Some(foreign) = facts {
                log::warn!(
                    target: LOG_TARGET,
                    "{what} from {client} ({}) names {registration} of {}: forged or foreign \
                     id, treated as unknown",
                    origin.ascii_serialization(),
                    foreign.origin.ascii_serialization()
                );
            } else {
                log::debug!(
                    target: LOG_TARGET,
                    "{what} from {client} names unknown {registration}"
                );
            }
        }
        found
    }

    /// Checks 1 and 2 of the module docs.
    fn active_registration(
        &self,
        client: ClientId,
        origin: &Origin,
        registration: ServiceWorkerRegistrationId,
        registry: &dyn RegistrationLookup,
        what: &str,
    ) -> Result<(), SyncError> {
        let found = self
            .own_registration(client, origin, registration, registry, what)
            .ok_or(SyncError::InvalidState)?;
        if !found.has_active_worker {
            log::debug!(
                target: LOG_TARGET,
                "{what} from {client} on {registration}: no active worker"
            );
            return Err(SyncError::InvalidState);
        }
        Ok(())
    }

    fn has_window_client(&self, origin: &Origin) -> bool {
        self.clients
            .values()
            .any(|record| record.is_top_level_window && record.origin == *origin)
    }
}

/// Answers a page; one that went away meanwhile is only logged.
fn send_reply<T>(client: ClientId, what: &str, sent: Result<(), T>)
where
    T: fmt::Display,
{
    if let Err(error) = sent {
        log::debug!(
            target: LOG_TARGET,
            "cannot answer {what} of {client} (it went away?): {error}"
        );
    }
}

#[cfg(test)]
#[path = "background_sync_tests.rs"]
mod tests;
