//! DedicatedWorkerGlobalScope
//! (https://html.spec.whatwg.org/multipage/workers.html#dedicated-workers-and-the-dedicatedworkerglobalscope-interface):
//! the global of a dedicated worker, on a thread of its own with its own runtime, in the
//! process of the global that made it (its owner; see `dom/worker.rs` for the owner's side).
//!
//! The two threads talk only through each other's event loops ([`RemotePoster`]): a message
//! is its structured-clone bytes in a task for the other loop. The owner does not go idle
//! while its worker has work: the worker holds [`PendingWork`] guards of the owner's loop
//! from its start (and from each message the owner sends it) until its own loop is next
//! idle. Console output and uncaught errors go to the owner the same way.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use mozjs::rooted;
use url::Url;

use crate::dom::bindings::interface::GlobalKind;
use crate::dom::errorevent::ErrorReport;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::{ConsoleLevel, ConsoleSink};
use crate::dom::messageevent::MessageEvent;
use crate::dom::postmessage::{deserialize_message, serialize_message};
use crate::dom::prelude::*;
use crate::dom::worker::Worker;
use crate::dom::workerglobalscope::{ScriptImporter, WorkerGlobalScope};
use crate::event_loop::{EventLoop, EventLoopSeed, PendingWork, RemotePoster, RunOutcome};
use crate::message_ports::FramedMessage;

const LOG_TARGET: &str = "bgsync::script::dedicated_worker";

/// How long an idle worker sleeps before it looks again whether it was terminated (a
/// termination also wakes it at once).
const IDLE_RECHECK: Duration = Duration::from_secs(1);

/// A worker's way back to its `Worker` object, on the owner's thread.
#[derive(Clone)]
pub struct OwnerLink {
    pub(crate) poster: RemotePoster,
    /// The `Worker` object's number among its global's dedicated workers.
    pub(crate) key: u64,
}

impl OwnerLink {
    /// Runs `task` on the owner's thread with the `Worker` object, if it still has this
    /// worker (not terminated, the owner not ended).
    pub(crate) fn to_worker_object(
        &self,
        task: impl FnOnce(&mut JSContext, &Worker) + Send + 'static,
    ) {
        let key = self.key;
        self.poster.post(Box::new(move |cx: &mut JSContext| {
            // SAFETY: event-loop tasks run in their global's realm.
            let owner = unsafe { crate::dom::globalscope::current_global(cx) };
            if let Some(worker) = owner.dedicated_workers().find(key) {
                task(cx, &worker);
            }
        }));
    }
}

/// Everything a dedicated worker's thread starts from (made by the `Worker` constructor).
pub(crate) struct DedicatedWorkerStart {
    pub(crate) url: Url,
    pub(crate) name: String,
    pub(crate) secure: bool,
    pub(crate) owner: OwnerLink,
    /// The owner stays busy until the worker's first idle moment.
    pub(crate) starting: PendingWork,
    pub(crate) seed: EventLoopSeed,
    pub(crate) loader: net::Loader,
    /// Its channels to the engine, as a client of type "worker" (`None`: unconnected).
    pub(crate) channels: Option<script_traits::ClientChannels>,
    /// How workers it starts connect.
    pub(crate) connector: Option<crate::page::ClientConnector>,
    /// `js.max_dedicated_workers`, for the workers it starts.
    pub(crate) max_dedicated_workers: u64,
    /// Its script is a module script (`type: "module"`).
    pub(crate) module: bool,
    /// Its owner's referrer policy, which a worker of a blob URL inherits.
    pub(crate) owner_referrer_policy: &'static str,
}

#[derive(Trace)]
#[repr(C)]
pub struct DedicatedWorkerGlobalScope {
    workerglobalscope: WorkerGlobalScope,
    #[no_trace]
    name: String,
    #[no_trace]
    owner: OwnerLink,
    /// Guards of the owner's loop, held while this worker has work (see the module docs).
    #[no_trace]
    busy: RefCell<Vec<PendingWork>>,
}

/// A worker's console: its lines are printed by its owner (and so by the page's console).
struct OwnerConsole(RemotePoster);

impl ConsoleSink for OwnerConsole {
    fn message(&self, level: ConsoleLevel, text: &str) {
        let text = text.to_owned();
        self.0.post(Box::new(move |cx: &mut JSContext| {
            // SAFETY: event-loop tasks run in their global's realm.
            let owner = unsafe { crate::dom::globalscope::current_global(cx) };
            owner.console().message(level, &text);
        }));
    }
}

