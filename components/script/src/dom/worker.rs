//! Worker (https://html.spec.whatwg.org/multipage/workers.html#dedicated-workers-and-the-worker-interface):
//! a dedicated worker as the global that made it (its owner) sees it, and [`DedicatedWorkers`],
//! the owner's record of the workers it runs. The worker's side is
//! `dom/dedicatedworkerglobalscope.rs`.
//!
//! `new Worker(url)` starts a thread at once; the script is fetched and run there, so the
//! owner never waits for it. The owner ends its workers when it ends (a page when its run
//! ends): they are interrupted and their threads joined.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, Ordering};

use mozjs::jsval::NullValue;
use mozjs::rooted;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::dedicatedworkerglobalscope::{
    dispatch_message, run_dedicated_worker, DedicatedWorkerGlobalScope, DedicatedWorkerStart,
    OwnerLink,
};
use crate::dom::errorevent::{ErrorEvent, ErrorReport};
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::ConsoleLevel;
use crate::dom::postmessage::serialize_message;
use crate::dom::prelude::*;
use crate::event_loop::{EventLoopSeed, RemotePoster};
use crate::message_ports::FramedMessage;
use crate::service_worker_thread::{spawn_script_thread, WorkerHandle};

/// The owner's hold on a running dedicated worker.
struct WorkerThread {
    handle: WorkerHandle,
    /// Posts to the worker's event loop.
    poster: RemotePoster,
}

impl WorkerThread {
    /// Stops the worker's script at once and wakes its loop, so that its thread ends.
    fn interrupt(&self) {
        self.handle.interrupt();
        self.poster.post(Box::new(|_: &mut JSContext| {}));
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct Worker {
    eventtarget: EventTarget,
    #[no_trace]
    key: u64,
    /// `None` once terminated, or once the worker ended.
    #[no_trace]
    thread: RefCell<Option<WorkerThread>>,
}

/// The dedicated workers a global runs, by number, and the threads of those that ended,
/// joined when the global ends.
#[derive(Trace, Default)]
pub struct DedicatedWorkers {
    running: RefCell<Vec<Dom<Worker>>>,
    #[no_trace]
    next_key: Cell<u64>,
    #[no_trace]
    ended: RefCell<Vec<WorkerHandle>>,
}

impl DedicatedWorkers {
    pub(crate) fn find(&self, key: u64) -> Option<DomRoot<Worker>> {
        self.running
            .borrow()
            .iter()
            .find(|worker| worker.key == key)
            .map(Dom::root)
    }

    /// The worker `key` has ended (terminated, closed itself, or its script never loaded):
    /// no more events for its object; its thread is joined with the others at the end.
    pub(crate) fn forget(&self, key: u64) {
        let worker = {
            let mut running = self.running.borrow_mut();
            let Some(index) = running.iter().position(|worker| worker.key == key) else {
                return;
            };
            running.remove(index).root()
        };
        let thread = worker.thread.borrow_mut().take();
        if let Some(thread) = thread {
            thread.interrupt();
            let mut ended = self.ended.borrow_mut();
            // Threads that are done need no joining later.
            ended.retain(|handle| !handle.is_finished());
            ended.push(thread.handle);
        }
    }

    /// Ends every worker (the global itself is ending) and waits for their threads.
    pub(crate) fn end_all(&self) {
        let keys: Vec<u64> = self.running.borrow().iter().map(|w| w.key).collect();
        for key in keys {
            self.forget(key);
        }
        for handle in self.ended.borrow_mut().drain(..) {
            handle.join();
        }
    }
}

/// How many dedicated worker threads run in this process.
static LIVE_WORKERS: AtomicU64 = AtomicU64::new(0);

/// One running dedicated worker's place under `js.max_dedicated_workers`, given back when
/// dropped (when its thread ends).
struct LiveWorker;

impl LiveWorker {
    fn take(max: u64) -> Option<LiveWorker> {
        LIVE_WORKERS
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |live| {
                (live < max).then_some(live + 1)
            })
            .ok()
            .map(|_| LiveWorker)
    }
}

impl Drop for LiveWorker {
    fn drop(&mut self) {
        LIVE_WORKERS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker {
    /// A Worker past `js.max_dedicated_workers`: no thread; an `error` event, as for a script
    /// that does not load.
    fn refused(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        key: u64,
        url: &url::Url,
    ) -> DomRoot<Worker> {
        let worker = WorkerBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(Worker {
                eventtarget: EventTarget::new_inherited(),
                key,
                thread: RefCell::new(None),
            }),
        );
        let reason = format!(
            "{url}: not started: {} dedicated workers already run (pref js.max_dedicated_workers)",
            global.max_dedicated_workers()
        );
        let target = worker.clone();
        global
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                target
                    .global()
                    .console()
                    .message(ConsoleLevel::Error, &reason);
                // SAFETY: tasks run in the owner's realm.
                unsafe { target.upcast::<EventTarget>().fire_event(cx, "error") };
            }));
        worker
    }

    /// Fires the `message` event of a message the worker posted.
    ///
    /// # Safety
    /// `cx` in the owner's realm.
    pub(crate) unsafe fn message_from_worker(&self, cx: &mut JSContext, message: FramedMessage) {
        dispatch_message(cx, self.upcast::<EventTarget>(), &message.into_bytes());
    }

    /// An uncaught error of the worker: an `error` ErrorEvent here, and an uncaught error of
    /// the owner if nobody cancels it.
    ///
    /// # Safety
    /// `cx` in the owner's realm.
    pub(crate) unsafe fn error_from_worker(&self, cx: &mut JSContext, report: ErrorReport) {
        // `error` is null: the error object stayed in the worker's thread, as in browsers.
        rooted!(&in(cx) let error = NullValue());
        let event = ErrorEvent::new_trusted(cx, self.global(), report.clone(), error.handle());
        let not_canceled = self
            .upcast::<EventTarget>()
            .dispatch_event(cx, event.upcast::<Event>());
        if not_canceled {
            crate::script_runtime::report_forwarded_error(cx, self.global(), report);
        }
    }
}

