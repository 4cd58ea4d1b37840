//! The SpiderMonkey side of a JS thread: the process-wide engine, one runtime per thread,
//! running classic scripts, reporting uncaught exceptions, the microtask checkpoint, unhandled
//! promise rejections and the interrupt callback that stops runaway scripts.

use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use mozjs::context::{JSContext, RawJSContext};
use mozjs::jsapi::{
    HandleObject as RawHandleObject, HandleValueArray, PromiseRejectionHandlingState,
};
use mozjs::jsval::{JSVal, ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    Call, JS_AddInterruptCallback, JS_GetProperty, SetPromiseRejectionTrackerCallback,
};
use mozjs::rust::{
    error_info_from_exception_stack, evaluate_script, CompileOptionsWrapper, HandleObject,
    HandleValue, JSEngine, JSEngineHandle, Runtime,
};

use crate::dom::bindings::callback::CallbackFunction;
use crate::dom::bindings::conversions::{from_js, Conv, RootedObject, RootedValue};
use crate::dom::bindings::error::{take_pending_exception, throw_error, Error, Fallible};
use crate::dom::bindings::reflector::Castable;
use crate::dom::errorevent::{ErrorEvent, ErrorReport};
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::GlobalScope;
use crate::dom::promiserejectionevent::PromiseRejectionEvent;

/// The process's SpiderMonkey engine. Runtimes hold handles to it; it is shut down at process
/// exit (before SpiderMonkey's own static destructors run, which crash on a live engine).
static ENGINE: Mutex<Option<EngineCell>> = Mutex::new(None);

struct EngineCell(JSEngine);

// SAFETY: JSEngine is only !Send to keep users from moving it casually; JS_Init/JS_ShutDown
// are process-wide and we only touch it under the mutex.
unsafe impl Send for EngineCell {}

extern "C" fn shut_down_engine_at_exit() {
    let Ok(mut engine) = ENGINE.lock() else {
        return;
    };
    if let Some(cell) = engine.as_ref() {
        if cell.0.can_shutdown() {
            *engine = None; // drops the JSEngine: JS_ShutDown
        }
    }
}

/// A handle to the process's SpiderMonkey engine, initializing it on first use.
pub fn engine() -> JSEngineHandle {
    let mut engine = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    if engine.is_none() {
        let initialized = JSEngine::init().expect("SpiderMonkey initializes once per process");
        *engine = Some(EngineCell(initialized));
        // SAFETY: registering a plain extern "C" function.
        unsafe { libc::atexit(shut_down_engine_at_exit) };
    }
    engine
        .as_ref()
        .map(|cell| cell.0.handle())
        .expect("engine initialized above")
}

thread_local! {
    /// Set by the watchdog (through the interrupt callback) to stop the running script.
    static TERMINATE: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
    static PENDING_REJECTIONS: RefCell<Vec<RootedObject>> = const { RefCell::new(Vec::new()) };
    static REPORTING: Cell<bool> = const { Cell::new(false) };
    /// `js.max_heap_bytes` of this thread's runtime.
    static MAX_HEAP_BYTES: Cell<u64> = const { Cell::new(u64::MAX) };
    /// Set once the runtime ran out of memory (see [`out_of_memory`]).
    static OUT_OF_MEMORY: Cell<bool> = const { Cell::new(false) };
}

/// `js.max_heap_bytes` of this thread's runtime (what a dedicated worker it starts gets too).
pub fn max_heap_bytes() -> u64 {
    MAX_HEAP_BYTES.with(Cell::get)
}

/// Whether this thread's runtime went over `js.max_heap_bytes` (or an allocation failed):
/// its script was terminated and nothing more runs on it. A page then ends with "out of
/// memory"; a worker's thread ends, and its events in flight fail.
pub fn out_of_memory() -> bool {
    OUT_OF_MEMORY.with(Cell::get)
}

