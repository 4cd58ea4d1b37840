//! What runs on a service worker's thread: evaluating its script, firing the events the
//! constellation sends (`run_worker_thread`), and the older one-shot runners used by tests
//! (`run_service_worker`, `run_sync_attempt`).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use base::prefs::Prefs;
use url::Url;

use background_sync_traits::{SyncEventFailure, SyncEventOutcome};

use crate::constellation_link::{route_to_event_loop, ConstellationLink};
use crate::dom::bindings::reflector::{Castable, DomObject};
use crate::dom::bindings::root::DomRoot;
use crate::dom::client::Client;
use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::extendablemessageevent::ExtendableMessageEvent;
use crate::dom::fetchevent::FetchEvent;
use crate::dom::globalscope::ConsoleSink;
use crate::dom::globalscope::GlobalScope;
use crate::dom::installevent::InstallEvent;
use crate::dom::messageport::MessagePort;
use crate::dom::postmessage::deserialize_message;
use crate::dom::request::Request;
use crate::dom::serviceworkerglobalscope::ServiceWorkerGlobalScope;
use crate::dom::syncevent::SyncEvent;
use crate::dom::workerglobalscope::ScriptImporter;
use crate::event_loop::{EventLoop, RunOutcome};
use crate::page::{run_on_script_thread, CallbackSink, ConsoleCallback, PageOutcome};
use crate::service_worker_thread::ServiceWorkerStart;
use mozjs::context::JSContext;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use mozjs::rust::MutableHandleValue;
use script_traits::{
    ScriptEvaluation, SerializedMessage, ToWorkerMsg, WorkerEvent, WorkerEventId,
    WorkerEventOutcome, WorkerMsg, WorkerType,
};

pub struct WorkerOptions {
    /// The worker script's URL (its global's URL).
    pub url: Url,
    pub timeout: Option<Duration>,
    pub prefs: Prefs,
    pub console: ConsoleCallback,
}

/// Loads and runs a service worker script, returning how its event loop ended. A script that
/// cannot be fetched, is not served as JavaScript (over http), or does not parse is a
/// `LoadFailed`; an exception thrown at the top level is reported and the loop still runs
/// (the registration job decides what it means).
pub fn run_service_worker(options: WorkerOptions) -> PageOutcome {
    let max_heap_bytes = options.prefs.js_max_heap_bytes();
    run_on_script_thread(options.timeout, max_heap_bytes, move |cx, deadline| {
        run_here(cx, options, deadline)
    })
}

/// A worker's script as fetched: its final URL, its source, and the referrer policy its
/// response's `Referrer-Policy` header names (a blob URL's has none).
pub(crate) struct WorkerScript {
    pub url: Url,
    pub source: String,
    pub referrer_policy: Option<&'static str>,
}

/// Fetches a worker's script: a blob URL from the process's table, anything else with the
/// loader (an HTTP error, or an http(s) script whose MIME type is not JavaScript, fails).
pub(crate) fn fetch_script(loader: &net::Loader, url: &Url) -> Result<WorkerScript, String> {
    if url.scheme() == "blob" {
        let entry = crate::blob_urls::resolve(url)
            .ok_or_else(|| format!("{url}: no such blob URL (revoked, or never made)"))?;
        return Ok(WorkerScript {
            url: url.clone(),
            source: String::from_utf8_lossy(&entry.bytes).into_owned(),
            referrer_policy: None,
        });
    }
    // A worker's script is of its creator's origin: that origin's cache entries.
    let resource = loader
        .load_with(url, &net::RequestOptions::partitioned(&url.origin()))
        .map_err(|e| format!("{url}: {e}"))?;
    worker_script(url, resource, "")
}

/// The script of `resource`, the response to a worker's script request for `url` (`from` says
/// who answered, for the error): an HTTP error, or an http(s) script whose MIME type is not
/// JavaScript, fails.
pub(crate) fn worker_script(
    url: &Url,
    resource: net::Resource,
    from: &str,
) -> Result<WorkerScript, String> {
    if resource.status >= 400 {
        return Err(format!(
            "{url}: HTTP {} {}{from}",
            resource.status, resource.status_text
        ));
    }
    let is_http = matches!(url.scheme(), "http" | "https");
    let mime = resource.content_type.clone().unwrap_or_default();
    if is_http && !base::mime::is_javascript_mime_type(&mime) {
        return Err(format!(
            "{url}: the script has an unsupported MIME type ('{mime}'){from}"
        ));
    }
    Ok(WorkerScript {
        referrer_policy: resource
            .header("referrer-policy")
            .and_then(base::referrer::parse_header),
        source: String::from_utf8_lossy(&resource.body).into_owned(),
        url: resource.url,
    })
}

