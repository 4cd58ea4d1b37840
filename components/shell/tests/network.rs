//! Background sync on real connectivity: `bgsync` runs in a network namespace of its own
//! (`ip netns exec`), whose only way out is a veth pair to a second namespace with a server on
//! its far end. The page comes from a server on 127.0.0.1 inside the engine's namespace. The
//! link goes down: the engine's network observer says offline (rtnetlink), the page hears it
//! and registers a sync, which stays pending. The link comes up: online, the sync fires, and
//! its handler's `fetch()` POST reaches the server across the veth.
//!
//! Needs root (`ip netns`). Where namespaces cannot be made, the test prints `SKIPPED:` with
//! the reason on the terminal (past cargo's output capture) and returns;
//! `BGSYNC_REQUIRE_NETNS=1` turns that skip into a failure. The namespaces (and so the veth
//! pair) are deleted and the engine killed when the test ends, passed or failed.
#![cfg(target_os = "linux")]

#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use nix::sched::{setns, CloneFlags};
use server::{Response, TestServer};

/// Long enough for a loaded machine: observer debounce, worker start, the fetch.
const PATIENCE: Duration = Duration::from_secs(30);

/// The engine's end of the veth pair, and its address.
const ENGINE_LINK: &str = "bgs-engine";
const ENGINE_ADDRESS: &str = "192.0.2.2/24";
/// The server's end.
const SERVER_LINK: &str = "bgs-server";
const SERVER_IP: &str = "192.0.2.1";