/// The runtime is out of memory: terminate what runs, uncatchably, and run nothing more.
unsafe fn mark_out_of_memory(cx: *mut RawJSContext) {
    if OUT_OF_MEMORY.with(|flag| flag.replace(true)) {
        return;
    }
    log::warn!(
        target: "bgsync::script",
        "the JavaScript heap is over js.max_heap_bytes ({} bytes): stopping its scripts",
        MAX_HEAP_BYTES.with(Cell::get)
    );
    TERMINATE.with(|t| {
        if let Some(flag) = t.borrow().as_ref() {
            flag.store(true, Ordering::SeqCst);
        }
    });
    mozjs::jsapi::JS_RequestInterruptCallback(cx);
}

/// SpiderMonkey could not allocate (past `JSGC_MAX_BYTES`, or malloc failed).
unsafe extern "C" fn out_of_memory_callback(cx: *mut RawJSContext, _data: *mut std::ffi::c_void) {
    mark_out_of_memory(cx);
}

/// After each collection: the runtime's memory, GC heap and the malloc memory its objects
/// own (array elements, string characters) together, against the limit. `JSGC_MAX_BYTES`
/// alone bounds only the GC heap; growing malloc memory triggers collections, so this check
/// comes around as it grows.
unsafe extern "C" fn gc_callback(
    cx: *mut RawJSContext,
    status: mozjs::jsapi::JSGCStatus,
    _reason: mozjs::jsapi::JS::GCReason,
    _data: *mut std::ffi::c_void,
) {
    if status == mozjs::jsapi::JSGCStatus::JSGC_END
        && mozjs::jsapi::js::GetGCHeapUsage(cx) > MAX_HEAP_BYTES.with(Cell::get)
    {
        mark_out_of_memory(cx);
    }
}

/// Whether this thread's runtime was asked to stop (its embedder's
/// interrupt): nothing more may run on it, not even a task already queued.
pub fn termination_requested() -> bool {
    TERMINATE.with(|t| {
        t.borrow()
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::SeqCst))
    })
}

unsafe extern "C" fn interrupt_callback(_cx: *mut RawJSContext) -> bool {
    // Returning false terminates the running script, uncatchably.
    !termination_requested()
}

unsafe extern "C" fn promise_rejection_tracker(
    _cx: *mut RawJSContext,
    _muted_errors: bool,
    promise: RawHandleObject,
    state: PromiseRejectionHandlingState,
    _data: *mut std::ffi::c_void,
) {
    let promise = promise.get();
    PENDING_REJECTIONS.with(|pending| {
        let mut pending = pending.borrow_mut();
        match state {
            PromiseRejectionHandlingState::Unhandled => pending.push(RootedObject::new(promise)),
            PromiseRejectionHandlingState::Handled => pending.retain(|p| p.get() != promise),
        }
    });
}

unsafe extern "C" fn get_host_defined_data(
    cx: *mut RawJSContext,
    incumbent_global: mozjs::jsapi::MutableHandleObject,
    host_defined_data: mozjs::jsapi::MutableHandleObject,
) -> bool {
    incumbent_global.set(mozjs::jsapi::CurrentGlobalOrNull(cx));
    host_defined_data.set(std::ptr::null_mut());
    true
}

unsafe extern "C" fn get_host_defined_global(
    _cx: *mut RawJSContext,
    data: mozjs::jsapi::MutableHandleObject,
) -> bool {
    data.set(std::ptr::null_mut());
    true
}

unsafe extern "C" fn run_jobs_trap(cx: *mut RawJSContext) {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(cx));
    drain_microtasks(&mut cx);
}

unsafe extern "C" fn trace_non_gc_microtask(_trc: *mut mozjs::jsapi::JSTracer, _value: *mut JSVal) {
}

static JOB_QUEUE_TRAPS: mozjs::glue::JobQueueTraps = mozjs::glue::JobQueueTraps {
    getHostDefinedData: Some(get_host_defined_data),
    getHostDefinedGlobal: Some(get_host_defined_global),
    runJobs: Some(run_jobs_trap),
    traceNonGCThingMicroTask: Some(trace_non_gc_microtask),
};