/// Fires a trusted `sync` event at the worker and waits (running its event loop) until the
/// event's outcome is known (https://wicg.github.io/background-sync/spec/#fire-a-sync-event):
/// success when every `waitUntil` promise fulfilled (or there were none); failure when a
/// listener threw, a promise rejected, or the event outlived `max_duration`.
///
/// # Safety
/// `cx` in the worker's realm.
pub unsafe fn dispatch_sync_event(
    cx: &mut mozjs::context::JSContext,
    worker: &ServiceWorkerGlobalScope,
    tag: &str,
    last_chance: bool,
    max_duration: Duration,
) -> SyncEventOutcome {
    let scope = worker.global_scope();
    let deadline = Instant::now() + max_duration;
    let event = SyncEvent::new_trusted(cx, scope, "sync", tag.to_string(), last_chance);
    let as_event = event.upcast::<Event>();
    scope.upcast_event_target().dispatch_event(cx, as_event);
    crate::script_runtime::microtask_checkpoint(cx, scope);
    let extendable = event.upcast::<ExtendableEvent>();
    let promises = extendable.extend_lifetime_promises();
    let settled = || promises.iter().all(|p| !p.is_pending());
    let outcome = scope
        .event_loop()
        .run_until(cx, scope, Some(deadline), settled);
    if as_event.listener_threw() {
        return SyncEventOutcome::Failed(SyncEventFailure::HandlerThrew);
    }
    if outcome != RunOutcome::Done && !settled() {
        return SyncEventOutcome::Failed(SyncEventFailure::TimedOut);
    }
    if promises.iter().any(|p| p.is_rejected()) {
        return SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected);
    }
    SyncEventOutcome::Success
}

/// Runs a worker script, then fires one `sync` event at it and reports the outcome: the
/// worker side of a sync attempt, for tests and for the future worker host.
pub fn run_sync_attempt(
    options: WorkerOptions,
    tag: String,
    last_chance: bool,
    max_duration: Duration,
) -> Result<SyncEventOutcome, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let max_heap_bytes = options.prefs.js_max_heap_bytes();
    let outcome = run_on_script_thread(options.timeout, max_heap_bytes, move |cx, deadline| {
        let loader = net::Loader::new(net::LoaderConfig::from_prefs(&options.prefs));
        let WorkerScript { url, source, .. } = match fetch_script(&loader, &options.url) {
            Ok(script) => script,
            Err(reason) => return PageOutcome::LoadFailed(reason),
        };
        let event_loop = Rc::new(EventLoop::new(loader));
        let sink: Rc<dyn ConsoleSink> = Rc::new(CallbackSink(options.console.clone()));
        let global = ServiceWorkerGlobalScope::create(cx, url.clone(), event_loop.clone(), sink);
        // SAFETY: the raw context is only used to enter the realm.
        let _realm =
            mozjs::jsapi::JSAutoRealm::new(unsafe { cx.raw_cx() }, global.reflector().get());
        let scope = global.global_scope();
        // SAFETY: in the worker's realm.
        unsafe {
            crate::script_runtime::run_classic_script(cx, scope, &source, url.as_str(), 1);
            let _ = tx.send(dispatch_sync_event(
                cx,
                &global,
                &tag,
                last_chance,
                max_duration,
            ));
            // Let the worker finish what it scheduled, for at most another event duration.
            let cap = Instant::now() + max_duration;
            let until = deadline.map_or(cap, |d| d.min(cap));
            let _ = event_loop.run_until_idle(cx, scope, Some(until));
        }
        PageOutcome::Idle
    });
    match (rx.try_recv(), outcome) {
        (Ok(result), _) => Ok(result),
        (Err(_), PageOutcome::LoadFailed(reason)) => Err(reason),
        (Err(_), other) => Err(format!(
            "the worker ended ({other:?}) before the event completed"
        )),
    }
}

