//! The engine side of `./mach bench online` (python/bgsync_mach/bench_online.py runs it and
//! reads its `BENCH-*` lines on stdout). It measures; it asserts nothing.
//!
//! `online_bench online --trigger override|link [--tags N] [--cold]`: a page registers a
//! service worker and N sync tags (default 1000) while the engine is offline, then the network
//! comes back, and the bench times, from the moment a subscriber of the network observer
//! receives the online report, the start of the first and of the last sync handler (each
//! handler's first statement logs a console line; the console callback takes the time).
//! - `--trigger override`: the engine is offline by the observer's override; online is
//!   `set_override(Some(Online))`.
//! - `--trigger link`: the OS decides; the process must run in a network namespace whose only
//!   link is down (the caller's job, with `ip netns exec`). It prints `BENCH-ONLINE-WAITING`,
//!   the caller brings the link up, and the observer reports online once the change lasted
//!   `net.network_debounce_ms`. The report's wall-clock time is printed too
//!   (`BENCH-ONLINE-REPORT-EPOCH-MS`), for the caller's link-up-to-report time.
//! - `--cold`: the worker is stopped before going online (started for the first event).
//!
//! `online_bench rss [--registrations N]`: the resident set of this process (the engine, its
//! page and worker threads) with one page open, its idle worker running and N pending sync
//! registrations (default 10000; the engine is offline), next to the same without
//! registrations and before the engine started.
//!
//! Both use a profile in a temporary directory (SQLite on disk, as a browser would) and serve
//! the pages on 127.0.0.1 from this process.

#[path = "../tests/support/server.rs"]
mod server;

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::{
    Connectivity, Engine, EngineOptions, NetworkObserver, ObserverConfig, PageOutcome, Prefs,
};
use server::TestServer;

/// How long any one step may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(120);

/// Logs `BENCH-START <tag>` first thing in each sync handler.
const WORKER: &str = r#"
self.addEventListener('sync', event => console.log('BENCH-START ' + event.tag));
"#;

/// Registers the worker, logs `BENCH-ACTIVE` and waits PAUSE_MS, registers TAGS tags one after
/// the other, logs `BENCH-READY <count>`; then holds the page open for HOLD_MS.
const PAGE: &str = r#"<!doctype html>
<script>
const keepAlive = setInterval(() => {}, 50);
(async () => {
  const registration = await navigator.serviceWorker.register('sw.js', {scope: './'})
    .then(() => navigator.serviceWorker.ready);
  console.log('BENCH-ACTIVE');
  await new Promise(resolve => setTimeout(resolve, PAUSE_MS));
  for (let i = 0; i < TAGS; i++) {
    await registration.sync.register('tag-' + i);
  }
  const tags = await registration.sync.getTags();
  console.log('BENCH-READY ' + tags.length);
  await new Promise(resolve => setTimeout(resolve, HOLD_MS));
})().catch(error => console.log('BENCH-ERROR ' + error.name + ': ' + error.message))
  .finally(() => { clearInterval(keepAlive); window.close(); });
</script>"#;

fn main() -> ExitCode {
    engine::allocator::tune_for_ipc();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("online") => online(&args[1..]),
        Some("rss") => rss(&args[1..]),
        _ => Err(
            "usage: online_bench online --trigger override|link [--tags N] [--cold] | \
                  online_bench rss [--registrations N]"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            println!("BENCH-ERROR {error}");
            ExitCode::FAILURE
        }
    }
}

/// The value after `--name`, if given.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|arg| arg == name)
        .and_then(|index| args.get(index + 1))
        .map(String::as_str)
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    option(args, name).map_or(Ok(default), |text| {
        text.parse()
            .map_err(|_| format!("{name} {text}: not a number"))
    })
}