/// Runs SpiderMonkey's microtask queue (promise reactions) until it is empty; an exception
/// escaping a job is reported.
unsafe fn drain_microtasks(cx: &mut JSContext) {
    while mozjs::jsapi::JS::HasAnyMicroTasks(cx.raw_cx()) {
        rooted!(&in(cx) let mut task = UndefinedValue());
        mozjs::glue::JS_DequeueNextMicroTask(cx.raw_cx(), task.handle_mut().into());
        if !mozjs::jsapi::JS::IsJSMicroTask(&task.get()) {
            continue;
        }
        rooted!(&in(cx) let job = mozjs::jsapi::JS::ToUnwrappedJSMicroTask(&task.get()));
        if job.get().is_null() {
            continue;
        }
        let global = mozjs::jsapi::JS::GetExecutionGlobalFromJSMicroTask(job.get());
        let _realm =
            (!global.is_null()).then(|| mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), global));
        if !mozjs::jsapi::JS::RunJSMicroTask(cx.raw_cx(), job.handle().into()) {
            let current = mozjs::jsapi::CurrentGlobalOrNull(cx.raw_cx());
            if !current.is_null() {
                report_pending_exception(cx, GlobalScope::from_object(current));
            }
        }
    }
}

/// Creates this thread's runtime: the job queue, the DOM root list, the interrupt callback
/// and the rejection tracker. `terminate` is the flag a watchdog sets to stop scripts;
/// `max_heap_bytes` (the pref `js.max_heap_bytes`) bounds the runtime's memory.
pub fn new_runtime(terminate: Arc<AtomicBool>, max_heap_bytes: u64) -> Runtime {
    let mut runtime = Runtime::new(engine());
    crate::dom::bindings::root::register_root_list();
    TERMINATE.with(|t| *t.borrow_mut() = Some(terminate));
    let cx = runtime.cx();
    MAX_HEAP_BYTES.with(|max| max.set(max_heap_bytes));
    OUT_OF_MEMORY.with(|flag| flag.set(false));
    // SpiderMonkey's parameter is 32 bits wide: a larger limit is its largest.
    let limit = u32::try_from(max_heap_bytes).unwrap_or(u32::MAX);
    // SAFETY: a fresh runtime of this thread; any value is a valid limit, and the callbacks
    // are plain functions that live as long as the process.
    unsafe {
        mozjs::rust::wrappers2::JS_SetGCParameter(
            cx,
            mozjs::jsapi::JSGCParamKey::JSGC_MAX_BYTES,
            limit,
        );
        mozjs::jsapi::JS::SetOutOfMemoryCallback(
            cx.raw_cx(),
            Some(out_of_memory_callback),
            std::ptr::null_mut(),
        );
        mozjs::jsapi::JS_SetGCCallback(cx.raw_cx(), Some(gc_callback), std::ptr::null_mut());
    }
    // SAFETY: fresh runtime on this thread; the job queue lives as long as the process
    // (one per script thread, a few hundred bytes).
    unsafe {
        let queue = mozjs::glue::CreateJobQueue(&JOB_QUEUE_TRAPS);
        mozjs::jsapi::JS::SetJobQueue(cx.raw_cx(), queue as *mut mozjs::jsapi::JS::JobQueue);
        JS_AddInterruptCallback(cx, Some(interrupt_callback));
        mozjs::jsapi::js::SetDOMCallbacks(cx.raw_cx(), &DOM_CALLBACKS);
        // A DOM object used as a WeakMap key (idb keeps its wrappers of requests and
        // transactions that way) makes SpiderMonkey ask to preserve its reflector: without
        // these callbacks it calls a null function pointer.
        mozjs::jsapi::js::SetPreserveWrapperCallbacks(
            cx.raw_cx(),
            Some(preserve_wrapper),
            Some(has_released_wrapper),
        );
        SetPromiseRejectionTrackerCallback(
            cx,
            Some(promise_rejection_tracker),
            std::ptr::null_mut(),
        );
        crate::modules::install_hooks(cx);
    }
    runtime
}

/// A reflector owns its DOM object (the object lives exactly as long as it does), so there is
/// nothing to preserve: a WeakMap keyed by a DOM object holds its entry while the reflector
/// lives, as for any object.
unsafe extern "C" fn preserve_wrapper(
    _cx: *mut mozjs::jsapi::JSContext,
    _object: mozjs::jsapi::HandleObject,
) -> bool {
    true
}

/// A DOM object never drops its reflector to make another later.
unsafe extern "C" fn has_released_wrapper(_object: mozjs::jsapi::HandleObject) -> bool {
    false
}

