//! Fetch events end to end, with real pages, workers (SpiderMonkey) and a
//! real server: a controlled page's `fetch()` reaches its stopped worker,
//! a handler that never answers or a worker that dies mid-event fails the
//! page's fetch (and only it), and an offline page is still answered by its
//! worker. (What the FetchEvent interface does is in
//! `wpt/tests/service-workers/fetch-event/`.)

mod support;

use engine::{Connectivity, PageOutcome};
use support::server::{Response, TestServer};
use support::{
    eventually, page, register_page, run_closed, start_engine, start_engine_with, PAGE_TIMEOUT,
    WORKER as NO_FETCH_WORKER,
};

/// Answers `/api/...` itself according to the path, and lets the rest go
/// to the network.
const WORKER: &str = r#"
self.addEventListener('install', () => console.log('sw: install'));
self.addEventListener('fetch', event => {
  const path = new URL(event.request.url).pathname;
  if (!path.startsWith('/api/')) return;
  console.log('sw: fetch ' + path);
  if (path === '/api/hello') event.respondWith(new Response('hello from the worker'));
  if (path === '/api/limit') event.respondWith(new Response('x'.repeat(65536)));
  if (path === '/api/over') event.respondWith(new Response('x'.repeat(65537)));
  if (path === '/api/hang') event.respondWith(new Promise(() => {}));
  const hog = () => { const hog = []; for (;;) hog.push(new Array(100000).fill(hog.length)); };
  // Out of memory after respondWith(): the page's fetch fails.
  if (path === '/api/hog') {
    event.respondWith(new Promise(() => {}));
    setTimeout(hog, 0);
  }
  // Out of memory in the listener, before any respondWith(): as a listener
  // that throws, the request goes to the network.
  if (path === '/api/hog-now') hog();
  if (path === '/api/outbox') {
    // Workbox's pattern: try the network, keep the request when it fails.
    event.respondWith(fetch(event.request.clone()).catch(async () => {
      console.log('sw: kept ' + await event.request.text());
      return new Response('queued', {status: 202});
    }));
  }
});
"#;

/// A page that fetches `path` and logs `got <status> <text>` or
/// `failed <error name>`.
fn fetch_page(path: &str) -> String {
    page(&format!(
        r#"fetch('{path}', {{method: 'POST', body: 'message 1'}})
  .then(response => response.text().then(text => console.log('got ' + response.status + ' ' + text)))
  .catch(error => console.log('failed ' + error.name))
  .then(done);"#
    ))
}

fn serve(server: &TestServer) {
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/register.html", &register_page());
    for path in [
        "/api/hello",
        "/api/hang",
        "/api/hog",
        "/api/hog-now",
        "/api/outbox",
        "/api/limit",
        "/api/over",
        "/data",
    ] {
        let name = path.trim_start_matches('/').replace('/', "-");
        server.serve_html(&format!("/{name}.html"), &fetch_page(path));
    }
    server.serve("/data", Response::ok("text/plain", "from the network"));
}

#[test]
fn a_stopped_worker_is_started_for_a_controlled_page_s_fetch() {
    let server = TestServer::start();
    serve(&server);
    let scope = server.url("/");
    let (engine, console) = start_engine(None, &["serviceworker.idle_timeout_ms=300"]);
    run_closed(&engine, &console, &server, "/register.html");
    eventually("the idle worker stops", || {
        !engine.is_worker_running(&scope)
    });

    run_closed(&engine, &console, &server, "/api-hello.html");
    assert!(
        console.contains("sw: fetch /api/hello"),
        "{:?}",
        console.lines()
    );
    assert!(
        console.contains("got 200 hello from the worker"),
        "{:?}",
        console.lines()
    );
    assert!(
        server.requests_of("/api/hello").is_empty(),
        "the worker answered"
    );

    // Not answered by the worker: the network.
    run_closed(&engine, &console, &server, "/data.html");
    assert!(
        console.contains("got 200 from the network"),
        "{:?}",
        console.lines()
    );
    assert_eq!(server.requests_of("/data").len(), 1);
    assert_eq!(server.requests_of("/data")[0].body, b"message 1");
}

