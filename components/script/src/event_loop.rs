//! A JS thread's event loop (https://html.spec.whatwg.org/#event-loops): task queues, the
//! global's timers, and a microtask checkpoint after every task.
//!
//! Two crossbeam queues feed it: local tasks (closures holding DOM objects, queued by this
//! thread) and remote tasks (`Send` closures posted by other threads: IPC routers, network
//! threads). Whoever will post a remote task later holds a [`PendingWork`] guard until it
//! has, so the loop knows to wait for it.
//!
//! **Idle** means: no queued task (local or remote), no pending timer, and no outstanding
//! [`PendingWork`]. The loop also stops at its deadline (the shell's `--timeout`) and when the
//! global is closed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use mozjs::context::JSContext;

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
}

/// Keeps the event loop from going idle while some other thread still owes it a task.
/// Drop it after posting that task (or when the work is abandoned).
pub struct PendingWork {
    pending: Arc<AtomicUsize>,
    sender: Sender<RemoteTask>,
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
        // Wake the loop so it re-checks whether it is idle.
        let _ = self.sender.send(Box::new(|_: &mut JSContext| {}));
    }
}

/// Longest single wait when nothing is scheduled but work is pending: the loop re-checks its
/// deadline this often.
const MAX_WAIT: Duration = Duration::from_millis(100);

impl EventLoop {
    pub fn new(loader: net::Loader) -> EventLoop {
        let (local_tx, local_rx) = crossbeam_channel::unbounded();
        let (remote_tx, remote_rx) = crossbeam_channel::unbounded();
        EventLoop {
            local_tx,
            local_rx,
            remote_tx,
            remote_rx,
            pending: Arc::new(AtomicUsize::new(0)),
            loader,
        }
    }

    pub fn queue_task(&self, task: Task) {
        // The receiver lives as long as self, so sending cannot fail.
        let _ = self.local_tx.send(task);
    }

    /// A guard for work another thread will finish by posting a task.
    pub fn expect_remote_task(&self) -> PendingWork {
        self.pending.fetch_add(1, Ordering::SeqCst);
        PendingWork {
            pending: self.pending.clone(),
            sender: self.remote_tx.clone(),
        }
    }

    /// A sender of remote tasks for a thread that posts unsolicited work (messages from
    /// the constellation): holding it does not keep the loop from going idle.
    pub fn remote_sender(&self) -> Sender<RemoteTask> {
        self.remote_tx.clone()
    }

    pub fn loader(&self) -> &net::Loader {
        &self.loader
    }

    fn next_task(&self) -> Option<Task> {
        if let Ok(task) = self.local_rx.try_recv() {
            return Some(task);
        }
        self.remote_rx.try_recv().ok().map(|t| t as Task)
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
            if next_timer.is_none() && !waiting_for_work {
                return RunOutcome::Idle;
            }
            // Sleep until the next timer, a remote task, or the deadline.
            let now = Instant::now();
            let mut wake = next_timer.unwrap_or(now + MAX_WAIT);
            if let Some(d) = deadline {
                wake = wake.min(d);
            }
            match self
                .remote_rx
                .recv_timeout(wake.saturating_duration_since(now))
            {
                Ok(task) => {
                    task(cx);
                    crate::script_runtime::microtask_checkpoint(cx, global);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {}
            }
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
