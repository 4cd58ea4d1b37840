//! Module scripts (https://html.spec.whatwg.org/multipage/webappapis.html#fetching-scripts):
//! `<script type="module">`, inline or external, with static `import`s, dynamic `import()`
//! and `import.meta.url`.
//!
//! SpiderMonkey walks a module graph and asks the host for each module a module imports (the
//! runtime's load hook, [`load_hook`]); bgsync resolves the specifier against the importing
//! module's URL, fetches it without blocking the event loop (a thread per fetch, its result
//! posted back as a task; a controlled page's fetch is a fetch event first), compiles it and
//! hands it back (`FinishLoadingImportedModule`). Each global has a module map
//! ([`ModuleMap`]): a URL is fetched once, and every import of it gets the same module, or the
//! same error. Once the whole graph is there, the script is [`Ready`]: its element runs it in
//! a task of its own (after the markup that follows it), those of the markup in document
//! order, as deferred scripts.
//!
//! Module scripts must come with a JavaScript MIME type; a specifier that is neither a URL
//! nor starts with `/`, `./` or `../` is a TypeError (no import maps). Dedicated workers of
//! `type: "module"` run their script as one (its main script, fetched as a classic worker's
//! is, must be JavaScript too). A module of another origin is fetched in `cors` mode: its
//! response must carry `Access-Control-Allow-Origin` for the global's origin (or `*`), else
//! it is a fetch error. JSON modules (`with { type: "json" }`) are synthetic modules of the
//! parsed value, one per URL and type. Not done: CSS modules, import maps.
//!
//! A module service worker (`register(url, {type: "module"})`) imports through its script
//! resource map instead ([`service_worker_fetch`]): the first run of a new worker fetches
//! its static imports from the network and reports them with its evaluation, to be stored
//! with the worker; every later run gets them from there, offline, and nothing else. `import()`
//! in a service worker is a TypeError (HTML's HostLoadImportedModule).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::CString;
use std::ptr::NonNull;

use mozjs::context::{JSContext, RawJSContext};
use mozjs::jsapi::{JSObject, JSScript};
use mozjs::jsval::{Int32Value, JSVal, StringValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::CompileOptionsWrapper;
use url::Url;

use crate::dom::bindings::conversions::{RootedObject, RootedValue};
use crate::dom::bindings::error::{take_pending_exception, throw_error, Error};
use crate::dom::bindings::reflector::Castable;
use crate::dom::globalscope::{current_global, GlobalScope};
use crate::dom::serviceworkerglobalscope::ServiceWorkerGlobalScope;
use crate::dom::workerglobalscope::WorkerGlobalScope;

/// What became of a module script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It was evaluated, to the end.
    Ran,
    /// It was evaluated and threw (reported as an uncaught error).
    Threw,
    /// Its evaluation waits on a top-level `await` (it goes on in later tasks).
    Awaiting,
    /// A module of its graph could not be fetched: the script element's `error` event.
    FetchFailed,
    /// A module of its graph did not parse, or an import did not resolve or link: reported
    /// as an uncaught error, and nothing ran.
    Errored,
}

/// A module script whose graph has loaded, or failed to: what runs when its turn comes
/// (scripts in the markup run in document order).
pub enum Ready {
    Module(RootedObject),
    FetchFailed,
    /// A parse, resolution or link error, reported when the script's turn comes.
    Errored(RootedValue),
}

impl Ready {
    /// Links and evaluates the module (an exception is reported as uncaught), or reports why
    /// there is none.
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub unsafe fn run(self, cx: &mut JSContext) -> Outcome {
        match self {
            Ready::Module(module) => evaluate(cx, &module),
            Ready::FetchFailed => Outcome::FetchFailed,
            Ready::Errored(error) => {
                crate::script_runtime::report_exception_value(cx, current_global(cx), error.get());
                Outcome::Errored
            }
        }
    }

    /// The script of a graph that failed with `error`.
    fn failed(cx: &JSContext, error: RootedValue) -> Ready {
        // SAFETY: graph results come in the global's realm.
        let global = unsafe { current_global(cx) };
        if global.module_map().is_fetch_error(error.get()) {
            Ready::FetchFailed
        } else {
            Ready::Errored(error)
        }
    }
}

/// What runs once a module script's graph is loaded (maybe right away, inside the call that
/// started it: the caller runs the script later, in a task).
pub type OnReady = Box<dyn FnOnce(&mut JSContext, Ready)>;