/// What SpiderMonkey asks of DOM objects: only error reporting uses it here (an uncaught
/// DOMException is reported like an Error, with its message and where it was made).
static DOM_CALLBACKS: mozjs::jsapi::js::DOMCallbacks = mozjs::jsapi::js::DOMCallbacks {
    instanceClassMatchesProto: Some(instance_class_matches_proto),
    instanceClassIsError: Some(instance_class_is_error),
    extractExceptionInfo: Some(extract_exception_info),
};

unsafe extern "C" fn instance_class_matches_proto(
    _class: *const mozjs::jsapi::JSClass,
    _proto_id: u32,
    _depth: u32,
) -> bool {
    // No JIT info is registered, so SpiderMonkey never asks; answer "no match" if it does.
    false
}

unsafe extern "C" fn instance_class_is_error(_class: *const mozjs::jsapi::JSClass) -> bool {
    false
}

unsafe extern "C" fn extract_exception_info(
    cx: *mut RawJSContext,
    object: mozjs::jsapi::HandleObject,
    is_exception: *mut bool,
    filename: mozjs::jsapi::MutableHandle<*mut mozjs::jsapi::JSString>,
    line: *mut u32,
    column: *mut u32,
    message: mozjs::jsapi::MutableHandle<*mut mozjs::jsapi::JSString>,
) -> bool {
    use crate::dom::domexception::DOMException;
    let Some(exception) =
        crate::dom::bindings::utils::unwrap_dom_object_checked::<DOMException>(object.get())
    else {
        *is_exception = false;
        return true;
    };
    let exception = &*exception;
    let (text, file, at_line, at_column) = exception.report_info();
    let Some(cx) = NonNull::new(cx) else {
        return false;
    };
    let mut cx = JSContext::from_ptr(cx);
    let new_string = |cx: &mut JSContext, text: &str| {
        let chars: Vec<u16> = text.encode_utf16().collect();
        mozjs::rust::wrappers2::JS_NewUCStringCopyN(cx, chars.as_ptr(), chars.len())
    };
    let message_string = new_string(&mut cx, &text);
    let file_string = new_string(&mut cx, file);
    if message_string.is_null() || file_string.is_null() {
        return false;
    }
    *is_exception = true;
    message.set(message_string);
    filename.set(file_string);
    *line = at_line;
    *column = at_column;
    true
}

/// Runs a classic script; an uncaught exception is reported (error event, stderr).
/// Returns false if the script threw or was terminated.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn run_classic_script(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &str,
    url: &str,
    line: u32,
) -> bool {
    if termination_requested() {
        // Out of memory, or stopped: nothing more runs here.
        return false;
    }
    let filename = CString::new(url.replace('\0', "")).unwrap_or_default();
    let options = CompileOptionsWrapper::new(cx, filename, line);
    rooted!(&in(cx) let global_object = global.reflector().get());
    rooted!(&in(cx) let mut rval = UndefinedValue());
    let ok = evaluate_script(
        cx,
        global_object.handle(),
        source,
        rval.handle_mut(),
        options,
    )
    .is_ok();
    if !ok {
        report_pending_exception(cx, global);
    }
    microtask_checkpoint(cx, global);
    ok
}

/// Evaluates `source` in `global` and leaves any exception pending for the caller
/// (`importScripts()` rethrows what the imported script threw). False if it threw or was
/// terminated.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn evaluate_propagating(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &str,
    url: &str,
) -> bool {
    let filename = CString::new(url.replace('\0', "")).unwrap_or_default();
    let options = CompileOptionsWrapper::new(cx, filename, 1);
    rooted!(&in(cx) let global_object = global.reflector().get());
    rooted!(&in(cx) let mut rval = UndefinedValue());
    evaluate_script(
        cx,
        global_object.handle(),
        source,
        rval.handle_mut(),
        options,
    )
    .is_ok()
}

/// Reports `error` as an uncaught exception of `global`.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn report_error(cx: &mut JSContext, global: &GlobalScope, error: Error) {
    throw_error(cx, global, error);
    report_pending_exception(cx, global);
}