impl WorkerMethods for Worker {
    /// <https://html.spec.whatwg.org/multipage/workers.html#dom-worker>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        script_url: DOMString,
        options: &WorkerOptions,
    ) -> Fallible<DomRoot<Worker>> {
        let url = global.base_url().join(&script_url).map_err(|_| {
            Error::syntax(format!(
                "Failed to construct 'Worker': The URL '{script_url}' is invalid."
            ))
        })?;
        let owner_url = global.url().clone();
        // A blob URL made by a page from `file:` has the opaque origin "null", as its maker.
        let same_origin = url.scheme() == "data"
            || (url.scheme() == "file" && owner_url.scheme() == "file")
            || url.origin() == owner_url.origin()
            || (url.scheme() == "blob"
                && url.origin().ascii_serialization() == owner_url.origin().ascii_serialization());
        if !same_origin {
            return Err(Error::dom(
                DOMErrorName::SecurityError,
                format!(
                    "Failed to construct 'Worker': Script at '{url}' cannot be accessed from \
                     origin '{}'.",
                    owner_url.origin().ascii_serialization()
                ),
            ));
        }
        let workers = global.dedicated_workers();
        let key = workers.next_key.get() + 1;
        workers.next_key.set(key);
        // A process-wide cap on running workers: past it, the Worker gets an `error` event
        // instead of a thread (a page making workers without end cannot exhaust memory).
        let Some(slot) = LiveWorker::take(global.max_dedicated_workers()) else {
            return Ok(Worker::refused(cx, global, proto, key, &url));
        };
        // A connected page's worker is a client of the engine too (IndexedDB and the other
        // services need it); made here, so the worker thread connects before its script runs.
        let connector = global.worker_connector();
        let channels = connector.as_ref().and_then(|connect| {
            connect(
                &url,
                script_traits::ClientType::Worker,
                script_traits::FrameType::None,
            )
            .map_err(|reason| {
                log::warn!(target: "bgsync::script::dedicated_worker",
                        "{url} runs unconnected: {reason}")
            })
            .ok()
        });
        let seed = EventLoopSeed::new();
        let poster = seed.poster();
        let event_loop = global.event_loop();
        let start = DedicatedWorkerStart {
            url: url.clone(),
            name: options.name.clone(),
            secure: global.is_secure_context(),
            owner: OwnerLink {
                poster: event_loop.poster(),
                key,
            },
            starting: event_loop.expect_remote_task(),
            seed,
            loader: event_loop.loader().clone(),
            channels,
            connector,
            max_dedicated_workers: global.max_dedicated_workers(),
            module: options.type_ == WorkerType::Module,
            owner_referrer_policy: global.referrer_policy(),
        };
        let name = format!("worker {url}");
        let max_heap_bytes = crate::script_runtime::max_heap_bytes();
        let handle = spawn_script_thread(name, max_heap_bytes, move |cx| {
            // Held until the thread ends (also if it is interrupted before it starts).
            let _slot = slot;
            run_dedicated_worker(cx, start)
        })
        .map_err(|error| {
            Error::dom(
                DOMErrorName::UnknownError,
                format!("Failed to construct 'Worker': cannot start its thread: {error}"),
            )
        })?;
        let worker = WorkerBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(Worker {
                eventtarget: EventTarget::new_inherited(),
                key,
                thread: RefCell::new(Some(WorkerThread { handle, poster })),
            }),
        );
        workers.running.borrow_mut().push(Dom::from_ref(&*worker));
        Ok(worker)
    }

    /// <https://html.spec.whatwg.org/multipage/workers.html#dom-worker-terminate>
    fn Terminate(&self, _cx: &mut JSContext) {
        self.global().dedicated_workers().forget(self.key);
    }

    crate::post_message_overloads!();
}

impl Worker {
    /// <https://html.spec.whatwg.org/multipage/workers.html#dom-worker-postmessage-options> (both overloads)
    fn post_message(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        transfer: &[RootedObject],
    ) -> Fallible<()> {
        // SAFETY: bindings call in the owner's realm; `message` is rooted by the caller.
        let message =
            FramedMessage::new(unsafe { serialize_message(cx, message, transfer, "Worker")? });
        let thread = self.thread.borrow();
        let Some(thread) = thread.as_ref() else {
            // Terminated or ended: the message goes nowhere.
            return Ok(());
        };
        // The owner stays busy until the worker has handled it and is idle again.
        let busy = self.global().event_loop().expect_remote_task();
        thread.poster.post(Box::new(move |cx: &mut JSContext| {
            // SAFETY: event-loop tasks run in their global's realm.
            let scope = unsafe { crate::dom::globalscope::current_global(cx) };
            if let Some(global) = scope
                .upcast_event_target()
                .downcast::<DedicatedWorkerGlobalScope>()
            {
                // SAFETY: as above.
                unsafe { global.receive(cx, message, busy) };
            }
        }));
        Ok(())
    }
}