fn run_here(
    cx: &mut mozjs::context::JSContext,
    options: WorkerOptions,
    deadline: Option<Instant>,
) -> PageOutcome {
    let loader = net::Loader::new(net::LoaderConfig::from_prefs(&options.prefs));
    let WorkerScript { url, source, .. } = match fetch_script(&loader, &options.url) {
        Ok(script) => script,
        Err(reason) => return PageOutcome::LoadFailed(reason),
    };
    let event_loop = Rc::new(EventLoop::new(loader));
    let sink: Rc<dyn ConsoleSink> = Rc::new(CallbackSink(options.console.clone()));
    let global = ServiceWorkerGlobalScope::create(cx, url.clone(), event_loop.clone(), sink);
    // SAFETY: the raw context is only used to enter the realm.
    let _realm = mozjs::jsapi::JSAutoRealm::new(unsafe { cx.raw_cx() }, global.reflector().get());
    let scope = global.global_scope();
    // SAFETY: in the worker's realm.
    let outcome = unsafe {
        crate::script_runtime::run_classic_script(cx, scope, &source, url.as_str(), 1);
        event_loop.run_until_idle(cx, scope, deadline)
    };
    outcome.into()
}

/// The body of a service worker's thread (see `service_worker_thread`): evaluate the
/// script, report it, then fire the constellation's events until told to stop or
/// disconnected.
pub(crate) fn run_worker_thread(
    cx: &mut mozjs::context::JSContext,
    start: crate::service_worker_thread::ServiceWorkerStart,
) {
    let ServiceWorkerStart {
        registration,
        worker,
        worker_type,
        script,
        imported_scripts,
        first_run,
        prefs,
        http_cache,
        online,
        console,
        channels,
    } = start;
    let prefs_max_heap = prefs.js_max_heap_bytes();
    let loader =
        net::Loader::new(net::LoaderConfig::from_prefs(&prefs)).with_http_cache(http_cache);
    let event_loop = Rc::new(EventLoop::new(loader));
    let sink: Rc<dyn ConsoleSink> = Rc::new(CallbackSink(console));
    let url = worker.script_url.clone();
    let global = ServiceWorkerGlobalScope::create(cx, url.clone(), event_loop.clone(), sink);
    // SAFETY: the raw context is only used to enter the realm.
    let _realm = mozjs::jsapi::JSAutoRealm::new(unsafe { cx.raw_cx() }, global.reflector().get());
    let scope = global.global_scope();
    scope.set_error_context(format!("service worker, scope {}", registration.scope));
    scope.init_online(online);
    let to_constellation = channels.to_constellation.clone();
    scope.set_constellation_link(ConstellationLink::Worker(channels.to_constellation));
    global.set_identity(cx, &registration, &worker);
    *global.worker_global_scope().importer().borrow_mut() = ScriptImporter {
        stored: imported_scripts
            .into_iter()
            .map(|script| (script.url, script.source))
            .collect(),
        may_fetch: first_run,
        // https://w3c.github.io/ServiceWorker/#importscripts: "none" revalidates each import.
        cache: if registration.update_via_cache == script_traits::UpdateViaCache::None {
            net::CacheMode::NoCache
        } else {
            net::CacheMode::Default
        },
        ..ScriptImporter::default()
    };
    // The worker lives while the constellation holds its end of the channel.
    let alive = event_loop.expect_remote_task();
    route_to_event_loop(
        scope,
        channels.from_constellation,
        handle_worker_message,
        Some(alive),
    );
    let source = String::from_utf8_lossy(&script);
    if worker_type == WorkerType::Module {
        global.worker_global_scope().set_module();
        // SAFETY: in the worker's realm.
        unsafe { run_module_script(cx, scope, &source, url.clone(), to_constellation.clone()) };
    } else {
        // SAFETY: in the worker's realm.
        let evaluated = unsafe {
            crate::script_runtime::run_classic_script(cx, scope, &source, url.as_str(), 1)
        };
        let failure = (!evaluated).then_some(
            "it threw an exception or did not parse (the worker's console has the error)",
        );
        report_evaluation(scope, &to_constellation, failure);
    }
    // SAFETY: in the worker's realm.
    unsafe {
        event_loop.run_until(cx, scope, None, || {
            global.report_finished_events();
            // Interrupted (an event ran too long): the events queued
            // behind it must not run in this worker; the engine gives them
            // to a fresh one.
            global.is_terminated() || crate::script_runtime::termination_requested()
        });
    }
    if crate::script_runtime::out_of_memory() {
        // The thread ends; the engine fails the event that was running, if one was.
        let during = OUT_OF_MEMORY_DURING.with(Cell::take);
        let _ = to_constellation.send(WorkerMsg::OutOfMemory { during });
        crate::script_runtime::report_uncaught(
            scope,
            &format!(
                "out of memory: the worker's JavaScript went over js.max_heap_bytes ({} bytes); \
                 the worker was stopped",
                prefs_max_heap
            ),
        );
    }
    global.clear_in_flight();
    scope.end();
    scope.clear_service_worker_objects();
    crate::modules::clear_thread();
    crate::fetch::forget_pending();
    crate::dom::bindings::trusted::clear();
}