/// A global's module map: the modules it compiled, and what became of each URL it fetched
/// (per module type, as HTML keys it). Holds its modules alive until the global ends
/// ([`ModuleMap::clear`]).
#[derive(Default)]
pub struct ModuleMap {
    by_url: RefCell<HashMap<ModuleKey, Entry>>,
}

/// A module map's key: the module's URL and its type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ModuleKey {
    url: Url,
    kind: ModuleKind,
}

/// The module types bgsync loads: JavaScript, and JSON (`with { type: "json" }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ModuleKind {
    JavaScript,
    Json,
}

impl ModuleKey {
    fn javascript(url: Url) -> ModuleKey {
        ModuleKey {
            url,
            kind: ModuleKind::JavaScript,
        }
    }
}

enum Entry {
    Fetching(Vec<Waiter>),
    Ready(RootedObject),
    /// Why the fetch (`fetch`) or the parse failed: the error each import of it gets.
    Failed {
        error: RootedValue,
        fetch: bool,
    },
}

/// A module, or why there is none (the error of its fetch or parse).
type ModuleResult = Result<RootedObject, RootedValue>;

/// What a top-level module script does with its module.
type OnModule = Box<dyn FnOnce(&mut JSContext, ModuleResult)>;

/// Who waits for a module being fetched.
enum Waiter {
    /// SpiderMonkey's import of it: `referrer` (the importing module, none for a dynamic
    /// import from a classic script) asked `request`, continued by `payload`.
    Import {
        referrer: Option<RootedObject>,
        request: RootedObject,
        payload: RootedValue,
    },
    /// A `<script type="module" src>`: its top-level module.
    Top(OnModule),
}

impl ModuleMap {
    /// Lets go of every module (the global ends).
    pub fn clear(&self) {
        self.by_url.borrow_mut().clear();
    }

    /// Whether `error` is the error of a module that could not be fetched.
    fn is_fetch_error(&self, error: JSVal) -> bool {
        self.by_url.borrow().values().any(|entry| {
            matches!(entry, Entry::Failed { error: failed, fetch: true } if failed.get() == error)
        }) && error.is_object()
    }
}

/// Installs the module hooks on this thread's runtime.
///
/// # Safety
/// A fresh runtime of this thread.
pub unsafe fn install_hooks(cx: &JSContext) {
    let runtime = mozjs::jsapi::JS_GetRuntime(cx.raw_cx_no_gc());
    mozjs::jsapi::JS::SetModuleLoadHook(runtime, Some(load_hook));
    mozjs::jsapi::JS::SetModuleMetadataHook(runtime, Some(metadata_hook));
}

/// Loads the external module script at `url` in `global` with its graph; `on_ready` gets it.
pub fn run_external(global: &GlobalScope, url: Url, on_ready: OnReady) {
    let waiter = Waiter::Top(Box::new(move |cx, result| match result {
        // SAFETY: module results are delivered in the global's realm.
        Ok(module) => unsafe { load_script_graph(cx, module, on_ready) },
        Err(error) => {
            let ready = Ready::failed(cx, error);
            on_ready(cx, ready);
        }
    }));
    load(global, ModuleKey::javascript(url), waiter);
}

/// Loads a module script of `source` in `global`, whose imports resolve against `base`: an
/// inline `<script type="module">` (the document's URL) or a module worker's main script
/// (its URL).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn run_source(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &str,
    base: Url,
    line: u32,
    on_ready: OnReady,
) {
    match compile(cx, global, source, &base, line) {
        Ok(module) => load_script_graph(cx, module, on_ready),
        Err(error) => on_ready(cx, Ready::Errored(error)),
    }
}

/// Compiles a module of `source` at `url` (its base URL: the response's URL, or the
/// document's for an inline module script), kept as the module's private value for its
/// imports and `import.meta.url`. The parse error otherwise.
unsafe fn compile(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &str,
    url: &Url,
    line: u32,
) -> Result<RootedObject, RootedValue> {
    let filename = CString::new(url.as_str().replace('\0', "")).unwrap_or_default();
    let options = CompileOptionsWrapper::new(cx, filename, line);
    let mut text = mozjs::rust::transform_str_to_source_text(source);
    let module = mozjs::rust::wrappers2::CompileModule1(cx, options.ptr, &mut text);
    if module.is_null() {
        return Err(pending_error(cx, global));
    }
    let url_value = string_value(cx, url.as_str());
    if url_value.is_undefined() {
        return Err(pending_error(cx, global));
    }
    rooted!(&in(cx) let url_value = url_value);
    mozjs::jsapi::JS::SetModulePrivate(module, &*url_value.handle());
    Ok(RootedObject::new(module))
}

