//! The service-worker registry's tables: registrations and their scripts.
//!
//! Storage keeps what the registry gives it: URLs and origins are stored as
//! their serializations and not re-parsed here. The registry (in the
//! constellation) decides what a registration means; this module only makes
//! it survive a restart. Deleting a registration deletes its imported
//! scripts, its worker's type and its sync registrations through foreign keys.

use std::fmt;
use std::str::FromStr;

use base::id::ServiceWorkerRegistrationId;
use rusqlite::{params, OptionalExtension, Row};

use crate::database::Database;
use crate::error::StorageError;
use crate::values::{system_now_ms, u64_from_sql, u64_to_sql};

const TABLE: &str = "service_worker_registrations";

/// The side table of the workers' types (schema version 5).
const SCRIPT_TYPES: &str = "service_worker_script_types";

/// A registration's columns, then its worker's type: from the side table, where no row means
/// classic.
const COLUMNS: &str = "id, scope, script_url, origin, state, script_source, update_via_cache, \
                       created_ms, updated_ms, last_update_check_ms, \
                       coalesce(types.worker_type, 'classic')";

/// The registrations with their workers' types.
const FROM: &str = "service_worker_registrations AS registrations \
                    LEFT JOIN service_worker_script_types AS types \
                    ON types.registration_id = registrations.id";

/// [`COLUMNS`] and [`FROM`] for a file without the side table (a read-only open of a version-4
/// file): every worker is classic.
const COLUMNS_BEFORE_TYPES: &str = "id, scope, script_url, origin, state, script_source, \
                                    update_via_cache, created_ms, updated_ms, \
                                    last_update_check_ms, 'classic'";
const FROM_BEFORE_TYPES: &str = "service_worker_registrations AS registrations";

/// The registrations table's columns that hold enum names, with every name
/// this build reads: a row with another one is moved aside at open (see
/// [`crate::schema`]).
pub(crate) fn enum_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "state",
            ServiceWorkerState::ALL
                .iter()
                .map(|state| state.as_str())
                .collect(),
        ),
        (
            "update_via_cache",
            UpdateViaCache::ALL
                .iter()
                .map(|value| value.as_str())
                .collect(),
        ),
    ]
}

/// The state of a registration's stored worker
/// (<https://w3c.github.io/ServiceWorker/#dfn-state>, without `parsed`,
/// which is never stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceWorkerState {
    Installing,
    Installed,
    Activating,
    Activated,
    Redundant,
}

impl ServiceWorkerState {
    pub const ALL: [ServiceWorkerState; 5] = [
        ServiceWorkerState::Installing,
        ServiceWorkerState::Installed,
        ServiceWorkerState::Activating,
        ServiceWorkerState::Activated,
        ServiceWorkerState::Redundant,
    ];

    /// The spec's name, which is also the stored one.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceWorkerState::Installing => "installing",
            ServiceWorkerState::Installed => "installed",
            ServiceWorkerState::Activating => "activating",
            ServiceWorkerState::Activated => "activated",
            ServiceWorkerState::Redundant => "redundant",
        }
    }
}

/// <https://w3c.github.io/ServiceWorker/#dfn-update-via-cache>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UpdateViaCache {
    #[default]
    Imports,
    All,
    None,
}

impl UpdateViaCache {
    pub const ALL: [UpdateViaCache; 3] = [
        UpdateViaCache::Imports,
        UpdateViaCache::All,
        UpdateViaCache::None,
    ];

    /// The Web IDL enum value, which is also the stored one.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateViaCache::Imports => "imports",
            UpdateViaCache::All => "all",
            UpdateViaCache::None => "none",
        }
    }
}

/// <https://w3c.github.io/ServiceWorker/#dfn-type>: how the stored worker's main script runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WorkerType {
    #[default]
    Classic,
    Module,
}

impl WorkerType {
    pub const ALL: [WorkerType; 2] = [WorkerType::Classic, WorkerType::Module];

    /// The Web IDL enum value, which is also the stored one.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerType::Classic => "classic",
            WorkerType::Module => "module",
        }
    }
}

