//! What the engine's integration tests share: an HTTP server on 127.0.0.1,
//! an engine whose console is recorded, and the test pages' scripts.

#![allow(dead_code)]

pub mod server;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::{Connectivity, Engine, EngineEvent, EngineOptions, Prefs, SyncLogEntry};

/// Long enough for any page of these tests on a slow machine.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the page at `path` of `server` and checks that it closed itself (the
/// console in the message otherwise).
pub fn run_closed(engine: &Engine, console: &Console, server: &server::TestServer, path: &str) {
    let outcome = engine.run_page(server.url(path), Some(PAGE_TIMEOUT));
    assert_eq!(
        outcome,
        engine::PageOutcome::Closed,
        "{path}: {:?}",
        console.lines()
    );
}

/// The console lines of pages and workers, in order.
#[derive(Clone, Default)]
pub struct Console(Arc<Mutex<Vec<String>>>);

impl Console {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn contains(&self, line: &str) -> bool {
        self.lines().iter().any(|seen| seen == line)
    }
}

/// An engine on `profile` (in memory if `None`) with `prefs` overrides,
/// online whatever this machine's network (the override).
pub fn start_engine(profile: Option<&Path>, prefs: &[&str]) -> (Engine, Console) {
    let (engine, console, _) = start_engine_with(profile, prefs, Some(Connectivity::Online));
    (engine, console)
}

/// The engine's sync log, in order.
#[derive(Clone, Default)]
pub struct SyncLog(Arc<Mutex<Vec<SyncLogEntry>>>);

impl SyncLog {
    pub fn entries(&self) -> Vec<SyncLogEntry> {
        self.0.lock().unwrap().clone()
    }

    pub fn lines(&self) -> Vec<String> {
        self.entries().iter().map(ToString::to_string).collect()
    }
}

/// [`start_engine`] with a forced network state, also recording the sync
/// log.
pub fn start_engine_with(
    profile: Option<&Path>,
    prefs: &[&str],
    network_override: Option<Connectivity>,
) -> (Engine, Console, SyncLog) {
    let console = Console::default();
    let lines = console.0.clone();
    let log = SyncLog::default();
    let entries = log.0.clone();
    let engine = Engine::new(EngineOptions {
        profile: profile.map(Path::to_owned),
        prefs: Prefs::with_overrides(prefs).unwrap(),
        console: Arc::new(move |_level, text| lines.lock().unwrap().push(text.to_owned())),
        network_override,
        events: Some(Arc::new(move |event| {
            let EngineEvent::Sync(entry) = event else {
                return;
            };
            entries.lock().unwrap().push(entry);
        })),
        ..EngineOptions::default()
    })
    .unwrap();
    (engine, console, log)
}

/// Waits until `condition` holds; panics after 30 s.
pub fn eventually(what: &str, condition: impl Fn() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < give_up, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A worker that logs its lifecycle events and answers messages with
/// `{reply: hello + 1}`.
pub const WORKER: &str = r#"
self.addEventListener('install', event => console.log('sw: install'));
self.addEventListener('activate', event => console.log('sw: activate'));
self.addEventListener('message', event => {
  console.log('sw: message ' + event.data.hello);
  event.source.postMessage({reply: event.data.hello + 1});
});
"#;

/// A page that runs `body` (a script whose promise chain ends with
/// `done()`), kept alive by an interval until then, and closes itself. An
/// error is logged as `error <name>: <message>`.
pub fn page(body: &str) -> String {
    format!(
        r#"<!doctype html>
<script>
const keepAlive = setInterval(() => {{}}, 20);
function done() {{ clearInterval(keepAlive); window.close(); }}
function failed(error) {{ console.log('error ' + error.name + ': ' + error.message); done(); }}
try {{
{body}
}} catch (error) {{ failed(error); }}
</script>"#
    )
}

/// Registers `sw.js` with scope `./` and logs `ready <state>` once
/// `navigator.serviceWorker.ready` resolves.
pub fn register_page() -> String {
    page(
        r#"navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(registration => { console.log('ready ' + registration.active.state); done(); })
  .catch(failed);"#,
    )
}

/// Waits for `ready`, posts `{hello: 41}` to the active worker and logs
/// the reply as `reply <n>`.
pub fn message_page() -> String {
    page(
        r#"navigator.serviceWorker.ready.then(registration => {
  navigator.serviceWorker.onmessage = event => { console.log('reply ' + event.data.reply); done(); };
  registration.active.postMessage({hello: 41});
}).catch(failed);"#,
    )
}

/// Registers `sw.js` with scope `./`, waits for `ready`, registers a sync
/// for `tag` and logs `tags <getTags() as JSON>`.
pub fn register_sync_page(tag: &str) -> String {
    page(&format!(
        r#"navigator.serviceWorker.register('sw.js', {{scope: './'}})
  .then(() => navigator.serviceWorker.ready)
  .then(registration => registration.sync.register({tag:?})
    .then(() => registration.sync.getTags()))
  .then(tags => {{ console.log('tags ' + JSON.stringify(tags)); done(); }})
  .catch(failed);"#
    ))
}
