//! Workbox's Background Sync, unmodified (the npm packages `./mach bootstrap` installs in
//! `examples/node_modules`), across two engine runs with a real server on 127.0.0.1: offline, a
//! controlled page's POSTs fail, Workbox's fetch route catches them and queues them in
//! IndexedDB with the tag `workbox-background-sync:outbox`; a later online run with no page of
//! the app open starts the worker for the `sync` event and Workbox replays the requests, in
//! order, with their bodies and headers; the same with the page's POSTs sent by axios
//! (npm, unmodified), on XMLHttpRequest. And workbox-streams, stitching a response from
//! several sources as a stream.

#[path = "../../engine/tests/support/server.rs"]
mod server;

mod common;
use common::{page, run, text};

use std::path::{Path, PathBuf};

use server::{Response, TestServer};

fn node_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/node_modules")
}

/// Serves Workbox's files under `/workbox/`, as `workbox.setConfig({modulePathPrefix})` finds
/// them: `workbox-sw.js` and `workbox-<module>.prod.js`.
fn serve_workbox(server: &TestServer) {
    let files = [
        ("workbox-sw", "workbox-sw.js"),
        ("workbox-core", "workbox-core.prod.js"),
        ("workbox-routing", "workbox-routing.prod.js"),
        ("workbox-strategies", "workbox-strategies.prod.js"),
        ("workbox-background-sync", "workbox-background-sync.prod.js"),
        ("workbox-streams", "workbox-streams.prod.js"),
    ];
    for (package, file) in files {
        let path = node_modules().join(package).join("build").join(file);
        let source = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "{}: {error} (./mach bootstrap installs Workbox)",
                path.display()
            )
        });
        server.serve_js(&format!("/workbox/{file}"), &source);
    }
}

/// Registers `sw.js`, waits until it controls the page, then sends two messages to
/// `/api/messages` with `send(text)` (which resolves with the response's status) and logs what
/// became of each (`not sent <text> <error>`, the error as `describe(error)` gives it).
fn post_page(send: &str, describe: &str) -> String {
    page(&format!(
        r#"const controlled = () => navigator.serviceWorker.controller ? Promise.resolve()
  : new Promise(resolve => navigator.serviceWorker.addEventListener('controllerchange', resolve));
const send = {send};
const describe = {describe};
navigator.serviceWorker.register('sw.js', {{scope: './'}})
  .then(() => navigator.serviceWorker.ready)
  .then(controlled)
  .then(async () => {{
    for (const text of ['first', 'second']) {{
      try {{
        console.log('sent ' + text + ' ' + await send(text));
      }} catch (error) {{
        console.log('not sent ' + text + ' ' + describe(error));
      }}
    }}
    done();
  }})
  .catch(failed);"#
    ))
}

/// The page's messages sent with fetch().
fn fetch_post_page() -> String {
    post_page(
        r#"async (text) => (await fetch('/api/messages', {
  method: 'POST',
  headers: {'Content-Type': 'application/json', 'X-Outbox': text},
  body: JSON.stringify({text}),
})).status"#,
        "(error) => error.name",
    )
}

/// The page's messages sent with axios (npm, unmodified), which sends them with
/// XMLHttpRequest: the worker's fetch event sees them the same.
fn axios_post_page() -> String {
    let page = post_page(
        r#"async (text) => (await axios.post('/api/messages', {text}, {
  headers: {'X-Outbox': text},
})).status"#,
        "(error) => error.code",
    );
    page.replacen(
        "<script>",
        "<script src=\"/axios/axios.min.js\"></script>\n<script>",
        1,
    )
}

/// The worker exactly as Workbox documents it, with `clientsClaim()` so the page that
/// registered it is controlled at once.
const NETWORK_ONLY_WORKER: &str = r#"
importScripts('/workbox/workbox-sw.js');
workbox.setConfig({modulePathPrefix: '/workbox/'});
workbox.core.clientsClaim();
workbox.routing.registerRoute(/\/api\/messages/,
  new workbox.strategies.NetworkOnly({plugins: [new workbox.backgroundSync.BackgroundSyncPlugin('outbox')]}),
  'POST');
"#;

/// Workbox's `Queue`, with `pushRequest()` called from the worker's own fetch handler.
const QUEUE_WORKER: &str = r#"
importScripts('/workbox/workbox-sw.js');
workbox.setConfig({modulePathPrefix: '/workbox/'});
workbox.core.clientsClaim();
const queue = new workbox.backgroundSync.Queue('outbox');
self.addEventListener('fetch', event => {
  if (event.request.method !== 'POST') return;
  const backup = event.request.clone();
  event.respondWith(fetch(event.request).catch(async error => {
    await queue.pushRequest({request: backup});
    throw error;
  }));
});
"#;

