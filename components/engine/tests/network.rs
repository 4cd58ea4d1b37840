//! The network state end to end, with real pages and workers (SpiderMonkey):
//! `navigator.onLine` and the `online`/`offline` events follow the
//! embedder's override in pages and workers, and a thousand offline/online
//! flaps in a second fire each pending tag once, never twice at a time.
//! (The real OS network, in a namespace of its own, is tested by the
//! shell's `network.rs`.)

mod support;

use std::time::Duration;

use engine::{Connectivity, PageOutcome};
use support::server::TestServer;
use support::{eventually, page, register_sync_page, start_engine_with, PAGE_TIMEOUT};

/// Logs `sw: <event> <navigator.onLine>` for the network events, and
/// `sw: start <tag>` / `sw: end <tag>` around each sync event, which takes
/// 30 ms.
const WORKER: &str = r#"
self.addEventListener('online', () => console.log('sw: online ' + navigator.onLine));
self.addEventListener('offline', () => console.log('sw: offline ' + navigator.onLine));
self.addEventListener('message', event => {
  console.log('sw: onLine ' + navigator.onLine);
  event.source.postMessage('answered');
});
self.addEventListener('sync', event => {
  console.log('sw: start ' + event.tag);
  event.waitUntil(new Promise(resolve => setTimeout(() => {
    console.log('sw: end ' + event.tag);
    resolve();
  }, 30)));
});
"#;

#[test]
fn navigator_online_and_its_events_follow_the_override_in_pages_and_workers() {
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html(
        "/watch.html",
        &page(
            r#"console.log('page: onLine ' + navigator.onLine);
window.addEventListener('offline', () => console.log('page: offline ' + navigator.onLine));
window.addEventListener('online', () => {
  console.log('page: online ' + navigator.onLine);
  navigator.serviceWorker.onmessage = () => done();
  navigator.serviceWorker.ready.then(registration => registration.active.postMessage('ask'));
});
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(() => console.log('page: ready'))
  .catch(failed);"#,
        ),
    );
    let (engine, console, _) = start_engine_with(None, &[], Some(Connectivity::Online));
    std::thread::scope(|scope| {
        let running =
            scope.spawn(|| engine.run_page(server.url("/watch.html"), Some(PAGE_TIMEOUT)));
        eventually("the worker is ready", || console.contains("page: ready"));
        engine.set_network_override(Some(Connectivity::Offline));
        eventually("the page and the worker went offline", || {
            console.contains("page: offline false") && console.contains("sw: offline false")
        });
        engine.set_network_override(Some(Connectivity::Online));
        assert_eq!(running.join().unwrap(), PageOutcome::Closed);
    });
    let lines = console.lines();
    assert_eq!(lines[0], "page: onLine true", "{lines:?}");
    for line in ["page: online true", "sw: online true", "sw: onLine true"] {
        assert!(console.contains(line), "{line}: {lines:?}");
    }
}

#[test]
fn a_page_loaded_offline_starts_offline() {
    let server = TestServer::start();
    server.serve_html(
        "/page.html",
        "<script>console.log('onLine ' + navigator.onLine)</script>",
    );
    let (engine, console, _) = start_engine_with(None, &[], Some(Connectivity::Offline));
    let outcome = engine.run_page(server.url("/page.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle);
    assert_eq!(console.lines(), ["onLine false"]);
}

#[test]
fn a_thousand_override_flaps_in_a_second_fire_each_tag_once_never_twice_at_a_time() {
    const TAGS: usize = 20;
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    let register_all = (0..TAGS)
        .map(|index| format!("registration.sync.register('tag-{index}')"))
        .collect::<Vec<_>>()
        .join(", ");
    server.serve_html(
        "/register.html",
        &register_sync_page("tag-0").replace(
            "registration.sync.register(\"tag-0\")",
            &format!("Promise.all([{register_all}])"),
        ),
    );
    let (engine, console, _) = start_engine_with(None, &[], Some(Connectivity::Offline));
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert_eq!(engine.sync_registrations().unwrap().len(), TAGS);

    // 1000 changes, one a millisecond, and back online.
    for flap in 0..1000 {
        let state = if flap % 2 == 0 {
            Connectivity::Online
        } else {
            Connectivity::Offline
        };
        engine.set_network_override(Some(state));
        std::thread::sleep(Duration::from_millis(1));
    }
    engine.set_network_override(Some(Connectivity::Online));
    eventually("every tag fired and is gone", || {
        engine.sync_registrations().unwrap().is_empty()
    });

    // Each tag's handler ran once, and none started again before it ended.
    let lines = console.lines();
    let mut running = std::collections::HashSet::new();
    for line in &lines {
        if let Some(tag) = line.strip_prefix("sw: start ") {
            assert!(
                running.insert(tag.to_owned()),
                "{tag} fired twice at once: {lines:?}"
            );
        } else if let Some(tag) = line.strip_prefix("sw: end ") {
            assert!(
                running.remove(tag),
                "{tag} ended without starting: {lines:?}"
            );
        }
    }
    for index in 0..TAGS {
        let started = format!("sw: start tag-{index}");
        let count = lines.iter().filter(|line| **line == started).count();
        assert_eq!(count, 1, "{started}: {lines:?}");
    }
}
