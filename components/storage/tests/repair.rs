//! `Database::open` on files whose schema does not match this build: a lost
//! `user_version`, missing columns and tables, tables it cannot repair, rows
//! with names it does not know. Each file is made in the broken shape with
//! plain SQLite, as another build or a hand edit would leave it.

use std::cell::RefCell;
use std::fs;
use std::path::Path;

use storage::{
    Database, ImportedScript, OpenError, Repair, ServiceWorkerRegistrationId, ServiceWorkerState,
    StorageError, SyncState, UpdateViaCache, DATABASE_FILE_NAME, SCHEMA_VERSION,
};
use tempfile::TempDir;

mod common;
use common::{new_registration, sync};

const SWR: &str = "service_worker_registrations";
const IMPORTED: &str = "service_worker_imported_scripts";
const SYNC: &str = "sync_registrations";
const EVENT_TYPES: &str = "service_worker_event_types";
const NAVIGATION_PRELOAD: &str = "service_worker_navigation_preload";
const SCRIPT_TYPES: &str = "service_worker_script_types";

/// This build's tables, as migrations 1 to 4 create them (5 adds SCRIPT_TYPES).
const REGISTRATIONS_DDL: &str = "
    CREATE TABLE service_worker_registrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT NOT NULL UNIQUE,
        script_url TEXT NOT NULL,
        origin TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('installing', 'installed', 'activating', 'activated', 'redundant')),
        script_source BLOB NOT NULL,
        update_via_cache TEXT NOT NULL CHECK (update_via_cache IN ('imports', 'all', 'none')),
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        last_update_check_ms INTEGER
    );
    CREATE INDEX service_worker_registrations_by_origin
        ON service_worker_registrations (origin);";

const IMPORTED_DDL: &str = "
    CREATE TABLE service_worker_imported_scripts (
        registration_id INTEGER NOT NULL
            REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        source BLOB NOT NULL,
        PRIMARY KEY (registration_id, url)
    ) WITHOUT ROWID;";

const SYNC_DDL: &str = "
    CREATE TABLE sync_registrations (
        registration_id INTEGER NOT NULL
            REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'waiting', 'firing', 'reregistered-while-firing')),
        num_attempts INTEGER NOT NULL CHECK (num_attempts >= 0),
        max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
        delay_until_ms INTEGER CHECK (delay_until_ms >= 0),
        PRIMARY KEY (registration_id, tag)
    ) WITHOUT ROWID;";

const EVENT_TYPES_DDL: &str = "
    CREATE TABLE service_worker_event_types (
        registration_id INTEGER PRIMARY KEY
            REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
        handles_fetch INTEGER NOT NULL CHECK (handles_fetch IN (0, 1))
    );";

const NAVIGATION_PRELOAD_DDL: &str = "
    CREATE TABLE service_worker_navigation_preload (
        registration_id INTEGER PRIMARY KEY
            REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        header_value TEXT NOT NULL
    );";

const ROUTER_RULES_DDL: &str = "
    CREATE TABLE service_worker_router_rules (
        registration_id INTEGER PRIMARY KEY
            REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
        rules TEXT NOT NULL
    );";

const SCRIPT_TYPES_DDL: &str = "
    CREATE TABLE service_worker_script_types (
        registration_id INTEGER PRIMARY KEY
            REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
        worker_type TEXT NOT NULL CHECK (worker_type IN ('classic', 'module'))
    );";

/// Inserts registration `id` with `scope`, `state` and `update_via_cache`
/// into a file's registrations table, whatever its other columns.
fn insert_registration_sql(id: i64, scope: &str, state: &str, update_via_cache: &str) -> String {
    format!(
        "INSERT INTO service_worker_registrations (id, scope, script_url, origin, state,
             script_source, update_via_cache, created_ms, updated_ms)
         VALUES ({id}, '{scope}', '{scope}sw.js', 'https://example.test', '{state}', x'2f2f',
             '{update_via_cache}', 1000, 2000);"
    )
}

/// A plain connection to the profile's file, as another build would open it.
fn raw(dir: &TempDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.path().join(DATABASE_FILE_NAME)).unwrap()
}

