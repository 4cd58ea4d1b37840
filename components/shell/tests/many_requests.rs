//! A page or worker with thousands of requests in flight at once does not
//! take the engine down, even with few file descriptors: every request
//! travels on its global's existing channels (a number, not a channel of its
//! own). Real processes with a real descriptor limit (`RLIMIT_NOFILE` set in
//! the child before `exec`), real SpiderMonkey, a real HTTP server.

#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

use server::TestServer;

/// Far below what one channel per request would need (2 descriptors each).
const DESCRIPTOR_LIMIT: libc::rlim_t = 256;

const CALLS: usize = 2000;

/// 2,000 `register()`, then 2,000 `getTags()`, each batch all in flight at
/// once; then the worker, asked by a message, does the same with `getTags()`
/// and answers with its count. Offline, so no tag fires meanwhile.
const PAGE: &str = r#"<!doctype html>
<script>
const calls = 2000;
navigator.serviceWorker.onmessage = event => console.log('sw getTags: ' + event.data);
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(async registration => {
    const registered = await Promise.allSettled(
      Array.from({length: calls}, (_, i) => registration.sync.register('p-' + i)));
    console.log('page register: ' + registered.filter(r => r.status === 'fulfilled').length);
    const listed = await Promise.allSettled(
      Array.from({length: calls}, () => registration.sync.getTags()));
    const full = listed.filter(r => r.status === 'fulfilled' && r.value.length === calls);
    console.log('page getTags: ' + full.length);
    registration.active.postMessage('burst');
  })
  .catch(error => console.log('page error: ' + error));
</script>"#;

const WORKER: &str = r#"
self.addEventListener('message', event => {
  event.waitUntil((async () => {
    const listed = await Promise.allSettled(
      Array.from({length: 2000}, () => self.registration.sync.getTags()));
    event.source.postMessage(listed.filter(r => r.status === 'fulfilled').length);
  })());
});
"#;

fn run_limited(server: &TestServer, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bgsync"));
    command.args(args).arg(server.url("/page.html").as_str());
    // SAFETY: setrlimit(2) is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: DESCRIPTOR_LIMIT,
                rlim_max: DESCRIPTOR_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output().unwrap()
}

#[test]
fn thousands_of_requests_in_flight_are_all_answered_with_few_descriptors() {
    let server = TestServer::start();
    server.serve_html("/page.html", PAGE);
    server.serve_js("/sw.js", WORKER);
    let profile = tempfile::tempdir().unwrap();
    let profile_arg = profile.path().to_str().unwrap();
    let out = run_limited(
        &server,
        &[
            "run",
            "--offline",
            "--timeout",
            "120",
            "--profile",
            profile_arg,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for line in [
        format!("page register: {CALLS}"),
        format!("page getTags: {CALLS}"),
        format!("sw getTags: {CALLS}"),
    ] {
        assert!(
            stdout.lines().any(|seen| seen.ends_with(&line)),
            "missing {line:?} in:\n{stdout}\n{stderr}"
        );
    }
    // Every tag the page registered is stored.
    let listed = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["sync", "list", "--json", "--profile", profile_arg])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let tags = listed.as_array().unwrap();
    assert_eq!(
        tags.iter()
            .filter(|entry| entry["tag"].as_str().unwrap().starts_with("p-"))
            .count(),
        CALLS
    );
}
