//! IndexedDB through the whole engine: real SpiderMonkey pages and workers,
//! the constellation, the backend's threads and real SQLite files in a
//! profile, a real HTTP server, and `bgsync` processes (one per run, so a
//! second run is a restarted engine).

mod common;
#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::assert_logged;
use server::TestServer;

/// Opens `outbox` (version 1: a `messages` store with generated keys and a
/// `byRoom` index); shared by the pages and the worker below.
const OPEN: &str = r#"
function openOutbox() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("outbox", 1);
    open.onupgradeneeded = () => open.result
      .createObjectStore("messages", {keyPath: "id", autoIncrement: true})
      .createIndex("byRoom", "room");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
}
async function texts(db) {
  const tx = db.transaction("messages");
  const all = tx.objectStore("messages").getAll();
  await done(tx);
  return all.result.map(m => m.text).join(",");
}
"#;

fn page(body: &str) -> String {
    format!("<!doctype html><script>{OPEN}\n(async () => {{ {body} }})().catch(e => console.log('page error: ' + e.name + ': ' + e.message));</script>")
}

fn run(server: &TestServer, profile: &std::path::Path, extra: &[&str]) -> Output {
    common::run_in_profile(server.url("/page.html").as_str(), profile, extra)
}

const WORKER: &str = r#"
self.addEventListener("message", event => {
  event.waitUntil((async () => {
    const db = await openOutbox();
    const before = await texts(db);
    const tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "hall", text: "from worker"});
    await done(tx);
    const kitchen = db.transaction("messages").objectStore("messages").index("byRoom").count("kitchen");
    await new Promise(resolve => kitchen.onsuccess = resolve);
    event.source.postMessage(`worker saw ${before}; kitchen ${kitchen.result}`);
    db.close();
  })());
});
"#;

#[test]
fn a_page_and_its_worker_share_one_database_that_survives_a_restart() {
    let server = TestServer::start();
    server.serve_js("/sw.js", &format!("{OPEN}\n{WORKER}"));
    server.serve_html(
        "/page.html",
        &page(
            r#"
    const db = await openOutbox();
    const tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "kitchen", text: "from page"});
    await done(tx);
    const registration = await navigator.serviceWorker.register("sw.js");
    await navigator.serviceWorker.ready;
    const reply = new Promise(resolve => navigator.serviceWorker.onmessage = e => resolve(e.data));
    registration.active.postMessage("go");
    console.log(await reply);
    console.log("page sees " + await texts(db));
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let first = run(&server, profile.path(), &[]);
    assert_eq!(first.status.code(), Some(0));
    assert_logged(&first, "worker saw from page; kitchen 1");
    assert_logged(&first, "page sees from page,from worker");

    server.serve_html(
        "/page.html",
        &page(r#"console.log("after restart " + await texts(await openOutbox()));"#),
    );
    let second = run(&server, profile.path(), &[]);
    assert_logged(&second, "after restart from page,from worker");

    // The developer's view, without an engine.
    let listed = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["idb", "list", "--json", "--profile"])
        .arg(profile.path())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("\"outbox\""), "{listed}");
}

#[test]
fn origins_do_not_see_each_other() {
    let a = TestServer::start();
    let b = TestServer::start();
    a.serve_html(
        "/page.html",
        &page(
            r#"
    const db = await openOutbox();
    const tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "kitchen", text: "secret"});
    await done(tx);
    console.log("a wrote");
    "#,
        ),
    );
    b.serve_html(
        "/page.html",
        &page(
            r#"
    const names = (await indexedDB.databases()).map(info => info.name).join(",");
    console.log("b databases [" + names + "]");
    console.log("b sees [" + await texts(await openOutbox()) + "]");
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    assert_logged(&run(&a, profile.path(), &[]), "a wrote");
    let seen = run(&b, profile.path(), &[]);
    assert_logged(&seen, "b databases []");
    assert_logged(&seen, "b sees []");
    let files = std::fs::read_dir(profile.path().join("indexeddb"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".sqlite")
        })
        .count();
    assert_eq!(files, 2, "one file per origin");
}

#[test]
fn a_write_past_the_quota_fails_and_loses_nothing() {
    let server = TestServer::start();
    server.serve_html(
        "/page.html",
        &page(
            r#"
    const db = await openOutbox();
    let tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "kitchen", text: "small"});
    await done(tx);
    tx = db.transaction("messages", "readwrite");
    for (let i = 0; i < 8; i++) {
      tx.objectStore("messages").add({room: "kitchen", text: "big", blob: "x".repeat(100000)});
    }
    const error = await done(tx).then(() => "committed", e => e.name);
    console.log("big transaction: " + error);
    console.log("left: " + await texts(db));
    tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "kitchen", text: "again"});
    await done(tx);
    console.log("after: " + await texts(db));
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let out = run(
        &server,
        profile.path(),
        &["--pref", "indexeddb.max_bytes_per_origin=300000"],
    );
    assert_logged(&out, "big transaction: QuotaExceededError");
    assert_logged(&out, "left: small");
    assert_logged(&out, "after: small,again");
}

