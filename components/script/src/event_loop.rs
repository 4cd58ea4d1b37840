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
//!
//! **Several globals, one loop.** A page's same-thread frames are globals of their own on
//! the page's loop: each has an [`EventLoop`] made by [`EventLoop::nested`], a view of the
//! one thread's queues, receivers and pending count with a realm tag of its own. Everything
//! queued or posted through a global's `EventLoop` (tasks, remote tasks, ipc routes) carries
//! its tag, and runs in that global's realm: the loop enters the realm of the global bound to
//! the tag ([`EventLoop::bind_global`]) before the task, and drops the tasks of a global
//! unbound since ([`EventLoop::unbind_global`]). Every bound global's timers run too.

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

use crate::dom::bindings::conversions::RootedObject;
use crate::dom::globalscope::GlobalScope;

/// A task queued by the event loop's own thread.
pub type Task = Box<dyn FnOnce(&mut JSContext)>;

/// A task posted from another thread.
pub type RemoteTask = Box<dyn FnOnce(&mut JSContext) + Send>;

/// Which global of the loop a task is for (see the module's "Several globals, one loop").
type RealmTag = u32;

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

/// A global's view of its thread's loop: the shared [`LoopCore`] and the global's tag.
pub struct EventLoop {
    core: Rc<LoopCore>,
    realm: RealmTag,
}

/// The queues, receivers and globals of one thread's loop.
pub struct LoopCore {
    local_tx: Sender<(RealmTag, Task)>,
    local_rx: Receiver<(RealmTag, Task)>,
    remote_tx: Sender<(RealmTag, RemoteTask)>,
    remote_rx: Receiver<(RealmTag, RemoteTask)>,
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
    /// The global object of each bound tag, rooted while bound.
    globals: RefCell<HashMap<RealmTag, RootedObject>>,
    next_realm: Cell<RealmTag>,
}

/// A message handler of a routed receiver: runs as a task of the loop.
type IpcHandler = Rc<dyn Fn(&mut JSContext, IpcMessage)>;

/// A routed receiver: every message runs `handle`, and `on_close` runs once the channel
/// closes; `keep_alive` is held until then.
struct IpcRoute {
    realm: RealmTag,
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
    realm: RealmTag,
    sender: Sender<(RealmTag, RemoteTask)>,
    waker: Option<Waker>,
}

impl PendingWork {
    /// Posts the task this guard was waiting for, and releases the guard.
    pub fn post(self, task: RemoteTask) {
        let _ = self.sender.send((self.realm, task));
    }
}

impl Drop for PendingWork {
    fn drop(&mut self) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
        // Wake the loop so it runs the task, or re-checks whether it is idle.
        let _ = self
            .sender
            .send((self.realm, Box::new(|_: &mut JSContext| {})));
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
    realm: RealmTag,
    sender: Sender<(RealmTag, RemoteTask)>,
    waker: Option<Waker>,
}

impl RemotePoster {
    /// Queues `task` on the loop and wakes it. Dropped if the loop has ended.
    pub fn post(&self, task: RemoteTask) {
        let _ = self.sender.send((self.realm, task));
        if let Some(waker) = &self.waker {
            waker.wake();
        }
    }

    /// A guard that keeps the loop from going idle until it is dropped.
    pub fn expect_remote_task(&self) -> PendingWork {
        self.pending.fetch_add(1, Ordering::SeqCst);
        PendingWork {
            pending: self.pending.clone(),
            realm: self.realm,
            sender: self.sender.clone(),
            waker: self.waker.clone(),
        }
    }
}

