//! A JS thread's event loop (https://html.spec.whatwg.org/#event-loops): task queues, the
//! global's timers, and a microtask checkpoint after every task.
//!
//! Three sources feed it: local tasks (closures holding DOM objects, queued by this
//! thread), remote tasks (`Send` closures posted by other threads: fetch and script loads),
//! and the global's ipc receivers (messages of the constellation, answers to its requests),
//! which the loop reads itself through an [`IpcWaiter`] and turns into tasks: no router
//! thread stands between the constellation and the page. Whoever will post a remote task
//! later holds a [`PendingWork`] guard until it has, so the loop knows to wait for it; a
//! request waiting for its answer counts the same way.
//!
//! When it runs out of tasks and timers, the loop waits in [`IpcWaiter::wait`]: a short spin
//! (an answer a few microseconds away is taken without sleeping), then a sleep that a
//! message, a remote task (its poster rings the waiter's [`Waker`]) or the next timer ends.
//!
//! **Idle** means: no queued task (local or remote), no pending timer, no outstanding
//! [`PendingWork`] and no unanswered request. The loop also stops at its deadline (the
//! shell's `--timeout`) and when the global is closed.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base::ipc_waiter::{IpcWaiter, Received, Waker};
use crossbeam_channel::{Receiver, Sender};
use ipc_channel::ipc::{IpcMessage, IpcReceiver};
use mozjs::context::JSContext;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::dom::globalscope::GlobalScope;

/// A task queued by the event loop's own thread.
pub type Task = Box<dyn FnOnce(&mut JSContext)>;

/// A task posted from another thread.
pub type RemoteTask = Box<dyn FnOnce(&mut JSContext) + Send>;

/// Why `run_until_idle` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    Idle,
    TimedOut,
    /// `window.close()` was called.
    Closed,
    /// The runtime went over `js.max_heap_bytes` (`script_runtime::out_of_memory`).
    OutOfMemory,
    /// The condition given to `run_until` became true.
    Done,
}

pub struct EventLoop {
    local_tx: Sender<Task>,
    local_rx: Receiver<Task>,
    remote_tx: Sender<RemoteTask>,
    remote_rx: Receiver<RemoteTask>,
    pending: Arc<AtomicUsize>,
    loader: net::Loader,
    /// The global's ipc receivers; `None` if the waiter could not be made (no file
    /// descriptors left): the loop then only runs tasks and timers.
    ipc: RefCell<Option<IpcWaiter>>,
    waker: Option<Waker>,
    /// What each ipc receiver's messages become, by the waiter's id.
    routes: RefCell<HashMap<u64, IpcRoute>>,
    /// Tasks run since the ipc receivers were last polled.
    since_ipc_poll: Cell<u32>,
}

/// A message handler of a routed receiver: runs as a task of the loop.
type IpcHandler = Rc<dyn Fn(&mut JSContext, IpcMessage)>;

/// A routed receiver: every message runs `handle`, and `on_close` runs once the channel
/// closes; `keep_alive` is held until then.
struct IpcRoute {
    handle: IpcHandler,
    on_close: Task,
    _keep_alive: Option<PendingWork>,
}

/// After this many tasks in a row, the loop reads its ipc receivers even though tasks are
/// still queued, so a page that keeps queueing work does not starve its messages.
const IPC_POLL_EVERY: u32 = 32;

/// Keeps the event loop from going idle while some other thread still owes it a task.
/// Drop it after posting that task (or when the work is abandoned).
pub struct PendingWork {
    pending: Arc<AtomicUsize>,
    sender: Sender<RemoteTask>,
    waker: Option<Waker>,
}

impl PendingWork {
    /// Posts the task this guard was waiting for, and releases the guard.
    pub fn post(self, task: RemoteTask) {
        let _ = self.sender.send(task);
    }
}

impl Drop for PendingWork {
    fn drop(&mut self) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
        // Wake the loop so it runs the task, or re-checks whether it is idle.
        let _ = self.sender.send(Box::new(|_: &mut JSContext| {}));
        if let Some(waker) = &self.waker {
            waker.wake();
        }
    }
}

/// Posts tasks to an event loop from any thread, and takes [`PendingWork`] guards on it: what
/// another thread holds of a loop (a dedicated worker of its owner, an owner of its worker).
#[derive(Clone)]
pub struct RemotePoster {
    pending: Arc<AtomicUsize>,
    sender: Sender<RemoteTask>,
    waker: Option<Waker>,
}

impl RemotePoster {
    /// Queues `task` on the loop and wakes it. Dropped if the loop has ended.
    pub fn post(&self, task: RemoteTask) {
        let _ = self.sender.send(task);
        if let Some(waker) = &self.waker {
            waker.wake();
        }
    }

    /// A guard that keeps the loop from going idle until it is dropped.
    pub fn expect_remote_task(&self) -> PendingWork {
        self.pending.fetch_add(1, Ordering::SeqCst);
        PendingWork {
            pending: self.pending.clone(),
            sender: self.sender.clone(),
            waker: self.waker.clone(),
        }
    }
}

