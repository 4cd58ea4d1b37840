//! JavaScript memory is bounded per runtime by `js.max_heap_bytes`. A page
//! over it ends with exit status 1 and "out of memory"; a worker over it is
//! stopped and the event that was running fails as a terminated worker's
//! does, while the other event in flight is only cut off and fires again.
//! Real processes, real SpiderMonkey, a real HTTP server on 127.0.0.1.

#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::process::{Command, Output};

use server::TestServer;

/// 256 MiB: quick to reach, far above what the engine needs.
const LIMIT: &str = "js.max_heap_bytes=268435456";

/// `bgsync run` of `page` with the limit, on `profile`.
fn run(server: &TestServer, page: &str, profile: &std::path::Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["run", "--timeout", "120", "--pref", LIMIT, "--profile"])
        .arg(profile)
        .args(extra)
        .arg(server.url(page).as_str())
        .output()
        .unwrap()
}

fn assert_out_of_memory(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("bgsync: out of memory:") && last.contains("268435456"),
        "{stderr}"
    );
    assert!(stdout.contains("started"), "{stdout}");
    assert!(
        !stdout.contains("after"),
        "nothing runs after the limit: {stdout}"
    );
}

/// Serves `script` in a page and runs it: it must end out of memory.
fn assert_page_runs_out_of_memory(script: &str) {
    let server = TestServer::start();
    server.serve_html("/page.html", &format!("<!doctype html>\n{script}"));
    let profile = tempfile::tempdir().unwrap();
    assert_out_of_memory(&run(&server, "/page.html", profile.path(), &[]));
}

#[test]
fn a_page_filling_arrays_ends_with_out_of_memory() {
    // Array elements live in malloc memory, outside the GC heap's own limit.
    assert_page_runs_out_of_memory(
        r#"<script>
console.log('started');
const held = []; for (;;) held.push(new Array(1 << 20).fill(1.5));
</script>
<script>console.log('after');</script>"#,
    );
}

#[test]
fn a_page_filling_objects_ends_with_out_of_memory_even_if_it_catches() {
    assert_page_runs_out_of_memory(
        r#"<script>
console.log('started');
const held = [];
try { for (let i = 0;; i++) held.push({i, s: 'x' + i}); } catch (e) { console.log('after catch'); }
setTimeout(() => console.log('after timer'), 0);
</script>"#,
    );
}

#[test]
fn a_worker_over_the_limit_fails_its_event_and_the_other_fires_again() {
    let server = TestServer::start();
    server.serve_html(
        "/page.html",
        r#"<!doctype html>
<script>
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(r => Promise.all([r.sync.register('hog'), r.sync.register('ok')]))
  .then(() => console.log('registered'), e => console.log('error ' + e));
</script>"#,
    );
    server.serve_js(
        "/sw.js",
        r#"
self.addEventListener('sync', event => {
  console.log('sw: sync ' + event.tag);
  if (event.tag === 'hog') {
    const held = []; for (;;) held.push(new Array(1 << 20).fill(1.5));
  }
});"#,
    );
    let profile = tempfile::tempdir().unwrap();
    let profile_arg = profile.path().to_str().unwrap();
    let out = run(&server, "/page.html", profile.path(), &["--online"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "out of memory: the worker's JavaScript went over js.max_heap_bytes (268435456 \
             bytes); the worker was stopped (service worker, scope "
        ),
        "{stderr}"
    );
    assert!(stdout.contains("sw: sync ok"), "{stdout}");
    // `hog` failed once, as a terminated worker's event does; `ok` was only
    // cut off, fired again on a fresh worker and succeeded.
    let listed = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["sync", "list", "--json", "--profile", profile_arg])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let tags: Vec<(String, u64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["tag"].as_str().unwrap().to_owned(),
                entry["num_attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tags, [("hog".to_owned(), 1)], "{stderr}");
}