fn serve_app(worker: &str) -> TestServer {
    let server = TestServer::start();
    serve_workbox(&server);
    server.serve_js("/sw.js", worker);
    server.serve_html("/post.html", &fetch_post_page());
    let axios = node_modules().join("axios/dist/axios.min.js");
    let axios = std::fs::read_to_string(&axios).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (./mach bootstrap installs axios)",
            axios.display()
        )
    });
    server.serve_js("/axios/axios.min.js", &axios);
    server.serve_html("/post-axios.html", &axios_post_page());
    server.serve("/api/messages", Response::ok("text/plain", "stored"));
    server
}

/// How the page sends its messages, and the error each gets while offline.
#[derive(Clone, Copy)]
enum Sender {
    Fetch,
    Axios,
}

impl Sender {
    fn page(self) -> &'static str {
        match self {
            Sender::Fetch => "/post.html",
            Sender::Axios => "/post-axios.html",
        }
    }

    fn offline_error(self) -> &'static str {
        match self {
            Sender::Fetch => "TypeError",
            Sender::Axios => "ERR_NETWORK",
        }
    }
}

/// Run 1, offline: both messages fail in the page and wait in Workbox's queue, whose sync
/// registration `bgsync sync list` shows.
fn queue_two_offline(server: &TestServer, profile_arg: &str, sender: Sender) {
    let out = run(&[
        "run",
        "--offline",
        "--profile",
        profile_arg,
        server.url(sender.page()).as_str(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let error = sender.offline_error();
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!("not sent first {error}"),
            format!("not sent second {error}")
        ],
        "{stderr}"
    );
    assert!(server.requests_of("/api/messages").is_empty());
    let listed = run(&["sync", "list", "--profile", profile_arg, "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        listed[0]["tag"], "workbox-background-sync:outbox",
        "{listed}"
    );
}

fn replays_in_the_next_online_run(worker: &str, sender: Sender) {
    let server = serve_app(worker);
    let profile = tempfile::TempDir::new().unwrap();
    let profile_arg = profile.path().to_str().unwrap();
    queue_two_offline(&server, profile_arg, sender);

    // Run 2, online, no page of the app: the worker starts for the sync event and replays.
    let out = run(&[
        "run",
        "-v",
        "--online",
        "--profile",
        profile_arg,
        "about:blank",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let requests = server.requests_of("/api/messages");
    let bodies: Vec<String> = requests.iter().map(|r| text(&r.body)).collect();
    assert_eq!(
        bodies,
        [r#"{"text":"first"}"#, r#"{"text":"second"}"#],
        "{stderr}"
    );
    for (request, text) in requests.iter().zip(["first", "second"]) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("x-outbox"), Some(text));
        assert_eq!(request.header("content-type"), Some("application/json"));
    }
    assert!(
        stderr.contains("\"workbox-background-sync:outbox\": dispatched"),
        "{stderr}"
    );
    // Delivered: the registration is gone, and a third run sends nothing again.
    let listed = run(&["sync", "list", "--profile", profile_arg, "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed, serde_json::json!([]), "{stderr}");
    let out = run(&["run", "--online", "--profile", profile_arg, "about:blank"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(server.requests_of("/api/messages").len(), 2);
}

#[test]
fn workbox_background_sync_plugin_replays_offline_posts_in_the_next_online_run() {
    replays_in_the_next_online_run(NETWORK_ONLY_WORKER, Sender::Fetch);
}

/// The same with the page's messages sent by axios (XMLHttpRequest): Workbox queues and
/// replays them as it does fetch()'s.
#[test]
fn axios_posts_queued_offline_by_workbox_replay_in_the_next_online_run() {
    replays_in_the_next_online_run(NETWORK_ONLY_WORKER, Sender::Axios);
}

#[test]
fn workbox_queue_push_request_replays_in_the_next_online_run() {
    replays_in_the_next_online_run(QUEUE_WORKER, Sender::Fetch);
}

/// Workbox retries network errors only (a 503 counts as delivered), so the server is gone for
/// the replays: each run online is one failed attempt, the third is the last chance, and then
/// the registration is dropped while the requests stay in Workbox's IndexedDB queue.
#[test]
fn after_a_failed_last_chance_the_requests_stay_in_workbox_s_queue() {
    let server = serve_app(NETWORK_ONLY_WORKER);
    let profile = tempfile::TempDir::new().unwrap();
    let profile_arg = profile.path().to_str().unwrap();
    queue_two_offline(&server, profile_arg, Sender::Fetch);
    drop(server);

    let mut stories = String::new();
    for _ in 0..3 {
        let out = run(&[
            "run",
            "-v",
            "--online",
            "--profile",
            profile_arg,
            "--pref",
            "background_sync.initial_retry_delay_ms=1",
            "--pref",
            "background_sync.retry_delay_factor=1",
            "about:blank",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        stories.push_str(&text(&out.stderr));
    }
    let dispatched: Vec<&str> = stories
        .lines()
        .filter(|line| line.contains("\"workbox-background-sync:outbox\": dispatched"))
        .collect();
    assert_eq!(dispatched.len(), 3, "{stories}");
    assert!(dispatched[2].ends_with("lastChance true"), "{stories}");
    assert!(
        stories.contains("dropped after its last chance"),
        "{stories}"
    );
    let listed = run(&["sync", "list", "--profile", profile_arg, "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed, serde_json::json!([]));

    let idb = run(&["idb", "list", "--profile", profile_arg, "--json"]);
    let idb: serde_json::Value = serde_json::from_slice(&idb.stdout).unwrap();
    let databases = idb[0]["databases"].as_array().cloned().unwrap_or_default();
    let queue = databases
        .iter()
        .find(|database| database["name"] == "workbox-background-sync")
        .unwrap_or_else(|| panic!("no Workbox database: {idb}"));
    let requests = queue["stores"]
        .as_array()
        .and_then(|stores| stores.iter().find(|store| store["name"] == "requests"))
        .unwrap_or_else(|| panic!("no requests store: {idb}"));
    assert_eq!(requests["records"], 2, "{idb}");
}

/// Runs the page at `path` in a fresh profile (at most 20 s), which must exit 0: its stdout
/// and stderr.
fn run_app(server: &TestServer, path: &str) -> (String, String) {
    let profile = tempfile::TempDir::new().unwrap();
    let out = run(&[
        "run",
        "--timeout",
        "20",
        "--profile",
        profile.path().to_str().unwrap(),
        server.url(path).as_str(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// workbox-window, unmodified, in a page: `wb.register()` and `wb.messageSW()`, which sends the
/// worker a MessageChannel port (`postMessage(data, [port2])`) and waits for the answer on it,
/// as apps do to ask their worker for its version or to skip waiting.
#[test]
fn workbox_window_message_sw_gets_the_worker_s_answer_on_its_port() {
    let server = TestServer::start();
    let path = node_modules().join("workbox-window/build/workbox-window.prod.umd.js");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (./mach bootstrap installs workbox-window)",
            path.display()
        )
    });
    server.serve_js("/workbox/workbox-window.prod.umd.js", &source);
    server.serve_js(
        "/sw.js",
        r#"
self.addEventListener('message', event => {
  if (event.data && event.data.type === 'GET_VERSION') {
    event.ports[0].postMessage({version: 'v42', ports: event.ports.length});
  }
});
"#,
    );
    let body = page(
        r#"const wb = new workbox.Workbox('/sw.js');
wb.register()
  .then(() => wb.messageSW({type: 'GET_VERSION'}))
  .then(answer => { console.log('version ' + answer.version + ' ports ' + answer.ports); done(); })
  .catch(failed);"#,
    );
    let html = body.replace(
        "<script>",
        "<script src=\"/workbox/workbox-window.prod.umd.js\"></script>\n<script>",
    );
    server.serve_html("/app.html", &html);
    let (stdout, stderr) = run_app(&server, "/app.html");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["version v42 ports 1"],
        "{stderr}"
    );
}

/// workbox-streams, unmodified: `workbox.streams.strategy()` answers a route with one response
/// stitched from a string, the network's response to another URL and a Response, read as
/// streams and written into one ReadableStream as each source comes (Workbox falls back to
/// waiting for every source and concatenating them when `isSupported()`, a ReadableStream
/// constructor that works, is false: the page is told which path ran).
#[test]
fn workbox_streams_strategy_stitches_a_response_from_streamed_sources() {
    let server = TestServer::start();
    serve_workbox(&server);
    server.serve_js(
        "/sw.js",
        r#"
importScripts('/workbox/workbox-sw.js');
workbox.setConfig({modulePathPrefix: '/workbox/'});
workbox.core.clientsClaim();
self.skipWaiting();
workbox.routing.registerRoute(/\/supported$/,
  () => new Response(String(workbox.streams.isSupported())));
workbox.routing.registerRoute(/\/stitched$/, workbox.streams.strategy([
  () => '<header>',
  () => fetch('/middle.html'),
  () => new Response('<footer>'),
], {'Content-Type': 'text/html'}));
"#,
    );
    server.serve(
        "/middle.html",
        Response::ok("text/html", "<p>from the network</p>"),
    );
    let body = page(
        r#"const controlled = () => navigator.serviceWorker.controller ? Promise.resolve()
  : new Promise(resolve => navigator.serviceWorker.addEventListener('controllerchange', resolve));
navigator.serviceWorker.register('/sw.js')
  .then(() => navigator.serviceWorker.ready)
  .then(controlled)
  .then(async () => {
    console.log('streams supported ' + await (await fetch('/supported')).text());
    const response = await fetch('/stitched');
    console.log(response.headers.get('Content-Type') + ' ' + await response.text());
    done();
  })
  .catch(failed);"#,
    );
    server.serve_html("/app.html", &body);
    let (stdout, stderr) = run_app(&server, "/app.html");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "streams supported true",
            "text/html <header><p>from the network</p><footer>",
        ],
        "{stderr}"
    );
    assert_eq!(server.requests_of("/middle.html").len(), 1);
}
