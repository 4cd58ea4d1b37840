//! `bgsync site clear`: a browser's "clear site data" for one origin, on a profile: its
//! IndexedDB, its service-worker registrations and their sync registrations, together.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use engine::{Connectivity, Engine, EngineOptions, Url};

use crate::fail;

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Delete everything an origin stored: its IndexedDB databases and its service-worker
    /// registrations (with their sync registrations). Starts an engine on the profile (so no
    /// other engine may run on it), offline, and stops it when done.
    Clear(ClearArgs),
}

#[derive(Args)]
pub struct ClearArgs {
    /// The profile directory.
    #[arg(long)]
    profile: PathBuf,
    /// The origin, as a URL (`https://example.com`; a path is ignored).
    origin: String,
}

pub fn site(command: SiteCommand) -> ExitCode {
    match command {
        SiteCommand::Clear(args) => clear(args),
    }
}

fn clear(args: ClearArgs) -> ExitCode {
    let url = match Url::parse(&args.origin) {
        Ok(url) if url.origin().is_tuple() => url,
        Ok(_) => return fail(2, format!("{}: not an origin with a host", args.origin)),
        Err(error) => return fail(2, format!("{}: {error}", args.origin)),
    };
    let engine = match Engine::new(EngineOptions {
        profile: Some(args.profile),
        network_override: Some(Connectivity::Offline),
        ..EngineOptions::default()
    }) {
        Ok(engine) => engine,
        Err(error) => return fail(1, error),
    };
    let cleared = engine.clear_site_data(&url);
    engine.shutdown();
    match cleared {
        Some(cleared) => {
            println!(
                "cleared {}: {} IndexedDB database(s), {} cache(s), {} service-worker \
                 registration(s)",
                url.origin().ascii_serialization(),
                cleared.indexeddb_databases,
                cleared.caches,
                cleared.registrations
            );
            ExitCode::SUCCESS
        }
        None => fail(1, "the engine stopped before the site data was cleared"),
    }
}