/// Runs a module worker's main script once its graph has loaded (its imports fetched off the
/// loop on a first run, else taken from the stored scripts), in a task, and reports it.
///
/// # Safety
/// `cx` in the worker's realm.
unsafe fn run_module_script(
    cx: &mut JSContext,
    scope: &GlobalScope,
    source: &str,
    url: url::Url,
    reporter: ipc_channel::ipc::IpcSender<WorkerMsg>,
) {
    let on_ready: crate::modules::OnReady = Box::new(move |cx, ready| {
        // SAFETY: module results are delivered in the worker's realm.
        let scope = unsafe { crate::dom::globalscope::current_global(cx) };
        scope
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                // SAFETY: tasks run in the worker's realm.
                let (scope, outcome) =
                    unsafe { (crate::dom::globalscope::current_global(cx), ready.run(cx)) };
                report_evaluation(scope, &reporter, module_failure(scope, outcome));
            }));
    });
    crate::modules::run_source(cx, scope, source, url, 1, on_ready);
}

/// Why a module worker's script failed, if it did. A graph whose evaluation waits on a
/// top-level `await` fails too, as in Chromium: a worker's events must not wait for it.
fn module_failure(scope: &GlobalScope, outcome: crate::modules::Outcome) -> Option<&'static str> {
    use crate::modules::Outcome;
    match outcome {
        Outcome::Ran => None,
        Outcome::Awaiting => {
            let why = "top-level await is not allowed in a service worker";
            crate::script_runtime::report_uncaught(scope, &format!("TypeError: {why}"));
            Some(why)
        }
        Outcome::FetchFailed => Some("a module of its graph could not be fetched"),
        Outcome::Threw | Outcome::Errored => Some(
            "it threw an exception, did not parse, or an import did not resolve (the worker's \
             console has the error)",
        ),
    }
}

/// Tells the constellation how the worker's script went (`failure`: why it failed), with what
/// it imported on a first run; nothing new is imported after this.
fn report_evaluation(
    scope: &GlobalScope,
    to_constellation: &ipc_channel::ipc::IpcSender<WorkerMsg>,
    failure: Option<&str>,
) {
    let Some(global) = scope
        .upcast_event_target()
        .downcast::<ServiceWorkerGlobalScope>()
    else {
        return;
    };
    let mut importer = global.worker_global_scope().importer().borrow_mut();
    importer.may_fetch = false;
    let evaluation = match failure {
        None => ScriptEvaluation::Ok {
            imported_scripts: std::mem::take(&mut importer.fetched),
            handles_fetch: scope.upcast_event_target().has_listeners_for("fetch"),
        },
        Some(why) => ScriptEvaluation::Failed(format!(
            "ServiceWorker script evaluation failed: {}: {why}",
            scope.url()
        )),
    };
    let _ = to_constellation.send(WorkerMsg::Evaluated(evaluation));
}

thread_local! {
    /// The event whose listener was running when the runtime ran out of memory.
    static OUT_OF_MEMORY_DURING: Cell<Option<WorkerEventId>> = const { Cell::new(None) };
}

