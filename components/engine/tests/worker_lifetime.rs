//! A worker idle for `serviceworker.idle_timeout_ms` is stopped, and a
//! page's message starts it again. Real pages and workers.

mod support;

use engine::PageOutcome;
use support::server::TestServer;
use support::{eventually, message_page, register_page, start_engine, PAGE_TIMEOUT, WORKER};

#[test]
fn an_idle_worker_stops_and_a_message_wakes_it() {
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/register.html", &register_page());
    server.serve_html("/message.html", &message_page());
    let scope = server.url("/");
    let (engine, console) = start_engine(None, &["serviceworker.idle_timeout_ms=300"]);

    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(console.contains("ready activated"), "{:?}", console.lines());
    eventually("the idle worker stops", || {
        !engine.is_worker_running(&scope)
    });

    let outcome = engine.run_page(server.url("/message.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(console.contains("sw: message 41"), "{:?}", console.lines());
    assert!(console.contains("reply 42"), "{:?}", console.lines());
    // Woken, not installed again.
    let installs = console
        .lines()
        .iter()
        .filter(|l| *l == "sw: install")
        .count();
    assert_eq!(installs, 1);
    eventually("it stops again", || !engine.is_worker_running(&scope));
}

#[test]
fn a_worker_stuck_in_an_event_is_interrupted_and_can_run_again() {
    let server = TestServer::start();
    server.serve_js(
        "/sw.js",
        r#"self.addEventListener('message', event => {
  if (event.data.hello === 1) { console.log('sw: spinning'); while (true) {} }
  event.source.postMessage({reply: event.data.hello + 1});
});"#,
    );
    server.serve_html("/register.html", &register_page());
    server.serve_html(
        "/spin.html",
        &support::page(
            r#"navigator.serviceWorker.ready.then(registration => {
  registration.active.postMessage({hello: 1});
  setTimeout(done, 2000);
}).catch(failed);"#,
        ),
    );
    server.serve_html("/message.html", &message_page());
    let scope = server.url("/");
    let (engine, console) = start_engine(None, &["serviceworker.max_event_duration_ms=500"]);
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());

    let outcome = engine.run_page(server.url("/spin.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(console.contains("sw: spinning"), "{:?}", console.lines());
    eventually("the stuck worker is stopped", || {
        !engine.is_worker_running(&scope)
    });

    let outcome = engine.run_page(server.url("/message.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(console.contains("reply 42"), "{:?}", console.lines());
}