impl DedicatedWorkerGlobalScope {
    fn create(
        cx: &mut JSContext,
        url: Url,
        name: String,
        secure: bool,
        owner: OwnerLink,
        event_loop: Rc<EventLoop>,
    ) -> DomRoot<DedicatedWorkerGlobalScope> {
        let kind = GlobalKind {
            names: &["Worker", "DedicatedWorker"],
            secure,
        };
        let console: Rc<dyn ConsoleSink> = Rc::new(OwnerConsole(owner.poster.clone()));
        let global = Box::new(DedicatedWorkerGlobalScope {
            workerglobalscope: WorkerGlobalScope::new_inherited(GlobalScope::new_inherited(
                kind, url, event_loop, console,
            )),
            name,
            owner,
            busy: RefCell::new(Vec::new()),
        });
        *global.workerglobalscope.importer().borrow_mut() = ScriptImporter::network();
        // SAFETY: a fresh global of DedicatedWorkerGlobalScope's class.
        unsafe {
            crate::dom::bindings::interface::create_global::<_, GlobalScope>(
                cx,
                &DedicatedWorkerGlobalScopeBinding::INFO,
                global,
            )
        }
    }

    pub fn global_scope(&self) -> &GlobalScope {
        self.workerglobalscope.global_scope()
    }

    /// A message of the owner (`worker.postMessage()`): a `message` event here, in this task;
    /// the owner stays busy until this worker is next idle.
    ///
    /// # Safety
    /// `cx` in this global's realm.
    pub(crate) unsafe fn receive(
        &self,
        cx: &mut JSContext,
        message: FramedMessage,
        busy: PendingWork,
    ) {
        self.busy.borrow_mut().push(busy);
        if self.global_scope().is_closed() || crate::script_runtime::termination_requested() {
            return;
        }
        dispatch_message(cx, self.upcast::<EventTarget>(), &message.into_bytes());
    }

    /// An uncaught error nobody here canceled: an `error` event at the `Worker` object, and
    /// if nobody cancels that either, an uncaught error of the owner
    /// (https://html.spec.whatwg.org/multipage/workers.html#runtime-script-errors-2).
    pub(crate) fn forward_error(&self, report: ErrorReport) {
        self.owner.to_worker_object(move |cx, worker| {
            // SAFETY: tasks run in the owner's realm.
            unsafe { worker.error_from_worker(cx, report) };
        });
    }
}

/// Fires the `message` event of `bytes` at `target` (`messageerror` if they cannot be read).
///
/// # Safety
/// `cx` in `target`'s realm.
pub(crate) unsafe fn dispatch_message(cx: &mut JSContext, target: &EventTarget, bytes: &[u8]) {
    rooted!(&in(cx) let mut data = mozjs::jsval::UndefinedValue());
    let Ok(ports) = deserialize_message(cx, bytes, data.handle_mut()) else {
        target.fire_event(cx, "messageerror");
        return;
    };
    let event = MessageEvent::new_port_message(cx, target.global(), data.handle(), ports);
    target.dispatch_event(cx, event.upcast::<Event>());
}

impl DedicatedWorkerGlobalScopeMethods for DedicatedWorkerGlobalScope {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }

    crate::post_message_overloads!();

    /// <https://html.spec.whatwg.org/multipage/workers.html#dom-dedicatedworkerglobalscope-close>:
    /// the current task ends the worker's loop; nothing queued runs.
    fn Close(&self, _cx: &mut JSContext) {
        self.global_scope().close();
    }
}

impl DedicatedWorkerGlobalScope {
    /// <https://html.spec.whatwg.org/multipage/workers.html#dom-dedicatedworkerglobalscope-postmessage> (both overloads)
    fn post_message(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        transfer: &[RootedObject],
    ) -> Fallible<()> {
        // SAFETY: bindings call in this global's realm; `message` is rooted by the caller.
        let message = FramedMessage::new(unsafe {
            serialize_message(cx, message, transfer, "DedicatedWorkerGlobalScope")?
        });
        self.owner.to_worker_object(move |cx, worker| {
            // SAFETY: tasks run in the owner's realm.
            unsafe { worker.message_from_worker(cx, message) };
        });
        Ok(())
    }
}