/// A new string of `text`; undefined when out of memory.
unsafe fn string_value(cx: &mut JSContext, text: &str) -> JSVal {
    let string = mozjs::jsapi::JS_NewStringCopyN(
        cx.raw_cx(),
        text.as_ptr() as *const std::ffi::c_char,
        text.len(),
    );
    if string.is_null() {
        UndefinedValue()
    } else {
        StringValue(&*string)
    }
}

/// The base URL a module was compiled with (see [`compile`]), from its private value:
/// `private` is that of a script (`JS_GetScriptPrivate`) or a module.
unsafe fn url_of_private(cx: &JSContext, private: JSVal) -> Option<Url> {
    if !private.is_string() {
        return None;
    }
    let string = NonNull::new(private.to_string())?;
    Url::parse(&mozjs::conversions::jsstr_to_string(cx, string)).ok()
}

/// The pending exception as a value (a TypeError saying so if there is none: a script
/// stopped by the watchdog).
unsafe fn pending_error(cx: &mut JSContext, global: &GlobalScope) -> RootedValue {
    rooted!(&in(cx) let mut error = UndefinedValue());
    if !take_pending_exception(cx, error.handle_mut()) {
        return type_error(cx, global, "the module script was stopped".into());
    }
    RootedValue::new(error.get())
}

/// A new TypeError of `message`, as a value.
unsafe fn type_error(cx: &mut JSContext, global: &GlobalScope, message: String) -> RootedValue {
    throw_error(cx, global, Error::Type(message));
    rooted!(&in(cx) let mut error = UndefinedValue());
    take_pending_exception(cx, error.handle_mut());
    RootedValue::new(error.get())
}

/// What runs once the graph below a module is loaded, or failed to (with the error).
type OnLoaded = Box<dyn FnOnce(&mut JSContext, Result<(), RootedValue>)>;

thread_local! {
    /// Module graphs being loaded, by number (LoadRequestedModules' host-defined value).
    static GRAPHS: RefCell<HashMap<i32, OnLoaded>> = RefCell::new(HashMap::new());
    static NEXT_GRAPH: Cell<i32> = const { Cell::new(0) };
}

/// Loads the graph below a module script's `module`; `on_ready` gets the script.
unsafe fn load_script_graph(cx: &mut JSContext, module: RootedObject, on_ready: OnReady) {
    let record = RootedObject::new(module.get());
    load_graph(
        cx,
        &record,
        Box::new(move |cx, loaded| {
            let ready = match loaded {
                Ok(()) => Ready::Module(module),
                Err(error) => Ready::failed(cx, error),
            };
            on_ready(cx, ready);
        }),
    );
}

/// Loads every module below `module` (LoadRequestedModules); `on_loaded` runs at the end.
unsafe fn load_graph(cx: &mut JSContext, module: &RootedObject, on_loaded: OnLoaded) {
    let number = NEXT_GRAPH.with(|next| {
        let number = next.get().wrapping_add(1);
        next.set(number);
        number
    });
    rooted!(&in(cx) let host_defined = Int32Value(number));
    rooted!(&in(cx) let record = module.get());
    GRAPHS.with(|graphs| graphs.borrow_mut().insert(number, on_loaded));
    let started = mozjs::rust::wrappers2::LoadRequestedModules(
        cx,
        record.handle(),
        host_defined.handle(),
        Some(graph_loaded),
        Some(graph_failed),
    );
    if !started {
        if let Some(on_loaded) = GRAPHS.with(|graphs| graphs.borrow_mut().remove(&number)) {
            let global = current_global(cx);
            let error = pending_error(cx, global);
            on_loaded(cx, Err(error));
        }
    }
}

/// Drops the graphs still loading on this thread (their roots with them), before its
/// runtime goes away: a page, or a worker, ended in the middle of a load.
pub fn clear_thread() {
    let graphs = GRAPHS.with(|graphs| std::mem::take(&mut *graphs.borrow_mut()));
    drop(graphs);
}

