//! A service worker's thread: its own SpiderMonkey runtime and
//! ServiceWorkerGlobalScope, driven by the constellation over
//! [`script_traits::WorkerChannels`].
//!
//! The embedder (the engine's worker host) calls [`spawn_service_worker`]
//! with the worker's stored script; the thread evaluates it, answers
//! [`WorkerMsg::Evaluated`], then fires each event the constellation sends
//! and answers [`WorkerMsg::EventDone`] when its `waitUntil` promises have
//! settled. It runs until [`ToWorkerMsg::Terminate`], until its channel
//! closes, or until [`WorkerHandle::interrupt`] stops whatever script runs.

use std::cell::OnceCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::thread::JoinHandle;

use base::prefs::Prefs;
use script_traits::{
    ImportedScript, RegistrationInfo, ServiceWorkerInfo, WorkerChannels, WorkerType,
};

use crate::page::ConsoleCallback;

/// Everything a worker thread starts from.
pub struct ServiceWorkerStart {
    /// The worker's registration as it is now.
    pub registration: RegistrationInfo,
    /// The worker itself (its id, script URL and state).
    pub worker: ServiceWorkerInfo,
    /// Whether the main script runs as a classic or as a module script.
    pub worker_type: WorkerType,
    /// The main script, byte for byte as fetched (or stored).
    pub script: Vec<u8>,
    /// The scripts stored with the worker: what `importScripts()` (or a module's `import`)
    /// gets without touching the network. Empty on a first run.
    pub imported_scripts: Vec<ImportedScript>,
    /// True when the worker runs for the first time (from a register or
    /// update job): `importScripts()` (or a module's static imports) may then fetch, and what
    /// it fetched is reported in [`script_traits::ScriptEvaluation::Ok`]. After that, only
    /// stored scripts can be imported (a NetworkError, or a module's fetch error, otherwise).
    pub first_run: bool,
    pub prefs: Prefs,
    /// The engine's HTTP cache (`None`: none), which `importScripts()` and the worker's
    /// `fetch()` use.
    pub http_cache: Option<net::HttpCache>,
    /// The network state when the worker starts (`navigator.onLine`).
    pub online: bool,
    /// Receives the worker's console messages.
    pub console: ConsoleCallback,
    pub channels: WorkerChannels,
}

/// The embedder's hold on a running worker thread.
pub struct WorkerHandle {
    thread: Option<JoinHandle<()>>,
    terminate: Arc<AtomicBool>,
    /// The thread's JS context, once it has made its runtime: what an interrupt is requested
    /// on. Read when first needed, so starting a worker never waits for its thread.
    context: OnceCell<mozjs::rust::ThreadSafeJSContext>,
    context_rx: Receiver<mozjs::rust::ThreadSafeJSContext>,
}

impl WorkerHandle {
    /// Stops the worker at once: a running script is interrupted (uncatchably),
    /// and the thread ends without running anything else. For a worker that
    /// hangs (an event past `serviceworker.max_event_duration_ms`).
    pub fn interrupt(&self) {
        self.terminate.store(true, Ordering::SeqCst);
        // A thread that has not made its context yet sees the flag before it runs anything.
        if self.context.get().is_none() {
            if let Ok(context) = self.context_rx.try_recv() {
                let _ = self.context.set(context);
            }
        }
        if let Some(context) = self.context.get() {
            context.request_interrupt_callback();
        }
    }

    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the thread to end.
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a worker thread. The first message on its channel is
/// [`script_traits::WorkerMsg::Evaluated`].
pub fn spawn_service_worker(start: ServiceWorkerStart) -> std::io::Result<WorkerHandle> {
    let name = format!("{}", start.worker.id);
    let max_heap_bytes = start.prefs.js_max_heap_bytes();
    spawn_script_thread(name, max_heap_bytes, move |cx| {
        crate::worker::run_worker_thread(cx, start)
    })
}

/// Starts a thread with its own SpiderMonkey runtime (bounded by `max_heap_bytes`) that runs
/// `body`, unless the handle interrupts it before its runtime exists.
pub(crate) fn spawn_script_thread(
    name: String,
    max_heap_bytes: u64,
    body: impl FnOnce(&mut mozjs::context::JSContext) + Send + 'static,
) -> std::io::Result<WorkerHandle> {
    let terminate = Arc::new(AtomicBool::new(false));
    let thread_terminate = terminate.clone();
    let (context_tx, context_rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(name)
        .stack_size(crate::page::SCRIPT_THREAD_STACK_BYTES)
        .spawn(move || {
            let mut runtime =
                crate::script_runtime::new_runtime(thread_terminate.clone(), max_heap_bytes);
            let _ = context_tx.send(runtime.thread_safe_js_context());
            // Interrupted before its context could be: nothing runs.
            if thread_terminate.load(Ordering::SeqCst) {
                return;
            }
            body(runtime.cx());
        })?;
    Ok(WorkerHandle {
        thread: Some(thread),
        terminate,
        context: OnceCell::new(),
        context_rx,
    })
}