#[test]
fn a_fetch_handler_that_never_answers_fails_the_fetch_at_the_event_limit() {
    let server = TestServer::start();
    serve(&server);
    let scope = server.url("/");
    let (engine, console) = start_engine(None, &["serviceworker.max_event_duration_ms=500"]);
    run_closed(&engine, &console, &server, "/register.html");

    run_closed(&engine, &console, &server, "/api-hang.html");
    assert!(
        console.contains("failed TypeError"),
        "{:?}",
        console.lines()
    );
    eventually("the worker is stopped", || {
        !engine.is_worker_running(&scope)
    });

    // The next fetch starts it again.
    run_closed(&engine, &console, &server, "/api-hello.html");
    assert!(
        console.contains("got 200 hello from the worker"),
        "{:?}",
        console.lines()
    );
}

#[test]
fn a_worker_that_dies_mid_event_fails_that_fetch_only() {
    // Each run of the worker dies once; the engine and the next fetch carry on.
    let server = TestServer::start();
    serve(&server);
    let (engine, console) = start_engine(None, &["js.max_heap_bytes=268435456"]);
    run_closed(&engine, &console, &server, "/register.html");

    run_closed(&engine, &console, &server, "/api-hog.html");
    assert!(
        console.contains("failed TypeError"),
        "{:?}",
        console.lines()
    );

    server.serve("/api/hog-now", Response::ok("text/plain", "the network"));
    run_closed(&engine, &console, &server, "/api-hog-now.html");
    assert!(
        console.contains("got 200 the network"),
        "{:?}",
        console.lines()
    );

    run_closed(&engine, &console, &server, "/api-hello.html");
    assert!(
        console.contains("got 200 hello from the worker"),
        "{:?}",
        console.lines()
    );
}

#[test]
fn an_offline_page_is_answered_by_its_worker() {
    let server = TestServer::start();
    serve(&server);
    let (engine, console, _) = start_engine_with(None, &[], Some(Connectivity::Online));
    run_closed(&engine, &console, &server, "/register.html");

    engine.set_network_override(Some(Connectivity::Offline));
    run_closed(&engine, &console, &server, "/api-outbox.html");
    assert!(
        console.contains("sw: kept message 1"),
        "{:?}",
        console.lines()
    );
    assert!(console.contains("got 202 queued"), "{:?}", console.lines());
    // Nothing the worker let through reaches the network while offline.
    run_closed(&engine, &console, &server, "/data.html");
    assert!(
        console.contains("failed TypeError"),
        "{:?}",
        console.lines()
    );
    assert!(server.requests_of("/api/outbox").is_empty());
    assert!(server.requests_of("/data").is_empty());

    engine.set_network_override(Some(Connectivity::Online));
    server.serve("/api/outbox", Response::ok("text/plain", "sent"));
    run_closed(&engine, &console, &server, "/api-outbox.html");
    assert!(console.contains("got 200 sent"), "{:?}", console.lines());
    let requests = server.requests_of("/api/outbox");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, b"message 1");
}

#[test]
fn a_worker_without_a_fetch_listener_is_skipped_and_not_started() {
    let server = TestServer::start();
    serve(&server);
    server.serve_js("/sw.js", NO_FETCH_WORKER);
    let scope = server.url("/");
    let (engine, console) = start_engine(None, &["serviceworker.idle_timeout_ms=300"]);
    run_closed(&engine, &console, &server, "/register.html");
    eventually("the idle worker stops", || {
        !engine.is_worker_running(&scope)
    });

    run_closed(&engine, &console, &server, "/data.html");
    assert!(
        console.contains("got 200 from the network"),
        "{:?}",
        console.lines()
    );
    assert!(
        !engine.is_worker_running(&scope),
        "the worker was started for a fetch it does not handle"
    );
}

