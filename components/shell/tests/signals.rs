//! SIGTERM and SIGINT end `bgsync run` gracefully: the `sync` event in
//! flight may finish (within `background_sync.shutdown_grace_ms`), what was
//! deferred is written, and the exit status is 0 (130 for SIGINT). A second
//! signal ends the process at once. Real processes, real signals, a real
//! HTTP server on 127.0.0.1 whose `/gate` answers only when the test says.

#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use server::TestServer;

/// Registers `sw.js`, then the sync `slow`, and stays busy (never idle), so
/// only a signal ends the run.
const PAGE: &str = r#"<!doctype html>
<script>
setInterval(() => {}, 50);
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(registration => registration.sync.register('slow'))
  .then(() => console.log('registered'), error => console.log('error ' + error));
</script>"#;

/// The `sync` handler says it started, then waits for the server's `/gate`.
const WORKER: &str = r#"
self.addEventListener('sync', event => {
  console.log('sw: started ' + event.tag);
  event.waitUntil(fetch('gate').then(response => response.text())
    .then(text => console.log('sw: done ' + text)));
});
"#;

struct Run {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Run {
    fn start(server: &TestServer, profile: &Path, prefs: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bgsync"));
        command
            .args(["run", "--online", "--timeout", "60", "--profile"])
            .arg(profile);
        for pref in prefs {
            command.args(["--pref", pref]);
        }
        let mut child = command
            .arg(server.url("/page.html").as_str())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Run { child, stdout }
    }

    /// Reads stdout until `line`.
    fn until(&mut self, line: &str) {
        let mut seen = Vec::new();
        for next in self.stdout.by_ref().lines() {
            let next = next.unwrap();
            if next == line {
                return;
            }
            seen.push(next);
        }
        panic!("stdout ended before {line:?}: {seen:?}");
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
    }

    /// Waits for the process; its exit status (or 128 + the signal that
    /// killed it), the worker's lines of the rest of stdout (the page's
    /// `registered` comes from another thread, in no fixed order), and
    /// stderr.
    fn finish(mut self) -> (i32, String, String) {
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let rest: String = rest
            .lines()
            .filter(|line| line.starts_with("sw: "))
            .map(|line| format!("{line}\n"))
            .collect();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        let code = status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
        (code, rest, stderr)
    }
}

fn serve(server: &TestServer) {
    server.serve_html("/page.html", PAGE);
    server.serve_js("/sw.js", WORKER);
    server.serve_js("/gate", "open");
}

/// The tags `bgsync sync list` finds in `profile`, with their attempts.
fn stored(profile: &Path) -> Vec<(String, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(["sync", "list", "--json", "--profile"])
        .arg(profile)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["tag"].as_str().unwrap().to_owned(),
                entry["num_attempts"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

/// Starts a run with `prefs`, sends `signal` once the `sync` event runs,
/// then lets the server answer `/gate` if `release`; the run's ending
/// (see [`Run::finish`]) and its profile.
fn signal_during_the_event(
    signal: libc::c_int,
    prefs: &[&str],
    release: bool,
) -> ((i32, String, String), tempfile::TempDir) {
    let server = TestServer::start();
    serve(&server);
    let hold = server.hold("/gate");
    let profile = tempfile::tempdir().unwrap();
    let mut run = Run::start(&server, profile.path(), prefs);
    run.until("sw: started slow");
    run.signal(signal);
    if release {
        hold.release();
    }
    let ended = run.finish();
    drop(hold);
    (ended, profile)
}

#[test]
fn sigterm_lets_the_event_in_flight_finish_and_exits_0() {
    let ((status, rest, stderr), profile) = signal_during_the_event(libc::SIGTERM, &[], true);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(rest, "sw: done open\n", "{stderr}");
    assert!(stderr.contains("SIGTERM: shutting down"), "{stderr}");
    // The event succeeded, and its deletion was written before the exit.
    assert_eq!(stored(profile.path()), []);
}

#[test]
fn sigint_exits_130_after_the_same_graceful_steps() {
    let ((status, rest, stderr), profile) = signal_during_the_event(libc::SIGINT, &[], true);
    assert_eq!(status, 130, "{stderr}");
    assert_eq!(rest, "sw: done open\n", "{stderr}");
    assert_eq!(stored(profile.path()), []);
}

#[test]
fn an_event_past_the_grace_period_is_cut_short_and_fires_again_next_time() {
    let ((status, rest, stderr), profile) = signal_during_the_event(
        libc::SIGTERM,
        &["background_sync.shutdown_grace_ms=100"],
        false,
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(rest, "", "the event did not finish");
    assert!(
        stderr.contains("still running after 100 ms (background_sync.shutdown_grace_ms)"),
        "{stderr}"
    );
    // Not counted as an attempt: it is stored as it was and fires again.
    assert_eq!(stored(profile.path()), [("slow".to_owned(), 0)]);
}

#[test]
fn a_second_signal_ends_the_process_at_once() {
    let server = TestServer::start();
    serve(&server);
    let hold = server.hold("/gate");
    let profile = tempfile::tempdir().unwrap();
    let mut run = Run::start(
        &server,
        profile.path(),
        &["background_sync.shutdown_grace_ms=600000"],
    );
    run.until("sw: started slow");
    run.signal(libc::SIGTERM);
    // The first signal is being handled once it is reported; then the second.
    let stderr = run.child.stderr.take().unwrap();
    let mut stderr = BufReader::new(stderr);
    let mut seen = String::new();
    while !seen.contains("shutting down") {
        let mut line = String::new();
        assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "{seen}");
        seen.push_str(&line);
    }
    run.signal(libc::SIGTERM);
    let status = run.child.wait().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{seen}{rest}");
    assert!(rest.contains("SIGTERM: exiting now"), "{rest}");
    assert_eq!(stored(profile.path()), [("slow".to_owned(), 0)]);
    drop(hold);
}