fn report(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// What the console callback saw: when each handler started, and the page's lines.
#[derive(Default)]
struct Seen {
    starts: Vec<Instant>,
    lines: Vec<String>,
}

/// A page and worker on a local server, and an engine (temporary profile) that follows
/// `observer` and records its console in `seen`.
struct Setup {
    server: TestServer,
    engine: Engine,
    seen: Arc<Mutex<Seen>>,
    _profile: tempfile::TempDir,
}

impl Setup {
    /// `pause_ms` and `hold_ms`: see [`PAGE`].
    fn new(
        observer: Arc<NetworkObserver>,
        tags: usize,
        pause_ms: u64,
        hold_ms: u64,
    ) -> Result<Setup, String> {
        let server = TestServer::start();
        server.serve_js("/bench/sw.js", WORKER);
        let page = PAGE
            .replace("TAGS", &tags.to_string())
            .replace("PAUSE_MS", &pause_ms.to_string())
            .replace("HOLD_MS", &hold_ms.to_string());
        server.serve_html("/bench/page.html", &page);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let console_seen = seen.clone();
        let profile = tempfile::TempDir::new().map_err(|error| error.to_string())?;
        let engine = Engine::new(EngineOptions {
            profile: Some(profile.path().to_owned()),
            prefs: Prefs::defaults(),
            console: Arc::new(move |_level, text: &str| {
                let now = Instant::now();
                let mut seen = console_seen.lock().unwrap_or_else(|e| e.into_inner());
                if text.starts_with("BENCH-START ") {
                    seen.starts.push(now);
                } else {
                    if text.starts_with("BENCH-ERROR") {
                        report(text);
                    }
                    seen.lines.push(text.to_owned());
                }
            }),
            network_observer: Some(observer),
            ..EngineOptions::default()
        })
        .map_err(|error| error.to_string())?;
        Ok(Setup {
            server,
            engine,
            seen,
            _profile: profile,
        })
    }

    fn page_said(&self, prefix: &str) -> Option<String> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.lines
            .iter()
            .find(|line| line.starts_with(prefix))
            .cloned()
    }

    fn starts(&self) -> Vec<Instant> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.starts.clone()
    }
}

fn online(args: &[String]) -> Result<(), String> {
    let tags = number(args, "--tags", 1000)?;
    let cold = args.iter().any(|arg| arg == "--cold");
    let by_link = match option(args, "--trigger") {
        Some("override") => false,
        Some("link") => true,
        other => return Err(format!("--trigger override|link, not {other:?}")),
    };
    let prefs = Prefs::defaults();
    let observer = Arc::new(
        NetworkObserver::start_with_config(ObserverConfig::from_prefs(&prefs))
            .map_err(|error| format!("cannot start the network observer: {error}"))?,
    );
    if by_link {
        if !observer.os_state_available() {
            return Err("no rtnetlink here".to_owned());
        }
        if observer.state() != Connectivity::Offline {
            return Err("the OS is online at start: run in a namespace whose link is down".into());
        }
    } else {
        observer.set_override(Some(Connectivity::Offline));
    }
    let setup = Setup::new(observer.clone(), tags, 0, 0)?;
    let outcome = setup
        .engine
        .run_page(setup.server.url("/bench/page.html"), Some(PATIENCE));
    let ready = setup.page_said("BENCH-READY ");
    if outcome != PageOutcome::Closed || ready != Some(format!("BENCH-READY {tags}")) {
        return Err(format!(
            "the page ended {outcome:?} with {ready:?}, not {tags} pending tags"
        ));
    }
    if !setup.starts().is_empty() {
        return Err("sync handlers ran while offline".to_owned());
    }
    let scope = setup.server.url("/bench/");
    if cold {
        setup.engine.stop_worker(&scope);
    }

    let changes = observer.subscribe();
    let reported = if by_link {
        report("BENCH-ONLINE-WAITING");
        loop {
            let change = changes
                .recv_timeout(PATIENCE)
                .map_err(|_| "no online report (was the link brought up?)".to_owned())?;
            if change.state.is_online() {
                break Instant::now();
            }
        }
    } else {
        observer.set_override(Some(Connectivity::Online));
        changes
            .recv_timeout(PATIENCE)
            .map_err(|_| "the override was not reported".to_owned())?;
        Instant::now()
    };
    let epoch_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64() * 1000.0)
        .unwrap_or(0.0);
    // The report's wall-clock time, less the moments since it came.
    report(&format!(
        "BENCH-ONLINE-REPORT-EPOCH-MS {:.3}",
        epoch_ms - reported.elapsed().as_secs_f64() * 1000.0
    ));

    let give_up = Instant::now() + PATIENCE;
    let starts = loop {
        let starts = setup.starts();
        if starts.len() >= tags || Instant::now() > give_up {
            break starts;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    if starts.len() < tags {
        return Err(format!(
            "only {} of {tags} sync handlers started",
            starts.len()
        ));
    }
    let since_report = |at: &Instant| at.saturating_duration_since(reported).as_secs_f64() * 1000.0;
    let first = starts
        .iter()
        .map(since_report)
        .fold(f64::INFINITY, f64::min);
    let last = starts.iter().map(since_report).fold(0.0, f64::max);
    report(&format!(
        "BENCH-ONLINE {first:.3} {last:.3} {}",
        starts.len()
    ));
    setup.engine.wait_for_sync_events(PATIENCE);
    setup.engine.shutdown();
    Ok(())
}

/// `VmRSS` of this process, in KiB.
fn rss_kib() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|error| format!("cannot read /proc/self/status: {error}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/self/status".to_owned())
}