/// Makes the profile's file with `sql` and the given `user_version`.
fn make_file(dir: &TempDir, version: u32, sql: &str) {
    let connection = raw(dir);
    connection.execute_batch(sql).unwrap();
    connection
        .pragma_update(None, "user_version", version)
        .unwrap();
}

fn table_names(connection: &rusqlite::Connection) -> Vec<String> {
    let mut statement = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    let names = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    names
}

/// The tables whose names contain `_broken`.
fn broken_tables(dir: &TempDir) -> Vec<String> {
    table_names(&raw(dir))
        .into_iter()
        .filter(|name| name.contains("_broken"))
        .collect()
}

/// Every row of `table`, each value as SQL's `quote()` gives it, in
/// primary-key order.
fn rows(connection: &rusqlite::Connection, table: &str) -> Vec<Vec<String>> {
    let columns: Vec<String> = connection
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let quoted: Vec<String> = columns
        .iter()
        .map(|column| format!("quote(\"{column}\")"))
        .collect();
    let mut statement = connection
        .prepare(&format!(
            "SELECT {} FROM \"{table}\" ORDER BY 1, 2",
            quoted.join(", ")
        ))
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            (0..columns.len())
                .map(|index| row.get::<_, String>(index))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows
}

fn count(connection: &rusqlite::Connection, table: &str) -> i64 {
    connection
        .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| {
            row.get(0)
        })
        .unwrap()
}

/// Every file of `dir`: its name and bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap_or_default())
        })
        .collect();
    files.sort();
    files
}

thread_local! {
    /// Warnings logged with target `bgsync::storage` on this thread.
    static WARNINGS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Keeps this crate's warnings per thread, so tests running in parallel
/// each see their own.
struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target() == "bgsync::storage" && metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            WARNINGS.with(|warnings| warnings.borrow_mut().push(record.args().to_string()));
        }
    }

    fn flush(&self) {}
}

/// Runs `action` and returns what it returned with the warnings it logged.
fn warnings_of<T>(action: impl FnOnce() -> T) -> (T, Vec<String>) {
    static CAPTURE: Capture = Capture;
    // Only the first test to get here installs it; that is enough.
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Warn);
    WARNINGS.with(|warnings| warnings.borrow_mut().clear());
    let result = action();
    (result, WARNINGS.with(|warnings| warnings.take()))
}

