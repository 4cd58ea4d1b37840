//! `bgsync` and background sync: a run lets a sync event finish, `kill -9` mid-event means it
//! fires again in the next run, `sync list` and `sync dispatch`, `--deny-permission`, `-v`.
//! Real processes, a real HTTP server on 127.0.0.1, real profiles. Runs that need sync events
//! to fire say `--online`, so they do not depend on this machine's network (`network.rs`
//! tests the real one).

#[path = "../../engine/tests/support/server.rs"]
mod server;

mod common;
use common::{bgsync, page, run, text};

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use server::TestServer;

/// Registers `sw.js`, waits for it, registers the sync `outbox` and logs the tags.
fn register_sync_page() -> String {
    page(
        r#"navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(registration => registration.sync.register('outbox')
    .then(() => registration.sync.getTags()))
  .then(tags => { console.log('tags ' + JSON.stringify(tags)); done(); })
  .catch(failed);"#,
    )
}

/// Logs `sw: sync <tag> <lastChance>`; the tag `fail` fails, `never` never settles, `slow`
/// takes 300 ms and then logs `sw: slow done`.
const WORKER: &str = r#"
self.addEventListener('sync', event => {
  console.log('sw: sync ' + event.tag + ' ' + event.lastChance);
  if (event.tag === 'fail') event.waitUntil(Promise.reject(new Error('down')));
  if (event.tag === 'never') event.waitUntil(new Promise(() => {}));
  if (event.tag === 'slow') event.waitUntil(new Promise(resolve => setTimeout(() => {
    console.log('sw: slow done');
    resolve();
  }, 300)));
});
"#;

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `bgsync sync list --json` of `profile`.
fn listed(profile: &Path) -> serde_json::Value {
    let out = run(&["sync", "list", "--profile", path_arg(profile), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn kill_9_while_a_sync_event_runs_and_it_fires_again_in_the_next_run() {
    let server = TestServer::start();
    server.serve_js("/sw.js", &WORKER.replace("'never'", "'outbox'"));
    server.serve_html("/register.html", &register_sync_page());
    server.serve_html("/idle.html", "<script>console.log('idle page')</script>");
    let profile = tempfile::TempDir::new().unwrap();

    // Run 1: the handler starts and never settles; the engine is killed.
    let mut child = bgsync()
        .args(["run", "--online", "--profile", path_arg(profile.path())])
        .arg(server.url("/register.html").as_str())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut output = Vec::new();
    loop {
        match seen.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line == "sw: sync outbox false" => break,
            Ok(line) => output.push(line),
            Err(error) => {
                let _ = child.kill();
                panic!("the handler never started ({error}); stdout: {output:?}");
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let sync = &listed(profile.path())[0];
    assert_eq!(sync["tag"], "outbox");
    // An event in flight is not stored: the row is what the next run makes of it.
    assert_eq!(sync["state"], "pending", "{sync}");
    assert_eq!(sync["num_attempts"], 0);

    // Run 2, another page: the registration fires again at start; this time it times out.
    let out = run(&[
        "run",
        "-v",
        "--online",
        "--profile",
        path_arg(profile.path()),
        "--pref",
        "background_sync.max_event_duration_ms=500",
        "--pref",
        "background_sync.initial_retry_delay_ms=600000",
        server.url("/idle.html").as_str(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.lines().any(|line| line == "sw: sync outbox false"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|line| line == "idle page"), "{stdout}");
    assert!(
        stderr.contains("\"outbox\": dispatched, lastChance false"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "\"outbox\": failed (the event ran past its maximum duration); next attempt in"
        ),
        "{stderr}"
    );
    // The killed attempt was not counted; the timed-out one was.
    let sync = &listed(profile.path())[0];
    assert_eq!(sync["state"], "waiting", "{sync}");
    assert_eq!(sync["num_attempts"], 1);
}

#[test]
fn sync_list_and_sync_dispatch() {
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/register.html", &register_sync_page());
    let profile = tempfile::TempDir::new().unwrap();
    let profile_arg = path_arg(profile.path());
    let scope = server.url("/");

    let empty = run(&["sync", "list", "--profile", profile_arg]);
    assert_eq!(text(&empty.stdout), "no sync registrations\n");

    let out = run(&[
        "run",
        "--offline",
        "--profile",
        profile_arg,
        server.url("/register.html").as_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "tags [\"outbox\"]\n");

    let table = run(&["sync", "list", "--profile", profile_arg]);
    let table = text(&table.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("SCOPE"), "{table}");
    for cell in [
        scope.as_str(),
        "\"outbox\"",
        "pending",
        "0/3",
        "when online",
    ] {
        assert!(lines[1].contains(cell), "{cell} in {table}");
    }
    let before = listed(profile.path());
    assert_eq!(
        before,
        serde_json::json!([{
            "scope": scope.as_str(),
            "tag": "outbox",
            "state": "pending",
            "num_attempts": 0,
            "max_attempts": 3,
            "next_attempt_ms": null,
        }])
    );

    // Fired now, with lastChance, and nothing stored changes.
    let out = run(&[
        "sync",
        "dispatch",
        "--profile",
        profile_arg,
        "--scope",
        scope.as_str(),
        "--tag",
        "outbox",
        "--last-chance",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        stdout,
        format!("sw: sync outbox true\nsync \"outbox\" at {scope}: success\n")
    );
    assert_eq!(listed(profile.path()), before);

    // A failing event: exit status 1.
    let out = run(&[
        "sync",
        "dispatch",
        "--profile",
        profile_arg,
        "--scope",
        scope.as_str(),
        "--tag",
        "fail",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).ends_with("failure (a waitUntil promise rejected)\n"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(listed(profile.path()), before);

    // No registration there: exit status 1, and why.
    let out = run(&[
        "sync",
        "dispatch",
        "--profile",
        profile_arg,
        "--scope",
        "http://127.0.0.1:1/nothing/",
        "--tag",
        "outbox",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no service-worker registration"),
        "{}",
        text(&out.stderr)
    );
    // A scope that is no URL is bad usage.
    let out = run(&[
        "sync",
        "dispatch",
        "--profile",
        profile_arg,
        "--scope",
        "nope",
        "--tag",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_run_lets_a_sync_event_of_its_page_finish_and_tells_the_story_with_v() {
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html(
        "/register.html",
        &register_sync_page().replace("'outbox'", "'slow'"),
    );
    let profile = tempfile::TempDir::new().unwrap();
    let out = run(&[
        "run",
        "-v",
        "--online",
        "--profile",
        path_arg(profile.path()),
        server.url("/register.html").as_str(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The page closed right after registering; the event still ran to its end. The page's
    // and the worker's lines come from two threads, so only the worker's own order is fixed.
    let mut lines: Vec<&str> = stdout.lines().collect();
    let worker_lines: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| line.starts_with("sw: "))
        .collect();
    assert_eq!(
        worker_lines,
        ["sw: sync slow false", "sw: slow done"],
        "{stdout}"
    );
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["sw: slow done", "sw: sync slow false", "tags [\"slow\"]"],
        "{stdout}"
    );
    let story: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("bgsync: sync "))
        .collect();
    let scope = server.url("/");
    assert_eq!(
        story,
        [
            format!("{scope} \"slow\": registered"),
            format!("{scope} \"slow\": dispatched, lastChance false"),
            format!("{scope} \"slow\": completed"),
        ],
        "{stderr}"
    );
    // The completed tag's deletion, deferred to the next write, was written when the engine
    // stopped.
    assert_eq!(listed(profile.path()), serde_json::json!([]));
}

#[test]
fn a_denied_permission_rejects_register_and_a_bad_one_is_bad_usage() {
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/register.html", &register_sync_page());
    let origin = server.url("/").origin().ascii_serialization();
    let out = run(&[
        "run",
        "--deny-permission",
        "background-sync=https://example.test",
        "--deny-permission",
        &format!("background-sync={origin}"),
        server.url("/register.html").as_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "error NotAllowedError: Permission denied.\n"
    );

    let out = run(&["run", "--deny-permission", "background-sync", "x.html"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["run", "--offline", "--online", "x.html"]);
    assert_eq!(out.status.code(), Some(2));
}