#[test]
fn a_worker_s_response_over_the_response_limit_fails_the_fetch() {
    let server = TestServer::start();
    serve(&server);
    let (engine, console) = start_engine(None, &["net.max_response_bytes=65536"]);
    run_closed(&engine, &console, &server, "/register.html");

    run_closed(&engine, &console, &server, "/api-limit.html");
    let exactly = format!("got 200 {}", "x".repeat(65536));
    assert!(console.contains(&exactly), "the limit itself is allowed");
    run_closed(&engine, &console, &server, "/api-over.html");
    assert!(
        console.contains("failed TypeError"),
        "{:?}",
        console.lines()
    );
}

/// An offline-first app: the worker answers its pages' navigations itself, so a page loads
/// with the server gone.
#[test]
fn a_page_load_is_answered_by_the_worker_even_with_the_server_gone() {
    offline_first_app(false);
}

/// The same after an engine restart: the stored worker is started for the navigation.
#[test]
fn after_a_restart_a_page_load_is_answered_by_the_stored_worker() {
    offline_first_app(true);
}

fn offline_first_app(restart: bool) {
    let profile = tempfile::TempDir::new().unwrap();
    let server = TestServer::start();
    server.serve_js(
        "/sw.js",
        r#"self.addEventListener('fetch', event => {
  const request = event.request;
  if (request.mode !== 'navigate') return;
  console.log('sw: navigate ' + new URL(request.url).pathname + ' ' + request.destination +
              ' resulting ' + (event.resultingClientId !== '') + ' client ' + JSON.stringify(event.clientId));
  // Another origin's page, fetched no-cors: an opaque response, which cannot answer a navigation.
  if (new URL(request.url).pathname === '/opaque.html') {
    const other = new URL(request.url);
    other.hostname = 'localhost';
    other.pathname = '/plain.html';
    event.respondWith(fetch(other.href, {mode: 'no-cors'}));
  }
  if (new URL(request.url).pathname === '/app.html') {
    event.respondWith(new Response(
      '<!doctype html><script>console.log("app from the worker, controlled " + !!navigator.serviceWorker.controller + " at " + location.pathname);</script>',
      {headers: {'Content-Type': 'text/html; charset=utf-8'}}));
  }
});"#,
    );
    server.serve_html("/register.html", &register_page());
    server.serve_html(
        "/plain.html",
        &page("console.log('plain from the network'); done();"),
    );
    let (mut engine, mut console) = start_engine(Some(profile.path()), &[]);
    run_closed(&engine, &console, &server, "/register.html");
    if restart {
        engine.shutdown();
        drop(engine);
        (engine, console) = start_engine(Some(profile.path()), &[]);
    }

    // Not answered by the worker: the network, as before.
    run_closed(&engine, &console, &server, "/plain.html");
    assert!(
        console.contains("sw: navigate /plain.html document resulting true client \"\""),
        "{:?}",
        console.lines()
    );
    assert!(
        console.contains("plain from the network"),
        "{:?}",
        console.lines()
    );

    let outcome = engine.run_page(server.url("/opaque.html"), Some(PAGE_TIMEOUT));
    match outcome {
        PageOutcome::LoadFailed(reason) => assert!(
            reason.contains("opaque response, which is a network error"),
            "{reason}"
        ),
        other => panic!("{other:?}: {:?}", console.lines()),
    }

    let app = server.url("/app.html");
    drop(server);
    let outcome = engine.run_page(app, Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle, "{:?}", console.lines());
    assert!(
        console.contains("app from the worker, controlled true at /app.html"),
        "{:?}",
        console.lines()
    );
}

