//! Typed access to the profile database, on real files.

use storage::{
    Database, ImportedScript, ServiceWorkerRegistrationId, ServiceWorkerState, StorageError,
    SyncRegistrationInfo, SyncState, UpdateViaCache, WorkerType,
};
use tempfile::TempDir;

mod common;
use common::{new_registration, sync};

fn open(dir: &TempDir) -> Database {
    Database::open(dir.path()).unwrap()
}

#[test]
fn service_worker_registration_round_trips() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let new = new_registration("https://example.test/app/");
    let id = database.insert_service_worker(&new).unwrap();
    let record = database.service_worker(id).unwrap().unwrap();
    assert_eq!(record.id, id);
    assert_eq!(record.scope, new.scope);
    assert_eq!(record.script_url, new.script_url);
    assert_eq!(record.origin, new.origin);
    assert_eq!(record.state, ServiceWorkerState::Activated);
    assert_eq!(record.script_source, new.script_source);
    assert_eq!(record.update_via_cache, UpdateViaCache::Imports);
    assert!(record.created_ms > 0);
    assert_eq!(record.created_ms, record.updated_ms);
    assert_eq!(record.last_update_check_ms, None);
    assert_eq!(
        database.service_worker_by_scope(&new.scope).unwrap(),
        Some(record)
    );
    assert_eq!(
        database
            .service_worker_by_scope("https://example.test/other/")
            .unwrap(),
        None
    );
}

#[test]
fn registrations_survive_reopening() {
    let dir = TempDir::new().unwrap();
    let id = {
        let mut database = open(&dir);
        let id = database
            .insert_service_worker(&new_registration("https://a.test/"))
            .unwrap();
        database.put_sync_registration(&sync(id, "outbox")).unwrap();
        id
    };
    let database = open(&dir);
    assert_eq!(database.service_workers().unwrap().len(), 1);
    assert_eq!(
        database.sync_registration(id, "outbox").unwrap(),
        Some(sync(id, "outbox"))
    );
}

#[test]
fn duplicate_scope_is_a_typed_error() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    assert!(matches!(
        database.insert_service_worker(&new_registration("https://a.test/")),
        Err(StorageError::DuplicateScope(scope)) if scope == "https://a.test/"
    ));
}

#[test]
fn state_update_and_update_check_are_stored() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let mut new = new_registration("https://a.test/");
    new.state = ServiceWorkerState::Installing;
    new.update_via_cache = UpdateViaCache::None;
    let id = database.insert_service_worker(&new).unwrap();
    database
        .set_service_worker_state(id, ServiceWorkerState::Activated)
        .unwrap();
    database.set_last_update_check(id, 1_234).unwrap();
    let record = database.service_worker(id).unwrap().unwrap();
    assert_eq!(record.state, ServiceWorkerState::Activated);
    assert_eq!(record.update_via_cache, UpdateViaCache::None);
    assert_eq!(record.last_update_check_ms, Some(1_234));
    let missing = ServiceWorkerRegistrationId(id.0 + 100);
    assert!(matches!(
        database.set_service_worker_state(missing, ServiceWorkerState::Redundant),
        Err(StorageError::UnknownServiceWorkerRegistration(unknown)) if unknown == missing
    ));
}

#[test]
fn script_update_replaces_imported_scripts_together() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    let old = ImportedScript {
        url: "https://a.test/old.js".to_owned(),
        source: b"old".to_vec(),
    };
    database.put_imported_script(id, &old).unwrap();
    let replaced = ImportedScript {
        source: b"old, replaced".to_vec(),
        ..old.clone()
    };
    database.put_imported_script(id, &replaced).unwrap();
    assert_eq!(database.imported_scripts(id).unwrap(), [replaced]);

    let new_import = ImportedScript {
        url: "https://a.test/new.js".to_owned(),
        source: vec![0, 159, 146, 150],
    };
    database
        .replace_service_worker_script(
            id,
            "https://a.test/sw2.js",
            WorkerType::Classic,
            b"v2",
            std::slice::from_ref(&new_import),
            None,
        )
        .unwrap();
    let record = database.service_worker(id).unwrap().unwrap();
    assert_eq!(record.script_url, "https://a.test/sw2.js");
    assert_eq!(record.script_source, b"v2");
    assert_eq!(database.imported_scripts(id).unwrap(), [new_import]);
}

