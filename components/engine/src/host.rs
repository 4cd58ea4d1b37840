//! The constellation's side of its clients and running workers: what a
//! worker's requests about clients need (`clients.matchAll()`,
//! `clients.claim()`, `client.postMessage()`), telling clients and workers
//! of registration changes, and whether a registration is in use (for the
//! registry's Try Activate).
//!
//! The registry is never busy: its jobs wait on actions, not on this
//! thread, so everything here reads the registry itself; there is no copy
//! of its registrations.

use base::id::ServiceWorkerRegistrationId;
use base::origin::{ascii_serialization, Origin};
use crossbeam_channel::Receiver;
use script_traits::{
    ClientId, ClientInfo, ClientType, RegistrationInfo, RegistrationUpdate, SerializedMessage,
    ServiceWorkerError, ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState, ToClientMsg,
    ToWorkerMsg,
};
use service_worker_registry::{RegistrationUsage, ServiceWorkerRegistry};

use crate::clients::{Clients, Controller};
use crate::routing::WorkerMessage;
use crate::sync::BackgroundSync;
use crate::workers::Workers;

const LOG_TARGET: &str = "bgsync::engine::host";

pub(crate) struct Host {
    pub clients: Clients,
    pub workers: Workers,
    /// The sync service and its bookkeeping.
    pub sync: BackgroundSync,
    worker_messages: Receiver<WorkerMessage>,
}

impl Host {
    pub fn new(
        workers: Workers,
        worker_messages: Receiver<WorkerMessage>,
        sync: BackgroundSync,
    ) -> Host {
        Host {
            clients: Clients::default(),
            workers,
            sync,
            worker_messages,
        }
    }

    /// Forgets a client (its page closed or its channel did).
    pub fn remove_client(&mut self, client: &ClientId) {
        self.clients.remove(client);
        self.sync.page_gone(client);
    }

    pub fn worker_messages(&self) -> &Receiver<WorkerMessage> {
        &self.worker_messages
    }

    /// `clients.matchAll()`: <https://w3c.github.io/ServiceWorker/#clients-matchall>
    pub fn match_all_clients(
        &self,
        worker: ServiceWorkerId,
        origin: &Origin,
        include_uncontrolled: bool,
        client_type: Option<ClientType>,
    ) -> Vec<ClientInfo> {
        self.clients
            .loaded_of_origin(origin)
            .filter(|client| {
                include_uncontrolled
                    || client
                        .controller
                        .is_some_and(|controller| controller.worker == worker)
            })
            .filter_map(|client| client.info())
            .filter(|info| client_type.is_none_or(|wanted| wanted == info.client_type))
            .collect()
    }

    /// `clients.claim()`: <https://w3c.github.io/ServiceWorker/#clients-claim>
    pub fn claim(
        &mut self,
        worker: ServiceWorkerId,
        registry: &ServiceWorkerRegistry,
    ) -> Result<(), ServiceWorkerError> {
        // Step 2: If the service worker is not an active worker, reject with
        // "InvalidStateError".
        let registration = registry
            .containing_registration(worker)
            .filter(|registration| registration.active().is_some_and(|a| a.id() == worker));
        let (Some(registration), Some(active)) = (
            registration,
            registration.and_then(|registration| registration.active()),
        ) else {
            log::debug!(target: LOG_TARGET, "{worker} cannot claim: it is not an active worker");
            return Err(ServiceWorkerError::InvalidState(
                "Only the active worker can claim clients.".to_owned(),
            ));
        };
        let active = active.info();
        // Step 3.1: for each client of the worker's origin whose URL matches
        // this registration, and whose active worker is not this one.
        let origin = registration.scope().origin();
        for client in self.clients.loaded_of_origin_mut(&origin) {
            let Some(url) = client.url.as_ref() else {
                continue;
            };
            let matched = registry.match_registration(url).map(|r| r.id());
            if matched != Some(registration.id())
                || client
                    .controller
                    .is_some_and(|controller| controller.worker == worker)
            {
                continue;
            }
            client.controller = Some(Controller {
                worker,
                registration: registration.id(),
            });
            log::debug!(target: LOG_TARGET, "{worker} claimed client {}", client.id);
            client.send(ToClientMsg::ControllerChanged {
                controller: Some(active.clone()),
            });
        }
        Ok(())
    }

