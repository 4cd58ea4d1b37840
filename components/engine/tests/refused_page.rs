//! A page the engine cannot connect still runs, and its requests reject with
//! `UnknownError` saying why (here: the engine is shut down; the same path
//! serves a page whose channels could not be made for lack of file
//! descriptors). Real page, real SpiderMonkey.

mod support;

use engine::PageOutcome;
use support::server::TestServer;
use support::{start_engine_with, PAGE_TIMEOUT};

const PAGE: &str = r#"<!doctype html>
<script>
const said = error => console.log(error.name + ': ' + error.message);
navigator.serviceWorker.register('sw.js').then(() => console.log('registered'), said)
  .then(() => navigator.serviceWorker.getRegistrations()).then(() => console.log('listed'), said);
</script>"#;

#[test]
fn a_page_the_engine_cannot_connect_gets_unknown_error_with_the_reason() {
    let server = TestServer::start();
    server.serve_html("/page.html", PAGE);
    server.serve_js("/sw.js", "// worker");
    let (engine, console, _log) = start_engine_with(None, &[], None);
    engine.shutdown();
    let outcome = engine.run_page(server.url("/page.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle);
    let expected = "UnknownError: The service worker system is not available: the engine is \
                    shut down.";
    assert_eq!(console.lines(), [expected, expected]);
}
