//! `bgsync idb list`: a profile's IndexedDB (databases, object stores, record
//! counts), read without starting an engine, because an outbox is something
//! a developer wants to look into.

use std::process::ExitCode;

use clap::Subcommand;
use indexeddb::layout::{list_profile, OriginListing};

use crate::{fail, ListArgs};

#[derive(Subcommand)]
pub enum IdbCommand {
    /// List each origin's databases, their object stores and record counts. Reads the profile
    /// without starting an engine and changes nothing.
    List(ListArgs),
}

pub fn idb(command: IdbCommand) -> ExitCode {
    match command {
        IdbCommand::List(args) => list(args),
    }
}

fn list(args: ListArgs) -> ExitCode {
    let listings = match list_profile(&args.profile) {
        Ok(listings) => listings,
        Err(error) => return fail(1, format!("cannot list IndexedDB: {error}")),
    };
    if args.json {
        println!("{}", to_json(&listings));
    } else {
        print!("{}", table(&listings));
    }
    ExitCode::SUCCESS
}

fn to_json(listings: &[OriginListing]) -> String {
    let origins: Vec<serde_json::Value> = listings
        .iter()
        .map(|origin| {
            let databases: Vec<serde_json::Value> = origin
                .databases
                .iter()
                .map(|database| {
                    let stores: Vec<serde_json::Value> = database
                        .stores
                        .iter()
                        .map(
                            |(name, records)| serde_json::json!({"name": name, "records": records}),
                        )
                        .collect();
                    serde_json::json!({
                        "name": database.name,
                        "version": database.version,
                        "stores": stores,
                    })
                })
                .collect();
            serde_json::json!({"origin": origin.origin, "databases": databases})
        })
        .collect();
    serde_json::Value::Array(origins).to_string()
}

/// One line per object store (a database without stores gets one line).
fn table(listings: &[OriginListing]) -> String {
    let mut rows = vec![[
        "ORIGIN".to_owned(),
        "DATABASE".to_owned(),
        "VERSION".to_owned(),
        "STORE".to_owned(),
        "RECORDS".to_owned(),
    ]];
    for origin in listings {
        for database in &origin.databases {
            let row = |store: &str, records: String| {
                [
                    origin.origin.clone(),
                    format!("{:?}", database.name),
                    database.version.to_string(),
                    store.to_owned(),
                    records,
                ]
            };
            if database.stores.is_empty() {
                rows.push(row("-", "-".to_owned()));
            }
            for (store, records) in &database.stores {
                rows.push(row(&format!("{store:?}"), records.to_string()));
            }
        }
    }
    if rows.len() == 1 {
        return "no IndexedDB databases in this profile\n".to_owned();
    }
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