fn take_graph(host_defined: JSVal) -> Option<OnLoaded> {
    if !host_defined.is_int32() {
        return None;
    }
    GRAPHS.with(|graphs| graphs.borrow_mut().remove(&host_defined.to_int32()))
}

unsafe extern "C" fn graph_loaded(
    raw_cx: *mut RawJSContext,
    host_defined: mozjs::jsapi::JS::Handle<JSVal>,
) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    if let Some(on_loaded) = take_graph(host_defined.get()) {
        on_loaded(&mut cx, Ok(()));
    }
    true
}

unsafe extern "C" fn graph_failed(
    raw_cx: *mut RawJSContext,
    host_defined: mozjs::jsapi::JS::Handle<JSVal>,
    error: mozjs::jsapi::JS::Handle<JSVal>,
) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    if let Some(on_loaded) = take_graph(host_defined.get()) {
        on_loaded(&mut cx, Err(RootedValue::new(error.get())));
    }
    true
}

/// Links and evaluates a loaded graph; an exception is reported as uncaught.
unsafe fn evaluate(cx: &mut JSContext, module: &RootedObject) -> Outcome {
    let global = current_global(cx);
    if crate::script_runtime::termination_requested() {
        return Outcome::Errored;
    }
    rooted!(&in(cx) let record = module.get());
    if !mozjs::rust::wrappers2::ModuleLink(cx, record.handle()) {
        crate::script_runtime::report_pending_exception(cx, global);
        return Outcome::Errored;
    }
    rooted!(&in(cx) let mut result = UndefinedValue());
    let evaluated =
        mozjs::rust::wrappers2::ModuleEvaluate(cx, record.handle(), result.handle_mut());
    if !evaluated {
        crate::script_runtime::report_pending_exception(cx, global);
        crate::script_runtime::microtask_checkpoint(cx, global);
        return Outcome::Threw;
    }
    let mut outcome = Outcome::Ran;
    if result.get().is_object() {
        // The evaluation's promise: rejected already when the module threw, pending while a
        // top-level `await` waits.
        rooted!(&in(cx) let promise = result.get().to_object());
        if mozjs::jsapi::JS::IsPromiseObject(promise.handle().into()) {
            match mozjs::jsapi::JS::GetPromiseState(promise.handle().into()) {
                mozjs::jsapi::JS::PromiseState::Rejected => {
                    mozjs::rust::wrappers2::ThrowOnModuleEvaluationFailure(
                        cx,
                        promise.handle(),
                        mozjs::jsapi::JS::ModuleErrorBehaviour::ThrowModuleErrorsSync,
                    );
                    crate::script_runtime::report_pending_exception(cx, global);
                    outcome = Outcome::Threw;
                }
                mozjs::jsapi::JS::PromiseState::Pending => outcome = Outcome::Awaiting,
                _ => {}
            }
        }
    }
    crate::script_runtime::microtask_checkpoint(cx, global);
    outcome
}

/// Fetches (once per global) and compiles the module at `url` for `waiter`.
fn load(global: &GlobalScope, key: ModuleKey, waiter: Waiter) {
    let map = global.module_map();
    let mut by_url = map.by_url.borrow_mut();
    match by_url.get_mut(&key) {
        Some(Entry::Fetching(waiters)) => waiters.push(waiter),
        Some(Entry::Ready(module)) => {
            let result = Ok(RootedObject::new(module.get()));
            drop(by_url);
            deliver_later(global, waiter, result);
        }
        Some(Entry::Failed { error, .. }) => {
            let result = Err(RootedValue::new(error.get()));
            drop(by_url);
            deliver_later(global, waiter, result);
        }
        None => {
            by_url.insert(key.clone(), Entry::Fetching(vec![waiter]));
            drop(by_url);
            fetch(global, key);
        }
    }
}

/// Hands a module already in the map to `waiter`, in a task (SpiderMonkey's hook may
/// not finish loads re-entrantly here, and it keeps every waiter's turn alike).
fn deliver_later(global: &GlobalScope, waiter: Waiter, result: ModuleResult) {
    global
        .event_loop()
        .queue_task(Box::new(move |cx: &mut JSContext| {
            // SAFETY: tasks run in the global's realm.
            unsafe { deliver(cx, waiter, result) };
        }));
}