fn rss(args: &[String]) -> Result<(), String> {
    let registrations = number(args, "--registrations", 10_000)?;
    let before_engine = rss_kib()?;
    let observer = Arc::new(
        NetworkObserver::start_with_config(ObserverConfig::default())
            .map_err(|error| format!("cannot start the network observer: {error}"))?,
    );
    // Offline: every registration stays pending.
    observer.set_override(Some(Connectivity::Offline));
    // The page holds itself open long enough to be measured with everything in place.
    let setup = Setup::new(observer, registrations, 1_000, 5_000)?;
    let url = setup.server.url("/bench/page.html");
    let scope = setup.server.url("/bench/");
    std::thread::scope(|threads| {
        let page = threads.spawn(|| setup.engine.run_page(url, Some(PATIENCE)));
        let wait_for = |prefix: &str| {
            let give_up = Instant::now() + PATIENCE;
            loop {
                if let Some(line) = setup.page_said(prefix) {
                    return Ok(line);
                }
                if setup.page_said("BENCH-ERROR").is_some() || page.is_finished() {
                    return Err(format!("the page ended before {prefix}"));
                }
                if Instant::now() > give_up {
                    return Err(format!("no {prefix} after {PATIENCE:?}"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        wait_for("BENCH-ACTIVE")?;
        // Mid-pause: the page and its worker are up, no registration yet.
        std::thread::sleep(Duration::from_millis(500));
        let without_registrations = rss_kib()?;
        let ready = wait_for("BENCH-READY ")?;
        if ready != format!("BENCH-READY {registrations}") {
            return Err(format!("the page said {ready:?}"));
        }
        // Let the last writes and the worker settle.
        std::thread::sleep(Duration::from_millis(1000));
        let with_registrations = rss_kib()?;
        let listed = setup
            .engine
            .sync_registrations()
            .map(|listed| listed.len())
            .unwrap_or(0);
        let worker_running = setup.engine.is_worker_running(&scope);
        if !worker_running {
            return Err("the worker is not running (idle timeout too short?)".to_owned());
        }
        report(&format!(
            "BENCH-RSS {before_engine} {without_registrations} {with_registrations} {listed}"
        ));
        let outcome = page
            .join()
            .map_err(|_| "the page thread panicked".to_owned())?;
        if outcome != PageOutcome::Closed {
            return Err(format!("the page ended {outcome:?}"));
        }
        Ok(())
    })?;
    setup.engine.shutdown();
    Ok(())
}