/// What an event loop is made from, made on one thread and moved to another before the loop
/// exists there: so the thread that starts a dedicated worker can post to the worker's loop
/// at once (its `postMessage()` calls before the worker thread has even started).
pub struct EventLoopSeed {
    remote_tx: Sender<(RealmTag, RemoteTask)>,
    remote_rx: Receiver<(RealmTag, RemoteTask)>,
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
            realm: 0,
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
        let core = LoopCore {
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
            globals: RefCell::new(HashMap::new()),
            next_realm: Cell::new(1),
        };
        EventLoop {
            core: Rc::new(core),
            realm: 0,
        }
    }

    /// The view of this thread's loop for another global on it (a frame): its tasks run in
    /// its realm once [`EventLoop::bind_global`] names its global object.
    pub fn nested(&self) -> EventLoop {
        let realm = self.core.next_realm.get();
        self.core.next_realm.set(realm + 1);
        EventLoop {
            core: self.core.clone(),
            realm,
        }
    }

    /// Names the global object this view's tasks run in (rooted until unbound). Needed only
    /// for a loop with several globals: a task of the global that runs the loop runs in its
    /// realm anyway.
    pub fn bind_global(&self, global: *mut mozjs::jsapi::JSObject) {
        self.core
            .globals
            .borrow_mut()
            .insert(self.realm, RootedObject::new(global));
    }

    /// The global is gone (a frame removed, a page ended): its tasks, timers and messages still
    /// queued are dropped unrun, and its object is no longer rooted here.
    pub fn unbind_global(&self) {
        let root = self.core.globals.borrow_mut().remove(&self.realm);
        drop(root);
    }

    /// Whether a global other than `realm`'s is bound to the loop (a page with frames).
    fn has_other_globals(&self) -> bool {
        let globals = self.core.globals.borrow();
        globals.len() > usize::from(globals.contains_key(&self.realm))
    }

    /// The bound global objects other than this view's, by tag.
    fn other_globals(&self) -> Vec<*mut mozjs::jsapi::JSObject> {
        let globals = self.core.globals.borrow();
        let mut tags: Vec<RealmTag> = globals
            .keys()
            .copied()
            .filter(|tag| *tag != self.realm)
            .collect();
        tags.sort_unstable();
        tags.iter().map(|tag| globals[tag].get()).collect()
    }

    pub fn queue_task(&self, task: Task) {
        // The receiver lives as long as the core, so sending cannot fail.
        let _ = self.core.local_tx.send((self.realm, task));
    }

    /// A poster of tasks to this loop, for other threads.
    pub fn poster(&self) -> RemotePoster {
        RemotePoster {
            pending: self.core.pending.clone(),
            realm: self.realm,
            sender: self.core.remote_tx.clone(),
            waker: self.core.waker.clone(),
        }
    }

    /// Sleeps until a task, an ipc message or `until` (a loop that went idle waiting for
    /// more: a dedicated worker between its owner's messages).
    pub fn sleep_until_work(&self, until: Instant) {
        if self.core.local_rx.is_empty() && self.core.remote_rx.is_empty() {
            self.core.wait(until);
        }
    }

    /// A guard for work another thread will finish by posting a task.
    pub fn expect_remote_task(&self) -> PendingWork {
        self.poster().expect_remote_task()
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
        self.core.add_route(
            receiver,
            IpcRoute {
                realm: self.realm,
                handle,
                on_close,
                _keep_alive: keep_alive,
            },
        )
    }

    pub fn loader(&self) -> &net::Loader {
        &self.core.loader
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

    /// Runs `task` of `realm`: in `global`'s realm if it is this view's, in its own bound
    /// global's otherwise (not at all if that global is unbound), then a microtask
    /// checkpoint.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    unsafe fn run_task(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
        realm: RealmTag,
        task: Task,
    ) {
        if realm == self.realm {
            task(cx);
            crate::script_runtime::microtask_checkpoint(cx, global);
            return;
        }
        let object = self
            .core
            .globals
            .borrow()
            .get(&realm)
            .map(|root| root.get());
        let Some(object) = object else {
            log::debug!(target: LOG_TARGET, "dropping a task of a global that is gone");
            return;
        };
        let _realm = mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), object);
        let other = GlobalScope::from_object(object);
        task(cx);
        crate::script_runtime::microtask_checkpoint(cx, other);
    }

    /// Runs the due timers of every global of the loop; whether any ran.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    unsafe fn run_due_timers(&self, cx: &mut JSContext, global: &GlobalScope) -> bool {
        let mut ran = false;
        if global.timers().run_due(cx, global) {
            crate::script_runtime::microtask_checkpoint(cx, global);
            ran = true;
        }
        if !self.has_other_globals() {
            return ran;
        }
        for object in self.other_globals() {
            let _realm = mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), object);
            let other = GlobalScope::from_object(object);
            if other.timers().run_due(cx, other) {
                crate::script_runtime::microtask_checkpoint(cx, other);
                ran = true;
            }
        }
        ran
    }

    /// The globals whose timers and queued messages count: `global` and the other bound ones.
    fn every_global<'a>(&self, global: &'a GlobalScope) -> Vec<&'a GlobalScope> {
        let mut every = vec![global];
        if self.has_other_globals() {
            // SAFETY: bound objects are rooted global objects of this thread.
            every.extend(
                self.other_globals()
                    .into_iter()
                    .map(|object| unsafe { GlobalScope::from_object(object) }),
            );
        }
        every
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
            if let Some((realm, task)) = self.core.next_task() {
                self.run_task(cx, global, realm, task);
                continue;
            }
            if self.run_due_timers(cx, global) {
                continue;
            }
            let globals = self.every_global(global);
            let next_timer = globals
                .iter()
                .filter_map(|global| global.timers().next_deadline())
                .min();
            let waiting_for_work = self.core.pending.load(Ordering::SeqCst) > 0;
            let timers_alive = globals.iter().any(|global| global.timers().keeps_alive());
            if !timers_alive && !waiting_for_work {
                return RunOutcome::Idle;
            }
            for global in globals {
                crate::dom::idbfactory::flush_messages(global);
            }
            // Sleep until the next timer, a message, a remote task, or the deadline.
            let now = Instant::now();
            let mut wake = next_timer.unwrap_or(now + MAX_WAIT);
            if let Some(d) = deadline {
                wake = wake.min(d);
            }
            self.core.wait(wake);
        }
    }
}