/// Gives `waiter` its module, or the error of its fetch or parse.
unsafe fn deliver(cx: &mut JSContext, waiter: Waiter, result: ModuleResult) {
    match waiter {
        Waiter::Top(on_result) => on_result(cx, result),
        Waiter::Import {
            referrer,
            request,
            payload,
        } => {
            // A dynamic import (its payload is the import's promise) may come from a module
            // evaluated already, whose script SpiderMonkey has let go: no referrer then (it
            // is only where a static import's result is recorded).
            rooted!(&in(cx) let payload_object = if payload.get().is_object() {
                payload.get().to_object()
            } else {
                std::ptr::null_mut()
            });
            let dynamic = !payload_object.get().is_null()
                && mozjs::jsapi::JS::IsPromiseObject(payload_object.handle().into());
            if dynamic {
                // SpiderMonkey links and evaluates a dynamically imported module right
                // away: the graph below it is loaded first.
                if let Ok(module) = result {
                    let record = RootedObject::new(module.get());
                    load_graph(
                        cx,
                        &record,
                        Box::new(move |cx, loaded| {
                            // SAFETY: graph results come in the global's realm.
                            unsafe {
                                finish_import(cx, None, &request, &payload, loaded.map(|()| module))
                            }
                        }),
                    );
                } else {
                    finish_import(cx, None, &request, &payload, result);
                }
                return;
            }
            finish_import(cx, referrer.as_ref(), &request, &payload, result);
        }
    }
}

/// Hands SpiderMonkey the module (or the error) of an import: `referrer` is the importing
/// module of a static import (none for a dynamic one).
unsafe fn finish_import(
    cx: &mut JSContext,
    referrer: Option<&RootedObject>,
    request: &RootedObject,
    payload: &RootedValue,
    result: ModuleResult,
) {
    let script = match referrer {
        Some(referrer) => mozjs::jsapi::JS::GetModuleScript(referrer.handle().into()),
        None => std::ptr::null_mut(),
    };
    rooted!(&in(cx) let script = script);
    rooted!(&in(cx) let request = request.get());
    rooted!(&in(cx) let payload = payload.get());
    let finished = match result {
        Ok(module) => {
            rooted!(&in(cx) let module = module.get());
            mozjs::rust::wrappers2::FinishLoadingImportedModule(
                cx,
                script.handle(),
                request.handle(),
                payload.handle(),
                module.handle(),
                true,
            )
        }
        Err(error) => {
            rooted!(&in(cx) let error = error.get());
            mozjs::rust::wrappers2::FinishLoadingImportedModuleFailed(
                cx,
                payload.handle(),
                error.handle(),
            )
        }
    };
    if !finished {
        crate::script_runtime::report_pending_exception(cx, current_global(cx));
    }
    crate::script_runtime::microtask_checkpoint(cx, current_global(cx));
}

