//! The schema of the profile database and its forward migrations.
//!
//! `PRAGMA user_version` holds the schema version; 0 is a file with none of
//! our tables (a new file). Migration `n` takes version `n` to `n + 1`; they
//! only ever add, and run in one `BEGIN IMMEDIATE` transaction, so two
//! engines opening the same profile at once cannot both apply one, and a
//! crash mid-migration leaves the old version intact. A file with a version
//! newer than [`SCHEMA_VERSION`] is refused, not downgraded.
//!
//! Service-worker registration ids use `AUTOINCREMENT` so an id is never
//! reused: a stale id held by a content process must name nothing rather
//! than another origin's registration.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 2;

const LOG_TARGET: &str = "bgsync::storage";

/// `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [
    // 1: the service-worker registry.
    "CREATE TABLE service_worker_registrations (
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
         ON service_worker_registrations (origin);
     CREATE TABLE service_worker_imported_scripts (
         registration_id INTEGER NOT NULL
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         url TEXT NOT NULL,
         source BLOB NOT NULL,
         PRIMARY KEY (registration_id, url)
     ) WITHOUT ROWID;",
    // 2: background sync.
    "CREATE TABLE sync_registrations (
         registration_id INTEGER NOT NULL
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         tag TEXT NOT NULL,
         state TEXT NOT NULL CHECK (state IN
             ('pending', 'waiting', 'firing', 'reregistered-while-firing')),
         num_attempts INTEGER NOT NULL CHECK (num_attempts >= 0),
         max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
         delay_until_ms INTEGER CHECK (delay_until_ms >= 0),
         PRIMARY KEY (registration_id, tag)
     ) WITHOUT ROWID;",
];

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub(crate) enum SchemaError {
    TooNew { found: u32 },
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for SchemaError {
    fn from(error: rusqlite::Error) -> SchemaError {
        SchemaError::Sqlite(error)
    }
}

/// The schema version stored in the file.
pub(crate) fn user_version(connection: &Connection) -> rusqlite::Result<u32> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // user_version is a signed 32-bit header field; a negative one was not
    // written by us and reads as "newer than anything we know".
    Ok(u32::try_from(version).unwrap_or(u32::MAX))
}

/// Brings the schema to [`SCHEMA_VERSION`].
pub(crate) fn migrate(connection: &mut Connection) -> Result<(), SchemaError> {
    migrate_to(connection, SCHEMA_VERSION)
}

fn migrate_to(connection: &mut Connection, target: u32) -> Result<(), SchemaError> {
    // Fast path without the write lock: the usual open finds nothing to do.
    let found = user_version(connection)?;
    if found > SCHEMA_VERSION {
        return Err(SchemaError::TooNew { found });
    }
    if found >= target {
        return Ok(());
    }
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the lock: another connection may have migrated
    // between the check above and now.
    let found = user_version(&transaction)?;
    if found > SCHEMA_VERSION {
        return Err(SchemaError::TooNew { found });
    }
    for version in found..target {
        transaction.execute_batch(MIGRATIONS[version as usize])?;
    }
    if found < target {
        transaction.pragma_update(None, "user_version", target)?;
    }
    transaction.commit()?;
    if found < target {
        log::info!(target: LOG_TARGET, "migrated schema from version {found} to {target}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::*;
    use crate::{Database, ServiceWorkerRegistrationId, DATABASE_FILE_NAME};

    fn raw_connection(dir: &TempDir) -> Connection {
        let connection = Connection::open(dir.path().join(DATABASE_FILE_NAME)).unwrap();
        connection
            .pragma_update(None, "foreign_keys", true)
            .unwrap();
        connection
    }

    fn table_names(connection: &Connection) -> Vec<String> {
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        let names = statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        names
    }

    #[test]
    fn new_database_gets_every_table_and_the_current_version() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        assert_eq!(user_version(&connection).unwrap(), SCHEMA_VERSION);
        assert_eq!(
            table_names(&connection),
            [
                "service_worker_imported_scripts",
                "service_worker_registrations",
                "sqlite_sequence",
                "sync_registrations",
            ]
        );
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection).unwrap();
        migrate(&mut connection).unwrap();
        assert_eq!(user_version(&connection).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn version_0_file_with_other_tables_is_migrated_and_keeps_them() {
        let dir = TempDir::new().unwrap();
        {
            let connection = raw_connection(&dir);
            connection
                .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept');")
                .unwrap();
            assert_eq!(user_version(&connection).unwrap(), 0);
        }
        let database = Database::open(dir.path()).unwrap();
        assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
        let kept: String = database
            .connection()
            .query_row("SELECT text FROM notes", [], |row| row.get(0))
            .unwrap();
        assert_eq!(kept, "kept");
    }

    #[test]
    fn version_1_data_survives_migration_to_version_2() {
        let dir = TempDir::new().unwrap();
        {
            let mut connection = raw_connection(&dir);
            migrate_to(&mut connection, 1).unwrap();
            assert_eq!(user_version(&connection).unwrap(), 1);
            connection
                .execute(
                    "INSERT INTO service_worker_registrations (scope, script_url, origin, state,
                         script_source, update_via_cache, created_ms, updated_ms)
                     VALUES ('https://a.test/', 'https://a.test/sw.js', 'https://a.test',
                         'activated', x'00', 'imports', 1, 1)",
                    [],
                )
                .unwrap();
        }
        let mut database = Database::open(dir.path()).unwrap();
        assert_eq!(database.schema_version().unwrap(), 2);
        let records = database.service_workers().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].scope, "https://a.test/");
        // The new table works, including its foreign key to the old one.
        assert!(database
            .sync_registrations(records[0].id)
            .unwrap()
            .is_empty());
        assert!(database
            .delete_service_worker(ServiceWorkerRegistrationId(records[0].id.0))
            .unwrap());
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut connection),
            Err(SchemaError::TooNew { found }) if found == SCHEMA_VERSION + 1
        ));
    }
}