/// Reports and clears the pending exception, if any
/// (https://html.spec.whatwg.org/#report-an-exception).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn report_pending_exception(cx: &mut JSContext, global: &GlobalScope) {
    if out_of_memory() {
        // The global's end says so, once; nothing can run to report it here.
        mozjs::jsapi::JS_ClearPendingException(cx.raw_cx());
        return;
    }
    rooted!(&in(cx) let mut exception = UndefinedValue());
    let Some(info) = error_info_from_exception_stack(cx, exception.handle_mut()) else {
        // No exception: the script was terminated (timeout) or it was a warning.
        return;
    };
    let message = error_name(cx, exception.get())
        .map(|name| format!("{name}: {}", info.message))
        .unwrap_or(info.message);
    let report = ErrorReport {
        message,
        filename: info.filename,
        lineno: info.line,
        colno: info.col,
    };
    fire_error(cx, global, report, exception.handle());
}

/// The `name` of an Error object (`TypeError`), so reports read `TypeError: message` as
/// browsers print them; `None` for other thrown values.
unsafe fn error_name(cx: &mut JSContext, value: JSVal) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    rooted!(&in(cx) let object = value.to_object());
    let mut class = mozjs::jsapi::ESClass::Other;
    if !mozjs::jsapi::JS::GetBuiltinClass(cx.raw_cx(), object.handle().into(), &mut class)
        || class != mozjs::jsapi::ESClass::Error
    {
        return None;
    }
    rooted!(&in(cx) let mut name = UndefinedValue());
    if !JS_GetProperty(cx, object.handle(), c"name".as_ptr(), name.handle_mut())
        || !name.get().is_string()
    {
        return None;
    }
    from_js::<String>(cx, name.handle(), &Conv::plain("error")).ok()
}

/// Reports a value as an uncaught exception (`reportError`).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn report_exception_value(cx: &mut JSContext, global: &GlobalScope, value: JSVal) {
    // Rooted first: reading the value's `name` and `message` runs script, which may collect.
    rooted!(&in(cx) let value = value);
    let report = report_of_value(cx, value.get());
    fire_error(cx, global, report, value.handle());
}

/// What an error report says of a thrown or rejected value: an object's `name: message` and
/// where it was made (`fileName`, `lineNumber`, `columnNumber`), anything else as text.
unsafe fn report_of_value(cx: &mut JSContext, value: JSVal) -> ErrorReport {
    rooted!(&in(cx) let value = value);
    let mut report = ErrorReport {
        message: String::new(),
        filename: String::new(),
        lineno: 0,
        colno: 0,
    };
    if value.get().is_object() {
        rooted!(&in(cx) let object = value.get().to_object());
        let read = |cx: &mut JSContext, name: &std::ffi::CStr| -> RootedValue {
            rooted!(&in(cx) let mut v = UndefinedValue());
            JS_GetProperty(cx, object.handle(), name.as_ptr(), v.handle_mut());
            RootedValue::new(v.get())
        };
        let conv = Conv::plain("reportError");
        let v = read(cx, c"name");
        let name: String = from_js(cx, v.handle(), &conv).unwrap_or_default();
        let v = read(cx, c"message");
        let message: String = from_js(cx, v.handle(), &conv).unwrap_or_default();
        report.message = if name.is_empty() {
            message
        } else {
            format!("{name}: {message}")
        };
        let v = read(cx, c"fileName");
        report.filename = from_js(cx, v.handle(), &conv).unwrap_or_default();
        let v = read(cx, c"lineNumber");
        report.lineno = from_js(cx, v.handle(), &conv).unwrap_or(0);
        let v = read(cx, c"columnNumber");
        report.colno = from_js(cx, v.handle(), &conv).unwrap_or(0);
    } else {
        let conv = Conv::plain("reportError");
        let text: String = from_js(cx, value.handle(), &conv).unwrap_or_default();
        report.message = format!("uncaught exception: {text}");
    }
    report
}

