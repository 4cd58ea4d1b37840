//! Service worker globals on their own thread: what is exposed, timers, errors.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use script::dom::globalscope::ConsoleLevel;
use script::page::PageOutcome;
use script::worker::{run_service_worker, WorkerOptions};

fn run_worker(name: &str, source: &str) -> (Vec<String>, PageOutcome) {
    let dir = common::temp_dir(name);
    let path = dir.join("sw.js");
    std::fs::write(&path, source).unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let outcome = run_service_worker(WorkerOptions {
        url: url::Url::from_file_path(&path).unwrap(),
        timeout: Some(Duration::from_secs(20)),
        prefs: base::prefs::Prefs::defaults(),
        console: Arc::new(move |_level: ConsoleLevel, text: &str| {
            sink.lock().unwrap().push(text.to_string())
        }),
    });
    let lines = lines.lock().unwrap().clone();
    (lines, outcome)
}

#[test]
fn a_service_worker_global_exposes_worker_interfaces_only() {
    let (lines, outcome) = run_worker(
        "sw-exposure",
        r#"
        console.log(self instanceof ServiceWorkerGlobalScope, self instanceof WorkerGlobalScope, self instanceof EventTarget);
        console.log(Object.prototype.toString.call(self), self === globalThis, isSecureContext);
        console.log(typeof document, typeof Window, typeof Node, typeof Document);
        console.log(typeof Event, typeof URL, typeof DOMException, typeof setTimeout, typeof console.log);
        "#,
    );
    assert_eq!(outcome, PageOutcome::Idle);
    assert_eq!(
        lines,
        [
            "true true true",
            "[object ServiceWorkerGlobalScope] true true",
            "undefined undefined undefined undefined",
            "function function function function function"
        ]
    );
}

#[test]
fn worker_timers_microtasks_and_event_handlers_run() {
    let (lines, _) = run_worker(
        "sw-loop",
        r#"
        self.oninstall = (e) => console.log("install handler", e.type);
        setTimeout(() => {
          console.log("timer");
          self.dispatchEvent(new Event("install"));
        }, 1);
        Promise.resolve().then(() => console.log("microtask"));
        self.addEventListener("error", (e) => console.log("error event", e.message));
        setTimeout(() => { throw new Error("late failure"); }, 2);
        "#,
    );
    assert_eq!(
        lines,
        [
            "microtask",
            "timer",
            "install handler install",
            "error event Error: late failure"
        ]
    );
}

#[test]
fn a_missing_worker_script_fails_to_load() {
    let dir = common::temp_dir("sw-missing");
    let outcome = run_service_worker(WorkerOptions {
        url: url::Url::from_file_path(dir.join("none.js")).unwrap(),
        timeout: Some(Duration::from_secs(5)),
        prefs: base::prefs::Prefs::defaults(),
        console: Arc::new(|_: ConsoleLevel, _: &str| {}),
    });
    assert!(matches!(outcome, PageOutcome::LoadFailed(_)), "{outcome:?}");
}

#[test]
fn a_worker_script_served_with_a_wrong_mime_type_is_refused() {
    let base = common::serve(vec![(
        "/sw.js",
        "text/plain",
        "console.log('never')".to_string(),
    )]);
    let outcome = run_service_worker(WorkerOptions {
        url: url::Url::parse(&format!("{base}/sw.js")).unwrap(),
        timeout: Some(Duration::from_secs(5)),
        prefs: base::prefs::Prefs::defaults(),
        console: Arc::new(|_: ConsoleLevel, _: &str| {}),
    });
    match outcome {
        PageOutcome::LoadFailed(reason) => assert!(reason.contains("MIME"), "{reason}"),
        other => panic!("expected a load failure, got {other:?}"),
    }
}

#[test]
fn sync_event_constructor_attributes_and_inheritance() {
    let (lines, _) = run_worker(
        "sw-syncevent",
        r#"
        const e = new SyncEvent("sync", { tag: "outbox", lastChance: true });
        console.log(e.type, e.tag, e.lastChance, e instanceof ExtendableEvent, e instanceof Event, e.isTrusted);
        console.log(new SyncEvent("sync", { tag: "" }).lastChance, Object.getPrototypeOf(SyncEvent) === ExtendableEvent, SyncEvent.length);
        for (const make of [() => new SyncEvent("sync"), () => new SyncEvent("sync", {}), () => SyncEvent("sync", { tag: "x" })]) {
          try { make(); console.log("no error"); } catch (err) { console.log(err.constructor.name); }
        }
        try { e.waitUntil(Promise.resolve()); } catch (err) { console.log(err.name, err.message.includes("not trusted")); }
        console.log("onsync" in self, self.onsync);
        self.onsync = (ev) => console.log("onsync ran", ev.tag);
        self.dispatchEvent(new SyncEvent("sync", { tag: "t1" }));
        console.log(typeof self.onsync);
        "#,
    );
    assert_eq!(
        lines,
        [
            "sync outbox true true true false",
            "false true 2",
            "TypeError",
            "TypeError",
            "TypeError",
            "InvalidStateError true",
            "true null",
            "onsync ran t1",
            "function"
        ]
    );
}