#[test]
fn a_killed_engine_keeps_each_transaction_whole_or_not_at_all() {
    let server = TestServer::start();
    server.serve_html(
        "/page.html",
        &page(
            r#"
    const db = await openOutbox();
    let tx = db.transaction("messages", "readwrite", {durability: "strict"});
    for (let i = 0; i < 100; i++) tx.objectStore("messages").add({room: "kitchen", text: "c" + i});
    await done(tx);
    console.log("committed 100");
    // A transaction that keeps writing until the process is killed.
    tx = db.transaction("messages", "readwrite");
    const store = tx.objectStore("messages");
    let written = 0;
    const more = () => {
      for (let i = 0; i < 100; i++) store.add({room: "hall", text: "x".repeat(1000)});
      written += 100;
      if (written === 2000) console.log("big transaction under way");
      store.count().onsuccess = more;
    };
    more();
    "#,
        ),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["run", "--timeout", "60", "--profile"])
        .arg(profile.path())
        .arg(server.url("/page.html").as_str())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let started = Instant::now();
    let mut seen = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.ends_with("big transaction under way") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{seen:?}");
    }
    assert!(
        seen.iter().any(|line| line.ends_with("committed 100")),
        "{seen:?}"
    );
    // SIGKILL: no shutdown, no rollback, no flush.
    child.kill().unwrap();
    child.wait().unwrap();

    server.serve_html(
        "/page.html",
        &page(
            r#"
    const db = await openOutbox();
    const tx = db.transaction("messages");
    const kitchen = tx.objectStore("messages").index("byRoom").count("kitchen");
    const hall = tx.objectStore("messages").index("byRoom").count("hall");
    await done(tx);
    console.log(`after the kill: kitchen ${kitchen.result}, hall ${hall.result}`);
    "#,
        ),
    );
    let out = run(&server, profile.path(), &[]);
    assert_logged(&out, "after the kill: kitchen 100, hall 0");
}

#[test]
fn site_clear_deletes_an_origins_databases_and_registrations_and_nothing_else() {
    let a = TestServer::start();
    let b = TestServer::start();
    let writes = page(
        r#"
    const db = await openOutbox();
    const tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "kitchen", text: "kept?"});
    await done(tx);
    const registration = await navigator.serviceWorker.register("sw.js");
    await navigator.serviceWorker.ready;
    await registration.sync.register("outbox");
    console.log("stored");
    "#,
    );
    for server in [&a, &b] {
        server.serve_html("/page.html", &writes);
        server.serve_js("/sw.js", "self.addEventListener('sync', () => {});");
    }
    let profile = tempfile::tempdir().unwrap();
    assert_logged(&run(&a, profile.path(), &["--offline"]), "stored");
    assert_logged(&run(&b, profile.path(), &["--offline"]), "stored");

    let origin = a.url("/").origin().ascii_serialization();
    let cleared = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["site", "clear", "--profile"])
        .arg(profile.path())
        .arg(&origin)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&cleared.stdout);
    assert_eq!(cleared.status.code(), Some(0), "{said}");
    assert!(
        said.contains("1 IndexedDB database(s), 0 cache(s), 1 service-worker registration(s)"),
        "{said}"
    );

    let idb = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["idb", "list", "--json", "--profile"])
        .arg(profile.path())
        .output()
        .unwrap();
    let idb: serde_json::Value = serde_json::from_slice(&idb.stdout).unwrap();
    let databases_of = |wanted: &str| {
        idb.as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["origin"] == wanted)
            .map_or(0, |entry| entry["databases"].as_array().unwrap().len())
    };
    assert_eq!(databases_of(&origin), 0);
    assert_eq!(databases_of(&b.url("/").origin().ascii_serialization()), 1);

    let sync = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["sync", "list", "--json", "--profile"])
        .arg(profile.path())
        .output()
        .unwrap();
    let sync = String::from_utf8_lossy(&sync.stdout);
    assert!(!sync.contains(&a.url("/").to_string()), "{sync}");
    assert!(sync.contains(&b.url("/").to_string()), "{sync}");
}

#[test]
fn a_corrupt_origin_file_is_moved_aside_and_the_rest_keeps_working() {
    let a = TestServer::start();
    let b = TestServer::start();
    let writes = page(
        r#"
    const db = await openOutbox();
    const tx = db.transaction("messages", "readwrite");
    tx.objectStore("messages").add({room: "kitchen", text: "safe"});
    await done(tx);
    console.log("now " + await texts(db));
    "#,
    );
    a.serve_html("/page.html", &writes);
    b.serve_html("/page.html", &writes);
    let profile = tempfile::tempdir().unwrap();
    assert_logged(&run(&a, profile.path(), &[]), "now safe");
    assert_logged(&run(&b, profile.path(), &[]), "now safe");
    // Origin a's file is overwritten with garbage while no engine runs.
    let origin_a = a.url("/").origin().ascii_serialization();
    let file = indexeddb::layout::origin_file(profile.path(), &origin_a);
    std::fs::write(&file, vec![0x42; 16 * 1024]).unwrap();
    // Origin a starts again empty; b keeps its data; the engine runs both pages.
    let again = run(&a, profile.path(), &[]);
    assert_eq!(again.status.code(), Some(0));
    assert_logged(&again, "now safe");
    assert_logged(&run(&b, profile.path(), &[]), "now safe,safe");
    let moved = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".corrupt-")
        })
        .count();
    assert_eq!(moved, 1, "the corrupt file is kept aside, not deleted");
}