/// What a module fetch brought: its URL after redirects, content type and body.
struct Fetched {
    url: Url,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Fetches the module of `key` for the module map: from the page's service worker first
/// when it is controlled, else from the network on a thread of its own; the result comes
/// back as a task of the global's loop ([`fetched`]).
fn fetch(global: &GlobalScope, key: ModuleKey) {
    if let Some(worker) = global
        .upcast_event_target()
        .downcast::<ServiceWorkerGlobalScope>()
    {
        return service_worker_fetch(global, worker.worker_global_scope(), key);
    }
    let mut request =
        script_traits::FetchRequestData::script(key.url.clone(), "cors", "same-origin");
    if key.kind == ModuleKind::Json {
        request.destination = "json".to_owned();
    }
    let requested = key.clone();
    let on_answer: crate::fetch::OnAnswer = Box::new(move |cx, global, answer| match answer {
        script_traits::FetchAnswer::Respond(data) => {
            let fetched = Fetched {
                url: data.url.clone().unwrap_or_else(|| requested.url.clone()),
                content_type: data.header("content-type").map(str::to_owned),
                body: data.body,
            };
            let result = if (200..=299).contains(&data.status) && data.response_type != "opaque" {
                Ok(fetched)
            } else {
                Err(format!("HTTP {} from the service worker", data.status))
            };
            fetched_in_task(cx, global, requested, result);
        }
        script_traits::FetchAnswer::Fallback => network_fetch(global, requested, false),
        script_traits::FetchAnswer::NetworkError(reason) => {
            fetched_in_task(cx, global, requested, Err(reason))
        }
    });
    if let Err(_not_handed) = crate::fetch::hand_to_worker(global, request, on_answer) {
        network_fetch(global, key, false);
    }
}

/// A module of a service worker (https://w3c.github.io/ServiceWorker/#run-service-worker-algorithm,
/// its script resource map): one stored with the worker, else, only while the worker's script
/// is first evaluated, one from the network, recorded to be stored with the worker. Any other
/// is a fetch error: a stored worker runs offline, and imports nothing new.
fn service_worker_fetch(global: &GlobalScope, worker: &WorkerGlobalScope, key: ModuleKey) {
    let (stored, may_fetch) = {
        let importer = worker.importer().borrow();
        (importer.known(&key.url), importer.may_fetch)
    };
    let result = match stored {
        Some(body) => Ok(Fetched {
            url: key.url.clone(),
            content_type: Some(key.kind.stored_mime_type().to_owned()),
            body,
        }),
        None if may_fetch => return network_fetch(global, key, true),
        None => Err(
            "a service worker imports new modules only while its script is first \
             evaluated; this one is not stored with the worker"
                .to_owned(),
        ),
    };
    global
        .event_loop()
        .queue_task(Box::new(move |cx: &mut JSContext| {
            // SAFETY: tasks run in the global's realm.
            unsafe { fetched(cx, current_global(cx), key, result) };
        }));
}

/// Records a service worker's module fetched from the network, to be stored with the worker.
fn record_service_worker_module(global: &GlobalScope, key: &ModuleKey, fetched: &Fetched) {
    let Some(worker) = global
        .upcast_event_target()
        .downcast::<ServiceWorkerGlobalScope>()
    else {
        return;
    };
    let content_type = fetched.content_type.as_deref().unwrap_or_default();
    if !key.kind.accepts(content_type) {
        return;
    }
    worker
        .worker_global_scope()
        .importer()
        .borrow_mut()
        .fetched
        .push(script_traits::ImportedScript {
            url: key.url.clone(),
            source: fetched.body.clone(),
        });
}

fn fetched_in_task(
    cx: &mut JSContext,
    global: &GlobalScope,
    key: ModuleKey,
    result: Result<Fetched, String>,
) {
    // SAFETY: service-worker answers run as tasks of the global, in its realm.
    unsafe { fetched(cx, global, key, result) };
}

/// Fetches the module of `key` from the network on a thread of its own; a service worker's
/// module is recorded to be stored with the worker (`record`).
fn network_fetch(global: &GlobalScope, key: ModuleKey, record: bool) {
    let guard = global.event_loop().expect_remote_task();
    let loader = global.event_loop().loader().clone();
    let origin = global.origin().clone();
    let requested = key.clone();
    let spawned = std::thread::Builder::new()
        .name("module fetch".into())
        .spawn(move || {
            let result = crate::fetch::fetch_module_script(&loader, key.url.clone(), origin).map(
                |(url, content_type, body)| Fetched {
                    url,
                    content_type,
                    body,
                },
            );
            guard.post(Box::new(move |cx| {
                // SAFETY: tasks run in the global's realm.
                let global = unsafe { current_global(cx) };
                if let (true, Ok(module)) = (record, &result) {
                    record_service_worker_module(global, &key, module);
                }
                // SAFETY: as above.
                unsafe { fetched(cx, global, key, result) };
            }));
        });
    if let Err(error) = spawned {
        // No thread (the process is at its limit): the module fails, and every import of it.
        let reason = format!("cannot start a thread to fetch it: {error}");
        global
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                // SAFETY: tasks run in the global's realm.
                unsafe { fetched(cx, current_global(cx), requested, Err(reason)) };
            }));
    }
}

impl ModuleKind {
    /// Whether a response of `content_type` is a module of this type: a JavaScript MIME type,
    /// or a JSON one.
    fn accepts(self, content_type: &str) -> bool {
        match self {
            ModuleKind::JavaScript => base::mime::is_javascript_mime_type(content_type),
            ModuleKind::Json => base::mime::is_json_mime_type(content_type),
        }
    }

    /// The MIME type a stored module of this type is read back with.
    fn stored_mime_type(self) -> &'static str {
        match self {
            ModuleKind::JavaScript => "text/javascript",
            ModuleKind::Json => "application/json",
        }
    }

    fn name(self) -> &'static str {
        match self {
            ModuleKind::JavaScript => "JavaScript",
            ModuleKind::Json => "JSON",
        }
    }
}