/// The script-types table's enum column, with every name this build reads.
pub(crate) fn type_enum_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![(
        "worker_type",
        WorkerType::ALL.iter().map(|value| value.as_str()).collect(),
    )]
}

/// A registration to insert; the database assigns the id and timestamps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewServiceWorkerRegistration {
    /// The scope URL, serialized; unique among registrations.
    pub scope: String,
    pub script_url: String,
    /// The ASCII serialization of the scope's origin.
    pub origin: String,
    pub state: ServiceWorkerState,
    /// The worker's main script, as fetched.
    pub script_source: Vec<u8>,
    pub update_via_cache: UpdateViaCache,
    pub worker_type: WorkerType,
}

/// A stored registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceWorkerRecord {
    pub id: ServiceWorkerRegistrationId,
    pub scope: String,
    pub script_url: String,
    pub origin: String,
    pub state: ServiceWorkerState,
    pub script_source: Vec<u8>,
    pub update_via_cache: UpdateViaCache,
    pub worker_type: WorkerType,
    /// When the row was inserted, in ms since the Unix epoch (system clock).
    pub created_ms: u64,
    /// When the row last changed, in ms since the Unix epoch (system clock).
    pub updated_ms: u64,
    /// When the registry last checked for an updated script, if ever.
    pub last_update_check_ms: Option<u64>,
}

/// A script the worker loaded with `importScripts()`, stored so the worker
/// can start offline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedScript {
    pub url: String,
    pub source: Vec<u8>,
}

