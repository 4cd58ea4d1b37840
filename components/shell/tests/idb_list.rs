//! `bgsync idb list`: a profile's IndexedDB, read without an engine and
//! without changing anything, as a table or JSON. The files are made with
//! the IndexedDB backend's own API, as the engine will write them.

use std::path::Path;
use std::process::{Command, Output};

use indexeddb::{Durability, OriginStore};
use indexeddb_traits::KeyPath;

fn bgsync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .args(args)
        .output()
        .unwrap()
}

/// `origin` gets database `name` (version 3) with store `messages` holding
/// `records` records, and an empty store `drafts`.
fn make(profile: &Path, origin: &str, name: &str, records: usize) {
    let mut store = OriginStore::open_for_origin(profile, origin).unwrap();
    store.begin(Durability::Strict).unwrap();
    let database = store.create_database(name).unwrap();
    store.set_version(database, 3).unwrap();
    let messages = store
        .create_object_store(
            database,
            "messages",
            Some(&KeyPath::String("id".into())),
            true,
        )
        .unwrap();
    store
        .create_object_store(database, "drafts", None, false)
        .unwrap();
    for _ in 0..records {
        store.put(messages, None, b"{}", false, &[]).unwrap();
    }
    store.commit().unwrap();
}

/// Every file of the profile with its bytes.
fn snapshot(profile: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(profile.join("indexeddb"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn lists_origins_databases_stores_and_record_counts_without_writing() {
    let profile = tempfile::tempdir().unwrap();
    make(profile.path(), "https://b.test", "outbox", 2);
    make(profile.path(), "http://localhost:8080", "chat", 5);
    let before = snapshot(profile.path());
    let profile_arg = profile.path().to_str().unwrap();

    let out = bgsync(&["idb", "list", "--profile", profile_arg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines,
        [
            vec!["ORIGIN", "DATABASE", "VERSION", "STORE", "RECORDS"],
            vec!["http://localhost:8080", "\"chat\"", "3", "\"drafts\"", "0"],
            vec![
                "http://localhost:8080",
                "\"chat\"",
                "3",
                "\"messages\"",
                "5"
            ],
            vec!["https://b.test", "\"outbox\"", "3", "\"drafts\"", "0"],
            vec!["https://b.test", "\"outbox\"", "3", "\"messages\"", "2"],
        ]
    );

    let out = bgsync(&["idb", "list", "--json", "--profile", profile_arg]);
    assert_eq!(out.status.code(), Some(0));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[1]["origin"], "https://b.test");
    assert_eq!(listed[1]["databases"][0]["name"], "outbox");
    assert_eq!(listed[1]["databases"][0]["version"], 3);
    assert_eq!(listed[1]["databases"][0]["stores"][1]["name"], "messages");
    assert_eq!(listed[1]["databases"][0]["stores"][1]["records"], 2);

    let after = snapshot(profile.path());
    let names = |files: &[(String, Vec<u8>)]| -> Vec<(String, usize)> {
        files
            .iter()
            .map(|(name, bytes)| (name.clone(), bytes.len()))
            .collect()
    };
    assert_eq!(names(&after), names(&before), "listing changed the files");
    let changed: Vec<usize> = (0..after[0].1.len())
        .filter(|&at| after[0].1[at] != before[0].1[at])
        .take(8)
        .collect();
    assert!(after == before, "listing changed bytes at {changed:?}");
}

#[test]
fn a_profile_without_indexeddb_lists_nothing() {
    let profile = tempfile::tempdir().unwrap();
    let out = bgsync(&["idb", "list", "--profile", profile.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "no IndexedDB databases in this profile\n"
    );
    assert!(!profile.path().join("indexeddb").exists());
}

#[test]
fn a_damaged_file_is_an_error_naming_it() {
    let profile = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(profile.path().join("indexeddb")).unwrap();
    let bad = profile
        .path()
        .join("indexeddb")
        .join("https%3A%2F%2Fx.test.sqlite");
    std::fs::write(&bad, b"not a database at all, just text").unwrap();
    let out = bgsync(&["idb", "list", "--profile", profile.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("https%3A%2F%2Fx.test.sqlite"), "{stderr}");
    assert_eq!(
        std::fs::read(&bad).unwrap(),
        b"not a database at all, just text"
    );
}