unsafe fn fire_error(
    cx: &mut JSContext,
    global: &GlobalScope,
    report: ErrorReport,
    error: HandleValue<'_>,
) {
    let line = format!(
        "{}:{}:{} Uncaught {}",
        report.filename, report.lineno, report.colno, report.message
    );
    // An exception thrown by an error handler is not reported through another error event.
    if REPORTING.with(|r| r.replace(true)) {
        report_uncaught(global, &line);
        return;
    }
    let event = ErrorEvent::new_trusted(cx, global, report.clone(), error);
    let not_canceled = global
        .upcast_event_target()
        .dispatch_event(cx, event.upcast::<Event>());
    REPORTING.with(|r| r.set(false));
    if !not_canceled {
        return;
    }
    // A dedicated worker's owner hears of it, and reports it if nobody handles it there.
    if let Some(worker) = global
        .upcast_event_target()
        .downcast::<crate::dom::dedicatedworkerglobalscope::DedicatedWorkerGlobalScope>(
    ) {
        worker.forward_error(report);
        return;
    }
    report_uncaught(global, &line);
}

/// An uncaught error of a dedicated worker that its `Worker` object's listeners did not
/// cancel: reported as an uncaught error of the owner `global`
/// (https://html.spec.whatwg.org/multipage/workers.html#runtime-script-errors-2).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn report_forwarded_error(
    cx: &mut JSContext,
    global: &GlobalScope,
    report: ErrorReport,
) {
    rooted!(&in(cx) let error = mozjs::jsval::NullValue());
    fire_error(cx, global, report, error.handle());
}

/// Prints an uncaught error's line on stderr, naming the global if it is not a page's (a
/// service worker's scope), and tells the constellation of a worker's, for the embedder.
pub fn report_uncaught(global: &GlobalScope, line: &str) {
    let Some(context) = global.error_context() else {
        eprintln!("{line}");
        return;
    };
    eprintln!("{line} ({context})");
    if let Some(link) = global.constellation_link() {
        link.send_worker(script_traits::WorkerMsg::UncaughtError {
            message: line.to_owned(),
        });
    }
}

/// Reports `reason`, the rejection of a promise nobody handles (or of an extend-lifetime
/// promise), as `Uncaught (in promise) ...`.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn report_rejection(cx: &mut JSContext, global: &GlobalScope, reason: JSVal) {
    rooted!(&in(cx) let reason = reason);
    let conv = Conv::plain("unhandledrejection");
    let text = describe(cx, global, reason.get())
        .unwrap_or_else(|| from_js::<String>(cx, reason.handle(), &conv).unwrap_or_default());
    // An Error says where it was made, as a thrown one does.
    let line = match error_name(cx, reason.get()) {
        Some(_) => {
            let report = report_of_value(cx, reason.get());
            format!(
                "{}:{}:{} Uncaught (in promise) {text}",
                report.filename, report.lineno, report.colno
            )
        }
        None => format!("Uncaught (in promise) {text}"),
    };
    report_uncaught(global, &line);
}

/// Reports the rejection of a settled `promise` as `Uncaught (in promise) ...`.
///
/// # Safety
/// `cx` in `global`'s realm; `promise` is a rejected promise.
pub unsafe fn report_rejected_promise(
    cx: &mut JSContext,
    global: &GlobalScope,
    promise: HandleObject<'_>,
) {
    let reason = promise_result(cx, promise);
    report_rejection(cx, global, reason.get());
}

/// The value a settled promise was resolved or rejected with.
unsafe fn promise_result(cx: &mut JSContext, promise: HandleObject<'_>) -> RootedValue {
    rooted!(&in(cx) let mut result = UndefinedValue());
    mozjs::glue::JS_GetPromiseResult(promise.into(), result.handle_mut().into());
    RootedValue::new(result.get())
}

thread_local! {
    /// HTML's "performing a microtask checkpoint" flag: a checkpoint asked for while one runs
    /// (a listener called from a promise job) does nothing.
    static IN_CHECKPOINT: Cell<bool> = const { Cell::new(false) };
}

/// HTML's "clean up after running a callback": once a callback the engine called returns and
/// no script is left on the stack (an event fired by the engine, not `dispatchEvent()` from
/// script), a microtask checkpoint runs, so promise reactions queued by one listener run
/// before the next listener.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn after_callback(cx: &mut JSContext, global: &GlobalScope) {
    if mozjs::jsapi::JS::GetScriptedCallerGlobal(cx.raw_cx()).is_null() {
        microtask_checkpoint(cx, global);
    }
}

