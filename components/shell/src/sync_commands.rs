//! `bgsync sync list` and `bgsync sync dispatch`: what developers cannot see inside a browser.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use engine::{
    profile_sync_registrations, Connectivity, Engine, EngineOptions, SyncEventOutcome,
    SyncRegistrationListing, SyncState, Url,
};

use crate::{fail, parse_prefs, stderr_events, stdout_console, sync_event_limit, ListArgs};

#[derive(Subcommand)]
pub enum SyncCommand {
    /// List the profile's sync registrations: scope, tag, state, attempts, next attempt. Reads
    /// the profile without starting an engine, so nothing fires.
    List(ListArgs),
    /// Fire a `sync` event now at the active worker of a registration (started if needed), like
    /// devtools' "dispatch sync event": nothing stored changes. Prints the outcome; exit status
    /// 0 if the event succeeded, 1 if it failed.
    Dispatch(DispatchArgs),
}

#[derive(Args)]
pub struct DispatchArgs {
    /// The profile directory.
    #[arg(long)]
    profile: PathBuf,
    /// The scope of the service-worker registration.
    #[arg(long)]
    scope: String,
    /// The event's tag (need not be registered).
    #[arg(long)]
    tag: String,
    /// Set the event's `lastChance`.
    #[arg(long)]
    last_chance: bool,
    /// Let the stored registrations fire as usual while the engine runs. By default the engine
    /// runs offline, so only this event fires and nothing stored changes.
    #[arg(long)]
    online: bool,
    /// Override a pref: NAME=VALUE (repeatable).
    #[arg(long = "pref", value_name = "NAME=VALUE")]
    prefs: Vec<String>,
    /// Print the sync log on stderr.
    #[arg(short, long)]
    verbose: bool,
}

pub fn sync(command: SyncCommand) -> ExitCode {
    match command {
        SyncCommand::List(args) => list(args),
        SyncCommand::Dispatch(args) => dispatch(args),
    }
}

fn list(args: ListArgs) -> ExitCode {
    let listings = match profile_sync_registrations(&args.profile) {
        Ok(listings) => listings,
        Err(error) => return fail(1, error),
    };
    if args.json {
        println!("{}", to_json(&listings));
    } else {
        print!("{}", table(&listings, now_ms()));
    }
    ExitCode::SUCCESS
}

fn dispatch(args: DispatchArgs) -> ExitCode {
    let prefs = match parse_prefs(&args.prefs) {
        Ok(prefs) => prefs,
        Err(status) => return status,
    };
    let scope = match Url::parse(&args.scope) {
        Ok(scope) => scope,
        Err(error) => return fail(2, format!("--scope {}: {error}", args.scope)),
    };
    let engine = match Engine::new(EngineOptions {
        profile: Some(args.profile),
        prefs: prefs.clone(),
        console: stdout_console(),
        network_override: (!args.online).then_some(Connectivity::Offline),
        events: stderr_events(args.verbose),
        ..EngineOptions::default()
    }) {
        Ok(engine) => engine,
        Err(error) => return fail(1, error),
    };
    let outcome = engine.dispatch_sync(&scope, &args.tag, args.last_chance);
    if args.online {
        engine.finish_sync_events(sync_event_limit(&prefs, Duration::from_secs(30)));
    }
    engine.shutdown();
    match outcome {
        Ok(outcome) => {
            println!("sync {:?} at {scope}: {outcome}", args.tag);
            if outcome == SyncEventOutcome::Success {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => fail(1, error),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn to_json(listings: &[SyncRegistrationListing]) -> String {
    let rows: Vec<serde_json::Value> = listings
        .iter()
        .map(|sync| {
            serde_json::json!({
                "scope": sync.scope.as_str(),
                "tag": sync.tag,
                "state": sync.state.as_str(),
                "num_attempts": sync.num_attempts,
                "max_attempts": sync.max_attempts,
                "next_attempt_ms": sync.next_attempt_ms,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_owned())
}

/// When the registration fires next, in words.
fn next_attempt(sync: &SyncRegistrationListing, now_ms: u64) -> String {
    match (sync.state, sync.next_attempt_ms) {
        (SyncState::Firing, _) => "firing".to_owned(),
        (SyncState::ReregisteredWhileFiring, _) => "after the current event".to_owned(),
        (_, Some(at)) if at > now_ms => format!("in {} s", (at - now_ms).div_ceil(1000)),
        _ => "when online".to_owned(),
    }
}

/// A table, one registration per line; tags quoted (they may hold spaces or be empty) and cut
/// after 40 characters.
fn table(listings: &[SyncRegistrationListing], now_ms: u64) -> String {
    if listings.is_empty() {
        return "no sync registrations\n".to_owned();
    }
    let header = ["SCOPE", "TAG", "STATE", "ATTEMPTS", "NEXT ATTEMPT"].map(str::to_owned);
    let rows: Vec<[String; 5]> = listings
        .iter()
        .map(|sync| {
            let tag: String = sync.tag.chars().take(40).collect();
            let cut = if tag.len() < sync.tag.len() {
                "…"
            } else {
                ""
            };
            [
                sync.scope.to_string(),
                format!("{tag:?}{cut}"),
                sync.state.to_string(),
                format!("{}/{}", sync.num_attempts, sync.max_attempts),
                next_attempt(sync, now_ms),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|column| column.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(
        tag: &str,
        state: SyncState,
        next_attempt_ms: Option<u64>,
    ) -> SyncRegistrationListing {
        SyncRegistrationListing {
            scope: Url::parse("http://127.0.0.1:8000/").unwrap(),
            tag: tag.to_owned(),
            state,
            num_attempts: 1,
            max_attempts: 3,
            next_attempt_ms,
        }
    }

    #[test]
    fn the_table_says_when_each_tag_fires_next() {
        let now = 1_000_000;
        let text = table(
            &[
                listing("outbox", SyncState::Waiting, Some(now + 299_500)),
                listing("", SyncState::Pending, None),
            ],
            now,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("SCOPE"));
        assert!(
            lines[1].contains("\"outbox\"") && lines[1].ends_with("in 300 s"),
            "{text}"
        );
        assert!(
            lines[2].contains("\"\"") && lines[2].ends_with("when online"),
            "{text}"
        );
        assert_eq!(table(&[], now), "no sync registrations\n");
    }
}
