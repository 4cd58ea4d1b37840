//! The constellation never waits, with real pages and real workers: while
//! registration B's job waits (its script's server has not answered, or its
//! `install` handler waits on a request the server holds), registration A's
//! `sync.register()` and `getTags()`, a `postMessage` round trip to C's
//! worker and a second page's registration of scope D all complete. The
//! server answers B only after they did, so this is a behaviour test: if
//! the constellation waited on B, they would never end. The same for a
//! `fetch` handler that waits on the server: another page's fetch, even one
//! answered by the same worker, completes meanwhile.

mod support;

use std::thread;

use engine::{Engine, PageOutcome};
use support::server::TestServer;
use support::{
    eventually, message_page, page, register_page, register_sync_page, run_closed, start_engine,
    Console, PAGE_TIMEOUT, WORKER,
};

/// Serves `worker` as `/DIR/sw.js` and the pages that register it, message
/// it and register the sync `y`, under `/DIR/`.
fn serve_pages(server: &TestServer, dir: &str, worker: &str) {
    server.serve_js(&format!("/{dir}/sw.js"), worker);
    server.serve_html(&format!("/{dir}/register.html"), &register_page());
    server.serve_html(&format!("/{dir}/message.html"), &message_page());
    server.serve_html(&format!("/{dir}/sync.html"), &register_sync_page("y"));
}

/// A and C registered and active before B starts.
fn setup(engine: &Engine, console: &Console, server: &TestServer) {
    serve_pages(server, "a", WORKER);
    serve_pages(server, "c", WORKER);
    serve_pages(server, "d", WORKER);
    run_closed(engine, console, server, "/a/register.html");
    run_closed(engine, console, server, "/c/register.html");
}

/// What must complete while B waits.
fn other_work_is_served(engine: &Engine, console: &Console, server: &TestServer) {
    run_closed(engine, console, server, "/a/sync.html");
    // register() and getTags() answered (the tag may have fired between them).
    assert!(
        console.contains("tags [\"y\"]") || console.contains("tags []"),
        "{:?}",
        console.lines()
    );
    run_closed(engine, console, server, "/c/message.html");
    assert!(console.contains("reply 42"), "{:?}", console.lines());
    run_closed(engine, console, server, "/d/register.html");
    assert_eq!(
        ready_count(console),
        3,
        "A, C and D are ready: {:?}",
        console.lines()
    );
}

/// Runs B's registration page while the server holds `held` (B's script,
/// or what B's `install` waits on): the rest is served meanwhile, B's page
/// does not end before the server answers, and then B becomes ready too.
fn while_b_waits_on(engine: &Engine, console: &Console, server: &TestServer, held: &str) {
    let hold = server.hold(held);
    thread::scope(|scope| {
        let b = scope.spawn(|| engine.run_page(server.url("/b/register.html"), Some(PAGE_TIMEOUT)));
        eventually(&format!("B asks for {held}"), || {
            server.requests_of(held).len() == 1
        });
        other_work_is_served(engine, console, server);
        assert!(
            !b.is_finished(),
            "B's page ended before {held} was answered"
        );
        hold.release();
        assert_eq!(b.join().unwrap(), PageOutcome::Closed);
    });
    assert_eq!(
        ready_count(console),
        4,
        "B is ready too: {:?}",
        console.lines()
    );
}

fn ready_count(console: &Console) -> usize {
    console
        .lines()
        .iter()
        .filter(|line| *line == "ready activated")
        .count()
}

#[test]
fn a_held_worker_script_holds_only_its_own_registration() {
    let server = TestServer::start();
    let (engine, console) = start_engine(None, &[]);
    setup(&engine, &console, &server);
    serve_pages(&server, "b", WORKER);
    while_b_waits_on(&engine, &console, &server, "/b/sw.js");
}

#[test]
fn an_install_handler_that_waits_holds_only_its_own_registration() {
    let server = TestServer::start();
    let (engine, console) = start_engine(None, &[]);
    setup(&engine, &console, &server);
    // B's install waits until the server answers /b/gate.
    serve_pages(
        &server,
        "b",
        "self.addEventListener('install', event => {\n\
           console.log('sw: b installs');\n\
           event.waitUntil(fetch('gate').then(response => response.text())\n\
             .then(text => console.log('sw: b gate ' + text)));\n\
         });\n",
    );
    server.serve_js("/b/gate", "open");
    while_b_waits_on(&engine, &console, &server, "/b/gate");
    assert!(console.contains("sw: b gate open"), "{:?}", console.lines());
}

/// B's worker answers `/b/api/slow` with what the server gives for
/// `/b/gate`, and `/b/api/fast` at once.
const FETCH_WORKER: &str = r#"
self.addEventListener('fetch', event => {
  const path = new URL(event.request.url).pathname;
  if (path === '/b/api/slow') event.respondWith(fetch('/b/gate'));
  if (path === '/b/api/fast') event.respondWith(new Response('fast'));
});
"#;

fn fetch_page(path: &str) -> String {
    page(&format!(
        "fetch('{path}').then(r => r.text()).then(text => console.log('got ' + text), failed).then(done);"
    ))
}

#[test]
fn a_fetch_handler_that_waits_holds_only_its_own_fetch() {
    let server = TestServer::start();
    let (engine, console) = start_engine(None, &[]);
    setup(&engine, &console, &server);
    serve_pages(&server, "b", FETCH_WORKER);
    server.serve_js("/b/gate", "open");
    server.serve_html("/b/slow.html", &fetch_page("/b/api/slow"));
    server.serve_html("/b/fast.html", &fetch_page("/b/api/fast"));
    run_closed(&engine, &console, &server, "/b/register.html");

    let hold = server.hold("/b/gate");
    thread::scope(|scope| {
        let slow = scope.spawn(|| engine.run_page(server.url("/b/slow.html"), Some(PAGE_TIMEOUT)));
        eventually("B's fetch handler asks for /b/gate", || {
            server.requests_of("/b/gate").len() == 1
        });
        // The same worker answers another page's fetch meanwhile, and the
        // rest of the engine carries on.
        run_closed(&engine, &console, &server, "/b/fast.html");
        assert!(console.contains("got fast"), "{:?}", console.lines());
        run_closed(&engine, &console, &server, "/a/sync.html");
        run_closed(&engine, &console, &server, "/c/message.html");
        assert!(console.contains("reply 42"), "{:?}", console.lines());
        assert!(
            !slow.is_finished(),
            "the slow page ended before /b/gate was answered"
        );
        hold.release();
        assert_eq!(slow.join().unwrap(), PageOutcome::Closed);
    });
    assert!(console.contains("got open"), "{:?}", console.lines());
}
