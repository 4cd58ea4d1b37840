//! Opening the profile database on real files: creation, damage, unreachable
//! paths, and several connections at once.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::thread;

use storage::{
    Database, NewServiceWorkerRegistration, OpenError, ServiceWorkerState, SyncRegistrationInfo,
    SyncState, UpdateViaCache, DATABASE_FILE_NAME, SCHEMA_VERSION,
};
use tempfile::TempDir;

fn new_registration(scope: &str) -> NewServiceWorkerRegistration {
    NewServiceWorkerRegistration {
        scope: scope.to_owned(),
        script_url: format!("{scope}sw.js"),
        origin: "https://example.test".to_owned(),
        state: ServiceWorkerState::Activated,
        script_source: vec![b'/'; 1024],
        update_via_cache: UpdateViaCache::Imports,
        worker_type: storage::WorkerType::Classic,
    }
}

fn database_file(dir: &TempDir) -> PathBuf {
    dir.path().join(DATABASE_FILE_NAME)
}

/// The files of `dir` whose names start with `storage.sqlite.corrupt-`.
fn corrupt_copies(dir: &Path) -> Vec<PathBuf> {
    let mut copies: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("storage.sqlite.corrupt-") && !name.ends_with("-wal")
        })
        .collect();
    copies.sort();
    copies
}

