//! Reading the ipc receivers of pages and workers on the constellation
//! thread, each message tagged with who sent it.
//!
//! The tag is the id the constellation gave the channel when it created it,
//! so a sender's identity is never read from a message. The [`Inbox`] holds
//! the receivers in an [`IpcWaiter`] the constellation thread reads itself
//! (no router thread in between, see `base::ipc_waiter`): each message it
//! reads is queued, tagged, on the constellation's crossbeam channel for
//! pages or for workers, where the loop takes it. When a channel closes
//! (the page or worker thread ended, or dropped its sender), the inbox
//! queues a message without contents that reports the sender as gone.
//!
//! The constellation's other inputs (the embedder's commands, the network
//! observer's reports) come from other threads on crossbeam channels; their
//! senders ring the inbox's [`Waker`] after queueing, so a constellation
//! asleep on its ipc channels wakes for them too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base::ipc_waiter::{IpcWaiter, Received, Waker};
use crossbeam_channel::Sender;
use ipc_channel::ipc::{IpcMessage, IpcReceiver};
use script_traits::{ClientId, ScriptMsg, ServiceWorkerId, WorkerMsg};

const LOG_TARGET: &str = "bgsync::engine::routing";

/// A message of a page, or its channel closing.
#[derive(Debug)]
pub(crate) struct ClientMessage {
    pub client: ClientId,
    /// `None`: the channel closed.
    pub message: Option<ScriptMsg>,
}

/// A message of a worker thread, or its channel closing.
#[derive(Debug)]
pub(crate) struct WorkerMessage {
    pub worker: ServiceWorkerId,
    /// Which run of the worker sent it: a worker stopped and started again
    /// is a new instance, and the old one's late messages are ignored.
    pub instance: u64,
    /// `None`: the channel closed.
    pub message: Option<WorkerMsg>,
}

/// The constellation's ipc receivers. Clones share them; only the
/// constellation thread reads them.
#[derive(Clone)]
pub(crate) struct Inbox {
    shared: Arc<Mutex<InboxState>>,
    waker: Waker,
}

struct InboxState {
    waiter: IpcWaiter,
    routes: HashMap<u64, Route>,
}

enum Route {
    Client {
        client: ClientId,
        sender: Sender<ClientMessage>,
    },
    Worker {
        worker: ServiceWorkerId,
        instance: u64,
        sender: Sender<WorkerMessage>,
    },
}

impl Inbox {
    pub fn new() -> std::io::Result<Inbox> {
        let waiter = IpcWaiter::new()?;
        let waker = waiter.waker();
        Ok(Inbox {
            shared: Arc::new(Mutex::new(InboxState {
                waiter,
                routes: HashMap::new(),
            })),
            waker,
        })
    }

    /// Rung by the threads that queue the constellation's other inputs.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Reads a page's messages from now on, into `sender`, tagged `client`.
    pub fn route_client(
        &self,
        receiver: IpcReceiver<ScriptMsg>,
        client: ClientId,
        sender: Sender<ClientMessage>,
    ) {
        self.add(receiver, Route::Client { client, sender });
    }

    /// Reads a worker thread's messages from now on, into `sender`.
    pub fn route_worker(
        &self,
        receiver: IpcReceiver<WorkerMsg>,
        worker: ServiceWorkerId,
        instance: u64,
        sender: Sender<WorkerMessage>,
    ) {
        self.add(
            receiver,
            Route::Worker {
                worker,
                instance,
                sender,
            },
        );
    }

    fn add<T>(&self, receiver: IpcReceiver<T>, route: Route)
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        let mut state = self.state();
        match state.waiter.add(receiver) {
            Ok(id) => {
                state.routes.insert(id, route);
            }
            // Out of file descriptors: the sender is as good as gone.
            Err(error) => {
                log::error!(target: LOG_TARGET, "cannot read the channel of {}: {error}", route.name());
                route.closed();
            }
        }
    }

    /// Waits until a message arrives (queued on its channel), `ready()`
    /// holds, the waker rings or `timeout` passes.
    pub fn wait(&self, timeout: Duration, ready: impl Fn() -> bool) {
        let mut state = self.state();
        let received = state.waiter.wait(Some(timeout), ready);
        state.deliver(received);
    }

    fn state(&self) -> MutexGuard<'_, InboxState> {
        // The state is a set of receivers and a map: whole after any panic.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl InboxState {
    fn deliver(&mut self, received: Vec<Received>) {
        for received in received {
            match received {
                Received::Message(id, message) => {
                    if let Some(route) = self.routes.get(&id) {
                        route.message(message);
                    }
                }
                Received::Closed(id) => {
                    if let Some(route) = self.routes.remove(&id) {
                        route.closed();
                    }
                }
            }
        }
    }
}

impl Route {
    fn name(&self) -> String {
        match self {
            Route::Client { client, .. } => format!("client {client}"),
            Route::Worker {
                worker, instance, ..
            } => format!("{worker} (instance {instance})"),
        }
    }

    fn message(&self, message: IpcMessage) {
        match self {
            Route::Client { client, sender } => match message.to::<ScriptMsg>() {
                Ok(message) => {
                    let _ = sender.send(ClientMessage {
                        client: client.clone(),
                        message: Some(message),
                    });
                }
                Err(error) => self.undecodable(&error),
            },
            Route::Worker {
                worker,
                instance,
                sender,
            } => match message.to::<WorkerMsg>() {
                Ok(message) => {
                    let _ = sender.send(WorkerMessage {
                        worker: *worker,
                        instance: *instance,
                        message: Some(message),
                    });
                }
                Err(error) => self.undecodable(&error),
            },
        }
    }

    /// A content process sent bytes that are no message of ours.
    fn undecodable(&self, error: &dyn std::fmt::Display) {
        log::warn!(target: LOG_TARGET, "dropping an undecodable message of {}: {error}", self.name());
    }

    fn closed(&self) {
        match self {
            Route::Client { client, sender } => {
                let _ = sender.send(ClientMessage {
                    client: client.clone(),
                    message: None,
                });
            }
            Route::Worker {
                worker,
                instance,
                sender,
            } => {
                let _ = sender.send(WorkerMessage {
                    worker: *worker,
                    instance: *instance,
                    message: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ipc_channel::ipc;

    use super::*;

    #[test]
    fn messages_are_tagged_and_closing_is_reported() {
        let inbox = Inbox::new().unwrap();
        let (to_constellation, receiver) = ipc::channel::<ScriptMsg>().unwrap();
        let (sender, messages) = crossbeam_channel::unbounded();
        inbox.route_client(receiver, ClientId("c1".to_owned()), sender);
        to_constellation.send(ScriptMsg::Closed).unwrap();
        let wait = || inbox.wait(Duration::from_secs(10), || !messages.is_empty());
        wait();
        let first = messages.try_recv().unwrap();
        assert_eq!(first.client, ClientId("c1".to_owned()));
        assert!(matches!(first.message, Some(ScriptMsg::Closed)));
        drop(to_constellation);
        wait();
        let gone = messages.try_recv().unwrap();
        assert_eq!(gone.client, ClientId("c1".to_owned()));
        assert!(gone.message.is_none());
    }
}
