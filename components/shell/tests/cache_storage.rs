//! CacheStorage through the whole engine: real SpiderMonkey pages and service workers, the
//! constellation, the backend's threads and real SQLite files in a profile, a real HTTP
//! server, and `bgsync` processes (one per run, so a second run is a restarted engine).

mod common;
#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::process::Output;

use common::assert_logged;
use server::TestServer;

fn page(body: &str) -> String {
    format!("<!doctype html><script>(async () => {{ {body} }})().catch(e => console.log('page error: ' + e.name + ': ' + e.message));</script>")
}

fn run(server: &TestServer, profile: &std::path::Path, extra: &[&str]) -> Output {
    common::run_in_profile(server.url("/page.html").as_str(), profile, extra)
}

/// A service worker that answers `/data.txt` from the caches, and nothing else.
const OFFLINE_WORKER: &str = r#"
self.addEventListener("fetch", event => {
  if (new URL(event.request.url).pathname === "/data.txt") {
    event.respondWith(caches.match(event.request).then(cached =>
      cached || new Response("not cached", {status: 404})));
  }
});
"#;

#[test]
fn a_cached_response_survives_a_restart_and_a_worker_serves_it_offline() {
    let server = TestServer::start();
    server.serve_js("/sw.js", OFFLINE_WORKER);
    server.serve_js("/data.txt", "first version");
    server.serve_html(
        "/page.html",
        &page(
            r#"
    const cache = await caches.open("v1");
    await cache.add("/data.txt");
    await navigator.serviceWorker.register("sw.js");
    await navigator.serviceWorker.ready;
    console.log("cached " + (await cache.keys()).length);
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let first = run(&server, profile.path(), &[]);
    assert_eq!(first.status.code(), Some(0));
    assert_logged(&first, "cached 1");
    assert_eq!(server.requests_of("/data.txt").len(), 1);

    // The network answers something else now, and the engine is offline: the page's fetch
    // goes to its worker, which answers from the cache the first run filled.
    server.serve_js("/data.txt", "second version");
    server.serve_html(
        "/page.html",
        &page(
            r#"
    const response = await fetch("/data.txt");
    console.log("offline got " + response.status + " " + await response.text());
    console.log("names " + (await caches.keys()).join(","));
    "#,
        ),
    );
    let second = run(&server, profile.path(), &["--offline"]);
    assert_logged(&second, "offline got 200 first version");
    assert_logged(&second, "names v1");
    assert_eq!(server.requests_of("/data.txt").len(), 1);
}

#[test]
fn origins_do_not_see_each_others_caches() {
    let a = TestServer::start();
    let b = TestServer::start();
    a.serve_html(
        "/page.html",
        &page(
            r#"
    const cache = await caches.open("secret");
    await cache.put("/x", new Response("a's"));
    console.log("a stored");
    "#,
        ),
    );
    b.serve_html(
        "/page.html",
        &page(
            r#"
    console.log("b names [" + (await caches.keys()).join(",") + "]");
    console.log("b has " + await caches.has("secret"));
    console.log("b match " + await caches.match(new URL("/x", location.href).href));
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    assert_logged(&run(&a, profile.path(), &[]), "a stored");
    let seen = run(&b, profile.path(), &[]);
    assert_logged(&seen, "b names []");
    assert_logged(&seen, "b has false");
    assert_logged(&seen, "b match undefined");
    let files = std::fs::read_dir(profile.path().join("cache_storage"))
        .unwrap()
        .filter(|entry| {
            let name = entry.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".sqlite")
        })
        .count();
    assert_eq!(files, 2, "one file per origin");
}

#[test]
fn a_put_past_the_quota_fails_and_loses_nothing() {
    let server = TestServer::start();
    server.serve_html(
        "/page.html",
        &page(
            r#"
    const cache = await caches.open("c");
    await cache.put("/small", new Response("small"));
    const error = await cache.put("/big", new Response("x".repeat(1000000)))
      .then(() => "stored", e => e.name);
    console.log("big put: " + error);
    console.log("keys: " + (await cache.keys()).map(r => new URL(r.url).pathname).join(","));
    console.log("small: " + await (await cache.match("/small")).text());
    await cache.put("/again", new Response("again"));
    console.log("after: " + (await cache.keys()).length);
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let out = run(
        &server,
        profile.path(),
        &["--pref", "cache_storage.max_bytes_per_origin=300000"],
    );
    assert_logged(&out, "big put: QuotaExceededError");
    assert_logged(&out, "keys: /small");
    assert_logged(&out, "small: small");
    assert_logged(&out, "after: 2");
}

#[test]
fn site_clear_deletes_an_origins_caches_and_nothing_else() {
    let a = TestServer::start();
    let b = TestServer::start();
    let writes = page(
        r#"
    await (await caches.open("one")).put("/x", new Response("x"));
    await caches.open("two");
    console.log("stored");
    "#,
    );
    let reads = page(r#"console.log("names [" + (await caches.keys()).join(",") + "]");"#);
    for server in [&a, &b] {
        server.serve_html("/page.html", &writes);
    }
    let profile = tempfile::tempdir().unwrap();
    assert_logged(&run(&a, profile.path(), &[]), "stored");
    assert_logged(&run(&b, profile.path(), &[]), "stored");

    let origin = a.url("/").origin().ascii_serialization();
    let cleared = common::bgsync()
        .args(["site", "clear", "--profile"])
        .arg(profile.path())
        .arg(&origin)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&cleared.stdout);
    assert_eq!(cleared.status.code(), Some(0), "{said}");
    assert!(
        said.contains("0 IndexedDB database(s), 2 cache(s)"),
        "{said}"
    );

    for server in [&a, &b] {
        server.serve_html("/page.html", &reads);
    }
    assert_logged(&run(&a, profile.path(), &[]), "names []");
    assert_logged(&run(&b, profile.path(), &[]), "names [one,two]");
}

/// A worker whose static routes send `/data.txt` to the cache, and `/api` and navigations to
/// the network; it logs when its script runs, and its fetch handler answers everything else.
const ROUTED_WORKER: &str = r#"
console.log("worker script ran");
self.addEventListener("install", event => {
  event.waitUntil(caches.open("v1").then(cache => cache.add("/data.txt")));
  event.waitUntil(event.addRoutes([
    {condition: {urlPattern: "/data.txt"}, source: "cache"},
    {condition: {urlPattern: "/api"}, source: "network"},
    {condition: {requestMode: "navigate"}, source: "network"},
  ]));
  event.waitUntil(self.skipWaiting());
});
self.addEventListener("activate", event => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", event => event.respondWith(new Response("from the handler")));
"#;

/// Router rules are stored with the worker: after a restart, a request they send to the
/// cache or to the network is answered without starting the worker at all (its script does
/// not run), offline too for the cache; what no rule matches still starts it.
#[test]
fn static_routes_survive_a_restart_and_answer_without_the_worker() {
    let server = TestServer::start();
    server.serve_js("/sw.js", ROUTED_WORKER);
    server.serve_js("/data.txt", "cached version");
    server.serve_js("/api", "from the network");
    server.serve_html(
        "/page.html",
        &page(
            r#"
    await navigator.serviceWorker.register("sw.js");
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise(resolve =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, {once: true}));
    }
    console.log("first: " + await (await fetch("/data.txt")).text());
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let first = run(&server, profile.path(), &[]);
    assert_logged(&first, "worker script ran");
    assert_logged(&first, "first: cached version");

    server.serve_js("/data.txt", "network version");
    server.serve_html(
        "/page.html",
        &page(
            r#"
    console.log("controlled " + Boolean(navigator.serviceWorker.controller));
    console.log("data: " + await (await fetch("/data.txt")).text());
    console.log("api: " + await (await fetch("/api")).text());
    "#,
        ),
    );
    let second = run(&server, profile.path(), &[]);
    assert_logged(&second, "controlled true");
    assert_logged(&second, "data: cached version");
    assert_logged(&second, "api: from the network");
    let stdout = common::text(&second.stdout);
    assert!(
        !stdout.contains("worker script ran"),
        "routed requests do not start the worker:\n{stdout}"
    );

    server.serve_html(
        "/page.html",
        &page(r#"console.log("other: " + await (await fetch("/other")).text());"#),
    );
    let third = run(&server, profile.path(), &["--offline"]);
    assert_logged(&third, "worker script ran");
    assert_logged(&third, "other: from the handler");
}