/// A module's fetch ended: compile it, and hand it (or the error) to everyone waiting.
///
/// # Safety
/// `cx` in `global`'s realm.
unsafe fn fetched(
    cx: &mut JSContext,
    global: &GlobalScope,
    key: ModuleKey,
    result: Result<Fetched, String>,
) {
    let url = key.url.clone();
    let mut parse_failed = false;
    let outcome = match result {
        Ok(fetched) => {
            let content_type = fetched.content_type.unwrap_or_default();
            if key.kind.accepts(&content_type) {
                let source = String::from_utf8_lossy(&fetched.body);
                let compiled = match key.kind {
                    ModuleKind::JavaScript => compile(cx, global, &source, &fetched.url, 1),
                    ModuleKind::Json => compile_json(cx, global, &source, &fetched.url),
                };
                parse_failed = compiled.is_err();
                compiled
            } else {
                let kind = key.kind.name();
                eprintln!(
                    "bgsync: failed to load module script {url}: its MIME type is \
                     \"{content_type}\", not {kind}"
                );
                Err(type_error(
                    cx,
                    global,
                    format!(
                        "Failed to load module script: the server answered with a \
                         non-{kind} MIME type of \"{content_type}\" ({url})."
                    ),
                ))
            }
        }
        Err(reason) => {
            eprintln!("bgsync: failed to load module script {url}: {reason}");
            Err(type_error(
                cx,
                global,
                format!("Failed to fetch module script {url}: {reason}."),
            ))
        }
    };
    let map = global.module_map();
    let entry = match &outcome {
        Ok(module) => Entry::Ready(RootedObject::new(module.get())),
        Err(error) => Entry::Failed {
            error: RootedValue::new(error.get()),
            // A body that is not of the module's type is a fetch failure too (the element's
            // `error`).
            fetch: !parse_failed,
        },
    };
    let waiters = match map.by_url.borrow_mut().insert(key, entry) {
        Some(Entry::Fetching(waiters)) => waiters,
        _ => Vec::new(),
    };
    for waiter in waiters {
        let result = match &outcome {
            Ok(module) => Ok(RootedObject::new(module.get())),
            Err(error) => Err(RootedValue::new(error.get())),
        };
        deliver(cx, waiter, result);
    }
}

/// A JSON module of `source` (https://html.spec.whatwg.org/multipage/webappapis.html#creating-a-json-module-script):
/// a synthetic module whose default export is the parsed value; the SyntaxError otherwise.
unsafe fn compile_json(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &str,
    url: &Url,
) -> Result<RootedObject, RootedValue> {
    let filename = CString::new(url.as_str().replace('\0', "")).unwrap_or_default();
    let options = CompileOptionsWrapper::new(cx, filename, 1);
    let mut text = mozjs::rust::transform_str_to_source_text(source);
    let module = mozjs::rust::wrappers2::CompileJsonModule1(cx, options.ptr, &mut text);
    if module.is_null() {
        return Err(pending_error(cx, global));
    }
    Ok(RootedObject::new(module))
}

/// HostLoadImportedModule: resolves the specifier of `request` against the importing
/// module's URL (the global's for a dynamic import from a classic script) and loads it.
unsafe extern "C" fn load_hook(
    raw_cx: *mut RawJSContext,
    referrer: mozjs::jsapi::JS::Handle<*mut JSScript>,
    request: mozjs::jsapi::JS::Handle<*mut JSObject>,
    _host_defined: mozjs::jsapi::JS::Handle<JSVal>,
    payload: mozjs::jsapi::JS::Handle<JSVal>,
    _line: u32,
    _column: mozjs::jsapi::JS::ColumnNumberOneOrigin,
) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    let global = current_global(&cx);
    // Only module scripts have a string as private value (see `compile`).
    rooted!(&in(cx) let mut private = UndefinedValue());
    if !referrer.get().is_null() {
        mozjs::glue::JS_GetScriptPrivate(referrer.get(), private.handle_mut().into());
    }
    let referrer_url = url_of_private(&cx, private.get());
    let referrer_module = referrer_url
        .is_some()
        .then(|| RootedObject::new(mozjs::jsapi::JS::GetModuleObject(referrer)));
    let base = referrer_url.unwrap_or_else(|| global.url().clone());
    let specifier = {
        let string = mozjs::jsapi::JS::GetModuleRequestSpecifier(raw_cx, request);
        match NonNull::new(string) {
            Some(string) => mozjs::conversions::jsstr_to_string(&cx, string),
            None => String::new(),
        }
    };
    let module_type = mozjs::jsapi::JS::GetModuleRequestType(raw_cx, request);
    let kind = match module_type {
        mozjs::jsapi::JS::ModuleType::JavaScript => Some(ModuleKind::JavaScript),
        mozjs::jsapi::JS::ModuleType::JSON => Some(ModuleKind::Json),
        _ => None,
    };
    let resolved = if is_dynamic_import(&cx, payload.get()) && is_service_worker(global) {
        // HostLoadImportedModule, step 1.
        Err(
            "import() is disallowed on ServiceWorkerGlobalScope by the HTML specification."
                .to_owned(),
        )
    } else if let Some(kind) = kind {
        resolve_specifier(&specifier, &base).map(|url| ModuleKey { url, kind })
    } else {
        Err(format!(
            "Failed to load module \"{specifier}\": bgsync loads JavaScript and JSON modules \
             only."
        ))
    };
    match resolved {
        Ok(key) => {
            let waiter = Waiter::Import {
                referrer: referrer_module,
                request: RootedObject::new(request.get()),
                payload: RootedValue::new(payload.get()),
            };
            load(global, key, waiter);
            true
        }
        Err(message) => {
            let error = type_error(&mut cx, global, message);
            rooted!(&in(cx) let error = error.get());
            rooted!(&in(cx) let payload = payload.get());
            mozjs::rust::wrappers2::FinishLoadingImportedModuleFailed(
                &mut cx,
                payload.handle(),
                error.handle(),
            )
        }
    }
}

