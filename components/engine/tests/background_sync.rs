//! Background sync end to end: real pages and workers (SpiderMonkey), real
//! SQLite profiles, a real HTTP server on 127.0.0.1, real ipc channels.
//!
//! What needs restarts or time: a sync registered offline in one run fires
//! in the next with no page open (the worker is started just for it);
//! failed attempts are retried with the back-off of the prefs, the last with
//! `lastChance`; devtools' dispatch changes nothing stored.

mod support;

use std::time::Duration;

use engine::{
    Connectivity, PageOutcome, SyncEventFailure, SyncEventOutcome, SyncLogKind, SyncState,
};
use support::server::TestServer;
use support::{eventually, page, register_sync_page, start_engine_with, PAGE_TIMEOUT};

/// Logs each sync event it gets as `sw: sync <tag> <lastChance>`.
const LOGGING_WORKER: &str = r#"
self.addEventListener('sync', event => {
  console.log('sw: sync ' + event.tag + ' ' + event.lastChance);
});
"#;

/// Logs each sync event, then fails it (a rejected waitUntil promise).
const FAILING_WORKER: &str = r#"
self.addEventListener('sync', event => {
  console.log('sw: sync ' + event.tag + ' ' + event.lastChance);
  event.waitUntil(Promise.reject(new Error('the server is down')));
});
"#;

#[test]
fn a_sync_registered_offline_fires_in_the_next_online_run_without_a_page() {
    let profile = tempfile::TempDir::new().unwrap();
    let server = TestServer::start();
    server.serve_js("/app/sw.js", LOGGING_WORKER);
    server.serve_html("/app/register.html", &register_sync_page("outbox"));
    let scope = server.url("/app/");

    // Run 1, offline: registered and stored, nothing fires.
    let (first, console, log) =
        start_engine_with(Some(profile.path()), &[], Some(Connectivity::Offline));
    let outcome = first.run_page(server.url("/app/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(
        console.contains(r#"tags ["outbox"]"#),
        "{:?}",
        console.lines()
    );
    let listed = first.sync_registrations().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (&listed[0].scope, listed[0].tag.as_str(), listed[0].state),
        (&scope, "outbox", SyncState::Pending)
    );
    assert_eq!((listed[0].num_attempts, listed[0].max_attempts), (0, 3));
    assert_eq!(log.lines().len(), 1, "{:?}", log.lines());
    assert_eq!(log.entries()[0].kind, SyncLogKind::Registered);
    first.shutdown();
    drop(first);
    assert!(!console
        .lines()
        .iter()
        .any(|line| line.starts_with("sw: sync")));

    // Run 2, online, no page: the worker starts for the event, its handler
    // runs, and the tag is gone once it succeeded.
    let (second, console, log) =
        start_engine_with(Some(profile.path()), &[], Some(Connectivity::Online));
    eventually("the sync handler ran", || {
        console.contains("sw: sync outbox false")
    });
    eventually("the tag is gone", || {
        second.sync_registrations().unwrap().is_empty()
    });
    eventually("the log tells the story", || {
        log.entries()
            .iter()
            .any(|entry| entry.kind == SyncLogKind::Completed { devtools: false })
    });
    let kinds: Vec<SyncLogKind> = log.entries().into_iter().map(|entry| entry.kind).collect();
    assert_eq!(
        kinds,
        [
            SyncLogKind::Dispatched {
                last_chance: false,
                devtools: false
            },
            SyncLogKind::Completed { devtools: false }
        ]
    );
    assert_eq!(console.lines(), ["sw: sync outbox false"]);
    second.shutdown();

    // And it stays gone.
    let stored = engine::profile_sync_registrations(profile.path()).unwrap();
    assert!(stored.is_empty(), "{stored:?}");
}

#[test]
fn failed_attempts_back_off_and_the_last_chance_is_the_last() {
    let server = TestServer::start();
    server.serve_js("/sw.js", FAILING_WORKER);
    server.serve_html("/register.html", &register_sync_page("outbox"));
    let prefs = [
        "background_sync.max_attempts=3",
        "background_sync.initial_retry_delay_ms=50",
        "background_sync.retry_delay_factor=3",
    ];
    let (engine, console, log) = start_engine_with(None, &prefs, Some(Connectivity::Online));
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    eventually("three attempts", || {
        console
            .lines()
            .iter()
            .filter(|line| line.starts_with("sw: sync"))
            .count()
            == 3
    });
    eventually("the tag is dropped after its last chance", || {
        engine.sync_registrations().unwrap().is_empty()
    });
    let attempts: Vec<String> = console
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("sw: sync"))
        .collect();
    assert_eq!(
        attempts,
        [
            "sw: sync outbox false",
            "sw: sync outbox false",
            "sw: sync outbox true"
        ]
    );
    // The log: each failure with the delay before the next attempt
    // (50 ms, then 150 ms), the last one dropped.
    let failures: Vec<(SyncEventFailure, Option<Duration>)> = log
        .entries()
        .into_iter()
        .filter_map(|entry| match entry.kind {
            SyncLogKind::Failed {
                reason, retry_in, ..
            } => Some((reason, retry_in)),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 3, "{:?}", log.lines());
    assert!(failures
        .iter()
        .all(|(reason, _)| *reason == SyncEventFailure::WaitUntilRejected));
    let first = failures[0].1.expect("a retry after the first failure");
    let second = failures[1].1.expect("a retry after the second failure");
    assert!(first <= Duration::from_millis(50), "{first:?}");
    assert!(
        second > Duration::from_millis(50) && second <= Duration::from_millis(150),
        "{second:?}"
    );
    assert_eq!(failures[2].1, None);
    let dispatched: Vec<bool> = log
        .entries()
        .into_iter()
        .filter_map(|entry| match entry.kind {
            SyncLogKind::Dispatched { last_chance, .. } => Some(last_chance),
            _ => None,
        })
        .collect();
    assert_eq!(dispatched, [false, false, true]);
}

#[test]
fn a_handler_that_never_settles_times_out_and_is_retried() {
    let server = TestServer::start();
    server.serve_js(
        "/sw.js",
        r#"
self.addEventListener('sync', event => {
  console.log('sw: sync ' + event.tag + ' ' + event.lastChance);
  event.waitUntil(new Promise(() => {}));
});
"#,
    );
    server.serve_html("/register.html", &register_sync_page("slow"));
    let prefs = [
        "background_sync.max_event_duration_ms=200",
        "background_sync.initial_retry_delay_ms=60000",
    ];
    let (engine, console, log) = start_engine_with(None, &prefs, Some(Connectivity::Online));
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(engine.wait_for_sync_events(PAGE_TIMEOUT));
    assert!(
        console.contains("sw: sync slow false"),
        "{:?}",
        console.lines()
    );
    let listed = engine.sync_registrations().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].state, listed[0].num_attempts),
        (SyncState::Waiting, 1)
    );
    assert!(listed[0].next_attempt_ms.is_some());
    assert!(
        log.entries().iter().any(|entry| matches!(
            entry.kind,
            SyncLogKind::Failed {
                reason: SyncEventFailure::TimedOut,
                retry_in: Some(_),
                ..
            }
        )),
        "{:?}",
        log.lines()
    );
    // The worker was interrupted and stopped.
    assert!(!engine.is_worker_running(&server.url("/")));
}