/// One message of the constellation to a worker (a task of its event loop).
fn handle_worker_message(cx: &mut JSContext, scope: &GlobalScope, message: ToWorkerMsg) {
    let Some(global) = scope
        .upcast_event_target()
        .downcast::<ServiceWorkerGlobalScope>()
    else {
        return;
    };
    if crate::script_runtime::termination_requested() {
        return;
    }
    // SAFETY: tasks run in the worker's realm.
    unsafe {
        match message {
            ToWorkerMsg::Reply { id, answer } => scope.answer_request(cx, id, answer),
            ToWorkerMsg::Event { id, event } => fire_worker_event(cx, global, id, event),
            ToWorkerMsg::Registration(update) => scope.apply_registration_update(cx, *update),
            ToWorkerMsg::NetworkChanged { online } => scope.set_online(cx, online),
            ToWorkerMsg::IndexedDb(event) => crate::dom::idbfactory::handle_event(cx, scope, event),
            ToWorkerMsg::PreloadResponse { id, response } => {
                global.preload_arrived(cx, id, response)
            }
            ToWorkerMsg::Terminate => global.terminate(),
            ToWorkerMsg::Batch(messages) => {
                // Each in order, as its own task would run (a microtask checkpoint after it),
                // before anything the constellation sent after the batch. Queued as tasks they
                // went behind the messages already waiting on the loop: a client's message
                // event could run before the registration update sent ahead of it (a worker
                // saw `self.registration.waiting` still null).
                for message in messages {
                    handle_worker_message(cx, scope, message);
                    crate::script_runtime::microtask_checkpoint(cx, scope);
                }
            }
        }
    }
}

/// The data of message event `id` into `data`; false when it cannot be deserialized, after
/// firing `messageerror` and reporting the event's outcome.
///
/// # Safety
/// `cx` in the worker's realm; `data` rooted.
unsafe fn message_data(
    cx: &mut JSContext,
    global: &ServiceWorkerGlobalScope,
    id: WorkerEventId,
    message: &SerializedMessage,
    data: MutableHandleValue<'_>,
) -> Option<Vec<DomRoot<MessagePort>>> {
    if let Ok(ports) = deserialize_message(cx, &message.0, data) {
        return Some(ports);
    }
    let scope = global.global_scope();
    scope.upcast_event_target().fire_event(cx, "messageerror");
    global.report_event_outcome(id, WorkerEventOutcome::MessageError);
    None
}

/// Fires one functional or lifecycle event.
///
/// # Safety
/// `cx` in the worker's realm.
unsafe fn fire_worker_event(
    cx: &mut JSContext,
    global: &ServiceWorkerGlobalScope,
    id: WorkerEventId,
    event: WorkerEvent,
) {
    let scope = global.global_scope();
    let mut fetch = None;
    let event = match event {
        WorkerEvent::Install => DomRoot::upcast(InstallEvent::new_trusted(cx, scope)),
        WorkerEvent::Activate => ExtendableEvent::new_trusted(cx, scope, "activate"),
        WorkerEvent::Sync { tag, last_chance } => {
            let event = SyncEvent::new_trusted(cx, scope, "sync", tag, last_chance);
            DomRoot::upcast(event)
        }
        WorkerEvent::Message {
            source,
            origin,
            message,
        } => {
            rooted!(&in(cx) let mut data = UndefinedValue());
            let Some(ports) = message_data(cx, global, id, &message, data.handle_mut()) else {
                return;
            };
            let client = Client::new(cx, scope, source);
            let event =
                ExtendableMessageEvent::new_trusted(cx, scope, data.handle(), origin, &client);
            event.set_ports(ports);
            DomRoot::upcast(event)
        }
        WorkerEvent::MessageFromWorker {
            source,
            origin,
            message,
        } => {
            rooted!(&in(cx) let mut data = UndefinedValue());
            let Some(ports) = message_data(cx, global, id, &message, data.handle_mut()) else {
                return;
            };
            // The sender as this global sees it: its own `self.serviceWorker` when it wrote
            // to itself.
            let worker = scope.service_worker_object(cx, &source);
            let event = ExtendableMessageEvent::new_trusted_from_worker(
                cx,
                scope,
                data.handle(),
                origin,
                &worker,
            );
            event.set_ports(ports);
            DomRoot::upcast(event)
        }
        WorkerEvent::Fetch {
            request,
            client_id,
            resulting_client_id,
            preload,
        } => {
            let request = Request::from_data(cx, scope, *request);
            let event = FetchEvent::new_trusted(
                cx,
                scope,
                &request,
                client_id,
                resulting_client_id,
                preload,
            );
            if preload {
                global.await_preload(id, &event);
            }
            fetch = Some(event.clone());
            DomRoot::upcast(event)
        }
    };
    let had_memory = !crate::script_runtime::out_of_memory();
    global.dispatch_extendable(cx, id, event);
    if let Some(fetch) = fetch {
        global.watch_fetch(cx, id, &fetch);
    }
    if had_memory && crate::script_runtime::out_of_memory() {
        OUT_OF_MEMORY_DURING.with(|during| during.set(Some(id)));
    }
}
