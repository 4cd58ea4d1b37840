//! Serving the messages of worker threads in the constellation thread.
//!
//! Every request is answered now, from the constellation's own records and
//! the registry (which is never busy: see `registry_work`). A message of a
//! worker instance that was stopped since is ignored.

use script_traits::{ClientId, ScriptEvaluation, ServiceWorkerId, WorkerMsg};

use super::{Constellation, StoragePeer, LOG_TARGET};
use crate::events::EngineEvent;
use crate::routing::WorkerMessage;
use crate::sync::SyncClient;
use crate::workers::Blame;

impl Constellation {
    /// Serves a message of a worker thread.
    pub(super) fn handle_worker_message(&mut self, message: WorkerMessage) {
        let WorkerMessage {
            worker,
            instance,
            message,
        } = message;
        let Some(message) = message else {
            self.storage_peer_gone(StoragePeer::Worker(worker, instance));
            return self.host.workers.gone(worker, instance);
        };
        let Some(running) = self.host.workers.instance(worker, instance) else {
            log::debug!(target: LOG_TARGET, "ignoring a message of a stopped run of {worker}");
            return;
        };
        let origin = running.origin.clone();
        let replies = running.reply_channel();
        match message {
            WorkerMsg::Evaluated(evaluation) => {
                // Written when it changes, not at every start of the worker.
                if let ScriptEvaluation::Ok { handles_fetch, .. } = &evaluation {
                    if self.handles_fetch(worker) != Some(*handles_fetch) {
                        self.registry.store_handles_fetch(worker, *handles_fetch);
                    }
                }
                self.host.workers.evaluated(worker, evaluation)
            }
            WorkerMsg::EventDone { id, outcome } => {
                self.host.workers.event_done(worker, instance, id, outcome)
            }
            WorkerMsg::FetchAnswer { id, answer } => {
                self.host.workers.fetch_answer(worker, instance, id, answer)
            }
            WorkerMsg::SkipWaiting { id } => {
                // The promise does not wait for the activation.
                replies.responder(id).send(());
                if let Err(error) = self.registry.skip_waiting(worker, &self.host) {
                    log::debug!(target: LOG_TARGET, "skipWaiting() of {worker}: {error}");
                }
            }
            WorkerMsg::AddRoutes { rules, id } => {
                // What the worker's script reported when it ran (this run evaluated it).
                let handles_fetch = self.host.workers.handles_fetch(worker).unwrap_or(false);
                let reply = self.registry.add_routes(worker, &rules, handles_fetch);
                log::debug!(target: LOG_TARGET, "{worker} addRoutes(): {reply:?}");
                replies.responder(id).send(reply);
            }
            WorkerMsg::GetClient { client, id } => {
                let client = self
                    .host
                    .clients
                    .get(&ClientId(client))
                    .filter(|client| client.origin == origin)
                    .and_then(|client| client.info());
                replies.responder(id).send(client);
            }
            WorkerMsg::MatchAllClients {
                include_uncontrolled,
                client_type,
                id,
            } => {
                let clients =
                    self.host
                        .match_all_clients(worker, &origin, include_uncontrolled, client_type);
                replies.responder(id).send(clients);
            }
            WorkerMsg::NavigateClient { client, url, id } => {
                self.navigate_client(worker, &origin, client, url, replies.responder(id))
            }
            WorkerMsg::Claim { id } => replies
                .responder(id)
                .send(self.host.claim(worker, &self.registry)),
            WorkerMsg::PostMessageToClient { client, message } => self
                .host
                .post_message_to_client(worker, &origin, &client, message),
            WorkerMsg::PostMessageToWorker {
                worker: target,
                message,
            } => self.post_message_from_worker(worker, &origin, target, message),
            WorkerMsg::ServiceWorker(request) => {
                log::debug!(target: LOG_TARGET, "{worker} asks {request:?}");
                self.serve_service_worker_request(&origin, &replies, request)
            }
            WorkerMsg::IndexedDb(message) => {
                self.indexeddb_message(&origin, StoragePeer::Worker(worker, instance), message)
            }
            WorkerMsg::CacheStorage(message) => {
                self.cache_storage_message(&origin, StoragePeer::Worker(worker, instance), message)
            }
            WorkerMsg::UncaughtError { message } => self.worker_error(worker, message),
            WorkerMsg::OutOfMemory { during } => self.host.workers.stop_blaming(
                worker,
                "its JavaScript went over js.max_heap_bytes",
                during.map_or(Blame::Everyone, Blame::Event),
            ),
            WorkerMsg::Sync(request) => {
                self.host.sync.worker_asks(worker, origin);
                self.host.sync.handle_request(
                    SyncClient::Worker(worker),
                    &replies,
                    request,
                    &self.registry,
                )
            }
        }
    }

    /// An uncaught error the worker printed: the embedder hears it too.
    fn worker_error(&self, worker: ServiceWorkerId, message: String) {
        let Some(scope) = self
            .registry
            .containing_registration(worker)
            .map(|registration| registration.scope().clone())
        else {
            return;
        };
        log::debug!(target: LOG_TARGET, "{worker} of {scope}: {message}");
        if let Some(events) = &self.events {
            events(EngineEvent::WorkerError { scope, message });
        }
    }
}