/// A controlled page's parser-inserted `<script src>` is a fetch event: the worker's script
/// runs before the page's next script, with the server gone.
#[test]
fn a_controlled_page_s_parser_inserted_script_comes_from_the_worker() {
    let server = TestServer::start();
    server.serve_js(
        "/sw.js",
        r#"self.addEventListener('fetch', event => {
  if (new URL(event.request.url).pathname !== '/lib.js') return;
  console.log('sw: script ' + event.request.destination);
  event.respondWith(new Response("window.lib = 'from the worker';",
                                 {headers: {'Content-Type': 'text/javascript'}}));
});"#,
    );
    server.serve_html("/register.html", &register_page());
    server.serve_html(
        "/app.html",
        "<!doctype html><script src=\"/lib.js\"></script><script>console.log('lib ' + window.lib);</script>",
    );
    let (engine, console) = start_engine(None, &[]);
    run_closed(&engine, &console, &server, "/register.html");
    let outcome = engine.run_page(server.url("/app.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle, "{:?}", console.lines());
    assert!(
        console.contains("sw: script script"),
        "{:?}",
        console.lines()
    );
    assert!(
        console.contains("lib from the worker"),
        "{:?}",
        console.lines()
    );
    assert!(
        server.requests_of("/lib.js").is_empty(),
        "the worker answered"
    );
}

/// Navigation preload: with `registration.navigationPreload` enabled, a page load sends
/// the request to the network beside the `fetch` event, with the
/// `Service-Worker-Navigation-Preload` header, and `preloadResponse` resolves with what came
/// back; disabled, it resolves with undefined and nothing is sent.
#[test]
fn a_navigation_preload_response_reaches_the_fetch_event() {
    let server = TestServer::start();
    server.serve_js(
        "/sw.js",
        r#"self.addEventListener('fetch', event => {
  if (event.request.mode !== 'navigate') return;
  event.respondWith((async () => {
    const preload = await event.preloadResponse.catch(error => error.name);
    const html = preload instanceof Response
      ? (await preload.text()).replace('PAGE', 'PAGE via preload ' + preload.status)
      : `<!doctype html><script>console.log("preload: ${preload}"); window.close();</script>`;
    return new Response(html, {headers: {'Content-Type': 'text/html'}});
  })());
});"#,
    );
    let preload_page = |command: &str| {
        page(&format!(
            r#"navigator.serviceWorker.register('sw.js', {{scope: './'}})
  .then(() => navigator.serviceWorker.ready)
  .then(registration => {command})
  .then(() => {{ console.log('preload set'); done(); }})
  .catch(failed);"#
        ))
    };
    server.serve_html(
        "/enable.html",
        &preload_page("registration.navigationPreload.enable()"),
    );
    server.serve_html(
        "/header.html",
        &preload_page("registration.navigationPreload.setHeaderValue('custom value')"),
    );
    server.serve_html(
        "/disable.html",
        &preload_page("registration.navigationPreload.disable()"),
    );
    server.serve_html("/app.html", &page("console.log('PAGE'); done();"));
    let (engine, console) = start_engine(None, &[]);
    let run = |path: &str| run_closed(&engine, &console, &server, path);

    run("/enable.html");
    run("/app.html");
    assert!(
        console.contains("PAGE via preload 200"),
        "{:?}",
        console.lines()
    );
    let loads = server.requests_of("/app.html");
    assert_eq!(loads.len(), 1, "one request: the preload");
    assert_eq!(
        loads[0].header("service-worker-navigation-preload"),
        Some("true")
    );

    run("/header.html");
    run("/app.html");
    let loads = server.requests_of("/app.html");
    assert_eq!(
        loads[1].header("service-worker-navigation-preload"),
        Some("custom value")
    );

    // Offline: no request, and preloadResponse rejects with a TypeError.
    engine.set_network_override(Some(Connectivity::Offline));
    run("/app.html");
    assert!(
        console.contains("preload: TypeError"),
        "{:?}",
        console.lines()
    );
    assert_eq!(
        server.requests_of("/app.html").len(),
        2,
        "nothing sent offline"
    );
    engine.set_network_override(Some(Connectivity::Online));

    run("/disable.html");
    run("/app.html");
    assert!(
        console.contains("preload: undefined"),
        "{:?}",
        console.lines()
    );
    assert_eq!(
        server.requests_of("/app.html").len(),
        2,
        "no preload request"
    );
}
