//! Failures are charged to their cause. A worker's `sync` handler for
//! `loop` never returns; the event of `ok1`, dispatched right after, waits
//! in the same worker behind it. When `loop` runs out of time the worker is
//! stopped: `loop` is charged with the timeout, while `ok1`, cut off through
//! no fault of its own, is not counted as an attempt and is dispatched again
//! at once, to a fresh worker, where it completes. A message posted to the
//! worker meanwhile, cut off the same way, is delivered again to the fresh
//! worker (README: "Messages and a stopped worker"). Real pages, workers and
//! server.

mod support;

use engine::{PageOutcome, SyncEventFailure, SyncLogKind};
use support::server::TestServer;
use support::{start_engine_with, PAGE_TIMEOUT};

/// `loop` never returns; `ok1` tells the pages it ran.
const WORKER: &str = r#"
self.addEventListener('sync', event => {
  console.log('sw: ' + event.tag + ' started');
  if (event.tag === 'loop') { for (;;) {} }
  event.waitUntil(self.clients.matchAll({includeUncontrolled: true})
    .then(clients => clients.forEach(client => client.postMessage(event.tag + ' done'))));
});
self.addEventListener('message', event => event.source.postMessage(event.data + ' answered'));
"#;

/// Registers `loop`, then `ok1`, then posts `ping` to the worker; ends when
/// `ok1` is done and `ping` answered.
const PAGE: &str = r#"<!doctype html>
<script>
const keepAlive = setInterval(() => {}, 50);
const heard = new Set();
navigator.serviceWorker.onmessage = event => {
  heard.add(event.data);
  if (heard.has('ok1 done') && heard.has('ping answered')) {
    clearInterval(keepAlive);
    window.close();
  }
};
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(registration => registration.sync.register('loop')
    .then(() => registration.sync.register('ok1'))
    .then(() => registration.active.postMessage('ping')));
</script>"#;

#[test]
fn an_event_cut_off_by_another_events_timeout_is_not_counted_and_fires_again_at_once() {
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/page.html", PAGE);
    // `loop` gets 2 s: far longer than `ok1` needs to be dispatched behind
    // it (one register() round trip).
    let (engine, console, log) = start_engine_with(
        None,
        &["background_sync.max_event_duration_ms=2000"],
        Some(engine::Connectivity::Online),
    );
    let outcome = engine.run_page(server.url("/page.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", log.lines());
    // The page closes on ok1's message, posted before its event ends: wait for that end.
    assert!(
        engine.wait_for_sync_events(PAGE_TIMEOUT),
        "{:?}",
        log.lines()
    );
    let of = |tag: &str| -> Vec<SyncLogKind> {
        log.entries()
            .into_iter()
            .filter(|entry| entry.tag == tag)
            .map(|entry| entry.kind)
            .collect()
    };
    let dispatched = SyncLogKind::Dispatched {
        last_chance: false,
        devtools: false,
    };
    assert_eq!(
        of("ok1"),
        [
            SyncLogKind::Registered,
            dispatched.clone(),
            SyncLogKind::Interrupted { devtools: false },
            dispatched.clone(),
            SyncLogKind::Completed { devtools: false },
        ],
        "{:?}",
        log.lines()
    );
    // `loop` is charged with its own timeout, and waits for its retry.
    let loop_kinds = of("loop");
    assert_eq!(loop_kinds.len(), 3, "{:?}", log.lines());
    assert!(
        matches!(
            loop_kinds[2],
            SyncLogKind::Failed {
                reason: SyncEventFailure::TimedOut,
                retry_in: Some(_),
                devtools: false,
            }
        ),
        "{:?}",
        log.lines()
    );
    // ok1's handler ran once: on the fresh worker.
    let started: Vec<String> = console
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("sw: "))
        .collect();
    assert_eq!(started, ["sw: loop started", "sw: ok1 started"]);
    let listed = engine.sync_registrations().unwrap();
    let loop_listed = listed.iter().find(|sync| sync.tag == "loop").unwrap();
    assert_eq!(loop_listed.num_attempts, 1);
    assert!(listed.iter().all(|sync| sync.tag != "ok1"), "{listed:?}");
}