/// Whether an import's `payload` is that of `import()` (its promise) rather than a static
/// import's (the graph being loaded).
unsafe fn is_dynamic_import(cx: &JSContext, payload: JSVal) -> bool {
    if !payload.is_object() {
        return false;
    }
    rooted!(&in(cx) let payload = payload.to_object());
    mozjs::jsapi::JS::IsPromiseObject(payload.handle().into())
}

fn is_service_worker(global: &GlobalScope) -> bool {
    global
        .upcast_event_target()
        .is::<ServiceWorkerGlobalScope>()
}

/// Resolves a module specifier (https://html.spec.whatwg.org/multipage/webappapis.html#resolve-a-module-specifier),
/// without import maps: a URL, or a path starting with `/`, `./` or `../`.
pub fn resolve_specifier(specifier: &str, base: &Url) -> Result<Url, String> {
    if specifier.starts_with('/') || specifier.starts_with("./") || specifier.starts_with("../") {
        return base
            .join(specifier)
            .map_err(|_| format!("Failed to resolve module specifier \"{specifier}\"."));
    }
    Url::parse(specifier).map_err(|_| {
        format!(
            "Failed to resolve module specifier \"{specifier}\". Relative references must \
             start with either \"/\", \"./\", or \"../\"."
        )
    })
}

/// `import.meta`: its `url`.
unsafe extern "C" fn metadata_hook(
    raw_cx: *mut RawJSContext,
    record: mozjs::jsapi::JS::Handle<*mut JSObject>,
    meta: mozjs::jsapi::JS::Handle<*mut JSObject>,
) -> bool {
    let cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    rooted!(&in(cx) let mut private = UndefinedValue());
    mozjs::glue::JS_GetModulePrivate(record.get(), private.handle_mut().into());
    if !private.get().is_string() {
        return true;
    }
    let Ok(name) = CString::new("url") else {
        return false;
    };
    rooted!(in(raw_cx) let value = private.get());
    mozjs::jsapi::JS_DefineProperty(
        raw_cx,
        meta,
        name.as_ptr(),
        value.handle().into(),
        mozjs::jsapi::JSPROP_ENUMERATE as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_resolve_as_html_says() {
        let base = Url::parse("https://a.test/dir/main.js").unwrap();
        let resolve = |s| resolve_specifier(s, &base).map(|url| url.to_string());
        assert_eq!(resolve("./b.js").unwrap(), "https://a.test/dir/b.js");
        assert_eq!(resolve("../c.js").unwrap(), "https://a.test/c.js");
        assert_eq!(resolve("/d.js").unwrap(), "https://a.test/d.js");
        assert_eq!(
            resolve("https://b.test/e.js").unwrap(),
            "https://b.test/e.js"
        );
        assert!(resolve("lodash")
            .unwrap_err()
            .contains("Relative references"));
        assert!(
            resolve("b.js").is_err(),
            "a bare relative path is not a specifier"
        );
    }
}