impl Database {
    /// Stores a new registration and returns its id (never one used before
    /// in this file).
    pub fn insert_service_worker(
        &mut self,
        registration: &NewServiceWorkerRegistration,
    ) -> Result<ServiceWorkerRegistrationId, StorageError> {
        let now = u64_to_sql(system_now_ms(), "created_ms")?;
        let transaction = self.connection_mut().transaction()?;
        let result = transaction.execute(
            "INSERT INTO service_worker_registrations (scope, script_url, origin, state,
                 script_source, update_via_cache, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                registration.scope,
                registration.script_url,
                registration.origin,
                registration.state.as_str(),
                registration.script_source,
                registration.update_via_cache.as_str(),
                now,
            ],
        );
        match result {
            Ok(_) => {
                let id = ServiceWorkerRegistrationId(transaction.last_insert_rowid());
                set_worker_type(&transaction, id, registration.worker_type)?;
                transaction.commit()?;
                Ok(id)
            }
            Err(error)
                if error.sqlite_extended_error_code()
                    == Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) =>
            {
                Err(StorageError::DuplicateScope(registration.scope.clone()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The registration with this id, if it exists.
    pub fn service_worker(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<Option<ServiceWorkerRecord>, StorageError> {
        let sql = format!(
            "{} WHERE registrations.id = ?1",
            self.registration_select()?
        );
        self.connection()
            .query_row(&sql, [id.0], read_raw)
            .optional()?
            .map(RawRecord::into_record)
            .transpose()
    }

    /// The registration with exactly this scope, if it exists.
    pub fn service_worker_by_scope(
        &self,
        scope: &str,
    ) -> Result<Option<ServiceWorkerRecord>, StorageError> {
        let sql = format!("{} WHERE scope = ?1", self.registration_select()?);
        self.connection()
            .query_row(&sql, [scope], read_raw)
            .optional()?
            .map(RawRecord::into_record)
            .transpose()
    }

    /// Every registration, oldest first: what the registry loads at start.
    /// A row this build cannot read fails the read, or on a read-only
    /// database is skipped (see [`Database::open_read_only`]).
    pub fn service_workers(&self) -> Result<Vec<ServiceWorkerRecord>, StorageError> {
        let sql = format!("{} ORDER BY registrations.id", self.registration_select()?);
        let mut statement = self.connection().prepare(&sql)?;
        let rows = statement.query_map([], read_raw)?;
        self.readable_rows(TABLE, rows.map(|raw| raw?.into_record()))
    }

    /// The start of every registration read: [`COLUMNS`] from [`FROM`], or their version
    /// without the worker types where their table does not exist.
    fn registration_select(&self) -> Result<String, StorageError> {
        Ok(if self.has_table(SCRIPT_TYPES)? {
            format!("SELECT {COLUMNS} FROM {FROM}")
        } else {
            format!("SELECT {COLUMNS_BEFORE_TYPES} FROM {FROM_BEFORE_TYPES}")
        })
    }

    /// Records a new state of the stored worker.
    pub fn set_service_worker_state(
        &mut self,
        id: ServiceWorkerRegistrationId,
        state: ServiceWorkerState,
    ) -> Result<(), StorageError> {
        let now = u64_to_sql(system_now_ms(), "updated_ms")?;
        let changed = self.connection().execute(
            "UPDATE service_worker_registrations SET state = ?2, updated_ms = ?3 WHERE id = ?1",
            params![id.0, state.as_str(), now],
        )?;
        expect_one_row(changed, id)
    }

    /// Records when the registry last checked for an update.
    pub fn set_last_update_check(
        &mut self,
        id: ServiceWorkerRegistrationId,
        at_ms: u64,
    ) -> Result<(), StorageError> {
        let at = u64_to_sql(at_ms, "last_update_check_ms")?;
        let changed = self.connection().execute(
            "UPDATE service_worker_registrations SET last_update_check_ms = ?2 WHERE id = ?1",
            params![id.0, at],
        )?;
        expect_one_row(changed, id)
    }

    /// Replaces the worker's script (an update) and its imported scripts,
    /// in one transaction: a reader never sees the new main script with the
    /// old imports.
    pub fn replace_service_worker_script(
        &mut self,
        id: ServiceWorkerRegistrationId,
        script_url: &str,
        worker_type: WorkerType,
        script_source: &[u8],
        imported_scripts: &[ImportedScript],
        router_rules: Option<&str>,
    ) -> Result<(), StorageError> {
        let now = u64_to_sql(system_now_ms(), "updated_ms")?;
        let transaction = self.connection_mut().transaction()?;
        let changed = transaction.execute(
            "UPDATE service_worker_registrations
             SET script_url = ?2, script_source = ?3, updated_ms = ?4 WHERE id = ?1",
            params![id.0, script_url, script_source, now],
        )?;
        expect_one_row(changed, id)?;
        set_worker_type(&transaction, id, worker_type)?;
        set_router_rules(&transaction, id, router_rules)?;
        transaction.execute(
            "DELETE FROM service_worker_imported_scripts WHERE registration_id = ?1",
            [id.0],
        )?;
        // What the old script handled says nothing of the new one.
        transaction.execute(
            "DELETE FROM service_worker_event_types WHERE registration_id = ?1",
            [id.0],
        )?;
        for script in imported_scripts {
            transaction.execute(
                "INSERT INTO service_worker_imported_scripts (registration_id, url, source)
                 VALUES (?1, ?2, ?3)",
                params![id.0, script.url, script.source],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Records whether the registration's stored worker's script added a `fetch` listener
    /// when it ran.
    pub fn set_handles_fetch(
        &mut self,
        id: ServiceWorkerRegistrationId,
        handles_fetch: bool,
    ) -> Result<(), StorageError> {
        self.connection()
            .execute(
                "INSERT INTO service_worker_event_types (registration_id, handles_fetch)
                 VALUES (?1, ?2)
                 ON CONFLICT (registration_id) DO UPDATE SET handles_fetch = excluded.handles_fetch",
                params![id.0, handles_fetch],
            )
            .map_err(|error| foreign_key_error(error, id))?;
        Ok(())
    }

    /// Whether the registration's stored worker handles `fetch`, if its script ran since it
    /// was stored.
    pub fn handles_fetch(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<Option<bool>, StorageError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT handles_fetch FROM service_worker_event_types WHERE registration_id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Records the registration's navigation preload: enabled or not, and the header value.
    pub fn set_navigation_preload(
        &mut self,
        id: ServiceWorkerRegistrationId,
        enabled: bool,
        header_value: &str,
    ) -> Result<(), StorageError> {
        self.connection()
            .execute(
                "INSERT INTO service_worker_navigation_preload (registration_id, enabled, header_value)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (registration_id) DO UPDATE
                 SET enabled = excluded.enabled, header_value = excluded.header_value",
                params![id.0, enabled, header_value],
            )
            .map_err(|error| foreign_key_error(error, id))?;
        Ok(())
    }

    /// The registration's navigation preload (enabled, header value), if it was ever set.
    pub fn navigation_preload(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<Option<(bool, String)>, StorageError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT enabled, header_value FROM service_worker_navigation_preload
                 WHERE registration_id = ?1",
                [id.0],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Records the router rules of the registration's stored worker (JSON the registry
    /// reads back; `None`: none).
    pub fn set_router_rules(
        &mut self,
        id: ServiceWorkerRegistrationId,
        rules: Option<&str>,
    ) -> Result<(), StorageError> {
        set_router_rules(self.connection(), id, rules)
    }

    /// The router rules of the registration's stored worker, as written.
    pub fn router_rules(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<Option<String>, StorageError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT rules FROM service_worker_router_rules WHERE registration_id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Stores (or replaces) one imported script of the registration.
    pub fn put_imported_script(
        &mut self,
        id: ServiceWorkerRegistrationId,
        script: &ImportedScript,
    ) -> Result<(), StorageError> {
        self.connection()
            .execute(
                "INSERT INTO service_worker_imported_scripts (registration_id, url, source)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (registration_id, url) DO UPDATE SET source = excluded.source",
                params![id.0, script.url, script.source],
            )
            .map_err(|error| foreign_key_error(error, id))?;
        Ok(())
    }

    /// The registration's imported scripts, by URL.
    pub fn imported_scripts(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<Vec<ImportedScript>, StorageError> {
        let mut statement = self.connection().prepare(
            "SELECT url, source FROM service_worker_imported_scripts
             WHERE registration_id = ?1 ORDER BY url",
        )?;
        let rows = statement.query_map([id.0], |row| {
            Ok(ImportedScript {
                url: row.get(0)?,
                source: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes the registration with its imported scripts, its worker's type
    /// and its sync registrations. Returns whether it existed.
    pub fn delete_service_worker(
        &mut self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<bool, StorageError> {
        let deleted = self.connection().execute(
            "DELETE FROM service_worker_registrations WHERE id = ?1",
            [id.0],
        )?;
        Ok(deleted > 0)
    }

    /// Deletes every registration of `origin` (clearing its site data) and
    /// returns their ids, so in-memory owners can forget them too.
    pub fn delete_service_workers_of_origin(
        &mut self,
        origin: &str,
    ) -> Result<Vec<ServiceWorkerRegistrationId>, StorageError> {
        let transaction = self.connection_mut().transaction()?;
        let ids = {
            let mut statement = transaction.prepare(
                "DELETE FROM service_worker_registrations WHERE origin = ?1 RETURNING id",
            )?;
            let rows = statement.query_map([origin], |row| row.get::<_, i64>(0))?;
            let mut ids = rows
                .map(|id| id.map(ServiceWorkerRegistrationId))
                .collect::<Result<Vec<_>, _>>()?;
            ids.sort();
            ids
        };
        transaction.commit()?;
        Ok(ids)
    }
}

/// Records the stored worker's router rules (`None`: it has none).
fn set_router_rules(
    connection: &rusqlite::Connection,
    id: ServiceWorkerRegistrationId,
    rules: Option<&str>,
) -> Result<(), StorageError> {
    match rules {
        None => connection.execute(
            "DELETE FROM service_worker_router_rules WHERE registration_id = ?1",
            [id.0],
        )?,
        Some(rules) => connection
            .execute(
                "INSERT INTO service_worker_router_rules (registration_id, rules) VALUES (?1, ?2)
                 ON CONFLICT (registration_id) DO UPDATE SET rules = excluded.rules",
                params![id.0, rules],
            )
            .map_err(|error| foreign_key_error(error, id))?,
    };
    Ok(())
}

/// Records the stored worker's type: a row for a module worker, none for a classic one (what
/// no row means).
fn set_worker_type(
    connection: &rusqlite::Connection,
    id: ServiceWorkerRegistrationId,
    worker_type: WorkerType,
) -> Result<(), StorageError> {
    match worker_type {
        WorkerType::Classic => connection.execute(
            "DELETE FROM service_worker_script_types WHERE registration_id = ?1",
            [id.0],
        )?,
        WorkerType::Module => connection
            .execute(
                "INSERT INTO service_worker_script_types (registration_id, worker_type)
                 VALUES (?1, ?2)
                 ON CONFLICT (registration_id) DO UPDATE SET worker_type = excluded.worker_type",
                params![id.0, worker_type.as_str()],
            )
            .map_err(|error| foreign_key_error(error, id))?,
    };
    Ok(())
}

/// Maps a foreign-key violation on `registration_id` to a typed error.
pub(crate) fn foreign_key_error(
    error: rusqlite::Error,
    id: ServiceWorkerRegistrationId,
) -> StorageError {
    if error.sqlite_extended_error_code() == Some(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY) {
        StorageError::UnknownServiceWorkerRegistration(id)
    } else {
        StorageError::Sqlite(error)
    }
}

fn expect_one_row(changed: usize, id: ServiceWorkerRegistrationId) -> Result<(), StorageError> {
    if changed == 0 {
        Err(StorageError::UnknownServiceWorkerRegistration(id))
    } else {
        Ok(())
    }
}

/// A row as SQLite gives it, before its text columns are checked.
struct RawRecord {
    id: i64,
    scope: String,
    script_url: String,
    origin: String,
    state: String,
    script_source: Vec<u8>,
    update_via_cache: String,
    created_ms: i64,
    updated_ms: i64,
    last_update_check_ms: Option<i64>,
    worker_type: String,
}

fn read_raw(row: &Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        id: row.get(0)?,
        scope: row.get(1)?,
        script_url: row.get(2)?,
        origin: row.get(3)?,
        state: row.get(4)?,
        script_source: row.get(5)?,
        update_via_cache: row.get(6)?,
        created_ms: row.get(7)?,
        updated_ms: row.get(8)?,
        last_update_check_ms: row.get(9)?,
        worker_type: row.get(10)?,
    })
}

impl RawRecord {
    fn into_record(self) -> Result<ServiceWorkerRecord, StorageError> {
        Ok(ServiceWorkerRecord {
            id: ServiceWorkerRegistrationId(self.id),
            scope: self.scope,
            script_url: self.script_url,
            origin: self.origin,
            state: parse_column(&self.state, "state")?,
            script_source: self.script_source,
            update_via_cache: parse_column(&self.update_via_cache, "update_via_cache")?,
            worker_type: parse_column(&self.worker_type, "worker_type")?,
            created_ms: u64_from_sql(self.created_ms, TABLE, "created_ms")?,
            updated_ms: u64_from_sql(self.updated_ms, TABLE, "updated_ms")?,
            last_update_check_ms: self
                .last_update_check_ms
                .map(|at| u64_from_sql(at, TABLE, "last_update_check_ms"))
                .transpose()?,
        })
    }
}

fn parse_column<T: FromStr>(text: &str, column: &str) -> Result<T, StorageError> {
    text.parse().map_err(|_| StorageError::InvalidRow {
        table: TABLE,
        detail: format!("{column} is {text:?}"),
    })
}

/// A stored name that is no variant of the enum it should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown name {0:?}")]
pub struct UnknownName(pub String);

impl FromStr for ServiceWorkerState {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<ServiceWorkerState, UnknownName> {
        ServiceWorkerState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownName(text.to_owned()))
    }
}

impl FromStr for UpdateViaCache {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<UpdateViaCache, UnknownName> {
        UpdateViaCache::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
            .ok_or_else(|| UnknownName(text.to_owned()))
    }
}

impl FromStr for WorkerType {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<WorkerType, UnknownName> {
        WorkerType::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
            .ok_or_else(|| UnknownName(text.to_owned()))
    }
}

impl fmt::Display for ServiceWorkerState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}
