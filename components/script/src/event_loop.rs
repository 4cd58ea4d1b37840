//! A JS thread's event loop (https://html.spec.whatwg.org/#event-loops): a task queue, the
//! global's timers, and a microtask checkpoint after every task.
//!
//! "Idle" means: no queued task and no pending timer. (Loads run synchronously inside the
//! task that starts them, so no load can be outstanding while the loop is idle.) The loop
//! also stops at its deadline, the `--timeout` of the shell.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Instant;

use mozjs::context::JSContext;

use crate::dom::globalscope::GlobalScope;

pub type Task = Box<dyn FnOnce(&mut JSContext)>;

/// Why `run_until_idle` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    Idle,
    TimedOut,
    /// `window.close()` was called.
    Closed,
}

pub struct EventLoop {
    tasks: RefCell<VecDeque<Task>>,
    loader: net::Loader,
}

impl EventLoop {
    pub fn new(loader: net::Loader) -> EventLoop {
        EventLoop {
            tasks: RefCell::new(VecDeque::new()),
            loader,
        }
    }

    pub fn queue_task(&self, task: Task) {
        self.tasks.borrow_mut().push_back(task);
    }

    pub fn loader(&self) -> &net::Loader {
        &self.loader
    }

    fn pop_task(&self) -> Option<Task> {
        self.tasks.borrow_mut().pop_front()
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
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return RunOutcome::TimedOut;
            }
            if global.is_closed() {
                return RunOutcome::Closed;
            }
            if let Some(task) = self.pop_task() {
                task(cx);
                crate::script_runtime::microtask_checkpoint(cx, global);
                continue;
            }
            if global.timers().run_due(cx, global) {
                crate::script_runtime::microtask_checkpoint(cx, global);
                continue;
            }
            match global.timers().next_deadline() {
                Some(next) => {
                    let wake = deadline.map_or(next, |d| d.min(next));
                    let now = Instant::now();
                    if wake > now {
                        std::thread::sleep(wake - now);
                    }
                }
                None => return RunOutcome::Idle,
            }
        }
    }
}