/// What an event loop is made from, made on one thread and moved to another before the loop
/// exists there: so the thread that starts a dedicated worker can post to the worker's loop
/// at once (its `postMessage()` calls before the worker thread has even started).
pub struct EventLoopSeed {
    remote_tx: Sender<RemoteTask>,
    remote_rx: Receiver<RemoteTask>,
    pending: Arc<AtomicUsize>,
    ipc: Option<IpcWaiter>,
}

impl EventLoopSeed {
    pub fn new() -> EventLoopSeed {
        let (remote_tx, remote_rx) = crossbeam_channel::unbounded();
        let ipc = match IpcWaiter::new() {
            Ok(waiter) => Some(waiter),
            Err(error) => {
                log::error!(target: LOG_TARGET, "cannot read ipc channels: {error}");
                None
            }
        };
        EventLoopSeed {
            remote_tx,
            remote_rx,
            pending: Arc::new(AtomicUsize::new(0)),
            ipc,
        }
    }

    /// A poster for the loop this seed becomes.
    pub fn poster(&self) -> RemotePoster {
        RemotePoster {
            pending: self.pending.clone(),
            sender: self.remote_tx.clone(),
            waker: self.ipc.as_ref().map(IpcWaiter::waker),
        }
    }
}

impl Default for EventLoopSeed {
    fn default() -> EventLoopSeed {
        EventLoopSeed::new()
    }
}

/// Longest single wait when nothing is scheduled but work is pending: the loop re-checks its
/// deadline this often.
const MAX_WAIT: Duration = Duration::from_millis(100);

const LOG_TARGET: &str = "bgsync::script::event_loop";

impl EventLoop {
    pub fn new(loader: net::Loader) -> EventLoop {
        EventLoop::from_seed(loader, EventLoopSeed::new())
    }

    /// The loop of `seed`, on the thread it will run on.
    pub fn from_seed(loader: net::Loader, seed: EventLoopSeed) -> EventLoop {
        let (local_tx, local_rx) = crossbeam_channel::unbounded();
        let EventLoopSeed {
            remote_tx,
            remote_rx,
            pending,
            ipc,
        } = seed;
        EventLoop {
            local_tx,
            local_rx,
            remote_tx,
            remote_rx,
            pending,
            loader,
            waker: ipc.as_ref().map(IpcWaiter::waker),
            ipc: RefCell::new(ipc),
            routes: RefCell::new(HashMap::new()),
            since_ipc_poll: Cell::new(0),
        }
    }

    pub fn queue_task(&self, task: Task) {
        // The receiver lives as long as self, so sending cannot fail.
        let _ = self.local_tx.send(task);
    }

    /// A poster of tasks to this loop, for other threads.
    pub fn poster(&self) -> RemotePoster {
        RemotePoster {
            pending: self.pending.clone(),
            sender: self.remote_tx.clone(),
            waker: self.waker.clone(),
        }
    }

    /// Sleeps until a task, an ipc message or `until` (a loop that went idle waiting for
    /// more: a dedicated worker between its owner's messages).
    pub fn sleep_until_work(&self, until: Instant) {
        if self.local_rx.is_empty() && self.remote_rx.is_empty() {
            self.wait(until);
        }
    }

    /// A guard for work another thread will finish by posting a task.
    pub fn expect_remote_task(&self) -> PendingWork {
        self.pending.fetch_add(1, Ordering::SeqCst);
        PendingWork {
            pending: self.pending.clone(),
            sender: self.remote_tx.clone(),
            waker: self.waker.clone(),
        }
    }

    /// Reads `receiver` on this loop: each message runs `handle` as a task, and `on_close`
    /// runs as a task once the channel closes. Unsolicited messages do not keep the loop
    /// from going idle; `keep_alive`, if given, is held until the channel closes. False if
    /// the receiver cannot be read (it is dropped).
    pub fn add_ipc_route<T>(
        &self,
        receiver: IpcReceiver<T>,
        handle: impl Fn(&mut JSContext, T) + 'static,
        on_close: Task,
        keep_alive: Option<PendingWork>,
    ) -> bool
    where
        T: Serialize + DeserializeOwned + 'static,
    {
        let handle: IpcHandler = Rc::new(move |cx, message: IpcMessage| match message.to::<T>() {
            Ok(message) => handle(cx, message),
            Err(error) => {
                log::warn!(target: LOG_TARGET, "dropping an unreadable ipc message: {error}")
            }
        });
        self.add_route(
            receiver,
            IpcRoute {
                handle,
                on_close,
                _keep_alive: keep_alive,
            },
        )
    }

    fn add_route<T>(&self, receiver: IpcReceiver<T>, route: IpcRoute) -> bool
    where
        T: Serialize + DeserializeOwned,
    {
        let mut ipc = self.ipc.borrow_mut();
        let Some(waiter) = ipc.as_mut() else {
            return false;
        };
        match waiter.add(receiver) {
            Ok(id) => {
                self.routes.borrow_mut().insert(id, route);
                true
            }
            Err(error) => {
                log::error!(target: LOG_TARGET, "cannot read an ipc channel: {error}");
                false
            }
        }
    }

