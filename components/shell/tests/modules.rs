//! Module scripts through the whole engine: a real HTTP server, real SpiderMonkey, a real
//! service worker, `bgsync` processes.

mod common;
#[path = "../../engine/tests/support/server.rs"]
mod server;

use common::assert_logged;
use server::TestServer;

/// A page whose module graph is still loading when the page's time is up ends as any page
/// that times out (exit code 3), without running the module, and without a crash.
#[test]
fn a_page_that_times_out_while_its_modules_load_exits_cleanly() {
    let server = TestServer::start();
    server.serve_html(
        "/page.html",
        "<!doctype html><script type=module>import './slow.js'; console.log('module ran');</script>\
         <script>console.log('classic ran')</script>",
    );
    server.serve_js("/slow.js", "export const slow = true;");
    let held = server.hold("/slow.js");
    let out = common::run(&["run", "--timeout", "1", server.url("/page.html").as_str()]);
    drop(held);
    let stdout = common::text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}\n{}",
        common::text(&out.stderr)
    );
    assert!(stdout.contains("classic ran"), "{stdout}");
    assert!(!stdout.contains("module ran"), "{stdout}");
    assert!(common::text(&out.stderr).contains("timed out"));
}

const WORKER: &str = r#"
self.addEventListener("install", event => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", event => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", event => {
  if (new URL(event.request.url).pathname === "/virtual.js") {
    event.respondWith(new Response('export const value = "from the worker";',
      {headers: {"Content-Type": "text/javascript"}}));
  }
});
"#;

const PAGE: &str = r#"<!doctype html><script>
navigator.serviceWorker.register("sw.js").then(() => navigator.serviceWorker.ready).then(async () => {
  if (!navigator.serviceWorker.controller) {
    await new Promise(resolve =>
      navigator.serviceWorker.addEventListener("controllerchange", resolve, {once: true}));
  }
  const module = await import("./virtual.js");
  console.log("module: " + module.value);
}).catch(e => console.log("page error: " + e.name + ": " + e.message));
</script>"#;

/// A controlled page's module imports are fetch events of its service worker: a module that
/// exists only in the worker's answer loads.
#[test]
fn a_controlled_page_imports_a_module_its_service_worker_makes() {
    let server = TestServer::start();
    server.serve_html("/page.html", PAGE);
    server.serve_js("/sw.js", WORKER);
    let out = common::run(&["run", "--timeout", "30", server.url("/page.html").as_str()]);
    assert_logged(&out, "module: from the worker");
    assert!(
        server.requests_of("/virtual.js").is_empty(),
        "the module came from the worker, not the network"
    );
}