/// Performs a microtask checkpoint: runs promise jobs until none are left, then notifies
/// about rejected promises nobody handled
/// (https://html.spec.whatwg.org/#perform-a-microtask-checkpoint).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn microtask_checkpoint(cx: &mut JSContext, global: &GlobalScope) {
    if IN_CHECKPOINT.with(|flag| flag.replace(true)) {
        return;
    }
    /// Clears the flag however the steps end.
    struct Performing;
    impl Drop for Performing {
        fn drop(&mut self) {
            IN_CHECKPOINT.with(|flag| flag.set(false));
        }
    }
    let _performing = Performing;
    checkpoint_steps(cx, global);
}

unsafe fn checkpoint_steps(cx: &mut JSContext, global: &GlobalScope) {
    drain_microtasks(cx);
    let pending: Vec<RootedObject> =
        PENDING_REJECTIONS.with(|p| std::mem::take(&mut *p.borrow_mut()));
    for promise in pending {
        if mozjs::jsapi::JS::GetPromiseIsHandled(promise.handle().into()) {
            continue;
        }
        // HTML: the rejection is the promise's own global's to notify (a frame's promise is
        // the frame's, whichever global's task ran the checkpoint), in that global's realm.
        let owner = GlobalScope::from_object(promise.get());
        if owner.is_closed() {
            continue;
        }
        let _realm = mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), owner.reflector().get());
        let reason = promise_result(cx, promise.handle());
        let event = PromiseRejectionEvent::new(cx, owner, None, promise.handle(), reason.handle());
        event
            .upcast::<Event>()
            .init("unhandledrejection", false, true);
        event.upcast::<Event>().set_trusted(true);
        let not_canceled = owner
            .upcast_event_target()
            .dispatch_event(cx, event.upcast::<Event>());
        if not_canceled {
            report_rejection(cx, owner, reason.get());
        }
        drain_microtasks(cx);
    }
    // HTML: "Cleanup Indexed Database transactions".
    crate::dom::idbfactory::cleanup_transactions(global);
    // HTML: "Perform ClearKeptObjects()": a WeakRef's target is kept only until the end of
    // the checkpoint that follows its creation or `deref()`.
    mozjs::rust::wrappers2::ClearKeptObjects(cx);
}

/// A console-style description of a value (`Error: message` for errors).
unsafe fn describe(cx: &mut JSContext, global: &GlobalScope, value: JSVal) -> Option<String> {
    let data = [RootedValue::new(value)];
    crate::dom::console::Console::format(cx, global, &data).ok()
}

/// GC zeal for rooting bugs: with `BGSYNC_GC_ZEAL=minor` in the environment, a minor
/// (nursery) collection runs at each of the engine's allocation points named here, wherever
/// the heap happens to be: before a DOM object or a promise is made, before a native DOM
/// member runs, before a callback or an internal helper is called, after a helper is compiled.
/// A GC thing Rust holds in a way that collection does not see (a bare `JSVal` kept across
/// one of those points, a `rooted_vec!`) then points into the nursery's old place at once,
/// instead of on the rare day the nursery fills at that spot. `BGSYNC_GC_ZEAL=wrap,native`
/// (any of `wrap`, `promise`, `native`, `callback`, `helper`, `compiled`) picks points.
/// Slow; for tests (`./mach test-wpt --gc-zeal`), not for use.
pub fn gc_zeal(cx: &mut JSContext, point: &str) {
    static ZEAL: std::sync::OnceLock<Option<Vec<String>>> = std::sync::OnceLock::new();
    let zeal = ZEAL.get_or_init(|| {
        let value = std::env::var("BGSYNC_GC_ZEAL").ok()?;
        Some(value.split(',').map(|p| p.trim().to_owned()).collect())
    });
    let Some(points) = zeal else {
        return;
    };
    if points.iter().any(|p| p == "minor" || p == point) {
        // SAFETY: a minor collection may run at any allocation; these points are ones.
        unsafe {
            let runtime = mozjs::jsapi::JS_GetRuntime(cx.raw_cx());
            mozjs::jsapi::JS::RunNurseryCollection(
                runtime,
                mozjs::jsapi::JS::GCReason::API,
                mozjs::jsapi::mozilla::TimeDuration { mValue: 0 },
            );
        }
    }
}