#[test]
fn imported_script_of_unknown_registration_is_a_typed_error() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let script = ImportedScript {
        url: "https://a.test/x.js".to_owned(),
        source: Vec::new(),
    };
    assert!(matches!(
        database.put_imported_script(ServiceWorkerRegistrationId(99), &script),
        Err(StorageError::UnknownServiceWorkerRegistration(
            ServiceWorkerRegistrationId(99)
        ))
    ));
}

#[test]
fn sync_registration_is_upserted_whole() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    database.put_sync_registration(&sync(id, "a")).unwrap();
    let waiting = SyncRegistrationInfo {
        state: SyncState::Waiting,
        num_attempts: 1,
        delay_until_ms: Some(1_700_000_300_000),
        ..sync(id, "a")
    };
    database.put_sync_registration(&waiting).unwrap();
    assert_eq!(
        database.sync_registrations(id).unwrap(),
        std::slice::from_ref(&waiting)
    );
    let pending_again = SyncRegistrationInfo {
        state: SyncState::Pending,
        delay_until_ms: None,
        ..waiting
    };
    database.put_sync_registration(&pending_again).unwrap();
    assert_eq!(
        database.sync_registration(id, "a").unwrap(),
        Some(pending_again)
    );
}

#[test]
fn every_sync_state_is_stored() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    for state in SyncState::ALL {
        let info = SyncRegistrationInfo {
            state,
            ..sync(id, state.as_str())
        };
        database.put_sync_registration(&info).unwrap();
        assert_eq!(
            database.sync_registration(id, state.as_str()).unwrap(),
            Some(info)
        );
    }
}

#[test]
fn tags_round_trip_exactly() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    let long = "x".repeat(10240);
    let tags = ["", "ünïcödé 🐢", "a\0b", "  spaced  ", long.as_str()];
    for tag in tags {
        database.put_sync_registration(&sync(id, tag)).unwrap();
    }
    let mut stored: Vec<String> = database
        .sync_registrations(id)
        .unwrap()
        .into_iter()
        .map(|info| info.tag)
        .collect();
    let mut expected: Vec<String> = tags.iter().map(|tag| tag.to_string()).collect();
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected);
    // "a\0b" and "a" are different tags.
    assert_eq!(database.sync_registration(id, "a").unwrap(), None);
}

#[test]
fn syncs_are_listed_per_registration_and_all_together() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let first = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    let second = database
        .insert_service_worker(&new_registration("https://b.test/"))
        .unwrap();
    for (id, tag) in [(second, "z"), (first, "b"), (first, "a")] {
        database.put_sync_registration(&sync(id, tag)).unwrap();
    }
    let tags_of = |id| -> Vec<String> {
        database
            .sync_registrations(id)
            .unwrap()
            .into_iter()
            .map(|info| info.tag)
            .collect()
    };
    assert_eq!(tags_of(first), ["a", "b"]);
    assert_eq!(tags_of(second), ["z"]);
    let all: Vec<(ServiceWorkerRegistrationId, String)> = database
        .all_sync_registrations()
        .unwrap()
        .into_iter()
        .map(|info| (info.registration, info.tag))
        .collect();
    assert_eq!(
        all,
        [
            (first, "a".to_owned()),
            (first, "b".to_owned()),
            (second, "z".to_owned())
        ]
    );
}

#[test]
fn sync_of_unknown_registration_is_a_typed_error() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let unknown = ServiceWorkerRegistrationId(41);
    assert!(matches!(
        database.put_sync_registration(&sync(unknown, "a")),
        Err(StorageError::UnknownServiceWorkerRegistration(id)) if id == unknown
    ));
}