/// Opens the profile, which must change nothing and log nothing.
fn assert_second_open_is_a_no_op(dir: &TempDir) {
    let before_tables = table_names(&raw(dir));
    let (database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    assert_eq!(database.repairs(), []);
    assert_eq!(warnings, Vec::<String>::new());
    drop(database);
    assert_eq!(table_names(&raw(dir)), before_tables);
}

// Case 1: user_version 0 although our tables exist.

#[test]
fn a_lost_version_is_inferred_from_the_tables_and_the_data_kept() {
    let dir = TempDir::new().unwrap();
    let id = {
        let mut database = Database::open(dir.path()).unwrap();
        let id = database
            .insert_service_worker(&new_registration("https://a.test/"))
            .unwrap();
        database.put_sync_registration(&sync(id, "outbox")).unwrap();
        id
    };
    raw(&dir).pragma_update(None, "user_version", 0).unwrap();

    let (database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    assert_eq!(
        database.repairs(),
        [Repair::VersionInferred {
            version: 5,
            tables: vec![
                SWR,
                IMPORTED,
                SYNC,
                EVENT_TYPES,
                NAVIGATION_PRELOAD,
                SCRIPT_TYPES,
                "service_worker_router_rules",
            ],
        }]
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("schema version was 0"), "{warnings:?}");
    assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(database.service_workers().unwrap().len(), 1);
    assert_eq!(
        database.sync_registration(id, "outbox").unwrap(),
        Some(sync(id, "outbox"))
    );
    drop(database);
    assert_second_open_is_a_no_op(&dir);
}

#[test]
fn a_lost_version_1_migrates_on_and_keeps_a_later_table_that_exists() {
    // Version 1's tables with rows, but version 2's table too, and the
    // version lost.
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        0,
        &format!(
            "{REGISTRATIONS_DDL} {IMPORTED_DDL} {}",
            insert_registration_sql(1, "https://a.test/", "activated", "imports")
        ),
    );
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(
        database.repairs(),
        [Repair::VersionInferred {
            version: 1,
            tables: vec![SWR, IMPORTED],
        }]
    );
    assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
    let id = ServiceWorkerRegistrationId(1);
    assert_eq!(
        database.service_worker(id).unwrap().unwrap().scope,
        "https://a.test/"
    );
    drop(database);
    assert_second_open_is_a_no_op(&dir);

    // Registrations and sync, but the imported scripts table (also
    // migration 1's) is gone: version 0, and sync's table is kept.
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        0,
        &format!(
            "{REGISTRATIONS_DDL} {SYNC_DDL} {}
             INSERT INTO sync_registrations VALUES (1, 'outbox', 'pending', 0, 3, NULL);",
            insert_registration_sql(1, "https://a.test/", "activated", "imports")
        ),
    );
    let mut database = Database::open(dir.path()).unwrap();
    assert_eq!(
        database.repairs(),
        [Repair::VersionInferred {
            version: 0,
            tables: vec![SWR, SYNC],
        }]
    );
    assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        database.all_sync_registrations().unwrap(),
        [sync(id, "outbox")]
    );
    let script = ImportedScript {
        url: "https://a.test/lib.js".to_owned(),
        source: b"lib".to_vec(),
    };
    database.put_imported_script(id, &script).unwrap();
    assert_eq!(database.imported_scripts(id).unwrap(), [script]);
    drop(database);
    assert_second_open_is_a_no_op(&dir);
}

// Case 2: tables that lost columns (or vanished).

#[test]
fn missing_nullable_and_defaulted_columns_are_added_back() {
    // Another build's tables: no last_update_check_ms or update_via_cache,
    // no delay_until_ms.
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        SCHEMA_VERSION,
        &format!(
            "CREATE TABLE service_worker_registrations (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 scope TEXT NOT NULL UNIQUE,
                 script_url TEXT NOT NULL,
                 origin TEXT NOT NULL,
                 state TEXT NOT NULL,
                 script_source BLOB NOT NULL,
                 created_ms INTEGER NOT NULL,
                 updated_ms INTEGER NOT NULL
             );
             CREATE INDEX service_worker_registrations_by_origin
                 ON service_worker_registrations (origin);
             {IMPORTED_DDL} {EVENT_TYPES_DDL} {NAVIGATION_PRELOAD_DDL} {SCRIPT_TYPES_DDL} {ROUTER_RULES_DDL}
             CREATE TABLE sync_registrations (
                 registration_id INTEGER NOT NULL
                     REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
                 tag TEXT NOT NULL,
                 state TEXT NOT NULL,
                 num_attempts INTEGER NOT NULL,
                 max_attempts INTEGER NOT NULL,
                 PRIMARY KEY (registration_id, tag)
             ) WITHOUT ROWID;
             INSERT INTO service_worker_registrations (id, scope, script_url, origin, state,
                 script_source, created_ms, updated_ms)
             VALUES (1, 'https://a.test/', 'https://a.test/sw.js', 'https://a.test',
                 'activated', x'2f2f', 1000, 2000);
             INSERT INTO sync_registrations VALUES (1, 'outbox', 'waiting', 1, 3);"
        ),
    );

    // A read-only open reports it and leaves it alone.
    let before = snapshot(dir.path());
    let error = Database::open_read_only(dir.path()).unwrap_err();
    assert!(
        matches!(&error, OpenError::Unreadable { reason, .. }
            if reason.contains("lacks column delay_until_ms") && reason.contains("engine run")),
        "{error:?}"
    );
    assert_eq!(snapshot(dir.path()), before);

    let (mut database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    assert_eq!(
        database.repairs(),
        [
            Repair::ColumnAdded {
                table: SWR,
                column: "update_via_cache",
            },
            Repair::ColumnAdded {
                table: SWR,
                column: "last_update_check_ms",
            },
            Repair::ColumnAdded {
                table: SYNC,
                column: "delay_until_ms",
            },
        ]
    );
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings[2].contains(SYNC) && warnings[2].contains("delay_until_ms"),
        "{warnings:?}"
    );
    // The old rows read, with NULL (or the default) in the new columns.
    let id = ServiceWorkerRegistrationId(1);
    let record = database.service_worker(id).unwrap().unwrap();
    assert_eq!(
        (record.scope.as_str(), record.state, record.update_via_cache),
        (
            "https://a.test/",
            ServiceWorkerState::Activated,
            UpdateViaCache::Imports
        )
    );
    assert_eq!(
        (
            record.created_ms,
            record.updated_ms,
            record.last_update_check_ms
        ),
        (1000, 2000, None)
    );
    let mut outbox = sync(id, "outbox");
    outbox.state = SyncState::Waiting;
    outbox.num_attempts = 1;
    assert_eq!(database.all_sync_registrations().unwrap(), [outbox.clone()]);
    // And the new columns take values, within their CHECK.
    database.set_last_update_check(id, 7).unwrap();
    assert_eq!(
        database
            .service_worker(id)
            .unwrap()
            .unwrap()
            .last_update_check_ms,
        Some(7)
    );
    outbox.delay_until_ms = Some(5_000);
    database.put_sync_registration(&outbox).unwrap();
    assert_eq!(
        database.sync_registration(id, "outbox").unwrap(),
        Some(outbox)
    );
    let negative = raw(&dir).execute("UPDATE sync_registrations SET delay_until_ms = -1", []);
    assert!(negative.is_err(), "the CHECK came back with the column");
    drop(database);
    assert_eq!(broken_tables(&dir), Vec::<String>::new());
    assert_second_open_is_a_no_op(&dir);
    assert!(Database::open_read_only(dir.path()).is_ok());
}

