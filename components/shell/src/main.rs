//! `bgsync`: the headless shell. `bgsync run PAGE` starts an engine on the `--profile`
//! (in memory without one), loads the page, runs it until idle, prints its console
//! messages (and its service workers') on stdout, one per line, and shuts the engine down.
//!
//! Exit status: 0 the page ran to idle (or closed itself), 1 it could not be loaded (or the
//! profile could not be opened), 2 bad usage, 3 `--timeout` expired first.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use engine::{Engine, EngineOptions, PageOutcome};
use script::page::url_from_arg;

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
}

#[derive(clap::Args)]
struct RunArgs {
    /// Stop after this many seconds (exit status 3).
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// Profile directory (service-worker and sync state); without it, nothing is stored.
    #[arg(long)]
    profile: Option<std::path::PathBuf>,
    /// Override a pref: NAME=VALUE (repeatable).
    #[arg(long = "pref", value_name = "NAME=VALUE")]
    prefs: Vec<String>,
    /// The page: a file path or a URL.
    page: String,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .target(env_logger::Target::Stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
    }
}

fn run(args: RunArgs) -> ExitCode {
    let prefs = match base::prefs::Prefs::with_overrides(&args.prefs) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bgsync: {e}");
            return ExitCode::from(2);
        }
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        eprintln!("bgsync: --timeout must be a positive number of seconds");
        return ExitCode::from(2);
    }
    let url = match url_from_arg(&args.page) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("bgsync: {e}");
            return ExitCode::from(1);
        }
    };
    let console = Arc::new(|_level, text: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    });
    let engine = match Engine::new(EngineOptions {
        profile: args.profile,
        prefs,
        console,
    }) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("bgsync: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = engine.run_page(url, Some(Duration::from_secs_f64(args.timeout)));
    engine.shutdown();
    match outcome {
        PageOutcome::Idle | PageOutcome::Closed => ExitCode::SUCCESS,
        PageOutcome::LoadFailed(reason) => {
            eprintln!("bgsync: cannot load {reason}");
            ExitCode::from(1)
        }
        PageOutcome::TimedOut => {
            eprintln!(
                "bgsync: timed out after {}s (--timeout); the running script was interrupted",
                args.timeout
            );
            ExitCode::from(3)
        }
    }
}