    /// `client.postMessage()` from a worker: only to a loaded client of the
    /// worker's origin.
    pub fn post_message_to_client(
        &self,
        worker: ServiceWorkerId,
        origin: &Origin,
        client: &ClientId,
        message: SerializedMessage,
    ) {
        let Some(target) = self
            .clients
            .get(client)
            .filter(|target| target.origin == *origin && target.is_loaded())
        else {
            log::warn!(
                target: LOG_TARGET,
                "{worker} posted a message to client {client}, not one of its origin's; dropped"
            );
            return;
        };
        let Some(source) = self.workers.get(worker).map(|running| running.info.clone()) else {
            return;
        };
        target.send(ToClientMsg::Message {
            source,
            origin: ascii_serialization(origin),
            message,
        });
    }

    /// Tells the clients and running workers of `registration`'s origin that
    /// it changed.
    fn broadcast(&self, update: RegistrationUpdate) {
        let origin = update.registration.scope.origin();
        for client in self.clients.loaded_of_origin(&origin) {
            client.send(ToClientMsg::Registration(Box::new(update.clone())));
        }
        for worker in self.workers.running() {
            if worker.origin == origin {
                worker.send(ToWorkerMsg::Registration(Box::new(update.clone())));
            }
        }
    }

    /// A registration's new active worker takes over the clients its
    /// previous workers controlled.
    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>, steps 6-8.
    fn take_over_clients(&mut self, registration: &RegistrationInfo, worker: &ServiceWorkerInfo) {
        let origin = registration.scope.origin();
        for client in self.clients.loaded_of_origin_mut(&origin) {
            let Some(controller) = client.controller else {
                continue;
            };
            if controller.registration != registration.id || controller.worker == worker.id {
                continue;
            }
            client.controller = Some(Controller {
                worker: worker.id,
                registration: registration.id,
            });
            client.send(ToClientMsg::ControllerChanged {
                controller: Some(worker.clone()),
            });
        }
    }

    /// Registration `registration` was cleared at once: the clients it controlled have no
    /// controller any more (their requests go to the network) and hear so.
    pub fn release_clients(&mut self, registration: ServiceWorkerRegistrationId) {
        let controlled_by_it = |client: &&mut crate::clients::Client| {
            client
                .controller
                .is_some_and(|controller| controller.registration == registration)
        };
        for client in self.clients.all_mut().filter(controlled_by_it) {
            client.controller = None;
            log::debug!(target: LOG_TARGET, "client {} lost its controller", client.id);
            client.send(ToClientMsg::ControllerChanged { controller: None });
        }
    }

    /// Stops every worker (engine shutdown).
    pub fn shutdown(&mut self) {
        self.workers.shutdown();
    }
}

impl RegistrationUsage for Host {
    fn is_used_by_a_client(&self, registration: &RegistrationInfo) -> bool {
        self.clients.any(|client| {
            client
                .controller
                .is_some_and(|controller| controller.registration == registration.id)
        })
    }

    fn has_pending_events(&self, worker: ServiceWorkerId) -> bool {
        self.workers.has_events(worker)
    }
}

impl Host {
    /// The registration has a new installing worker: its clients and workers fire
    /// `updatefound` (the state itself was broadcast before, when it changed).
    pub fn update_found(&mut self, registration: &RegistrationInfo) {
        self.broadcast(RegistrationUpdate {
            registration: registration.clone(),
            changed_worker: None,
            update_found: true,
        });
    }

    /// A worker's state changed (already applied in `worker` and in
    /// `registration`): the clients and workers of its origin hear it, a
    /// running worker's own view follows, a new active worker takes over the
    /// clients, and a redundant worker stops.
    pub fn worker_state_changed(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
    ) {
        if let Some(running) = self.workers.get_mut(worker.id) {
            running.info = worker.clone();
        }
        self.broadcast(RegistrationUpdate {
            registration: registration.clone(),
            changed_worker: Some(worker.clone()),
            update_found: false,
        });
        match worker.state {
            ServiceWorkerState::Activating
                if registration.active.as_ref().map(|w| w.id) == Some(worker.id) =>
            {
                self.take_over_clients(registration, worker)
            }
            ServiceWorkerState::Redundant => self.workers.stop(worker.id, "it is redundant"),
            _ => {}
        }
    }
}