/// Says on the terminal, past the test harness's capture, that a test did not run, unless the
/// environment demands that it does.
fn skip(test: &str, reason: &str) {
    if std::env::var_os("BGSYNC_REQUIRE_NETNS").is_some_and(|value| value == "1") {
        panic!("{test}: {reason} (and BGSYNC_REQUIRE_NETNS=1)");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {reason}");
}

/// A network namespace of this test's own, deleted (with its interfaces) when dropped, also
/// when the test fails.
struct Namespace {
    name: String,
}

impl Namespace {
    fn create(role: &str) -> Result<Namespace, String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "bgsync-shell-{}-{}-{role}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let output = Command::new("ip")
            .args(["netns", "add", &name])
            .output()
            .map_err(|error| format!("cannot run `ip`: {error}"))?;
        if !output.status.success() {
            return Err(format!(
                "`ip netns add` failed (not root?): {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(Namespace { name })
    }

    /// Runs `ip -n <namespace> <args>`, which must succeed.
    fn ip(&self, args: &[&str]) {
        let output = Command::new("ip")
            .args(["-n", &self.name])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "ip -n {} {}: {}",
            self.name,
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Waits until `link` is operationally up (the kernel turns the carrier on a moment after
    /// `ip link set up`, up to a second later).
    fn wait_until_running(&self, link: &str) {
        let give_up = Instant::now() + PATIENCE;
        loop {
            let output = Command::new("ip")
                .args(["-n", &self.name, "-o", "link", "show", "dev", link])
                .output()
                .unwrap();
            if String::from_utf8_lossy(&output.stdout).contains("state UP") {
                return;
            }
            assert!(Instant::now() < give_up, "{link} never came up");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `f` on a thread that has entered the namespace: sockets it opens (and threads it
    /// spawns) live there.
    fn inside<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{}", self.name);
        thread::spawn(move || {
            let namespace = File::open(&path).unwrap();
            setns(&namespace, CloneFlags::CLONE_NEWNET).unwrap();
            f()
        })
        .join()
        .unwrap()
    }

    /// `command` run inside the namespace.
    fn exec(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .status();
    }
}

/// A server started inside a namespace, and stopped there when dropped (its `Drop` connects
/// to its own address to wake its accept loop).
struct ServerIn<'a> {
    namespace: &'a Namespace,
    server: Option<TestServer>,
}

impl<'a> ServerIn<'a> {
    fn start(namespace: &'a Namespace, ip: &'static str) -> ServerIn<'a> {
        let server = namespace.inside(move || TestServer::start_on(ip));
        ServerIn {
            namespace,
            server: Some(server),
        }
    }

    fn get(&self) -> &TestServer {
        self.server.as_ref().unwrap()
    }
}

impl Drop for ServerIn<'_> {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.namespace.inside(move || drop(server));
        }
    }
}

/// The engine process, killed if the test ends before it does.
struct Engine {
    child: Child,
    stdout: Receiver<String>,
    /// Every stdout line so far.
    seen: Vec<String>,
    stderr: Option<thread::JoinHandle<String>>,
}

impl Engine {
    fn spawn(mut command: Command) -> Engine {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Engine {
            child,
            stdout: received,
            seen: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// Reads stdout until `line`; panics (after killing the engine) if it does not come.
    fn wait_for(&mut self, line: &str) {
        let give_up = Instant::now() + PATIENCE;
        loop {
            let left = give_up.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(seen) => {
                    let found = seen == line;
                    self.seen.push(seen);
                    if found {
                        return;
                    }
                }
                Err(error) => self.fail(&format!("no line {line:?} ({error})")),
            }
        }
    }

    /// Reads stdout until every one of `lines` came, in any order.
    fn wait_for_all(&mut self, lines: &[&str]) {
        let give_up = Instant::now() + PATIENCE;
        let mut missing: Vec<&str> = lines.to_vec();
        while !missing.is_empty() {
            let left = give_up.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(seen) => {
                    missing.retain(|line| *line != seen);
                    self.seen.push(seen);
                }
                Err(error) => self.fail(&format!("no lines {missing:?} ({error})")),
            }
        }
    }

    /// The stdout lines that came by now, without waiting.
    fn read_available(&mut self) -> &[String] {
        while let Ok(line) = self.stdout.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self.stderr.take().map(|thread| thread.join().unwrap());
        panic!(
            "{why}\nstdout: {:#?}\nstderr: {}",
            self.seen,
            stderr.unwrap_or_default()
        );
    }

    /// Waits for the exit; returns the status code and stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        let give_up = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > give_up {
                self.fail("the engine did not exit");
            }
            thread::sleep(Duration::from_millis(20));
        };
        self.read_available();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (status.code(), stderr)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Logs the network as the page sees it; registers the sync `outbox` when it goes offline;
/// closes once the worker says the message was delivered.
const PAGE: &str = r#"<!doctype html>
<script>
const keepAlive = setInterval(() => {}, 20);
function done() { clearInterval(keepAlive); window.close(); }
function failed(error) { console.log('error ' + error.name + ': ' + error.message); done(); }
console.log('page: onLine ' + navigator.onLine);
let registration = null;
navigator.serviceWorker.onmessage = event => { console.log('page: ' + event.data); done(); };
window.addEventListener('offline', () => {
  console.log('page: offline');
  registration.sync.register('outbox')
    .then(() => registration.sync.getTags())
    .then(tags => console.log('page: pending ' + JSON.stringify(tags)))
    .catch(failed);
});
window.addEventListener('online', () => console.log('page: online'));
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(ready => { registration = ready; console.log('page: ready'); })
  .catch(failed);
</script>"#;

/// Delivers the outbox to TARGET in its `sync` handler, then tells the page.
const WORKER: &str = r#"
self.addEventListener('sync', event => {
  console.log('sw: sync ' + event.tag + ', onLine ' + navigator.onLine);
  event.waitUntil(fetch('TARGET', {method: 'POST', body: 'hello from the outbox'})
    .then(response => response.text())
    .then(text => {
      console.log('sw: the server said ' + text);
      return self.clients.matchAll({includeUncontrolled: true});
    })
    .then(clients => clients.forEach(client => client.postMessage('delivered'))));
});
"#;

#[test]
fn in_a_network_namespace_a_sync_waits_for_the_link_and_its_fetch_reaches_the_far_end() {
    const TEST: &str =
        "in_a_network_namespace_a_sync_waits_for_the_link_and_its_fetch_reaches_the_far_end";
    let (engine_ns, server_ns) = match Namespace::create("engine")
        .and_then(|engine| Namespace::create("server").map(|server| (engine, server)))
    {
        Ok(namespaces) => namespaces,
        Err(reason) => return skip(TEST, &reason),
    };
    // The engine's namespace: loopback (the page's server), and a veth to the server's.
    engine_ns.ip(&["link", "set", "lo", "up"]);
    server_ns.ip(&["link", "set", "lo", "up"]);
    server_ns.ip(&[
        "link",
        "add",
        SERVER_LINK,
        "type",
        "veth",
        "peer",
        "name",
        ENGINE_LINK,
        "netns",
        &engine_ns.name,
    ]);
    server_ns.ip(&[
        "addr",
        "add",
        &format!("{SERVER_IP}/24"),
        "dev",
        SERVER_LINK,
    ]);
    server_ns.ip(&["link", "set", SERVER_LINK, "up"]);
    engine_ns.ip(&["addr", "add", ENGINE_ADDRESS, "dev", ENGINE_LINK]);
    engine_ns.ip(&["link", "set", ENGINE_LINK, "up"]);
    engine_ns.wait_until_running(ENGINE_LINK);

    let far = ServerIn::start(&server_ns, SERVER_IP);
    let mut accepted = Response::ok("text/plain", "received");
    accepted
        .headers
        .push(("Access-Control-Allow-Origin".to_owned(), "*".to_owned()));
    far.get().serve("/outbox", accepted);
    let pages = ServerIn::start(&engine_ns, "127.0.0.1");
    let target = far.get().url("/outbox");
    pages
        .get()
        .serve_js("/app/sw.js", &WORKER.replace("TARGET", target.as_str()));
    pages.get().serve_html("/app/page.html", PAGE);

    let profile = tempfile::TempDir::new().unwrap();
    let mut command = engine_ns.exec(env!("CARGO_BIN_EXE_bgsync"));
    command
        .args(["run", "-v", "--timeout", "60", "--profile"])
        .arg(profile.path())
        .arg(pages.get().url("/app/page.html").as_str());
    let mut engine = Engine::spawn(command);

    // Online at start: the veth is up with an address.
    engine.wait_for("page: onLine true");
    engine.wait_for("page: ready");

    // Link down: offline; the sync registered now stays pending.
    engine_ns.ip(&["link", "set", ENGINE_LINK, "down"]);
    engine.wait_for("page: offline");
    engine.wait_for(r#"page: pending ["outbox"]"#);
    thread::sleep(Duration::from_millis(500));
    let early = engine
        .read_available()
        .iter()
        .any(|line| line.starts_with("sw: sync"));
    if early {
        engine.fail("the sync fired while the link was down");
    }
    assert!(far.get().requests_of("/outbox").is_empty());

    // Link up: online, the sync fires, and its fetch crosses the veth.
    engine_ns.ip(&["link", "set", ENGINE_LINK, "up"]);
    // The page's `online` event and the worker's `sync` event run on two
    // threads: either may print first.
    engine.wait_for_all(&["page: online", "sw: sync outbox, onLine true"]);
    engine.wait_for("sw: the server said received");
    engine.wait_for("page: delivered");
    let (status, stderr) = engine.finish();
    assert_eq!(status, Some(0), "{stderr}");

    let posts = far.get().requests_of("/outbox");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].method, "POST");
    assert_eq!(posts[0].body, b"hello from the outbox");
    // `-v` told the story, with the observer's causes.
    let network: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("bgsync: network "))
        .collect();
    assert_eq!(network.len(), 2, "{stderr}");
    assert_eq!(
        network[0],
        format!("offline: {ENGINE_LINK} went down"),
        "{stderr}"
    );
    assert!(
        network[1].starts_with(&format!("online: {ENGINE_LINK}")),
        "{stderr}"
    );
    assert!(stderr.contains("\"outbox\": completed"), "{stderr}");
}