#[test]
fn a_missing_table_is_created_and_the_others_kept() {
    let dir = TempDir::new().unwrap();
    {
        let mut database = Database::open(dir.path()).unwrap();
        database
            .insert_service_worker(&new_registration("https://a.test/"))
            .unwrap();
    }
    raw(&dir)
        .execute_batch("DROP TABLE sync_registrations")
        .unwrap();
    let (mut database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    assert_eq!(database.repairs(), [Repair::TableCreated { table: SYNC }]);
    assert!(warnings[0].contains(SYNC), "{warnings:?}");
    let id = database.service_workers().unwrap()[0].id;
    database.put_sync_registration(&sync(id, "outbox")).unwrap();
    assert_eq!(database.all_sync_registrations().unwrap().len(), 1);
    drop(database);
    assert_second_open_is_a_no_op(&dir);
}

#[test]
fn a_table_missing_a_required_column_is_moved_aside_and_recreated() {
    let sync_without_max_attempts = |tag: &str| {
        format!(
            "CREATE TABLE sync_registrations (
                 registration_id INTEGER NOT NULL
                     REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
                 tag TEXT NOT NULL,
                 state TEXT NOT NULL,
                 num_attempts INTEGER NOT NULL,
                 delay_until_ms INTEGER,
                 PRIMARY KEY (registration_id, tag)
             ) WITHOUT ROWID;
             INSERT INTO sync_registrations VALUES (1, '{tag}', 'pending', 0, NULL);"
        )
    };
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        SCHEMA_VERSION,
        &format!(
            "{REGISTRATIONS_DDL} {IMPORTED_DDL} {EVENT_TYPES_DDL} {NAVIGATION_PRELOAD_DDL} {SCRIPT_TYPES_DDL} {ROUTER_RULES_DDL} {}
             INSERT INTO service_worker_imported_scripts VALUES (1, 'https://a.test/lib.js', x'00');
             {}",
            insert_registration_sql(1, "https://a.test/", "activated", "all"),
            sync_without_max_attempts("first")
        ),
    );

    let (mut database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    let [Repair::TableMovedAside {
        table,
        moved_to,
        problems,
    }] = database.repairs()
    else {
        panic!("{:?}", database.repairs());
    };
    assert_eq!(*table, SYNC);
    assert!(
        moved_to.starts_with("sync_registrations_broken_"),
        "{moved_to}"
    );
    assert!(
        moved_to["sync_registrations_broken_".len()..]
            .chars()
            .all(|c| c.is_ascii_digit()),
        "{moved_to}"
    );
    assert_eq!(problems, &["column max_attempts is missing"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(SYNC) && warnings[0].contains("max_attempts"),
        "{warnings:?}"
    );
    let first_copy = moved_to.clone();
    // The old rows wait in the renamed table, untouched.
    assert_eq!(
        rows(&raw(&dir), &first_copy),
        [["1", "'first'", "'pending'", "0", "NULL"]]
    );
    // The other tables are as they were; the new one is empty and this
    // build's, foreign key included.
    let id = ServiceWorkerRegistrationId(1);
    let record = database.service_worker(id).unwrap().unwrap();
    assert_eq!(record.update_via_cache, UpdateViaCache::All);
    assert_eq!(database.imported_scripts(id).unwrap().len(), 1);
    assert!(database.all_sync_registrations().unwrap().is_empty());
    database.put_sync_registration(&sync(id, "new")).unwrap();
    assert!(matches!(
        database.put_sync_registration(&sync(ServiceWorkerRegistrationId(9), "x")),
        Err(StorageError::UnknownServiceWorkerRegistration(_))
    ));
    drop(database);
    assert_second_open_is_a_no_op(&dir);

    // Broken again: a second copy, the first one kept.
    raw(&dir)
        .execute_batch(&format!(
            "DROP TABLE sync_registrations; {}",
            sync_without_max_attempts("second")
        ))
        .unwrap();
    let database = Database::open(dir.path()).unwrap();
    let [Repair::TableMovedAside { moved_to, .. }] = database.repairs() else {
        panic!("{:?}", database.repairs());
    };
    assert_ne!(moved_to, &first_copy);
    let connection = raw(&dir);
    assert_eq!(rows(&connection, &first_copy)[0][1], "'first'");
    assert_eq!(rows(&connection, moved_to)[0][1], "'second'");
    let mut expected = vec![first_copy.clone(), moved_to.clone()];
    expected.sort();
    assert_eq!(broken_tables(&dir), expected);
}

#[test]
fn a_registrations_table_moved_aside_takes_its_childrens_rows_along() {
    // Registrations without a scope column: nothing can be read or
    // written through this build's statements.
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        SCHEMA_VERSION,
        &format!(
            "CREATE TABLE service_worker_registrations (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 script_url TEXT NOT NULL,
                 origin TEXT NOT NULL,
                 state TEXT NOT NULL,
                 script_source BLOB NOT NULL,
                 update_via_cache TEXT NOT NULL,
                 created_ms INTEGER NOT NULL,
                 updated_ms INTEGER NOT NULL,
                 last_update_check_ms INTEGER
             );
             CREATE INDEX service_worker_registrations_by_origin
                 ON service_worker_registrations (origin);
             {IMPORTED_DDL} {SYNC_DDL} {EVENT_TYPES_DDL} {NAVIGATION_PRELOAD_DDL} {SCRIPT_TYPES_DDL} {ROUTER_RULES_DDL}
             INSERT INTO service_worker_registrations (id, script_url, origin, state,
                 script_source, update_via_cache, created_ms, updated_ms)
             VALUES (7, 'https://a.test/sw.js', 'https://a.test', 'activated', x'00',
                 'imports', 1, 1);
             INSERT INTO service_worker_imported_scripts VALUES (7, 'https://a.test/lib.js', x'01');
             INSERT INTO sync_registrations VALUES (7, 'outbox', 'pending', 0, 3, NULL);"
        ),
    );
    let mut database = Database::open(dir.path()).unwrap();
    let repairs = database.repairs().to_vec();
    assert_eq!(repairs.len(), 3, "{repairs:?}");
    let Repair::TableMovedAside {
        table, moved_to, ..
    } = &repairs[0]
    else {
        panic!("{repairs:?}");
    };
    assert_eq!(*table, SWR);
    for (repair, (child, key)) in repairs[1..].iter().zip([
        (
            IMPORTED,
            "registration_id = 7, url = 'https://a.test/lib.js'",
        ),
        (SYNC, "registration_id = 7, tag = 'outbox'"),
    ]) {
        assert_eq!(
            repair,
            &Repair::RowMovedAside {
                table: child,
                moved_to: format!("{child}_broken_rows"),
                key: key.to_owned(),
                reason: "its service-worker registration does not exist".to_owned(),
            }
        );
    }
    assert!(database.service_workers().unwrap().is_empty());
    assert!(database.all_sync_registrations().unwrap().is_empty());
    // The children still reference the new table, not the copy.
    let connection = raw(&dir);
    let child_sql: String = connection
        .query_row(
            "SELECT group_concat(sql) FROM sqlite_master WHERE name IN (?1, ?2)",
            [IMPORTED, SYNC],
            |row| row.get(0),
        )
        .unwrap();
    assert!(!child_sql.contains("_broken"), "{child_sql}");
    assert_eq!(count(&connection, moved_to), 1);
    assert_eq!(count(&connection, "sync_registrations_broken_rows"), 1);
    assert_eq!(
        count(&connection, "service_worker_imported_scripts_broken_rows"),
        1
    );
    // New registrations get ids past the old ones, and its index is back.
    let id = database
        .insert_service_worker(&new_registration("https://b.test/"))
        .unwrap();
    assert!(id.0 > 7, "{id:?}");
    let indexes: i64 = connection
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index'
             AND name = 'service_worker_registrations_by_origin' AND tbl_name = ?1",
            [SWR],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 1);
    drop(database);
    assert_second_open_is_a_no_op(&dir);
}