#[test]
fn deleting_syncs_leaves_the_service_worker() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    database.put_sync_registration(&sync(id, "a")).unwrap();
    database.put_sync_registration(&sync(id, "b")).unwrap();
    assert!(database.delete_sync_registration(id, "a").unwrap());
    assert!(!database.delete_sync_registration(id, "a").unwrap());
    assert_eq!(database.delete_sync_registrations(id).unwrap(), 1);
    assert!(database.sync_registrations(id).unwrap().is_empty());
    assert!(database.service_worker(id).unwrap().is_some());
}

#[test]
fn deleting_a_service_worker_cascades_to_its_syncs_and_scripts() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let doomed = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    let kept = database
        .insert_service_worker(&new_registration("https://b.test/"))
        .unwrap();
    for state in SyncState::ALL {
        let info = SyncRegistrationInfo {
            state,
            ..sync(doomed, state.as_str())
        };
        database.put_sync_registration(&info).unwrap();
    }
    database.put_sync_registration(&sync(kept, "k")).unwrap();
    let script = ImportedScript {
        url: "https://a.test/lib.js".to_owned(),
        source: b"lib".to_vec(),
    };
    database.put_imported_script(doomed, &script).unwrap();

    assert!(database.delete_service_worker(doomed).unwrap());
    assert!(!database.delete_service_worker(doomed).unwrap());
    assert!(database.sync_registrations(doomed).unwrap().is_empty());
    assert!(database.imported_scripts(doomed).unwrap().is_empty());
    assert_eq!(
        database.all_sync_registrations().unwrap(),
        [sync(kept, "k")]
    );
}

#[test]
fn clearing_an_origin_deletes_its_registrations_only() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let mut other = new_registration("https://other.test/");
    other.origin = "https://other.test".to_owned();
    let first = database
        .insert_service_worker(&new_registration("https://example.test/a/"))
        .unwrap();
    let second = database
        .insert_service_worker(&new_registration("https://example.test/b/"))
        .unwrap();
    let survivor = database.insert_service_worker(&other).unwrap();
    database.put_sync_registration(&sync(first, "a")).unwrap();
    assert_eq!(
        database
            .delete_service_workers_of_origin("https://example.test")
            .unwrap(),
        [first, second]
    );
    let left: Vec<_> = database
        .service_workers()
        .unwrap()
        .into_iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(left, [survivor]);
    assert!(database.all_sync_registrations().unwrap().is_empty());
}

#[test]
fn registration_ids_are_never_reused() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let first = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    database.delete_service_worker(first).unwrap();
    drop(database);
    let mut database = open(&dir);
    let second = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    assert!(second.0 > first.0);
}

#[test]
fn time_past_the_column_range_is_refused() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    let info = SyncRegistrationInfo {
        delay_until_ms: Some(u64::MAX),
        ..sync(id, "a")
    };
    assert!(matches!(
        database.put_sync_registration(&info),
        Err(StorageError::ValueOutOfRange(_))
    ));
}

/// Edits the file behind the library's back, bypassing the schema's checks.
fn hand_edit(dir: &TempDir, sql: &str) {
    let connection = rusqlite::Connection::open(dir.path().join("storage.sqlite")).unwrap();
    connection
        .execute_batch(&format!("PRAGMA ignore_check_constraints = ON; {sql}"))
        .unwrap();
}

#[test]
fn hand_edited_state_is_an_invalid_row() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    database.put_sync_registration(&sync(id, "a")).unwrap();
    hand_edit(&dir, "UPDATE sync_registrations SET state = 'exploded';");
    assert!(matches!(
        database.sync_registrations(id),
        Err(StorageError::InvalidRow { table: "sync_registrations", detail }) if detail.contains("exploded")
    ));
    hand_edit(
        &dir,
        "UPDATE sync_registrations SET state = 'pending', num_attempts = -2;",
    );
    assert!(matches!(
        database.all_sync_registrations(),
        Err(StorageError::InvalidRow { detail, .. }) if detail.contains("num_attempts")
    ));
}

