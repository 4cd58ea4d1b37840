//! `bgsync`: the headless shell.
//!
//! - `bgsync run PAGE` starts an engine on a profile (the per-user one,
//!   `$XDG_DATA_HOME/bgsync/profile`, unless `--profile DIR` names another or
//!   `--temporary-profile` asks for one in memory), loads the
//!   page, runs it until idle, prints its console messages (and its service workers') on stdout,
//!   one per line, lets a `sync` event that is still running finish (at most
//!   `background_sync.max_event_duration_ms`), and shuts the engine down. Exit status: 0 the
//!   page ran to idle (or closed itself), 1 it could not be loaded (or the profile could not be
//!   opened, or another engine holds it), 2 bad usage, 3 `--timeout` expired first. SIGTERM and
//!   SIGINT shut down gracefully (see `signals`): exit status 0, or 130 for SIGINT.
//! - `bgsync sync list --profile DIR [--json]` lists the profile's sync registrations without
//!   starting an engine (so nothing fires and nothing changes).
//! - `bgsync sync dispatch --profile DIR --scope URL --tag T [--last-chance]` fires a `sync`
//!   event now, like devtools, without changing anything stored; exit status 0 if it succeeded,
//!   1 if it failed (or could not be fired).

mod idb_commands;
mod signals;
mod site_commands;
mod sync_commands;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use engine::{
    Connectivity, ConsoleCallback, DeniedPermissions, Engine, EngineEvent, EngineOptions,
    EventCallback, PageOutcome, Prefs,
};
use script::page::url_from_arg;

/// The engine's Rust allocations (DOM objects, messages, listener lists) go through mimalloc:
/// script threads allocate and free many small blocks per event, which glibc's malloc serves
/// slower (and a large free there consolidates every small free chunk first). Built without
/// transparent huge pages (`no_thp`): memory it gave back and took again cost a 2 MiB page
/// zeroed at each fault, a tenth of the IndexedDB threads' time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "bgsync", version, about = "bgsync headless shell")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load a page (path or URL) and run it until idle, printing console messages.
    Run(RunArgs),
    /// Background sync registrations of a profile: list them, or fire one now.
    #[command(subcommand)]
    Sync(sync_commands::SyncCommand),
    /// A profile's IndexedDB: list its databases, object stores and record counts.
    #[command(subcommand)]
    Idb(idb_commands::IdbCommand),
    /// A site's stored data: clear it (IndexedDB, service workers, sync) as a browser does.
    #[command(subcommand)]
    Site(site_commands::SiteCommand),
}

/// The arguments of the `list` commands, which read a profile without an engine.
#[derive(Args)]
pub struct ListArgs {
    /// The profile directory.
    #[arg(long)]
    profile: std::path::PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// How the network looks to the engine: by default the OS's interfaces (online when one that is
/// not loopback is up with a routable address); these flags set the network observer's override.
#[derive(Args)]
struct NetworkArgs {
    /// Force the network offline: sync registrations stay pending, navigator.onLine is false,
    /// fetch() fails without sending anything.
    #[arg(long, conflicts_with = "online")]
    offline: bool,
    /// Force the network online, whatever the OS says (the default follows the OS).
    #[arg(long)]
    online: bool,
}

impl NetworkArgs {
    fn network_override(&self) -> Option<Connectivity> {
        if self.offline {
            Some(Connectivity::Offline)
        } else if self.online {
            Some(Connectivity::Online)
        } else {
            None
        }
    }
}

#[derive(Args)]
struct RunArgs {
    /// Stop after this many seconds (exit status 3).
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// Profile directory (service-worker and sync state). Default: the per-user profile,
    /// $XDG_DATA_HOME/bgsync/profile (~/.local/share/bgsync/profile).
    #[arg(long, conflicts_with = "temporary_profile")]
    profile: Option<std::path::PathBuf>,
    /// Keep the profile in memory: nothing is read from or left on disk.
    #[arg(long)]
    temporary_profile: bool,
    /// Override a pref: NAME=VALUE (repeatable).
    #[arg(long = "pref", value_name = "NAME=VALUE")]
    prefs: Vec<String>,
    /// Deny a permission to an origin: PERMISSION=ORIGIN, e.g.
    /// background-sync=https://example.test (repeatable).
    #[arg(long = "deny-permission", value_name = "PERMISSION=ORIGIN")]
    deny_permissions: Vec<String>,
    #[command(flatten)]
    network: NetworkArgs,
    /// Print each sync registration's story (registered, dispatched, completed or failed) and
    /// each change of the network state (with its cause) on stderr.
    #[arg(short, long)]
    verbose: bool,
    /// The page: a file path or a URL.
    page: String,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .target(env_logger::Target::Stderr)
        .init();
    engine::allocator::tune_for_ipc();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Sync(command) => sync_commands::sync(command),
        Command::Idb(command) => idb_commands::idb(command),
        Command::Site(command) => site_commands::site(command),
    }
}