// Case 3: rows with names this build does not know.

/// Tables as another build made them: this build's shape, without the
/// CHECK constraints, holding rows with unknown names.
fn file_with_unknown_names(dir: &TempDir) {
    let without_checks = |ddl: &str| -> String {
        // Cuts each "CHECK (...)" with its balanced parentheses.
        let mut out = String::new();
        let mut rest = ddl;
        while let Some(start) = rest.find("CHECK (") {
            out.push_str(&rest[..start]);
            let mut depth = 0;
            let mut end = start;
            for (offset, c) in rest[start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = start + offset + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        assert!(!out.contains("CHECK"));
        out
    };
    make_file(
        dir,
        SCHEMA_VERSION,
        &format!(
            "{} {IMPORTED_DDL} {EVENT_TYPES_DDL} {NAVIGATION_PRELOAD_DDL} {SCRIPT_TYPES_DDL} {ROUTER_RULES_DDL} {}
             {} {} {}
             INSERT INTO service_worker_imported_scripts VALUES
                 (1, 'https://a.test/lib.js', x'01'), (2, 'https://b.test/lib.js', x'02');
             INSERT INTO sync_registrations VALUES
                 (1, 'fine', 'pending', 0, 3, NULL),
                 (1, 'bad', 'exploded', 0, 3, NULL),
                 (2, 'child', 'pending', 0, 3, NULL);",
            without_checks(REGISTRATIONS_DDL),
            without_checks(SYNC_DDL),
            insert_registration_sql(1, "https://a.test/", "activated", "imports"),
            insert_registration_sql(2, "https://b.test/", "exploded", "imports"),
            insert_registration_sql(3, "https://c.test/", "installed", "sometimes"),
        ),
    );
}

#[test]
fn rows_with_unknown_names_are_moved_aside_and_the_rest_read() {
    let dir = TempDir::new().unwrap();
    file_with_unknown_names(&dir);
    let (database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    let moved: Vec<(&str, &str, &str)> = database
        .repairs()
        .iter()
        .map(|repair| match repair {
            Repair::RowMovedAside {
                table,
                moved_to,
                key,
                reason,
            } => {
                assert_eq!(moved_to, &format!("{table}_broken_rows"));
                (*table, key.as_str(), reason.as_str())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    let orphan = "its service-worker registration does not exist";
    assert_eq!(
        moved,
        [
            (
                SWR,
                "id = 2",
                "state is 'exploded', which this build does not know"
            ),
            (
                SWR,
                "id = 3",
                "update_via_cache is 'sometimes', which this build does not know"
            ),
            (
                IMPORTED,
                "registration_id = 2, url = 'https://b.test/lib.js'",
                orphan
            ),
            (
                SYNC,
                "registration_id = 1, tag = 'bad'",
                "state is 'exploded', which this build does not know"
            ),
            (SYNC, "registration_id = 2, tag = 'child'", orphan),
        ]
    );
    assert_eq!(warnings.len(), 5, "{warnings:?}");
    assert!(
        warnings[3].contains(SYNC) && warnings[3].contains("tag = 'bad'"),
        "{warnings:?}"
    );

    // What was fine reads as before.
    let id = ServiceWorkerRegistrationId(1);
    let records = database.service_workers().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].scope, "https://a.test/");
    assert_eq!(
        database.all_sync_registrations().unwrap(),
        [sync(id, "fine")]
    );
    assert_eq!(database.imported_scripts(id).unwrap().len(), 1);
    drop(database);

    // The moved rows, whole, with when they were moved.
    let connection = raw(&dir);
    let side = "service_worker_registrations_broken_rows";
    let side_rows = rows(&connection, side);
    assert_eq!(side_rows.len(), 2);
    assert_eq!(
        (&side_rows[0][..2], &side_rows[0][4], &side_rows[0][5]),
        (
            &["2".to_owned(), "'https://b.test/'".to_owned()][..],
            &"'exploded'".to_owned(),
            &"X'2F2F'".to_owned()
        )
    );
    assert_eq!(side_rows[1][6], "'sometimes'");
    assert!(side_rows.iter().all(|row| row[10] != "NULL"), "moved_ms");
    assert_eq!(
        rows(&connection, "sync_registrations_broken_rows")
            .iter()
            .map(|row| row[..3].to_vec())
            .collect::<Vec<_>>(),
        [["1", "'bad'", "'exploded'"], ["2", "'child'", "'pending'"]]
    );
    assert_eq!(
        count(&connection, "service_worker_imported_scripts_broken_rows"),
        1
    );
    drop(connection);
    assert_second_open_is_a_no_op(&dir);
    assert_eq!(count(&raw(&dir), "sync_registrations_broken_rows"), 2);
}

#[test]
fn a_read_only_open_skips_unknown_rows_and_changes_nothing() {
    let dir = TempDir::new().unwrap();
    file_with_unknown_names(&dir);
    let before = snapshot(dir.path());
    let (listed, warnings) = warnings_of(|| {
        let database = Database::open_read_only(dir.path()).unwrap();
        assert_eq!(database.repairs(), []);
        let scopes: Vec<String> = database
            .service_workers()
            .unwrap()
            .into_iter()
            .map(|record| record.scope)
            .collect();
        let tags: Vec<String> = database
            .all_sync_registrations()
            .unwrap()
            .into_iter()
            .map(|sync| sync.tag)
            .collect();
        (scopes, tags)
    });
    // Registration 2 is still there for a reader; only its state is bad.
    assert_eq!(listed.0, ["https://a.test/"]);
    assert_eq!(listed.1, ["fine", "child"]);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings
        .iter()
        .all(|warning| warning.starts_with("skipping a row of")));
    assert_eq!(snapshot(dir.path()), before, "nothing written");
    assert!(broken_tables(&dir).is_empty());
}

// Case 4: a newer schema.

#[test]
fn a_newer_version_is_refused_untouched_even_when_it_looks_repairable() {
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        SCHEMA_VERSION + 1,
        &format!(
            "{REGISTRATIONS_DDL} {IMPORTED_DDL}
             CREATE TABLE sync_registrations (registration_id INTEGER, tag TEXT, state TEXT);
             INSERT INTO sync_registrations VALUES (1, 'outbox', 'newfangled');"
        ),
    );
    let before = snapshot(dir.path());
    let error = Database::open(dir.path()).unwrap_err();
    assert!(
        matches!(error, OpenError::TooNew { found, supported, .. }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{error:?}"
    );
    assert_eq!(snapshot(dir.path()), before);
    assert!(broken_tables(&dir).is_empty());
}

// A healthy file.

#[test]
fn a_valid_database_is_left_unchanged_by_the_checks() {
    let dir = TempDir::new().unwrap();
    {
        let mut database = Database::open(dir.path()).unwrap();
        for scope in ["https://a.test/", "https://b.test/"] {
            let id = database
                .insert_service_worker(&new_registration(scope))
                .unwrap();
            database.set_last_update_check(id, 42).unwrap();
            let mut info = sync(id, "outbox");
            info.state = SyncState::Waiting;
            info.delay_until_ms = Some(9_000);
            database.put_sync_registration(&info).unwrap();
            database
                .put_imported_script(
                    id,
                    &ImportedScript {
                        url: format!("{scope}lib.js"),
                        source: vec![0, 1, 2],
                    },
                )
                .unwrap();
        }
    }
    let dump = |dir: &TempDir| {
        let connection = raw(dir);
        let schema = rows(&connection, "sqlite_master");
        let tables: Vec<Vec<Vec<String>>> = table_names(&connection)
            .iter()
            .map(|table| rows(&connection, table))
            .collect();
        (schema, tables)
    };
    let before = dump(&dir);
    let file_before = fs::read(dir.path().join(DATABASE_FILE_NAME)).unwrap();

    let (database, warnings) = warnings_of(|| Database::open(dir.path()).unwrap());
    assert_eq!(database.repairs(), []);
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(database.service_workers().unwrap().len(), 2);
    assert_eq!(database.all_sync_registrations().unwrap().len(), 2);
    drop(database);

    assert_eq!(dump(&dir), before);
    assert_eq!(
        fs::read(dir.path().join(DATABASE_FILE_NAME)).unwrap(),
        file_before,
        "not a byte of the file written"
    );
    assert!(broken_tables(&dir).is_empty());
}

#[test]
fn a_version_4_file_migrates_to_5_with_its_workers_classic() {
    let dir = TempDir::new().unwrap();
    make_file(
        &dir,
        4,
        &format!(
            "{REGISTRATIONS_DDL} {IMPORTED_DDL} {SYNC_DDL} {EVENT_TYPES_DDL} \
             {NAVIGATION_PRELOAD_DDL} {}",
            insert_registration_sql(1, "https://a.test/", "activated", "imports")
        ),
    );
    let database = Database::open(dir.path()).unwrap();
    assert_eq!(database.repairs(), []);
    assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(table_names(&raw(&dir)).contains(&SCRIPT_TYPES.to_owned()));
    let record = database
        .service_worker(ServiceWorkerRegistrationId(1))
        .unwrap()
        .unwrap();
    assert_eq!(record.worker_type, storage::WorkerType::Classic);
    drop(database);
    assert_second_open_is_a_no_op(&dir);
}

#[test]
fn a_worker_type_this_build_does_not_know_is_moved_aside_and_the_registration_kept() {
    let dir = TempDir::new().unwrap();
    Database::open(dir.path())
        .unwrap()
        .insert_service_worker(&new_registration("https://a.test/"))
        .unwrap();
    raw(&dir)
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             INSERT INTO service_worker_script_types VALUES (1, 'wasm');",
        )
        .unwrap();
    let database = Database::open(dir.path()).unwrap();
    assert!(
        database.repairs().iter().any(|repair| matches!(
            repair,
            Repair::RowMovedAside { table, .. } if *table == SCRIPT_TYPES
        )),
        "{:?}",
        database.repairs()
    );
    let records = database.service_workers().unwrap();
    assert_eq!(records.len(), 1, "the registration itself is kept");
    assert_eq!(records[0].worker_type, storage::WorkerType::Classic);
    assert_eq!(count(&raw(&dir), SCRIPT_TYPES), 0);
}