impl LoopCore {
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
                    let route = self
                        .routes
                        .borrow()
                        .get(&id)
                        .map(|route| (route.realm, route.handle.clone()));
                    if let Some((realm, handle)) = route {
                        let task: Task = Box::new(move |cx| handle(cx, message));
                        let _ = self.local_tx.send((realm, task));
                    }
                }
                Received::Closed(id) => {
                    // Bind first: a stream's keep-alive guard must drop with the borrow over.
                    let route = self.routes.borrow_mut().remove(&id);
                    if let Some(route) = route {
                        let _ = self.local_tx.send((route.realm, route.on_close));
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
                if let Ok((realm, task)) = self.remote_rx.recv_timeout(timeout) {
                    let task: Task = task;
                    let _ = self.local_tx.send((realm, task));
                }
                return;
            }
        };
        self.queue_received(received);
    }

    fn next_task(&self) -> Option<(RealmTag, Task)> {
        let count = self.since_ipc_poll.get() + 1;
        self.since_ipc_poll.set(count);
        if count >= IPC_POLL_EVERY {
            self.poll_ipc();
        }
        if let Ok(task) = self.local_rx.try_recv() {
            return Some(task);
        }
        if let Ok((realm, task)) = self.remote_rx.try_recv() {
            let task: Task = task;
            return Some((realm, task));
        }
        self.poll_ipc();
        self.local_rx.try_recv().ok()
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
        assert_eq!(event_loop.core.pending.load(Ordering::SeqCst), 2);
        std::thread::spawn(move || a.post(Box::new(|_| {})))
            .join()
            .unwrap();
        assert_eq!(event_loop.core.pending.load(Ordering::SeqCst), 1);
        drop(b);
        assert_eq!(event_loop.core.pending.load(Ordering::SeqCst), 0);
        // The posted task and the two wake-ups are queued.
        assert_eq!(event_loop.core.remote_rx.len(), 3);
    }
}
