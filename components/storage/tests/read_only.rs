//! `Database::open_read_only`: what `bgsync sync list` reads with. It changes
//! nothing in the profile, reports a damaged file instead of moving it, and
//! reads while another connection (an engine) writes.

use std::fs;
use std::path::Path;

use storage::{
    Database, NewServiceWorkerRegistration, OpenError, ProfileLock, ServiceWorkerState,
    UpdateViaCache, DATABASE_FILE_NAME,
};
use tempfile::TempDir;

fn registration(scope: &str) -> NewServiceWorkerRegistration {
    NewServiceWorkerRegistration {
        scope: scope.to_owned(),
        script_url: format!("{scope}sw.js"),
        origin: "https://example.test".to_owned(),
        state: ServiceWorkerState::Activated,
        script_source: b"// sw".to_vec(),
        update_via_cache: UpdateViaCache::Imports,
        worker_type: storage::WorkerType::Classic,
    }
}

/// Every file of `dir`: its name, size and a checksum of its bytes.
fn snapshot(dir: &Path) -> Vec<(String, usize, u64)> {
    let mut files: Vec<(String, usize, u64)> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = fs::read(&path).unwrap_or_default();
            let sum = bytes.iter().fold(0u64, |sum, byte| {
                sum.wrapping_mul(31).wrapping_add(u64::from(*byte))
            });
            (name, bytes.len(), sum)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_damaged_file_is_reported_and_left_where_it_is() {
    let dir = TempDir::new().unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 13 % 251) as u8).collect();
    fs::write(dir.path().join(DATABASE_FILE_NAME), &garbage).unwrap();
    let before = snapshot(dir.path());
    let error = Database::open_read_only(dir.path()).unwrap_err();
    assert!(
        matches!(&error, OpenError::Unreadable { reason, .. } if reason.contains("not a SQLite")),
        "{error:?}"
    );
    assert!(error.to_string().contains("left untouched"), "{error}");
    assert_eq!(snapshot(dir.path()), before, "nothing moved or written");
}

#[test]
fn it_reads_while_an_engine_writes_and_writes_nothing_itself() {
    let dir = TempDir::new().unwrap();
    let _engine = ProfileLock::acquire(dir.path()).unwrap();
    let mut writer = Database::open(dir.path()).unwrap();
    writer
        .insert_service_worker(&registration("https://a.test/"))
        .unwrap();
    let mut reader = Database::open_read_only(dir.path()).unwrap();
    assert_eq!(reader.service_workers().unwrap().len(), 1);
    // The writer goes on; the reader sees its commits.
    writer
        .insert_service_worker(&registration("https://b.test/"))
        .unwrap();
    assert_eq!(reader.service_workers().unwrap().len(), 2);
    assert!(reader
        .insert_service_worker(&registration("https://c.test/"))
        .is_err());
}

#[test]
fn a_closed_profile_is_read_without_changing_a_byte() {
    let dir = TempDir::new().unwrap();
    {
        let mut writer = Database::open(dir.path()).unwrap();
        writer
            .insert_service_worker(&registration("https://a.test/"))
            .unwrap();
    }
    let before = snapshot(dir.path());
    {
        let reader = Database::open_read_only(dir.path()).unwrap();
        assert_eq!(reader.service_workers().unwrap().len(), 1);
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn commits_left_in_the_wal_by_a_killed_engine_are_read() {
    let dir = TempDir::new().unwrap();
    let mut writer = Database::open(dir.path()).unwrap();
    writer
        .insert_service_worker(&registration("https://a.test/"))
        .unwrap();
    // What kill -9 leaves: the connection never closed, the WAL not
    // checkpointed into the main file.
    std::mem::forget(writer);
    let wal = dir.path().join(format!("{DATABASE_FILE_NAME}-wal"));
    assert!(fs::metadata(&wal).unwrap().len() > 0);
    let reader = Database::open_read_only(dir.path()).unwrap();
    assert_eq!(reader.service_workers().unwrap().len(), 1);
}

#[test]
fn an_older_schema_waits_for_an_engine_to_migrate_it() {
    let dir = TempDir::new().unwrap();
    drop(Database::open(dir.path()).unwrap());
    let connection = rusqlite_user_version(dir.path(), 1);
    drop(connection);
    let error = Database::open_read_only(dir.path()).unwrap_err();
    assert!(
        matches!(&error, OpenError::Unreadable { reason, .. } if reason.contains("migrates")),
        "{error:?}"
    );
}

/// Sets the file's `user_version` as an older build would have left it.
fn rusqlite_user_version(dir: &Path, version: u32) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(dir.join(DATABASE_FILE_NAME)).unwrap();
    connection
        .pragma_update(None, "user_version", version)
        .unwrap();
    connection
}