/// The per-user profile: `$XDG_DATA_HOME/bgsync/profile`, by default
/// `~/.local/share/bgsync/profile` (an XDG_DATA_HOME that is not absolute is
/// ignored, as the XDG spec says).
fn default_profile() -> Option<std::path::PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| std::path::Path::new(&home).join(".local").join("share"))
        })?;
    Some(data.join("bgsync").join("profile"))
}

/// Prints `bgsync: <message>` on stderr and returns `status`.
fn fail(status: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("bgsync: {message}");
    ExitCode::from(status)
}

fn parse_prefs(prefs: &[String]) -> Result<Prefs, ExitCode> {
    let prefs = Prefs::with_overrides(prefs).map_err(|error| fail(2, error))?;
    // The network prefs whose text must parse (`net.host_rules`) or name a
    // usable file (`net.extra_root_certificates`): a bad one is a usage
    // error like a bad type, not loads failing later.
    net::LoaderConfig::try_from_prefs(&prefs).map_err(|error| fail(2, error))?;
    Ok(prefs)
}

/// Console messages, one per line on stdout.
fn stdout_console() -> ConsoleCallback {
    Arc::new(|_level, text: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    })
}

/// With `verbose`, the engine's events, one per line on stderr (a worker's
/// uncaught errors are there already: the worker printed them).
fn stderr_events(verbose: bool) -> Option<EventCallback> {
    verbose.then(|| -> EventCallback {
        Arc::new(|event: EngineEvent| {
            if !matches!(event, EngineEvent::WorkerError { .. }) {
                eprintln!("bgsync: {event}");
            }
        })
    })
}

/// How long a `sync` event may still run after the page ended: its own limit (and a second for
/// the worker to be stopped), or `fallback` when the pref sets none.
fn sync_event_limit(prefs: &Prefs, fallback: Duration) -> Duration {
    match prefs.background_sync_max_event_duration_ms() {
        0 => fallback,
        limit => Duration::from_millis(limit) + Duration::from_secs(1),
    }
}

fn run(args: RunArgs) -> ExitCode {
    let prefs = match parse_prefs(&args.prefs) {
        Ok(prefs) => prefs,
        Err(status) => return status,
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return fail(2, "--timeout must be a positive number of seconds");
    }
    let mut denied = DeniedPermissions::new();
    for argument in &args.deny_permissions {
        if let Err(error) = denied.deny_arg(argument) {
            return fail(2, format!("--deny-permission: {error}"));
        }
    }
    let url = match url_from_arg(&args.page) {
        Ok(url) => url,
        Err(error) => return fail(1, error),
    };
    let timeout = Duration::from_secs_f64(args.timeout);
    let profile = if args.temporary_profile {
        None
    } else {
        match args.profile.or_else(default_profile) {
            Some(profile) => Some(profile),
            None => {
                return fail(
                    1,
                    "no per-user data directory (neither XDG_DATA_HOME nor HOME is set):                      pass --profile DIR or --temporary-profile",
                )
            }
        }
    };
    // Before the engine starts its threads, so they all leave the two
    // signals to the watcher.
    let signals = signals::block();
    let engine = match Engine::new(EngineOptions {
        profile,
        prefs: prefs.clone(),
        console: stdout_console(),
        network_override: args.network.network_override(),
        network_observer: None,
        denied_permissions: denied,
        events: stderr_events(args.verbose),
    }) {
        Ok(engine) => Arc::new(engine),
        Err(error) => return fail(1, error),
    };
    signals::watch(
        signals,
        engine.clone(),
        Duration::from_millis(prefs.background_sync_shutdown_grace_ms()),
    );
    let outcome = engine.run_page(url, Some(timeout));
    // A sync event the page's registration fired may still be running: shutting down now would
    // cut it short (it would fire again at the next start). It gets its time limit.
    if !matches!(outcome, PageOutcome::LoadFailed(_))
        && !engine.finish_sync_events(sync_event_limit(&prefs, timeout))
    {
        eprintln!("bgsync: a sync event was still running; it was cut short");
    }
    engine.shutdown();
    match outcome {
        PageOutcome::Idle | PageOutcome::Closed => ExitCode::SUCCESS,
        PageOutcome::LoadFailed(reason) => fail(1, format!("cannot load {reason}")),
        PageOutcome::OutOfMemory => fail(
            1,
            format!(
                "out of memory: the page's JavaScript went over js.max_heap_bytes ({} bytes) \
                 and was stopped",
                prefs.js_max_heap_bytes()
            ),
        ),
        PageOutcome::TimedOut => fail(
            3,
            format!(
                "timed out after {}s (--timeout); the running script was interrupted",
                args.timeout
            ),
        ),
    }
}
