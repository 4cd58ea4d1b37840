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

/// A module service worker: its static import gives it the greeting it answers with.
const MODULE_WORKER: &str = r#"
import { greeting } from "./lib.js";
self.addEventListener("install", event => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", event => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", event => {
  if (new URL(event.request.url).pathname === "/greeting.txt") {
    event.respondWith(new Response(greeting));
  }
});
"#;

fn async_page(body: &str) -> String {
    format!(
        "<!doctype html><script>(async () => {{ {body} }})()\
         .catch(e => console.log('page error: ' + e.name + ': ' + e.message));</script>"
    )
}

/// A module service worker's imports are stored with it: a restarted engine runs it from
/// the profile without fetching them again, whatever the server now serves, and
/// `registration.update()` compares them too, so a changed import (the main script is the
/// same) installs a new worker that runs the new one.
#[test]
fn a_module_service_worker_runs_from_its_stored_imports_and_updates_when_one_changes() {
    let server = TestServer::start();
    server.serve_js("/sw.js", MODULE_WORKER);
    server.serve_js("/lib.js", "export const greeting = 'hello from lib v1';");
    server.serve_html(
        "/page.html",
        &async_page(
            r#"
    await navigator.serviceWorker.register("sw.js", {type: "module"});
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise(resolve =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, {once: true}));
    }
    console.log("greeting: " + await (await fetch("/greeting.txt")).text());
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let run = |server: &TestServer| {
        common::run_in_profile(server.url("/page.html").as_str(), profile.path(), &[])
    };
    let first = run(&server);
    assert_logged(&first, "greeting: hello from lib v1");
    assert_eq!(server.requests_of("/lib.js").len(), 1);

    server.serve_js("/lib.js", "export const greeting = 'hello from lib v2';");
    server.serve_html(
        "/page.html",
        &async_page(
            r#"
    const registration = await navigator.serviceWorker.getRegistration();
    console.log("controlled " + Boolean(navigator.serviceWorker.controller));
    console.log("greeting: " + await (await fetch("/greeting.txt")).text());
    await registration.update();
    console.log("new worker " + Boolean(registration.installing));
    // Nothing of the page's own waits for the new worker's activation: a timer keeps the
    // page alive until its controllerchange.
    const keepAlive = setInterval(() => {}, 20);
    await new Promise(resolve =>
      navigator.serviceWorker.addEventListener("controllerchange", resolve, {once: true}));
    clearInterval(keepAlive);
    console.log("then greeting: " + await (await fetch("/greeting.txt")).text());
    "#,
        ),
    );
    let second = run(&server);
    assert_logged(&second, "controlled true");
    // The restarted worker's import came from the profile, not from the server's new one.
    assert_logged(&second, "greeting: hello from lib v1");
    assert_logged(&second, "new worker true");
    assert_logged(&second, "then greeting: hello from lib v2");
    // The first run's fetch, the update's byte check, and the new worker's first run.
    assert_eq!(server.requests_of("/lib.js").len(), 3);
}

/// A module service worker whose import does not load, or that uses top-level `await`, fails
/// its registration with a TypeError and leaves no registration; the engine goes on.
#[test]
fn a_module_service_worker_that_cannot_run_rejects_its_registration() {
    let server = TestServer::start();
    server.serve_js("/missing-import.js", "import './nowhere.js';");
    server.serve_js(
        "/awaits.js",
        "await new Promise(resolve => setTimeout(resolve, 10));",
    );
    server.serve_html(
        "/page.html",
        &async_page(
            r#"
    for (const script of ["missing-import.js", "awaits.js"]) {
      const scope = "/scope-" + script;
      try {
        await navigator.serviceWorker.register(script, {type: "module", scope});
        console.log(script + " registered");
      } catch (e) {
        const left = await navigator.serviceWorker.getRegistration(scope);
        console.log(script + " rejected " + e.name + ", left " + (left === undefined ? "none" : "one"));
      }
    }
    "#,
        ),
    );
    let out = common::run(&["run", "--timeout", "30", server.url("/page.html").as_str()]);
    assert_logged(&out, "missing-import.js rejected TypeError, left none");
    assert_logged(&out, "awaits.js rejected TypeError, left none");
}