#[test]
fn sync_event_and_extendable_event_are_not_exposed_to_windows() {
    let run = common::run_script(
        "window-no-syncevent",
        "console.log(typeof SyncEvent, typeof ExtendableEvent, typeof ServiceWorkerGlobalScope, 'onsync' in window);",
    );
    assert_eq!(run.lines, ["undefined undefined undefined false"]);
}

fn sync_attempt(
    name: &str,
    source: &str,
    last_chance: bool,
) -> (Vec<String>, background_sync_traits::SyncEventOutcome) {
    let dir = common::temp_dir(name);
    let path = dir.join("sw.js");
    std::fs::write(&path, source).unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let outcome = script::worker::run_sync_attempt(
        WorkerOptions {
            url: url::Url::from_file_path(&path).unwrap(),
            timeout: Some(Duration::from_secs(20)),
            prefs: base::prefs::Prefs::defaults(),
            console: Arc::new(move |_level: ConsoleLevel, text: &str| {
                sink.lock().unwrap().push(text.to_string())
            }),
        },
        "outbox".into(),
        last_chance,
        Duration::from_millis(500),
    )
    .expect("the attempt ran");
    let lines = lines.lock().unwrap().clone();
    (lines, outcome)
}

#[test]
fn a_sync_handler_whose_wait_until_promises_fulfil_succeeds() {
    use background_sync_traits::SyncEventOutcome;
    let (lines, outcome) = sync_attempt(
        "sync-success",
        r#"self.addEventListener("sync", (e) => {
             console.log("sync", e.tag, e.lastChance, e.isTrusted);
             e.waitUntil(new Promise((resolve) => setTimeout(resolve, 20)));
             e.waitUntil(Promise.resolve(1));
           });"#,
        true,
    );
    assert_eq!(lines, ["sync outbox true true"]);
    assert_eq!(outcome, SyncEventOutcome::Success);
    let (_, outcome) = sync_attempt("sync-no-wait", "self.onsync = () => {};", false);
    assert_eq!(outcome, SyncEventOutcome::Success);
}

#[test]
fn rejection_exception_and_timeout_are_failures() {
    use background_sync_traits::{SyncEventFailure, SyncEventOutcome};
    let (_, outcome) = sync_attempt(
        "sync-reject",
        "self.onsync = (e) => e.waitUntil(new Promise((_, reject) => setTimeout(() => reject(new Error('server down')), 5)));",
        false,
    );
    assert_eq!(
        outcome,
        SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected)
    );
    let (_, outcome) = sync_attempt(
        "sync-throw",
        "self.onsync = () => { throw new Error('boom'); };",
        false,
    );
    assert_eq!(
        outcome,
        SyncEventOutcome::Failed(SyncEventFailure::HandlerThrew)
    );
    let (_, outcome) = sync_attempt(
        "sync-slow",
        "self.onsync = (e) => e.waitUntil(new Promise((resolve) => setTimeout(resolve, 5000)));",
        false,
    );
    assert_eq!(
        outcome,
        SyncEventOutcome::Failed(SyncEventFailure::TimedOut)
    );
    let (_, outcome) = sync_attempt(
        "sync-never",
        "self.onsync = (e) => e.waitUntil(new Promise(() => {}));",
        false,
    );
    assert_eq!(
        outcome,
        SyncEventOutcome::Failed(SyncEventFailure::TimedOut)
    );
}

#[test]
fn wait_until_after_the_event_settled_is_an_invalid_state_error() {
    let (lines, _) = sync_attempt(
        "sync-late-wait",
        r#"self.onsync = (e) => {
             setTimeout(() => {
               try { e.waitUntil(Promise.resolve()); console.log("accepted"); }
               catch (err) { console.log(err.name); }
             }, 0);
           };"#,
        false,
    );
    assert_eq!(lines, ["InvalidStateError"]);
}