#[test]
fn rows_breaking_the_schema_are_moved_aside_at_open_and_the_rest_kept() {
    let dir = TempDir::new().unwrap();
    let id = {
        let mut database = open(&dir);
        let id = database
            .insert_service_worker(&new_registration("https://a.test/"))
            .unwrap();
        for tag in ["a", "b", "c"] {
            database.put_sync_registration(&sync(id, tag)).unwrap();
        }
        id
    };
    hand_edit(
        &dir,
        "UPDATE sync_registrations SET state = 'exploded' WHERE tag = 'a';
         UPDATE sync_registrations SET num_attempts = -1 WHERE tag = 'b';",
    );
    let database = Database::open(dir.path()).unwrap();
    let tags: Vec<String> = database
        .sync_registrations(id)
        .unwrap()
        .into_iter()
        .map(|row| row.tag)
        .collect();
    assert_eq!(tags, ["c"]);
    let moved: Vec<String> = database
        .repairs()
        .iter()
        .filter_map(|repair| match repair {
            storage::Repair::RowMovedAside { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(moved.len(), 2, "{:?}", database.repairs());
    drop(database);
    let raw = rusqlite::Connection::open(dir.path().join("storage.sqlite")).unwrap();
    let kept: i64 = raw
        .query_row(
            "SELECT count(*) FROM sync_registrations_broken_rows",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(kept, 2);
    // Nothing is left to move on the next open.
    assert!(Database::open(dir.path()).unwrap().repairs().is_empty());
}

#[test]
fn in_memory_database_has_the_same_schema_and_rules() {
    let mut database = Database::open_in_memory().unwrap();
    assert_eq!(database.path(), None);
    assert_eq!(database.schema_version().unwrap(), storage::SCHEMA_VERSION);
    assert!(matches!(
        database.put_sync_registration(&sync(ServiceWorkerRegistrationId(1), "a")),
        Err(StorageError::UnknownServiceWorkerRegistration(_))
    ));
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    database.put_sync_registration(&sync(id, "a")).unwrap();
    database.delete_service_worker(id).unwrap();
    assert!(database.all_sync_registrations().unwrap().is_empty());
}

#[test]
fn what_a_worker_handles_is_kept_until_its_script_changes() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://example.test/"))
        .unwrap();
    assert_eq!(
        database.handles_fetch(id).unwrap(),
        None,
        "not known before it ran"
    );
    database.set_handles_fetch(id, false).unwrap();
    assert_eq!(database.handles_fetch(id).unwrap(), Some(false));
    database.set_handles_fetch(id, true).unwrap();
    drop(database);
    let mut database = open(&dir);
    assert_eq!(
        database.handles_fetch(id).unwrap(),
        Some(true),
        "kept across opens"
    );
    database
        .replace_service_worker_script(
            id,
            "https://example.test/sw.js",
            WorkerType::Classic,
            b"// v2",
            &[],
            None,
        )
        .unwrap();
    assert_eq!(
        database.handles_fetch(id).unwrap(),
        None,
        "a new script is not known"
    );
    database.set_handles_fetch(id, true).unwrap();
    assert!(database.delete_service_worker(id).unwrap());
    assert_eq!(database.handles_fetch(id).unwrap(), None, "deleted with it");
}

#[test]
fn navigation_preload_is_kept_with_its_registration() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://example.test/"))
        .unwrap();
    assert_eq!(database.navigation_preload(id).unwrap(), None, "never set");
    database.set_navigation_preload(id, true, "true").unwrap();
    database.set_navigation_preload(id, true, "v2").unwrap();
    drop(database);
    let mut database = open(&dir);
    assert_eq!(
        database.navigation_preload(id).unwrap(),
        Some((true, "v2".to_owned())),
        "kept across opens"
    );
    // A new script changes nothing of it (it belongs to the registration).
    database
        .replace_service_worker_script(
            id,
            "https://example.test/sw.js",
            WorkerType::Classic,
            b"// v2",
            &[],
            None,
        )
        .unwrap();
    assert_eq!(
        database.navigation_preload(id).unwrap(),
        Some((true, "v2".to_owned()))
    );
    assert!(database.delete_service_worker(id).unwrap());
    assert_eq!(
        database.navigation_preload(id).unwrap(),
        None,
        "deleted with it"
    );
    assert!(
        database.set_navigation_preload(id, false, "true").is_err(),
        "no registration, no preload"
    );
}

#[test]
fn a_module_worker_s_type_is_kept_replaced_with_its_script_and_deleted_with_it() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let classic = database
        .insert_service_worker(&new_registration("https://a.test/classic/"))
        .unwrap();
    let module = database
        .insert_service_worker(&storage::NewServiceWorkerRegistration {
            worker_type: WorkerType::Module,
            ..new_registration("https://a.test/module/")
        })
        .unwrap();
    drop(database);
    let mut database = open(&dir);
    let type_of =
        |database: &Database, id| database.service_worker(id).unwrap().unwrap().worker_type;
    assert_eq!(type_of(&database, classic), WorkerType::Classic);
    assert_eq!(type_of(&database, module), WorkerType::Module);
    let listed: Vec<WorkerType> = database
        .service_workers()
        .unwrap()
        .iter()
        .map(|record| record.worker_type)
        .collect();
    assert_eq!(listed, [WorkerType::Classic, WorkerType::Module]);

    // An update may change the type, either way, with the script.
    database
        .replace_service_worker_script(
            classic,
            "https://a.test/sw.js",
            WorkerType::Module,
            b"m",
            &[],
            None,
        )
        .unwrap();
    database
        .replace_service_worker_script(
            module,
            "https://a.test/sw.js",
            WorkerType::Classic,
            b"c",
            &[],
            None,
        )
        .unwrap();
    assert_eq!(type_of(&database, classic), WorkerType::Module);
    assert_eq!(type_of(&database, module), WorkerType::Classic);
    assert_eq!(
        database
            .service_worker_by_scope("https://a.test/classic/")
            .unwrap()
            .unwrap()
            .worker_type,
        WorkerType::Module
    );

    database.delete_service_worker(classic).unwrap();
    drop(database);
    assert_eq!(
        rows_in(&dir, "service_worker_script_types"),
        0,
        "the type row went with its registration"
    );
}

#[test]
fn router_rules_are_kept_replaced_with_the_script_and_deleted_with_the_registration() {
    let dir = TempDir::new().unwrap();
    let mut database = open(&dir);
    let id = database
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    assert_eq!(database.router_rules(id).unwrap(), None);
    database.set_router_rules(id, Some("[1]")).unwrap();
    drop(database);
    let mut database = open(&dir);
    assert_eq!(database.router_rules(id).unwrap().as_deref(), Some("[1]"));
    // A new script brings its own rules, or none.
    database
        .replace_service_worker_script(
            id,
            "https://a.test/sw.js",
            WorkerType::Classic,
            b"v2",
            &[],
            Some("[2]"),
        )
        .unwrap();
    assert_eq!(database.router_rules(id).unwrap().as_deref(), Some("[2]"));
    database
        .replace_service_worker_script(
            id,
            "https://a.test/sw.js",
            WorkerType::Classic,
            b"v3",
            &[],
            None,
        )
        .unwrap();
    assert_eq!(database.router_rules(id).unwrap(), None);
    database.set_router_rules(id, Some("[3]")).unwrap();
    assert!(matches!(
        database.set_router_rules(ServiceWorkerRegistrationId(99), Some("[]")),
        Err(StorageError::UnknownServiceWorkerRegistration(_))
    ));
    database.delete_service_worker(id).unwrap();
    drop(database);
    assert_eq!(
        rows_in(&dir, "service_worker_router_rules"),
        0,
        "the rules went with their registration"
    );
}

/// How many rows `table` of the profile's file has, read by a plain connection.
fn rows_in(dir: &TempDir, table: &str) -> i64 {
    let raw = rusqlite::Connection::open(dir.path().join("storage.sqlite")).unwrap();
    raw.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
        row.get(0)
    })
    .unwrap()
}
