//! Answers to the requests of pages and workers.
//!
//! A request carries only a number ([`RequestId`]); its answer goes back on
//! the global's own channel from the constellation, as
//! [`ToClientMsg::Reply`] or [`ToWorkerMsg::Reply`]. A [`Responder`] is that
//! way back for one request: it answers once, and a responder dropped
//! unanswered (a job that ended without settling, a request refused) sends
//! "no answer", so the page's promise rejects instead of waiting forever.
//!
//! A page's answer is sent at once, after everything sent to the page
//! before it. A worker's answer joins the worker's outbox (see
//! `workers::RunningWorker::send`), so it too arrives after the broadcasts
//! queued before it, and never before the worker's script has run.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use script_traits::{
    Answer, ClientId, Reply, RequestId, ServiceWorkerId, ToClientMsg, ToWorkerMsg,
};

use crate::postman::Postman;

const LOG_TARGET: &str = "bgsync::constellation";

/// Messages queued for a running worker, in order (its outbox).
pub(crate) type WorkerOutbox = Arc<Mutex<Vec<ToWorkerMsg>>>;

/// Where the answers of one page or worker go.
#[derive(Clone)]
pub(crate) enum ReplyChannel {
    Client {
        client: ClientId,
        sender: Postman<ToClientMsg>,
    },
    Worker {
        worker: ServiceWorkerId,
        outbox: WorkerOutbox,
    },
}

impl ReplyChannel {
    /// The way back for the request numbered `id`.
    pub fn responder<T: Answer>(&self, id: RequestId<T>) -> Responder<T> {
        Responder {
            channel: Some(self.clone()),
            id: id.number(),
            answer: PhantomData,
        }
    }

    /// Answers request `number` with "no answer" (a request refused before
    /// it was read, such as one sent before the page's `DocumentLoaded`).
    pub fn refuse(&self, number: u64) {
        self.send(number, None);
    }

    fn send(&self, id: u64, answer: Option<Box<Reply>>) {
        match self {
            ReplyChannel::Client { client, sender } => {
                if !sender.send(ToClientMsg::Reply { id, answer }) {
                    log::debug!(
                        target: LOG_TARGET,
                        "cannot answer request {id} of client {client}: it went away"
                    );
                }
            }
            ReplyChannel::Worker { outbox, .. } => {
                let mut outbox = outbox
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                outbox.push(ToWorkerMsg::Reply { id, answer });
            }
        }
    }
}

impl fmt::Display for ReplyChannel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyChannel::Client { client, .. } => write!(formatter, "client {client}"),
            ReplyChannel::Worker { worker, .. } => write!(formatter, "{worker}"),
        }
    }
}

/// The answer owed to one request. Answer it with [`Responder::send`];
/// dropped unanswered, it tells the requester there will be no answer.
pub(crate) struct Responder<T: Answer> {
    channel: Option<ReplyChannel>,
    id: u64,
    answer: PhantomData<fn(T)>,
}

impl<T: Answer> Responder<T> {
    pub fn send(mut self, answer: T) {
        if let Some(channel) = self.channel.take() {
            channel.send(self.id, Some(Box::new(answer.into_reply())));
        }
    }
}

impl<T: Answer> Drop for Responder<T> {
    fn drop(&mut self) {
        if let Some(channel) = self.channel.take() {
            log::debug!(
                target: LOG_TARGET,
                "request {} of {channel} dropped unanswered",
                self.id
            );
            channel.send(self.id, None);
        }
    }
}

/// A page's end of a [`ReplyChannel`], for unit tests of what answers.
#[cfg(test)]
pub(crate) struct AnswerChannel {
    receiver: ipc_channel::ipc::IpcReceiver<ToClientMsg>,
}

#[cfg(test)]
impl AnswerChannel {
    pub fn new() -> (ReplyChannel, AnswerChannel) {
        let (sender, receiver) = ipc_channel::ipc::channel().unwrap();
        let channel = ReplyChannel::Client {
            client: ClientId("test-page".into()),
            sender: Postman::start("a test page".into(), sender).unwrap(),
        };
        (channel, AnswerChannel { receiver })
    }

    /// The answer to request `number`, which must be the next message.
    pub fn answer<T: Answer>(&self, number: u64) -> T {
        match self.receiver.recv().unwrap() {
            ToClientMsg::Reply {
                id,
                answer: Some(answer),
            } if id == number => T::from_reply(*answer).expect("an answer of the right kind"),
            other => panic!("expected the answer to request {number}, got {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use ipc_channel::ipc;

    use super::*;

    #[test]
    fn a_page_gets_its_answer_numbered_on_its_own_channel() {
        let (sender, receiver) = ipc::channel().unwrap();
        let channel = ReplyChannel::Client {
            client: ClientId("c1".into()),
            sender: Postman::start("c1".into(), sender).unwrap(),
        };
        channel
            .responder::<Vec<script_traits::ClientInfo>>(RequestId::new(0))
            .send(Vec::new());
        let tags: background_sync_traits::GetTagsReply = Ok(vec!["a".into()]);
        channel.responder(RequestId::new(41)).send(tags.clone());
        drop(channel.responder::<()>(RequestId::new(42)));
        let mut received = Vec::new();
        for _ in 0..3 {
            match receiver.recv().unwrap() {
                ToClientMsg::Reply { id, answer } => received.push((id, answer.map(|a| *a))),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            received,
            vec![
                (0, Some(Reply::Clients(Vec::new()))),
                (41, Some(Reply::SyncTags(tags))),
                (42, None),
            ]
        );
    }

    #[test]
    fn a_worker_answer_waits_in_its_outbox_after_what_was_queued_before() {
        let outbox = WorkerOutbox::default();
        outbox
            .lock()
            .unwrap()
            .push(ToWorkerMsg::NetworkChanged { online: true });
        let channel = ReplyChannel::Worker {
            worker: ServiceWorkerId(3),
            outbox: outbox.clone(),
        };
        channel.responder(RequestId::new(7)).send(());
        let queued = std::mem::take(&mut *outbox.lock().unwrap());
        assert!(matches!(
            queued.as_slice(),
            [
                ToWorkerMsg::NetworkChanged { online: true },
                ToWorkerMsg::Reply {
                    id: 7,
                    answer: Some(answer),
                }
            ] if **answer == Reply::SkippedWaiting(())
        ));
    }
}