    /// Turns what arrived on the ipc receivers into local tasks, in order.
    fn queue_received(&self, received: Vec<Received>) {
        for received in received {
            match received {
                Received::Message(id, message) => {
                    let handle = self
                        .routes
                        .borrow()
                        .get(&id)
                        .map(|route| route.handle.clone());
                    if let Some(handle) = handle {
                        self.queue_task(Box::new(move |cx| handle(cx, message)));
                    }
                }
                Received::Closed(id) => {
                    // Bind first: a stream's keep-alive guard must drop with the borrow over.
                    let route = self.routes.borrow_mut().remove(&id);
                    if let Some(route) = route {
                        self.queue_task(route.on_close);
                    }
                }
            }
        }
    }

    fn poll_ipc(&self) {
        self.since_ipc_poll.set(0);
        let received = match self.ipc.borrow_mut().as_mut() {
            Some(waiter) => waiter.poll(),
            None => return,
        };
        self.queue_received(received);
    }

    /// Sleeps until `wake`, an ipc message, or a remote task.
    ///
    /// Polls a while first ([`base::ipc_waiter::SPIN`]) only while the loop awaits something
    /// (an answer, a remote task): that is when a message is microseconds away. An idle loop
    /// (a worker between events) sleeps at once, so it does not take a core from the threads
    /// that are working: on 2 cores, a worker spinning after each `sync` event made a page's
    /// `register()` loop slower the more often it did.
    fn wait(&self, wake: Instant) {
        let timeout = wake.saturating_duration_since(Instant::now());
        let spin = if self.pending.load(Ordering::SeqCst) > 0 {
            base::ipc_waiter::SPIN
        } else {
            Duration::ZERO
        };
        let received = match self.ipc.borrow_mut().as_mut() {
            Some(waiter) => waiter.wait_spinning(spin, Some(timeout), || {
                !self.remote_rx.is_empty() || !self.local_rx.is_empty()
            }),
            None => {
                if let Ok(task) = self.remote_rx.recv_timeout(timeout) {
                    let _ = self.local_tx.send(task);
                }
                return;
            }
        };
        self.queue_received(received);
    }

    pub fn loader(&self) -> &net::Loader {
        &self.loader
    }

    fn next_task(&self) -> Option<Task> {
        let count = self.since_ipc_poll.get() + 1;
        self.since_ipc_poll.set(count);
        if count >= IPC_POLL_EVERY {
            self.poll_ipc();
        }
        if let Ok(task) = self.local_rx.try_recv() {
            return Some(task);
        }
        if let Ok(task) = self.remote_rx.try_recv() {
            return Some(task);
        }
        self.poll_ipc();
        self.local_rx.try_recv().ok()
    }

    /// Runs tasks and timers until the loop is idle, the deadline passes, or the global is
    /// closed.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn run_until_idle(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
        deadline: Option<Instant>,
    ) -> RunOutcome {
        self.run_until(cx, global, deadline, || false)
    }

    /// Runs tasks and timers until `done()` holds (checked before each task), the loop is
    /// idle, the deadline passes, or the global is closed.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn run_until(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
        deadline: Option<Instant>,
        done: impl Fn() -> bool,
    ) -> RunOutcome {
        loop {
            if done() {
                return RunOutcome::Done;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return RunOutcome::TimedOut;
            }
            if global.is_closed() {
                return RunOutcome::Closed;
            }
            if crate::script_runtime::out_of_memory() {
                return RunOutcome::OutOfMemory;
            }
            if let Some(task) = self.next_task() {
                task(cx);
                crate::script_runtime::microtask_checkpoint(cx, global);
                continue;
            }
            if global.timers().run_due(cx, global) {
                crate::script_runtime::microtask_checkpoint(cx, global);
                continue;
            }
            let next_timer = global.timers().next_deadline();
            let waiting_for_work = self.pending.load(Ordering::SeqCst) > 0;
            if !global.timers().keeps_alive() && !waiting_for_work {
                return RunOutcome::Idle;
            }
            crate::dom::idbfactory::flush_messages(global);
            // Sleep until the next timer, a message, a remote task, or the deadline.
            let now = Instant::now();
            let mut wake = next_timer.unwrap_or(now + MAX_WAIT);
            if let Some(d) = deadline {
                wake = wake.min(d);
            }
            self.wait(wake);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_work_counts_until_dropped_or_posted() {
        let event_loop = EventLoop::new(net::Loader::default());
        let a = event_loop.expect_remote_task();
        let b = event_loop.expect_remote_task();
        assert_eq!(event_loop.pending.load(Ordering::SeqCst), 2);
        std::thread::spawn(move || a.post(Box::new(|_| {})))
            .join()
            .unwrap();
        assert_eq!(event_loop.pending.load(Ordering::SeqCst), 1);
        drop(b);
        assert_eq!(event_loop.pending.load(Ordering::SeqCst), 0);
        // The posted task and the two wake-ups are queued.
        assert_eq!(event_loop.remote_rx.len(), 3);
    }
}
