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
