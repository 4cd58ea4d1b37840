//! Routing the ipc receivers of pages and workers into the constellation's
//! crossbeam channels, each message tagged with who sent it.
//!
//! The tag is the id the constellation gave the channel when it created it,
//! so a sender's identity is never read from a message. When a channel
//! closes (the page or worker thread ended, or dropped its sender), the
//! router drops the route's callback, and with it a guard that reports the
//! sender as gone.

use crossbeam_channel::Sender;
use ipc_channel::ipc::IpcReceiver;
use ipc_channel::router::ROUTER;
use script_traits::{ClientId, ScriptMsg, ServiceWorkerId, WorkerMsg};
use serde::de::DeserializeOwned;
use serde::Serialize;

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

pub(crate) fn route_client(
    receiver: IpcReceiver<ScriptMsg>,
    client: ClientId,
    sender: Sender<ClientMessage>,
) {
    let name = format!("client {client}");
    route(receiver, sender, name, move |message| ClientMessage {
        client: client.clone(),
        message,
    });
}

pub(crate) fn route_worker(
    receiver: IpcReceiver<WorkerMsg>,
    worker: ServiceWorkerId,
    instance: u64,
    sender: Sender<WorkerMessage>,
) {
    let name = format!("{worker} (instance {instance})");
    route(receiver, sender, name, move |message| WorkerMessage {
        worker,
        instance,
        message,
    });
}

/// Sends its message when dropped: the route's callback owns it, and the
/// router drops the callback when the channel closes.
struct OnClose<M> {
    sender: Sender<M>,
    message: Option<M>,
}

impl<M> Drop for OnClose<M> {
    fn drop(&mut self) {
        if let Some(message) = self.message.take() {
            let _ = self.sender.send(message);
        }
    }
}

fn route<T, M>(
    receiver: IpcReceiver<T>,
    sender: Sender<M>,
    name: String,
    tag: impl Fn(Option<T>) -> M + Send + 'static,
) where
    T: Serialize + DeserializeOwned + Send + 'static,
    M: Send + 'static,
{
    let on_close = OnClose {
        sender: sender.clone(),
        message: Some(tag(None)),
    };
    ROUTER.add_typed_route(
        receiver,
        Box::new(move |message| {
            let _ = &on_close;
            match message {
                Ok(message) => {
                    let _ = sender.send(tag(Some(message)));
                }
                // A content process sent bytes that are no message of ours.
                Err(error) => {
                    log::warn!(target: LOG_TARGET, "dropping an undecodable message of {name}: {error}")
                }
            }
        }),
    );
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ipc_channel::ipc;

    use super::*;

    #[test]
    fn messages_are_tagged_and_closing_is_reported() {
        let (to_constellation, receiver) = ipc::channel::<ScriptMsg>().unwrap();
        let (sender, messages) = crossbeam_channel::unbounded();
        route_client(receiver, ClientId("c1".to_owned()), sender);
        to_constellation.send(ScriptMsg::Closed).unwrap();
        let first = messages.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(first.client, ClientId("c1".to_owned()));
        assert!(matches!(first.message, Some(ScriptMsg::Closed)));
        drop(to_constellation);
        let gone = messages.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(gone.client, ClientId("c1".to_owned()));
        assert!(gone.message.is_none());
    }
}
