//! Sending to pages and workers without waiting on them.
//!
//! An ipc-channel send blocks once the receiver's socket buffer is full, that
//! is when the page or worker is busy and does not read. The constellation
//! must not wait on a page (ARCHITECTURE.md), and it would deadlock with one:
//! a worker sending two thousand `getTags()` in one task blocks on its own
//! full channel to the constellation, while the constellation blocks sending
//! it the answers. So every page and running worker gets a [`Postman`]: an
//! unbounded queue the constellation pushes to, and a thread of its own that
//! makes the blocking sends, in order. Only that thread waits on the page.
//!
//! The thread ends once every `Postman` of its channel is dropped and what
//! was queued is sent (then the page or worker sees its channel close), or
//! when the receiver is gone.

use std::fmt;
use std::io;

use crossbeam_channel::Sender;
use ipc_channel::ipc::IpcSender;
use serde::Serialize;

const LOG_TARGET: &str = "bgsync::engine::postman";

/// The constellation's end of a channel to one page or worker: sends never
/// block. Clones share the queue and the thread.
pub(crate) struct Postman<T> {
    queue: Sender<T>,
}

impl<T> Clone for Postman<T> {
    fn clone(&self) -> Self {
        Postman {
            queue: self.queue.clone(),
        }
    }
}

impl<T> fmt::Debug for Postman<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Postman({} queued)", self.queue.len())
    }
}

impl<T: Serialize + Send + 'static> Postman<T> {
    /// Starts the thread that sends to `sender`; `name` names it (and the
    /// recipient in logs).
    pub fn start(name: String, sender: IpcSender<T>) -> io::Result<Postman<T>> {
        let (queue, messages) = crossbeam_channel::unbounded::<T>();
        std::thread::Builder::new()
            .name("postman".to_owned())
            .spawn(move || {
                while let Some(message) = next(&messages) {
                    if let Err(error) = sender.send(message) {
                        log::debug!(target: LOG_TARGET, "cannot reach {name}: {error}");
                        return;
                    }
                }
            })?;
        Ok(Postman { queue })
    }

    /// Queues `message`; false if the recipient is gone (its channel
    /// closed), so nothing more will be sent to it.
    pub fn send(&self, message: T) -> bool {
        self.queue.send(message).is_ok()
    }
}

/// The next message to send; `None` once every `Postman` is gone. A message
/// that follows within [`base::ipc_waiter::SPIN`] is taken without sleeping:
/// a page awaiting one answer after another (`register()` in a loop) gets
/// each without the thread being woken up again.
fn next<T>(messages: &crossbeam_channel::Receiver<T>) -> Option<T> {
    let start = std::time::Instant::now();
    while start.elapsed() < base::ipc_waiter::SPIN {
        match messages.try_recv() {
            Ok(message) => return Some(message),
            Err(crossbeam_channel::TryRecvError::Disconnected) => return None,
            Err(crossbeam_channel::TryRecvError::Empty) => std::thread::yield_now(),
        }
    }
    messages.recv().ok()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ipc_channel::ipc;

    use super::*;

    #[test]
    fn sending_to_a_receiver_that_does_not_read_does_not_block() {
        let (sender, receiver) = ipc::channel::<Vec<u8>>().unwrap();
        let postman = Postman::start("a busy page".into(), sender).unwrap();
        // Far more than a socket buffer holds: a blocking send would stop at
        // the first few.
        for index in 0..64u8 {
            assert!(postman.send(vec![index; 64 * 1024]));
        }
        for index in 0..64u8 {
            let message = receiver.try_recv_timeout(Duration::from_secs(30)).unwrap();
            assert_eq!(message, vec![index; 64 * 1024], "in order");
        }
        drop(postman);
        assert!(
            receiver.recv().is_err(),
            "the channel closes with the last postman"
        );
    }

    #[test]
    fn a_gone_receiver_ends_the_thread_and_later_sends_say_so() {
        let (sender, receiver) = ipc::channel::<u32>().unwrap();
        let postman = Postman::start("a closed page".into(), sender).unwrap();
        drop(receiver);
        assert!(postman.send(1), "queued before the thread noticed");
        let gave_up = (0..500).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            !postman.send(2)
        });
        assert!(gave_up, "sends fail once the thread has ended");
    }
}