/// Calls a JS helper function, compiled from `source` once per global, with `args`.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn call_helper(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &'static str,
    args: &[&JSVal],
) -> Fallible<RootedValue> {
    // The arguments are rooted before anything can collect: compiling the helper the first
    // time may run a (moving) collection, and the caller's values are bare `JSVal`s. They are
    // a stack root (traced by every collection, minor ones included), not `rooted_vec!`,
    // whose extra-roots tracer SpiderMonkey skips in a minor GC.
    rooted!(&in(cx) let mut argv = Vec::<JSVal>::with_capacity(args.len()));
    for a in args {
        argv.push(**a);
    }
    let key = source.as_ptr() as usize;
    let function = match global.helper(key) {
        Some(f) => f,
        None => {
            rooted!(&in(cx) let global_object = global.reflector().get());
            rooted!(&in(cx) let mut rval = UndefinedValue());
            let options = CompileOptionsWrapper::new(cx, c"bgsync-internal".to_owned(), 1);
            if evaluate_script(
                cx,
                global_object.handle(),
                source,
                rval.handle_mut(),
                options,
            )
            .is_err()
                || !rval.get().is_object()
            {
                return Err(Error::JSFailed);
            }
            global.set_helper(key, rval.get().to_object());
            gc_zeal(cx, "compiled");
            rval.get().to_object()
        }
    };
    rooted!(&in(cx) let function = ObjectValue(function));
    gc_zeal(cx, "helper");
    let array = HandleValueArray::from(&argv);
    rooted!(&in(cx) let this = UndefinedValue());
    rooted!(&in(cx) let mut rval = UndefinedValue());
    if !Call(
        cx,
        this.handle(),
        function.handle(),
        &array,
        rval.handle_mut(),
    ) {
        return Err(Error::JSFailed);
    }
    Ok(RootedValue::new(rval.get()))
}

/// [`call_helper`] for helpers run for their effect; failures are reported.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn evaluate_helper(
    cx: &mut JSContext,
    global: &GlobalScope,
    source: &'static str,
    args: &[&JSVal],
) -> bool {
    match call_helper(cx, global, source, args) {
        Ok(_) => true,
        Err(error) => {
            report_error(cx, global, error);
            false
        }
    }
}

const QUEUE_MICROTASK: &str = r#"(function (callback, report) {
  Promise.resolve().then(() => {
    try { callback(); } catch (e) { report(e); }
  });
})"#;

unsafe extern "C" fn report_native(cx: *mut RawJSContext, argc: u32, vp: *mut JSVal) -> bool {
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(cx));
    let args = mozjs::jsapi::CallArgs::from_vp(vp, argc);
    let global = crate::dom::globalscope::current_global(&cx);
    report_exception_value(&mut cx, global, args.get(0).get());
    args.rval().set(UndefinedValue());
    true
}

/// https://html.spec.whatwg.org/#microtask-queuing
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn queue_microtask(
    cx: &mut JSContext,
    global: &GlobalScope,
    callback: &CallbackFunction,
) -> Fallible<()> {
    let report =
        mozjs::rust::wrappers2::JS_NewFunction(cx, Some(report_native), 1, 0, c"report".as_ptr());
    if report.is_null() {
        return Err(Error::JSFailed);
    }
    rooted!(&in(cx) let report = ObjectValue(mozjs::jsapi::JS_GetFunctionObject(report)));
    let callback = callback.value();
    call_helper(cx, global, QUEUE_MICROTASK, &[&callback, &report.get()]).map(|_| ())
}

/// Takes the pending exception as a value (for rejecting promises with it).
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn take_exception(cx: &mut JSContext) -> Option<RootedValue> {
    rooted!(&in(cx) let mut value = UndefinedValue());
    take_pending_exception(cx, value.handle_mut()).then(|| RootedValue::new(value.get()))
}

/// The EventTarget of a global, for firing events at it.
pub fn global_target(global: &GlobalScope) -> &EventTarget {
    global.upcast_event_target()
}
