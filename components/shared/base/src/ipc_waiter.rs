//! How a thread that owns ipc receivers waits for them and for its other
//! work at once, without ipc-channel's router thread in between.
//!
//! ipc-channel's `ROUTER` reads every routed receiver on one thread and
//! hands each message to a callback, which forwards it to the thread that
//! wants it. That costs a hop and two thread wake-ups per message, which on
//! a small machine is most of a request's round trip (measured here: about
//! 120 µs routed both ways against about 7 µs direct). An [`IpcWaiter`]
//! instead lives on the consuming thread (a page's or worker's event loop,
//! the constellation) and reads its receivers there:
//!
//! - [`IpcWaiter::poll`] takes what has arrived, without blocking;
//! - [`IpcWaiter::wait`] first polls for a short while ([`SPIN`]: a reply
//!   that is a few microseconds away is taken without the thread ever going
//!   to sleep, the way crossbeam spins before parking), then sleeps in
//!   `epoll` until a message arrives, the timeout passes, or a [`Waker`]
//!   rings.
//!
//! The thread's other inputs (crossbeam queues filled by other threads)
//! cannot wake an `epoll` wait, so whoever fills them calls
//! [`Waker::wake`] afterwards. A wake rings the waiter's own ipc "doorbell"
//! channel only when the waiter is asleep, so a busy thread costs its
//! posters one atomic operation.

use std::io;
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ipc_channel::ipc::{
    self, IpcMessage, IpcReceiver, IpcReceiverSet, IpcSelectionResult, IpcSender,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// How long [`IpcWaiter::wait`] keeps polling before it sleeps. Long enough
/// to catch the answer to a request that needs no disk (tens of
/// microseconds), short enough that an idle thread burns next to nothing:
/// a thread spins once per time it runs out of work, then sleeps.
pub const SPIN: Duration = Duration::from_micros(200);

/// What arrived on one of the waiter's receivers.
#[derive(Debug)]
pub enum Received {
    /// A message on the receiver with this id (see [`IpcWaiter::add`]).
    Message(u64, IpcMessage),
    /// Every sender of the receiver with this id is gone; the receiver has
    /// left the set.
    Closed(u64),
}

/// The receivers a thread reads, and its doorbell.
pub struct IpcWaiter {
    set: IpcReceiverSet,
    doorbell: u64,
    waker: Waker,
}

/// Wakes an [`IpcWaiter`] from another thread. Cheap to clone.
#[derive(Clone)]
pub struct Waker {
    sleeping: Arc<AtomicBool>,
    bell: IpcSender<()>,
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Waker")
            .field("sleeping", &self.sleeping.load(Ordering::Relaxed))
            .finish()
    }
}

impl Waker {
    /// Call after queueing work for the waiter's thread: if it sleeps, it
    /// wakes up (and sees the work); if it is awake, it will see the work
    /// before it sleeps again.
    pub fn wake(&self) {
        // Pairs with the fence in `wait`: either the waiter sees the work
        // queued before this fence, or this sees the waiter asleep.
        fence(Ordering::SeqCst);
        if self.sleeping.swap(false, Ordering::SeqCst) {
            // A failure means the waiter is gone: nobody to wake.
            let _ = self.bell.send(());
        }
    }
}

impl IpcWaiter {
    pub fn new() -> io::Result<IpcWaiter> {
        let mut set = IpcReceiverSet::new()?;
        let (bell, doorbell_receiver) = ipc::channel::<()>()?;
        let doorbell = set.add(doorbell_receiver)?;
        Ok(IpcWaiter {
            set,
            doorbell,
            waker: Waker {
                sleeping: Arc::new(AtomicBool::new(false)),
                bell,
            },
        })
    }

    /// A waker for threads that queue work for this one.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Reads `receiver` from now on; its messages and its closing come back
    /// with the returned id.
    pub fn add<T>(&mut self, receiver: IpcReceiver<T>) -> io::Result<u64>
    where
        T: Serialize + DeserializeOwned,
    {
        self.set.add(receiver)
    }

    /// What has arrived, without blocking.
    pub fn poll(&mut self) -> Vec<Received> {
        match self.set.try_select() {
            Ok(results) => self.received(results),
            Err(_) => Vec::new(),
        }
    }

