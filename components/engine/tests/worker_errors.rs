//! A service worker's uncaught errors reach the embedder as
//! `EngineEvent::WorkerError`, with the worker's scope and the line printed
//! on stderr. Real pages and workers.

mod support;

use std::sync::{Arc, Mutex};

use engine::{Engine, EngineEvent, EngineOptions, PageOutcome, Url};
use support::server::TestServer;
use support::{eventually, message_page, register_page, PAGE_TIMEOUT};

/// Answers messages, then fails twice: a listener throws, and a promise
/// nobody handles rejects.
const FAILING_WORKER: &str = r#"
self.addEventListener('message', event => {
  event.source.postMessage({reply: event.data.hello + 1});
  Promise.reject(new RangeError('nobody handles me'));
});
self.addEventListener('message', () => { throw new TypeError('second listener broke'); });
"#;

#[test]
fn uncaught_errors_of_a_worker_are_events_for_the_embedder() {
    let server = TestServer::start();
    server.serve_js("/sw.js", FAILING_WORKER);
    server.serve_html("/register.html", &register_page());
    server.serve_html("/message.html", &message_page());
    let errors: Arc<Mutex<Vec<(Url, String)>>> = Arc::default();
    let seen = errors.clone();
    let engine = Engine::new(EngineOptions {
        events: Some(Arc::new(move |event| {
            if let EngineEvent::WorkerError { scope, message } = event {
                seen.lock().unwrap().push((scope, message));
            }
        })),
        ..EngineOptions::default()
    })
    .unwrap();
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed);
    let outcome = engine.run_page(server.url("/message.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed);
    eventually("both errors are reported", || {
        errors.lock().unwrap().len() == 2
    });
    let script = server.url("/sw.js");
    let mut reported = errors.lock().unwrap().clone();
    reported.sort();
    assert_eq!(
        reported,
        [
            (
                server.url("/"),
                format!("{script}:4:18 Uncaught (in promise) RangeError: nobody handles me")
            ),
            (
                server.url("/"),
                format!("{script}:6:48 Uncaught TypeError: second listener broke")
            ),
        ]
    );
}

/// A `fetch` handler that throws: the page's request still goes to the network (the spec's
/// Handle Fetch), and the error is reported like any other of the worker's.
#[test]
fn a_fetch_handler_that_throws_is_reported_and_the_page_gets_the_network_response() {
    let server = TestServer::start();
    server.serve_js(
        "/sw.js",
        "self.addEventListener('fetch', () => { throw new Error('the handler broke'); });",
    );
    server.serve_html("/register.html", &register_page());
    server.serve_html(
        "/fetch.html",
        &support::page(
            "fetch('/data').then(r => r.text()).then(text => { console.log('got ' + text); done(); }).catch(failed);",
        ),
    );
    server.serve(
        "/data",
        support::server::Response::ok("text/plain", "from the network"),
    );
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = errors.clone();
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let console = lines.clone();
    let engine = Engine::new(EngineOptions {
        events: Some(Arc::new(move |event| {
            if let EngineEvent::WorkerError { message, .. } = event {
                seen.lock().unwrap().push(message);
            }
        })),
        console: Arc::new(move |_level, text| console.lock().unwrap().push(text.to_owned())),
        ..EngineOptions::default()
    })
    .unwrap();
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed);
    let outcome = engine.run_page(server.url("/fetch.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed);
    let console = lines.lock().unwrap().clone();
    assert!(
        console.iter().any(|line| line == "got from the network"),
        "{console:?}"
    );
    // Twice: the page's own load (a navigation) and its fetch('/data') were fetch events,
    // and both went to the network.
    eventually("both errors are reported", || {
        errors.lock().unwrap().len() == 2
    });
    let reported = errors.lock().unwrap().clone();
    assert!(
        reported
            .iter()
            .all(|message| message.ends_with("Uncaught Error: the handler broke")),
        "{reported:?}"
    );
}
