//! `WindowClient.navigate()` of a top-level page: bgsync does not navigate a top-level page,
//! so the worker's promise rejects with a TypeError that says so, and the page stays. (Frames
//! navigate: `wpt/tests/service-workers/client-navigate.https.html`.) A real process, a real
//! HTTP server on 127.0.0.1, a real SpiderMonkey worker.

#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::process::Command;

use server::TestServer;

/// Registers `sw.js` for its own directory; once the worker has claimed the page, asks it to
/// navigate the page and prints the answer, then what the page's URL is.
const PAGE: &str = r#"<!doctype html>
<script>
navigator.serviceWorker.addEventListener('message', event => {
  console.log(event.data);
  console.log('still at ' + location.pathname);
});
navigator.serviceWorker.addEventListener('controllerchange', () => {
  navigator.serviceWorker.controller.postMessage('go');
});
navigator.serviceWorker.startMessages();
navigator.serviceWorker.register('sw.js').catch(error => console.log('rejected ' + error));
</script>"#;

const WORKER: &str = r#"
self.addEventListener('activate', event => event.waitUntil(clients.claim()));
self.addEventListener('message', event => {
  const source = event.source;
  event.waitUntil(source.navigate('other.html').then(
    client => source.postMessage('resolved ' + client),
    error => source.postMessage('rejected ' + error.name + ': ' + error.message)));
});
"#;

#[test]
fn navigate_of_a_top_level_page_rejects_with_a_type_error() {
    let server = TestServer::start();
    server.serve_html("/nav/page.html", PAGE);
    server.serve_html("/nav/other.html", "<!doctype html><p>other");
    server.serve_js("/nav/sw.js", WORKER);
    let data_home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .env("XDG_DATA_HOME", data_home.path())
        .args(["run", "--timeout", "20"])
        .arg(server.url("/nav/page.html").as_str())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "rejected TypeError: Failed to execute 'navigate' on 'WindowClient': bgsync does not \
         navigate a top-level page.\nstill at /nav/page.html\n"
    );
}