    /// Waits until something arrives on a receiver, `ready()` holds (the
    /// thread has other work), a [`Waker`] rings, or `timeout` passes
    /// (`None`: no limit). Returns what arrived, possibly nothing.
    pub fn wait(&mut self, timeout: Option<Duration>, ready: impl Fn() -> bool) -> Vec<Received> {
        self.wait_spinning(SPIN, timeout, ready)
    }

    /// [`IpcWaiter::wait`], polling for `spin` (zero: not at all) before it
    /// sleeps. A thread that expects nothing soon should not spin: on a
    /// small machine the spinning takes a core from a thread that works.
    pub fn wait_spinning(
        &mut self,
        spin: Duration,
        timeout: Option<Duration>,
        ready: impl Fn() -> bool,
    ) -> Vec<Received> {
        let start = Instant::now();
        let deadline = timeout.map(|timeout| start + timeout);
        loop {
            let received = self.poll();
            if !received.is_empty() || ready() {
                return received;
            }
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                return Vec::new();
            }
            if now.duration_since(start) >= spin {
                break;
            }
            thread::yield_now();
        }
        self.waker.sleeping.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if ready() {
            self.waker.sleeping.store(false, Ordering::SeqCst);
            return Vec::new();
        }
        let results = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.set.try_select_timeout(left).ok()
            }
            None => self.set.select().ok(),
        };
        self.waker.sleeping.store(false, Ordering::SeqCst);
        results
            .map(|results| self.received(results))
            .unwrap_or_default()
    }

    fn received(&self, results: Vec<IpcSelectionResult>) -> Vec<Received> {
        results
            .into_iter()
            .filter_map(|result| match result {
                IpcSelectionResult::MessageReceived(id, _) if id == self.doorbell => None,
                IpcSelectionResult::MessageReceived(id, message) => {
                    Some(Received::Message(id, message))
                }
                IpcSelectionResult::ChannelClosed(id) => Some(Received::Closed(id)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_closing_come_back_with_their_receiver_id() {
        let mut waiter = IpcWaiter::new().unwrap();
        let (sender, receiver) = ipc::channel::<String>().unwrap();
        let id = waiter.add(receiver).unwrap();
        assert!(waiter.poll().is_empty());
        sender.send("hello".to_owned()).unwrap();
        let received = waiter.wait(Some(Duration::from_secs(10)), || false);
        let [Received::Message(from, message)] = <[Received; 1]>::try_from(received).unwrap()
        else {
            panic!("expected one message");
        };
        assert_eq!(from, id);
        assert_eq!(message.to::<String>().unwrap(), "hello");
        drop(sender);
        let received = waiter.wait(Some(Duration::from_secs(10)), || false);
        assert!(matches!(received.as_slice(), [Received::Closed(closed)] if *closed == id));
    }

    #[test]
    fn a_waker_ends_a_sleep_and_its_ring_is_not_a_message() {
        let mut waiter = IpcWaiter::new().unwrap();
        let waker = waiter.waker();
        let (queue, work) = std::sync::mpsc::channel::<u32>();
        let poster = thread::spawn(move || {
            // Long enough that the waiter is past its spin and asleep.
            thread::sleep(Duration::from_millis(50));
            queue.send(7).unwrap();
            waker.wake();
        });
        let started = Instant::now();
        let pending = std::cell::Cell::new(None);
        while pending.get().is_none() {
            let received = waiter.wait(Some(Duration::from_secs(10)), || {
                pending.set(pending.get().or(work.try_recv().ok()));
                pending.get().is_some()
            });
            assert!(received.is_empty());
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the wake was lost"
            );
        }
        assert_eq!(pending.get(), Some(7));
        poster.join().unwrap();
        // The ring, if it was sent, is swallowed.
        assert!(waiter.poll().is_empty());
    }

    #[test]
    fn wait_returns_empty_at_its_timeout() {
        let mut waiter = IpcWaiter::new().unwrap();
        let started = Instant::now();
        assert!(waiter
            .wait(Some(Duration::from_millis(20)), || false)
            .is_empty());
        assert!(started.elapsed() >= Duration::from_millis(20));
    }
}