#[test]
fn devtools_dispatch_fires_now_and_changes_nothing_stored() {
    let profile = tempfile::TempDir::new().unwrap();
    let server = TestServer::start();
    server.serve_js("/sw.js", FAILING_WORKER);
    server.serve_html("/register.html", &register_sync_page("outbox"));
    let scope = server.url("/");
    let (engine, console, log) =
        start_engine_with(Some(profile.path()), &[], Some(Connectivity::Offline));
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    let before = engine.sync_registrations().unwrap();
    engine.stop_worker(&scope);

    // Offline, a stored tag, a stopped worker: it fires anyway, fails, and
    // the stored registration is as it was.
    let outcome = engine.dispatch_sync(&scope, "outbox", true).unwrap();
    assert_eq!(
        outcome,
        SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected)
    );
    assert!(
        console.contains("sw: sync outbox true"),
        "{:?}",
        console.lines()
    );
    assert_eq!(engine.sync_registrations().unwrap(), before);
    // A tag that is not registered fires too, and creates nothing.
    let outcome = engine
        .dispatch_sync(&scope, "not-registered", false)
        .unwrap();
    assert_eq!(
        outcome,
        SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected)
    );
    assert_eq!(engine.sync_registrations().unwrap(), before);
    assert!(log.entries().iter().any(|entry| entry.kind
        == SyncLogKind::Dispatched {
            last_chance: true,
            devtools: true
        }));
    // A scope without a registration.
    assert!(matches!(
        engine.dispatch_sync(&server.url("/elsewhere/"), "outbox", false),
        Err(engine::SyncCommandError::NoRegistration(_))
    ));
    engine.shutdown();
    let stored = engine::profile_sync_registrations(profile.path()).unwrap();
    assert_eq!(stored, before);
}

#[test]
fn going_online_fires_pending_tags_of_every_registration() {
    let server = TestServer::start();
    server.serve_js("/a/sw.js", LOGGING_WORKER);
    server.serve_js("/b/sw.js", LOGGING_WORKER);
    server.serve_html("/a/register.html", &register_sync_page("one"));
    server.serve_html("/b/register.html", &register_sync_page("two"));
    let (engine, console, _) = start_engine_with(None, &[], Some(Connectivity::Offline));
    for page_url in ["/a/register.html", "/b/register.html"] {
        let outcome = engine.run_page(server.url(page_url), Some(PAGE_TIMEOUT));
        assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    }
    assert_eq!(engine.sync_registrations().unwrap().len(), 2);
    assert!(!console
        .lines()
        .iter()
        .any(|line| line.starts_with("sw: sync")));
    engine.set_network_override(Some(Connectivity::Online));
    eventually("both fired", || {
        console.contains("sw: sync one false") && console.contains("sw: sync two false")
    });
    eventually("both are gone", || {
        engine.sync_registrations().unwrap().is_empty()
    });
}

#[test]
fn unregistering_the_service_worker_deletes_its_sync_registrations() {
    let profile = tempfile::TempDir::new().unwrap();
    let server = TestServer::start();
    server.serve_js("/sw.js", LOGGING_WORKER);
    server.serve_html("/register.html", &register_sync_page("outbox"));
    server.serve_html(
        "/unregister.html",
        &page(
            r#"navigator.serviceWorker.ready
  .then(registration => registration.unregister())
  .then(removed => { console.log('unregistered ' + removed); done(); })
  .catch(failed);"#,
        ),
    );
    let (engine, console, _) =
        start_engine_with(Some(profile.path()), &[], Some(Connectivity::Offline));
    for page_url in ["/register.html", "/unregister.html"] {
        let outcome = engine.run_page(server.url(page_url), Some(PAGE_TIMEOUT));
        assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    }
    assert!(
        console.contains("unregistered true"),
        "{:?}",
        console.lines()
    );
    assert!(engine.sync_registrations().unwrap().is_empty());
    engine.shutdown();
    let database = rusqlite::Connection::open(profile.path().join("storage.sqlite")).unwrap();
    let rows: i64 = database
        .query_row("SELECT count(*) FROM sync_registrations", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(rows, 0);
}