#[test]
fn open_creates_the_profile_directory_and_the_file() {
    let dir = TempDir::new().unwrap();
    let profile = dir.path().join("profiles").join("default");
    let database = Database::open(&profile).unwrap();
    assert!(profile.join(DATABASE_FILE_NAME).is_file());
    assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn empty_file_is_a_new_database() {
    let dir = TempDir::new().unwrap();
    fs::write(database_file(&dir), b"").unwrap();
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(corrupt_copies(dir.path()).is_empty());
}

#[test]
fn garbage_file_is_moved_aside_kept_and_reported() {
    let dir = TempDir::new().unwrap();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::write(database_file(&dir), &garbage).unwrap();

    let error = Database::open(dir.path()).unwrap_err();
    let OpenError::Corrupt {
        path,
        moved_to,
        reason,
    } = &error
    else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert_eq!(path, &database_file(&dir));
    assert!(reason.contains("not a SQLite database"), "{reason}");
    assert_eq!(error.moved_to(), Some(moved_to.as_path()));
    assert_eq!(corrupt_copies(dir.path()), std::slice::from_ref(moved_to));
    assert_eq!(fs::read(moved_to).unwrap(), garbage, "kept byte for byte");
    let message = error.to_string();
    assert!(message.contains("corrupt"), "{message}");
    assert!(
        message.contains(&moved_to.display().to_string()),
        "{message}"
    );

    // The next open starts afresh; the copy stays.
    let database = Database::open(dir.path()).unwrap();
    assert!(database.service_workers().unwrap().is_empty());
    assert_eq!(fs::read(moved_to).unwrap(), garbage);
}

#[test]
fn few_garbage_bytes_are_corrupt_too() {
    let dir = TempDir::new().unwrap();
    fs::write(database_file(&dir), b"oops").unwrap();
    assert!(matches!(
        Database::open(dir.path()),
        Err(OpenError::Corrupt { .. })
    ));
}

#[test]
fn damaged_pages_fail_the_integrity_check_and_are_moved_aside() {
    let dir = TempDir::new().unwrap();
    {
        let mut database = Database::open(dir.path()).unwrap();
        for index in 0..64 {
            database
                .insert_service_worker(&new_registration(&format!("https://a.test/{index}/")))
                .unwrap();
        }
    }
    // Closing the last connection checkpoints the WAL into the main file.
    assert!(!dir.path().join("storage.sqlite-wal").exists());
    let mut bytes = fs::read(database_file(&dir)).unwrap();
    assert!(bytes.len() > 8 * 4096);
    for byte in &mut bytes[2 * 4096..6 * 4096] {
        *byte = 0xA5;
    }
    fs::write(database_file(&dir), &bytes).unwrap();

    let error = Database::open(dir.path()).unwrap_err();
    let OpenError::Corrupt { moved_to, .. } = &error else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert_eq!(fs::read(moved_to).unwrap(), bytes);
    assert!(!database_file(&dir).exists() || Database::open(dir.path()).is_ok());
}

#[test]
fn open_fresh_moves_a_healthy_database_aside() {
    let dir = TempDir::new().unwrap();
    {
        let mut database = Database::open(dir.path()).unwrap();
        database
            .insert_service_worker(&new_registration("https://a.test/"))
            .unwrap();
    }
    let (database, moved_to) = Database::open_fresh(dir.path()).unwrap();
    assert!(database.service_workers().unwrap().is_empty());
    let moved_to = moved_to.expect("the old file was moved");
    assert_eq!(corrupt_copies(dir.path()), std::slice::from_ref(&moved_to));
    drop(database);
    // The copy is still a working database with the old registration.
    let old = rusqlite::Connection::open(&moved_to).unwrap();
    let count: i64 = old
        .query_row(
            "SELECT count(*) FROM service_worker_registrations",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn open_fresh_without_a_file_moves_nothing() {
    let dir = TempDir::new().unwrap();
    let (_database, moved_to) = Database::open_fresh(dir.path()).unwrap();
    assert_eq!(moved_to, None);
}

#[test]
fn profile_path_under_a_file_is_a_profile_directory_error() {
    let dir = TempDir::new().unwrap();
    let blocker = dir.path().join("not-a-directory");
    fs::write(&blocker, b"").unwrap();
    let error = Database::open(&blocker.join("profile")).unwrap_err();
    assert!(
        matches!(&error, OpenError::ProfileDirectory { path, .. } if path == &blocker.join("profile")),
        "{error:?}"
    );
}

#[test]
fn database_path_that_is_a_directory_is_unavailable_and_left_alone() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(database_file(&dir)).unwrap();
    let error = Database::open(dir.path()).unwrap_err();
    assert!(matches!(error, OpenError::Unavailable { .. }), "{error:?}");
    assert!(database_file(&dir).is_dir());
    assert!(corrupt_copies(dir.path()).is_empty());
}

#[test]
fn read_only_profile_directory_is_an_error_not_a_crash() {
    let dir = TempDir::new().unwrap();
    let profile = dir.path().join("profile");
    fs::create_dir(&profile).unwrap();
    fs::set_permissions(&profile, fs::Permissions::from_mode(0o555)).unwrap();
    // Root (and CAP_DAC_OVERRIDE) writes anyway; then there is nothing to test.
    let privileged = fs::write(profile.join("probe"), b"").is_ok();
    if privileged {
        eprintln!("skipping: this user can write to read-only directories");
        fs::set_permissions(&profile, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let error = Database::open(&profile).unwrap_err();
    fs::set_permissions(&profile, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(error, OpenError::Unavailable { .. }), "{error:?}");
}

#[test]
fn newer_schema_is_left_untouched() {
    let dir = TempDir::new().unwrap();
    {
        let connection = rusqlite::Connection::open(database_file(&dir)).unwrap();
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
    }
    let before = fs::read(database_file(&dir)).unwrap();
    let error = Database::open(dir.path()).unwrap_err();
    assert!(
        matches!(error, OpenError::TooNew { found, supported, .. }
            if found == SCHEMA_VERSION + 5 && supported == SCHEMA_VERSION),
        "{error:?}"
    );
    assert!(corrupt_copies(dir.path()).is_empty());
    assert_eq!(fs::read(database_file(&dir)).unwrap(), before);
}

#[test]
fn two_connections_see_each_others_commits() {
    let dir = TempDir::new().unwrap();
    let mut first = Database::open(dir.path()).unwrap();
    let mut second = Database::open(dir.path()).unwrap();
    let id = first
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    let info = SyncRegistrationInfo {
        registration: id,
        tag: "outbox".to_owned(),
        state: SyncState::Pending,
        num_attempts: 0,
        max_attempts: 3,
        delay_until_ms: None,
    };
    second.put_sync_registration(&info).unwrap();
    assert_eq!(first.sync_registration(id, "outbox").unwrap(), Some(info));
    assert!(second.delete_service_worker(id).unwrap());
    assert!(first.all_sync_registrations().unwrap().is_empty());
}

#[test]
fn concurrent_opens_of_a_new_profile_all_succeed() {
    let dir = TempDir::new().unwrap();
    let profile = dir.path().to_owned();
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let profile = profile.clone();
            thread::spawn(move || {
                let mut database = Database::open(&profile).expect("open");
                for index in 0..10 {
                    let scope = format!("https://a.test/{worker}/{index}/");
                    let id = database
                        .insert_service_worker(&new_registration(&scope))
                        .expect("insert");
                    database
                        .put_sync_registration(&SyncRegistrationInfo {
                            registration: id,
                            tag: scope,
                            state: SyncState::Pending,
                            num_attempts: 0,
                            max_attempts: 3,
                            delay_until_ms: None,
                        })
                        .expect("put sync");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let database = Database::open(&profile).unwrap();
    assert_eq!(database.service_workers().unwrap().len(), 40);
    assert_eq!(database.all_sync_registrations().unwrap().len(), 40);
    assert!(corrupt_copies(&profile).is_empty());
}