/// The body of a dedicated worker's thread: fetch and run the script, then serve tasks until
/// the worker closes itself or its owner terminates it.
pub(crate) fn run_dedicated_worker(cx: &mut JSContext, start: DedicatedWorkerStart) {
    let DedicatedWorkerStart {
        url,
        name,
        secure,
        owner,
        starting,
        seed,
        loader,
        channels,
        connector,
        max_dedicated_workers,
        module,
        owner_referrer_policy,
    } = start;
    let event_loop = Rc::new(EventLoop::from_seed(loader.clone(), seed));
    let is_blob = url.scheme() == "blob";
    // Its script (a classic one, or a module worker's top-level module) is a non-subresource
    // request: the service worker whose scope its URL is in answers it first (Handle Fetch),
    // whether or not its owner is controlled.
    let mut early = Vec::new();
    let from_worker = match &channels {
        Some(channels) if matches!(url.scheme(), "http" | "https") => {
            let request = crate::page::NavigationRequest {
                url: &url,
                destination: "worker",
                details: script_traits::RequestDetails::default(),
                post: None,
            };
            crate::page::navigation_fetch(channels, &request, None, &mut early)
        }
        _ => None,
    };
    let fetched = match from_worker {
        Some(Ok(resource)) => {
            crate::worker::worker_script(&url, resource, " from the service worker")
        }
        Some(Err(reason)) => Err(reason),
        None => crate::worker::fetch_script(&loader, &url),
    };
    let crate::worker::WorkerScript {
        url,
        source,
        referrer_policy,
    } = match fetched {
        Ok(script) => script,
        Err(reason) => {
            // https://html.spec.whatwg.org/multipage/workers.html#worker-processing-model:
            // a script that fails to fetch is an `error` event at the Worker object.
            let key = owner.key;
            starting.post(Box::new(move |cx: &mut JSContext| {
                // SAFETY: event-loop tasks run in their global's realm.
                let owner = unsafe { crate::dom::globalscope::current_global(cx) };
                if let Some(worker) = owner.dedicated_workers().find(key) {
                    owner.console().message(ConsoleLevel::Error, &reason);
                    // SAFETY: as above.
                    unsafe { worker.upcast::<EventTarget>().fire_event(cx, "error") };
                    owner.dedicated_workers().forget(key);
                }
            }));
            return;
        }
    };
    let global = DedicatedWorkerGlobalScope::create(
        cx,
        url.clone(),
        name,
        secure,
        owner.clone(),
        event_loop.clone(),
    );
    global.busy.borrow_mut().push(starting);
    // SAFETY: the raw context is only used to enter the realm.
    let _realm = mozjs::jsapi::JSAutoRealm::new(unsafe { cx.raw_cx() }, global.reflector().get());
    let scope = global.global_scope();
    // Its policy container: the response's, or for a blob URL its owner's.
    scope.set_referrer_policy(if is_blob {
        Some(owner_referrer_policy)
    } else {
        referrer_policy
    });
    scope.set_worker_connector(connector);
    scope.set_max_dedicated_workers(max_dedicated_workers);
    let client =
        channels.map(|channels| crate::page::connect_client(cx, scope, &url, channels, early));
    // SAFETY: in the worker's realm.
    unsafe {
        if module {
            // Its imports load on this loop, and the module runs in a task once they are in.
            global.upcast::<WorkerGlobalScope>().set_module();
            // A module of its graph that cannot be fetched is an `error` event at the Worker
            // object, as a main script that cannot be.
            let owner_link = owner.clone();
            let on_outcome: crate::modules::OnReady = Box::new(move |cx, ready| {
                let scope = crate::dom::globalscope::current_global(cx);
                scope
                    .event_loop()
                    .queue_task(Box::new(move |cx: &mut JSContext| {
                        // SAFETY: tasks run in the worker's realm.
                        let outcome = ready.run(cx);
                        if outcome == crate::modules::Outcome::FetchFailed {
                            owner_link.to_worker_object(|cx, worker| {
                                // SAFETY: tasks run in the owner's realm.
                                worker.upcast::<EventTarget>().fire_event(cx, "error");
                            });
                        }
                    }));
            });
            crate::modules::run_source(cx, scope, &source, url.clone(), 1, on_outcome);
        } else {
            crate::script_runtime::run_classic_script(cx, scope, &source, url.as_str(), 1);
        }
        loop {
            // Terminated by the owner (which also interrupts a running script): stop before
            // the next task, even if timers would keep the loop busy for ever.
            let outcome = event_loop.run_until(cx, scope, None, || {
                crate::script_runtime::termination_requested()
            });
            if outcome != RunOutcome::Idle {
                log::debug!(target: LOG_TARGET, "{url} ended: {outcome:?}");
                break;
            }
            // Idle: the owner need not wait for this worker any more.
            global.busy.borrow_mut().clear();
            if crate::script_runtime::termination_requested() {
                break;
            }
            event_loop.sleep_until_work(Instant::now() + IDLE_RECHECK);
            if crate::script_runtime::termination_requested() {
                break;
            }
        }
    }
    scope.end();
    if let Some(to_constellation) = client {
        let _ = to_constellation.send(script_traits::ScriptMsg::Closed);
    }
    // Told after the last message this worker sent: the owner forgets it.
    let key = owner.key;
    owner.poster.post(Box::new(move |cx: &mut JSContext| {
        // SAFETY: event-loop tasks run in their global's realm.
        let owner = unsafe { crate::dom::globalscope::current_global(cx) };
        owner.dedicated_workers().forget(key);
    }));
    global.busy.borrow_mut().clear();
    scope.clear_service_worker_objects();
    crate::modules::clear_thread();
    crate::fetch::forget_pending();
    crate::dom::bindings::trusted::clear();
}
