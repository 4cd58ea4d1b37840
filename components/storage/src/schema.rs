//! The schema of the profile database, its forward migrations, and the
//! repairs that bring a file written by another build back to this one.
//!
//! `PRAGMA user_version` holds the schema version; 0 is a file with none of
//! our tables (a new file). Migration `n` takes version `n` to `n + 1`; they
//! only ever add, and run in one `BEGIN IMMEDIATE` transaction, so two
//! engines opening the same profile at once cannot both apply one, and a
//! crash mid-migration leaves the old version intact. A file with a version
//! newer than [`SCHEMA_VERSION`] is refused, not downgraded (and not
//! repaired: its tables are another build's business).
//!
//! Service-worker registration ids use `AUTOINCREMENT` so an id is never
//! reused: a stale id held by a content process must name nothing rather
//! than another origin's registration.
//!
//! # Repairs
//!
//! A version number says which tables *should* exist; a file edited by hand
//! or by another build can disagree, and then every later query failed on
//! every run. [`crate::Database::open`] therefore repairs what it can, logs a
//! warning (target `bgsync::storage`) and records a [`Repair`] for each
//! change; nothing is ever deleted:
//!
//! - **Lost version.** `user_version` is 0 but tables of ours exist: the
//!   version is taken to be the highest `n` whose migrations' tables all
//!   exist, and migration goes on from there. Every `CREATE` is
//!   `IF NOT EXISTS`, so a later migration's table that exists already is
//!   kept (and checked below). The inference looks at tables only: a future
//!   migration that alters a table must extend [`infer_version`].
//! - **Missing table** (the version says it exists): created empty.
//! - **Missing column.** Each table's `PRAGMA table_info` is compared with
//!   this build's (built from [`TABLES`] in memory). A missing column that
//!   is NULLable, or NOT NULL with a sensible default (`update_via_cache`:
//!   `'imports'`, the spec's default), is added back with `ALTER TABLE ...
//!   ADD COLUMN`, with its type and CHECK.
//! - **Unrepairable shape**: a missing NOT NULL column without a default, a
//!   column of another type affinity, another primary key, a NOT NULL where
//!   we write NULL, an extra NOT NULL column without a default, other
//!   UNIQUE constraints, or a foreign key we do not have. The table is
//!   renamed to `<table>_broken_<unix seconds>` (with `_<n>` added if that
//!   name is taken), keeping every row for a human, and recreated empty from
//!   this build's schema. Missing CHECK, NOT NULL or foreign-key
//!   constraints are tolerated: the row checks below cover what they guard.
//! - **Missing index**: built.
//! - **Unknown rows.** A row whose enum column (a state, `update_via_cache`,
//!   a worker type) holds a name this build does not know, or whose
//!   service-worker registration does not exist (its parent was moved aside,
//!   or the table had no foreign key), is copied to `<table>_broken_rows`
//!   (the same columns without types or constraints, so values are kept as
//!   they were, plus `moved_ms`) and deleted from the table. A worker type
//!   moved aside leaves its registration classic (what no row means).
//!
//! The checks first run without a lock, and a healthy file (the usual case)
//! is only read. Otherwise the repairs run in one `BEGIN IMMEDIATE`
//! transaction that checks again under the lock, so two engines repairing
//! at once do it once. Foreign keys are off meanwhile and
//! `legacy_alter_table` on: renaming a table must neither cascade deletes
//! nor rewrite the other tables' `REFERENCES` to point at the broken copy.
//! A repair that fails is rolled back and logged, and the file is used as it
//! is. A row that still cannot be read (a negative time, a count past
//! `u32`) fails its read as before. A row that breaks only a CHECK constraint
//! of its table is reported by `quick_check` without the file being taken
//! for corrupt (see [`crate::database`]); the row checks above move it aside
//! where they cover that constraint.

use std::collections::BTreeSet;
use std::fmt;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::values::system_now_ms;
use crate::{service_workers, sync_registrations};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 5;

/// The oldest schema version [`crate::Database::open_read_only`] reads as it
/// is (it may not migrate): the versions since add only tables where no row
/// means a default, so their readers work without them. Version 5's
/// `service_worker_script_types` is read as every worker classic; see
/// [`has_table`].
pub(crate) const OLDEST_READ_ONLY_VERSION: u32 = 4;

const LOG_TARGET: &str = "bgsync::storage";

/// The registrations table: the parent of the others' foreign keys.
const SERVICE_WORKER_REGISTRATIONS: &str =
    "CREATE TABLE IF NOT EXISTS service_worker_registrations (
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
     )";

/// Clearing an origin's site data finds its registrations by origin.
const SERVICE_WORKER_REGISTRATIONS_BY_ORIGIN: &str =
    "CREATE INDEX IF NOT EXISTS service_worker_registrations_by_origin
         ON service_worker_registrations (origin)";

const SERVICE_WORKER_IMPORTED_SCRIPTS: &str =
    "CREATE TABLE IF NOT EXISTS service_worker_imported_scripts (
         registration_id INTEGER NOT NULL
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         url TEXT NOT NULL,
         source BLOB NOT NULL,
         PRIMARY KEY (registration_id, url)
     ) WITHOUT ROWID";

const SYNC_REGISTRATIONS: &str = "CREATE TABLE IF NOT EXISTS sync_registrations (
         registration_id INTEGER NOT NULL
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         tag TEXT NOT NULL,
         state TEXT NOT NULL CHECK (state IN
             ('pending', 'waiting', 'firing', 'reregistered-while-firing')),
         num_attempts INTEGER NOT NULL CHECK (num_attempts >= 0),
         max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
         delay_until_ms INTEGER CHECK (delay_until_ms >= 0),
         PRIMARY KEY (registration_id, tag)
     ) WITHOUT ROWID";

/// What the registration's stored worker's script handles, learned when it first ran: the
/// spec's set of event types to handle. Only `fetch` matters (a worker without a `fetch`
/// listener is not started for fetches). No row: not known yet (the script has not run since
/// it was stored); a new script deletes the row.
const SERVICE_WORKER_EVENT_TYPES: &str = "CREATE TABLE IF NOT EXISTS service_worker_event_types (
         registration_id INTEGER PRIMARY KEY
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         handles_fetch INTEGER NOT NULL CHECK (handles_fetch IN (0, 1))
     )";

/// A registration's navigation preload
/// (https://w3c.github.io/ServiceWorker/#service-worker-registration-navigation-preload-enabled-flag):
/// whether it is enabled, and the `Service-Worker-Navigation-Preload` header's value. No row:
/// disabled, with the value `true` (the spec's defaults).
const SERVICE_WORKER_NAVIGATION_PRELOAD: &str =
    "CREATE TABLE IF NOT EXISTS service_worker_navigation_preload (
         registration_id INTEGER PRIMARY KEY
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
         header_value TEXT NOT NULL
     )";

/// The type of a registration's stored worker (https://w3c.github.io/ServiceWorker/#dfn-type),
/// written with its script. No row: `classic` (every registration stored before version 5).
const SERVICE_WORKER_SCRIPT_TYPES: &str = "CREATE TABLE IF NOT EXISTS service_worker_script_types (
         registration_id INTEGER PRIMARY KEY
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         worker_type TEXT NOT NULL CHECK (worker_type IN ('classic', 'module'))
     )";

/// The router rules of a registration's stored worker
/// (https://w3c.github.io/ServiceWorker/#service-worker-list-of-router-rules), added by its
/// `install` event's `addRoutes()`: JSON the registry writes and reads (storage does not look
/// inside). No row: no rules. A new script replaces the row.
const SERVICE_WORKER_ROUTER_RULES: &str = "CREATE TABLE IF NOT EXISTS service_worker_router_rules (
         registration_id INTEGER PRIMARY KEY
             REFERENCES service_worker_registrations (id) ON DELETE CASCADE,
         rules TEXT NOT NULL
     )";

/// `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`. Its
/// statements never change once released; every `CREATE` is
/// `IF NOT EXISTS`, so a table that exists already (a lost version) is kept.
const MIGRATIONS: [&[&str]; SCHEMA_VERSION as usize] = [
    // 1: the service-worker registry.
    &[
        SERVICE_WORKER_REGISTRATIONS,
        SERVICE_WORKER_REGISTRATIONS_BY_ORIGIN,
        SERVICE_WORKER_IMPORTED_SCRIPTS,
    ],
    // 2: background sync.
    &[SYNC_REGISTRATIONS],
    // 3: the event types a stored worker handles.
    &[SERVICE_WORKER_EVENT_TYPES],
    // 4: navigation preload.
    &[SERVICE_WORKER_NAVIGATION_PRELOAD],
    // 5: module service workers, and the static routing API's router rules.
    &[SERVICE_WORKER_SCRIPT_TYPES, SERVICE_WORKER_ROUTER_RULES],
];

/// One of our tables as this build expects it, to check and repair a file
/// against.
struct Table {
    name: &'static str,
    /// The first schema version that has it (migration `since - 1` creates
    /// it).
    since: u32,
    /// Its current definition with its indexes, all `IF NOT EXISTS`: what a
    /// missing or moved-aside table is recreated from. Today the same
    /// statements as its migration; a migration that alters the table must
    /// update this too (a test compares the two).
    create: &'static [&'static str],
    /// Columns that `ALTER TABLE ADD COLUMN` can restore, with the
    /// definition that does (the type and CHECK of `create`): NULLable ones,
    /// or NOT NULL ones with a default every old row may take.
    addable: &'static [(&'static str, &'static str)],
}

/// Every table of ours, parents before children.
const TABLES: [Table; 7] = [
    Table {
        name: "service_worker_registrations",
        since: 1,
        create: &[
            SERVICE_WORKER_REGISTRATIONS,
            SERVICE_WORKER_REGISTRATIONS_BY_ORIGIN,
        ],
        addable: &[
            (
                "update_via_cache",
                "update_via_cache TEXT NOT NULL DEFAULT 'imports'
                     CHECK (update_via_cache IN ('imports', 'all', 'none'))",
            ),
            ("last_update_check_ms", "last_update_check_ms INTEGER"),
        ],
    },
    Table {
        name: "service_worker_imported_scripts",
        since: 1,
        create: &[SERVICE_WORKER_IMPORTED_SCRIPTS],
        addable: &[],
    },
    Table {
        name: "sync_registrations",
        since: 2,
        create: &[SYNC_REGISTRATIONS],
        addable: &[(
            "delay_until_ms",
            "delay_until_ms INTEGER CHECK (delay_until_ms >= 0)",
        )],
    },
    Table {
        name: "service_worker_event_types",
        since: 3,
        create: &[SERVICE_WORKER_EVENT_TYPES],
        addable: &[],
    },
    Table {
        name: "service_worker_navigation_preload",
        since: 4,
        create: &[SERVICE_WORKER_NAVIGATION_PRELOAD],
        addable: &[],
    },
    Table {
        name: "service_worker_script_types",
        since: 5,
        create: &[SERVICE_WORKER_SCRIPT_TYPES],
        addable: &[],
    },
    Table {
        name: "service_worker_router_rules",
        since: 5,
        create: &[SERVICE_WORKER_ROUTER_RULES],
        addable: &[],
    },
];

/// A change [`crate::Database::open`] made because the file did not match
/// this build's schema (see the [module docs](self)). Each is also logged as
/// a warning with target `bgsync::storage`; none deletes data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repair {
    /// `user_version` was 0 although these tables of ours existed (the
    /// version was lost): the file was taken to be at `version`, the newest
    /// whose tables all exist, and migrated on from there.
    VersionInferred {
        version: u32,
        tables: Vec<&'static str>,
    },
    /// A table the version says exists was missing; it was created empty.
    TableCreated { table: &'static str },
    /// A column the table lacked was added: NULL (or its default) in every
    /// existing row.
    ColumnAdded {
        table: &'static str,
        column: &'static str,
    },
    /// An index of ours was missing and was built.
    IndexCreated { table: &'static str, index: String },
    /// The table's shape could not be repaired (`problems`): it was renamed
    /// to `moved_to` with all its rows, and an empty table of this build's
    /// shape took its name.
    TableMovedAside {
        table: &'static str,
        moved_to: String,
        problems: Vec<String>,
    },
    /// A row this build cannot use (`reason`) was copied to `moved_to` (the
    /// table's `_broken_rows` side table) and deleted from the table. `key`
    /// names it by its primary key.
    RowMovedAside {
        table: &'static str,
        moved_to: String,
        key: String,
        reason: String,
    },
}

impl fmt::Display for Repair {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::VersionInferred { version, tables } => write!(
                formatter,
                "schema version was 0 although tables {} exist: continuing as version {version}",
                tables.join(", ")
            ),
            Repair::TableCreated { table } => {
                write!(formatter, "table {table} was missing: created it empty")
            }
            Repair::ColumnAdded { table, column } => {
                write!(formatter, "table {table} lacked column {column}: added it")
            }
            Repair::IndexCreated { table, index } => {
                write!(formatter, "table {table} lacked index {index}: built it")
            }
            Repair::TableMovedAside {
                table,
                moved_to,
                problems,
            } => write!(
                formatter,
                "table {table} cannot be repaired ({}): renamed it to {moved_to} with its rows \
                 and created an empty {table}",
                problems.join("; ")
            ),
            Repair::RowMovedAside {
                table,
                moved_to,
                key,
                reason,
            } => write!(
                formatter,
                "row ({key}) of {table} cannot be used ({reason}): moved it to {moved_to}"
            ),
        }
    }
}

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

/// Brings the schema to [`SCHEMA_VERSION`]. Returns
/// [`Repair::VersionInferred`] if the file's version was lost.
pub(crate) fn migrate(connection: &mut Connection) -> Result<Vec<Repair>, SchemaError> {
    migrate_to(connection, SCHEMA_VERSION)
}

fn migrate_to(connection: &mut Connection, target: u32) -> Result<Vec<Repair>, SchemaError> {
    // Fast path without the write lock: the usual open finds nothing to do.
    let found = user_version(connection)?;
    if found > SCHEMA_VERSION {
        return Err(SchemaError::TooNew { found });
    }
    if found >= target {
        return Ok(Vec::new());
    }
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the lock: another connection may have migrated
    // between the check above and now.
    let stored = user_version(&transaction)?;
    if stored > SCHEMA_VERSION {
        return Err(SchemaError::TooNew { found: stored });
    }
    let mut repairs = Vec::new();
    let mut found = stored;
    if found == 0 {
        if let Some(repair) = infer_version(&transaction)? {
            if let Repair::VersionInferred { version, .. } = &repair {
                found = *version;
            }
            repairs.push(repair);
        }
    }
    for version in found..target {
        for statement in MIGRATIONS[version as usize] {
            transaction.execute_batch(statement)?;
        }
    }
    let new_version = found.max(target);
    if new_version != stored {
        transaction.pragma_update(None, "user_version", new_version)?;
    }
    transaction.commit()?;
    for repair in &repairs {
        log::warn!(target: LOG_TARGET, "{repair}");
    }
    if found < target {
        log::info!(target: LOG_TARGET, "migrated schema from version {found} to {target}");
    }
    Ok(repairs)
}

/// For a file at version 0: if tables of ours exist, the version was lost
/// (a new file has none), and it is the highest `n` such that every table
/// of the migrations before `n` exists. Tables of later migrations that
/// exist too are kept by their `IF NOT EXISTS` and checked by [`repair`].
fn infer_version(connection: &Connection) -> rusqlite::Result<Option<Repair>> {
    let mut existing = Vec::new();
    for table in &TABLES {
        if table_exists(connection, table.name)? {
            existing.push(table.name);
        }
    }
    if existing.is_empty() {
        return Ok(None);
    }
    let version = (0..=SCHEMA_VERSION)
        .take_while(|&version| {
            TABLES
                .iter()
                .filter(|table| table.since <= version)
                .all(|table| existing.contains(&table.name))
        })
        .last()
        .unwrap_or(0);
    Ok(Some(Repair::VersionInferred {
        version,
        tables: existing,
    }))
}

/// Checks a migrated file against this build's tables and rows, and
/// repairs what differs (see the module docs). Returns what was repaired;
/// a repair that fails is rolled back, logged, and reported as nothing
/// repaired. An error means the connection could not be set back to its
/// normal settings (foreign keys on) and must not be used.
pub(crate) fn repair(connection: &mut Connection) -> rusqlite::Result<Vec<Repair>> {
    let needed = reference().and_then(|reference| {
        Ok(!inspect_tables(connection, &reference)?.is_empty() || has_unusable_rows(connection)?)
    });
    match needed {
        Ok(false) => return Ok(Vec::new()),
        Ok(true) => {}
        Err(error) => {
            log::error!(target: LOG_TARGET, "cannot check the schema ({error}); using the file as it is");
            return Ok(Vec::new());
        }
    }
    // Neither can change inside a transaction.
    connection.pragma_update(None, "foreign_keys", false)?;
    connection.pragma_update(None, "legacy_alter_table", true)?;
    let repaired = repair_under_lock(connection);
    connection.pragma_update(None, "legacy_alter_table", false)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    match repaired {
        Ok(repairs) => {
            for repair in &repairs {
                log::warn!(target: LOG_TARGET, "{repair}");
            }
            Ok(repairs)
        }
        Err(error) => {
            log::error!(
                target: LOG_TARGET,
                "repairing the schema failed ({error}); nothing was changed and the file is used \
                 as it is"
            );
            Ok(Vec::new())
        }
    }
}

/// What differs from this build's tables, for a read-only open of a file at
/// schema `version` to report (it may not repair): one line per table that
/// would be created, changed or moved aside. A missing index is not
/// reported: reading works without. Neither is a missing table newer than
/// `version` (see [`OLDEST_READ_ONLY_VERSION`]).
pub(crate) fn shape_problems(
    connection: &Connection,
    version: u32,
) -> rusqlite::Result<Vec<String>> {
    let reference = reference()?;
    let mut problems = Vec::new();
    for plan in inspect_tables(connection, &reference)? {
        let name = plan.table.name;
        if plan.missing && plan.table.since > version {
            continue;
        }
        if plan.missing {
            problems.push(format!("table {name} is missing"));
        }
        for (column, _) in &plan.add {
            problems.push(format!("table {name} lacks column {column}"));
        }
        for problem in &plan.problems {
            problems.push(format!("table {name}: {problem}"));
        }
    }
    Ok(problems)
}

fn repair_under_lock(connection: &mut Connection) -> rusqlite::Result<Vec<Repair>> {
    let reference = reference()?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut repairs = Vec::new();
    // Checked again under the lock: another engine may have repaired it.
    for plan in inspect_tables(&transaction, &reference)? {
        apply(&transaction, &reference, &plan, &mut repairs)?;
    }
    // After the tables: a parent table moved aside leaves its children's
    // rows without a registration.
    let now = i64::try_from(system_now_ms()).unwrap_or(i64::MAX);
    for check in row_checks() {
        move_unusable_rows(&transaction, &check, now, &mut repairs)?;
    }
    transaction.commit()?;
    Ok(repairs)
}

/// A database in memory with this build's tables: what a file is compared
/// with, so the schema is written down once.
fn reference() -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    for table in &TABLES {
        for statement in table.create {
            connection.execute_batch(statement)?;
        }
    }
    Ok(connection)
}

/// What is wrong with one table of the file, and so what to do.
struct TablePlan {
    table: &'static Table,
    /// Absent: create it.
    missing: bool,
    /// Columns to add back.
    add: Vec<(&'static str, &'static str)>,
    /// Indexes of ours to build.
    indexes: Vec<String>,
    /// Why the table cannot be repaired in place: if any, it is moved aside.
    problems: Vec<String>,
}

/// The tables of the file that differ from `reference`.
fn inspect_tables(
    connection: &Connection,
    reference: &Connection,
) -> rusqlite::Result<Vec<TablePlan>> {
    let mut plans = Vec::new();
    for table in &TABLES {
        let mut plan = TablePlan {
            table,
            missing: false,
            add: Vec::new(),
            indexes: Vec::new(),
            problems: Vec::new(),
        };
        let ours = Shape::read(reference, table.name)?;
        if table_exists(connection, table.name)? {
            let theirs = Shape::read(connection, table.name)?;
            compare(table, &ours, &theirs, &mut plan);
            for index in &ours.indexes {
                if !index_exists(connection, index)? {
                    plan.indexes.push(index.clone());
                }
            }
        } else {
            plan.missing = true;
        }
        if plan.missing
            || !plan.add.is_empty()
            || !plan.indexes.is_empty()
            || !plan.problems.is_empty()
        {
            plans.push(plan);
        }
    }
    Ok(plans)
}

/// Fills `plan` with how the file's table (`theirs`) differs from ours:
/// what our reads and writes would trip over.
fn compare(table: &'static Table, ours: &Shape, theirs: &Shape, plan: &mut TablePlan) {
    for column in &ours.columns {
        let Some(their) = theirs.column(&column.name) else {
            match table
                .addable
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&column.name))
            {
                Some(addable) => plan.add.push(*addable),
                None => plan
                    .problems
                    .push(format!("column {} is missing", column.name)),
            }
            continue;
        };
        if their.affinity != column.affinity {
            plan.problems.push(format!(
                "column {} has type {:?}, not {}",
                column.name, their.declared_type, column.declared_type
            ));
        }
        // NOT NULL on the primary key is harmless: we never write it NULL.
        if their.not_null && !column.not_null && column.primary_key == 0 {
            plan.problems.push(format!(
                "column {} is NOT NULL, and NULL is written to it",
                column.name
            ));
        }
    }
    for their in &theirs.columns {
        if ours.column(&their.name).is_none() && their.not_null && !their.has_default {
            plan.problems.push(format!(
                "extra column {} is NOT NULL without a default",
                their.name
            ));
        }
    }
    if theirs.primary_key() != ours.primary_key() {
        plan.problems.push(format!(
            "primary key is ({}), not ({})",
            theirs.primary_key().join(", "),
            ours.primary_key().join(", ")
        ));
    }
    if theirs.unique != ours.unique {
        plan.problems
            .push("UNIQUE constraints differ from this build's".to_owned());
    }
    for key in &theirs.foreign_keys {
        if !ours.foreign_keys.iter().any(|ours| key.fits(ours)) {
            plan.problems.push(format!(
                "foreign key {} -> {} is not this build's",
                key.from, key.parent
            ));
        }
    }
}

/// Carries out one table's plan.
fn apply(
    connection: &Connection,
    reference: &Connection,
    plan: &TablePlan,
    repairs: &mut Vec<Repair>,
) -> rusqlite::Result<()> {
    let table = plan.table;
    if plan.missing {
        create(connection, table)?;
        repairs.push(Repair::TableCreated { table: table.name });
    } else if !plan.problems.is_empty() {
        let moved_to = move_table_aside(connection, reference, table)?;
        repairs.push(Repair::TableMovedAside {
            table: table.name,
            moved_to,
            problems: plan.problems.clone(),
        });
    } else {
        for &(column, definition) in &plan.add {
            connection.execute_batch(&format!(
                "ALTER TABLE {} ADD COLUMN {definition}",
                table.name
            ))?;
            repairs.push(Repair::ColumnAdded {
                table: table.name,
                column,
            });
        }
        if !plan.indexes.is_empty() {
            create(connection, table)?;
            repairs.extend(plan.indexes.iter().map(|index| Repair::IndexCreated {
                table: table.name,
                index: index.clone(),
            }));
        }
    }
    Ok(())
}

fn create(connection: &Connection, table: &Table) -> rusqlite::Result<()> {
    for statement in table.create {
        connection.execute_batch(statement)?;
    }
    Ok(())
}

/// Renames the table to an unused `<name>_broken_<unix seconds>[_<n>]` and
/// creates ours in its place. Returns the new name of the old table.
fn move_table_aside(
    connection: &Connection,
    reference: &Connection,
    table: &Table,
) -> rusqlite::Result<String> {
    let moved_to = unused_table_name(
        connection,
        &format!("{}_broken_{}", table.name, system_now_ms() / 1000),
    )?;
    // Our indexes keep their names when their table is renamed, and would
    // stop ours from being built. They hold no data of their own.
    for index in Shape::read(reference, table.name)?.indexes {
        let on_this_table: bool = connection.query_row(
            "SELECT count(*) > 0 FROM sqlite_master
             WHERE type = 'index' AND name = ?1 COLLATE NOCASE AND tbl_name = ?2 COLLATE NOCASE",
            params![index, table.name],
            |row| row.get(0),
        )?;
        if on_this_table {
            connection.execute_batch(&format!("DROP INDEX {}", quoted(&index)))?;
        }
    }
    connection.execute_batch(&format!(
        "ALTER TABLE {} RENAME TO {}",
        quoted(table.name),
        quoted(&moved_to)
    ))?;
    create(connection, table)?;
    // The rename took the AUTOINCREMENT counter along: carry it over, so no
    // id of the old rows is handed out again.
    if table_exists(connection, "sqlite_sequence")? {
        connection.execute(
            "INSERT INTO sqlite_sequence (name, seq)
             SELECT ?1, seq FROM sqlite_sequence WHERE name = ?2
                 AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
            params![table.name, moved_to],
        )?;
    }
    Ok(moved_to)
}

/// `base`, or `base_<n>` for the first `n` from 1 not taken by any schema
/// object: a table moved aside never replaces an earlier one.
fn unused_table_name(connection: &Connection, base: &str) -> rusqlite::Result<String> {
    let mut name = base.to_owned();
    let mut counter = 1;
    while connection
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE name = ?1 COLLATE NOCASE",
            [&name],
            |_| Ok(()),
        )
        .optional()?
        .is_some()
    {
        name = format!("{base}_{counter}");
        counter += 1;
    }
    Ok(name)
}

/// What a row of one of our tables must hold for this build to use it.
struct RowCheck {
    table: &'static str,
    /// The primary key, to name a row in the log.
    key: &'static [&'static str],
    /// Columns holding enum names, with every name this build reads.
    enums: Vec<(&'static str, Vec<&'static str>)>,
    /// The table's other CHECK constraints, as SQL: a row for which one is
    /// false (not NULL) breaks the schema.
    checks: &'static [&'static str],
    /// The column holding the row's service-worker registration id, for a
    /// table whose rows belong to one.
    parent: Option<&'static str>,
}

/// Parents before children: moving a registration aside makes its
/// children's rows unusable too, and they follow in the same transaction.
fn row_checks() -> [RowCheck; 4] {
    [
        RowCheck {
            table: "service_worker_registrations",
            key: &["id"],
            enums: service_workers::enum_columns(),
            checks: &[],
            parent: None,
        },
        RowCheck {
            table: "service_worker_imported_scripts",
            key: &["registration_id", "url"],
            enums: Vec::new(),
            checks: &[],
            parent: Some("registration_id"),
        },
        RowCheck {
            table: "service_worker_script_types",
            key: &["registration_id"],
            enums: service_workers::type_enum_columns(),
            checks: &[],
            parent: Some("registration_id"),
        },
        RowCheck {
            table: "sync_registrations",
            key: &["registration_id", "tag"],
            enums: sync_registrations::enum_columns(),
            checks: &[
                "num_attempts >= 0",
                "max_attempts >= 1",
                "delay_until_ms >= 0",
            ],
            parent: Some("registration_id"),
        },
    ]
}

impl RowCheck {
    /// SQL that is true for a row whose `column` names a known value.
    fn known(column: &str, names: &[&str]) -> String {
        let names: Vec<String> = names.iter().map(|name| literal(name)).collect();
        format!(
            "coalesce(typeof({column}) = 'text' AND {column} IN ({}), 0)",
            names.join(", ")
        )
    }

    /// SQL that is true for a row whose registration exists.
    fn has_parent(&self, column: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM service_worker_registrations AS parent
                     WHERE parent.id = {}.{column})",
            self.table
        )
    }

    /// SQL that is true for a row this build cannot use.
    fn unusable(&self) -> String {
        let mut conditions: Vec<String> = self
            .enums
            .iter()
            .map(|(column, names)| format!("NOT {}", RowCheck::known(column, names)))
            .chain(self.checks.iter().map(|check| format!("({check}) IS 0")))
            .collect();
        if let Some(column) = self.parent {
            conditions.push(format!("NOT {}", self.has_parent(column)));
        }
        if conditions.is_empty() {
            "0".to_owned()
        } else {
            conditions.join(" OR ")
        }
    }
}

/// Whether any table has a row to move aside (only reads).
fn has_unusable_rows(connection: &Connection) -> rusqlite::Result<bool> {
    for check in row_checks() {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {})",
            check.table,
            check.unusable()
        );
        if connection.query_row(&sql, [], |row| row.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Copies the rows of `check.table` this build cannot use into
/// `<table>_broken_rows` and deletes them from the table.
fn move_unusable_rows(
    connection: &Connection,
    check: &RowCheck,
    now_ms: i64,
    repairs: &mut Vec<Repair>,
) -> rusqlite::Result<()> {
    let unusable = check.unusable();
    // Each row's key and what is wrong with it, for the log.
    let mut columns: Vec<String> = check
        .key
        .iter()
        .map(|column| format!("quote({column})"))
        .collect();
    for (column, names) in &check.enums {
        columns.push(RowCheck::known(column, names));
        columns.push(format!("substr(quote({column}), 1, 60)"));
    }
    if let Some(column) = check.parent {
        columns.push(check.has_parent(column));
    }
    let sql = format!(
        "SELECT {} FROM {} WHERE {unusable}",
        columns.join(", "),
        check.table
    );
    let mut statement = connection.prepare(&sql)?;
    let rows = statement
        .query_map([], |row| {
            let key: Vec<String> = check
                .key
                .iter()
                .enumerate()
                .map(|(index, column)| Ok(format!("{column} = {}", row.get::<_, String>(index)?)))
                .collect::<rusqlite::Result<_>>()?;
            let mut reasons = Vec::new();
            let mut index = check.key.len();
            for (column, _) in &check.enums {
                if !row.get::<_, bool>(index)? {
                    let value: String = row.get(index + 1)?;
                    reasons.push(format!(
                        "{column} is {value}, which this build does not know"
                    ));
                }
                index += 2;
            }
            if check.parent.is_some() && !row.get::<_, bool>(index)? {
                reasons.push("its service-worker registration does not exist".to_owned());
            }
            Ok((key.join(", "), reasons.join("; ")))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if rows.is_empty() {
        return Ok(());
    }
    let side = format!("{}_broken_rows", check.table);
    let names = column_names(connection, check.table)?;
    if table_exists(connection, &side)? {
        // Made by an earlier repair, maybe before a column was added.
        let existing = column_names(connection, &side)?;
        for name in &names {
            if !existing.iter().any(|have| have.eq_ignore_ascii_case(name)) {
                connection.execute_batch(&format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    quoted(&side),
                    quoted(name)
                ))?;
            }
        }
    } else {
        // No types: values are kept exactly as they were.
        let columns: Vec<String> = names.iter().map(|name| quoted(name)).collect();
        connection.execute_batch(&format!(
            "CREATE TABLE {} ({}, moved_ms INTEGER)",
            quoted(&side),
            columns.join(", ")
        ))?;
    }
    let columns: Vec<String> = names.iter().map(|name| quoted(name)).collect();
    let columns = columns.join(", ");
    connection.execute(
        &format!(
            "INSERT INTO {} ({columns}, moved_ms) SELECT {columns}, ?1 FROM {} WHERE {unusable}",
            quoted(&side),
            check.table
        ),
        [now_ms],
    )?;
    connection.execute(&format!("DELETE FROM {} WHERE {unusable}", check.table), [])?;
    repairs.extend(rows.into_iter().map(|(key, reason)| Repair::RowMovedAside {
        table: check.table,
        moved_to: side.clone(),
        key,
        reason,
    }));
    Ok(())
}

/// A table's shape as SQLite reports it: what our statements depend on.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    columns: Vec<Column>,
    foreign_keys: Vec<ForeignKey>,
    /// The column lists of its UNIQUE constraints and unique indexes
    /// (lowercase), besides the primary key.
    unique: BTreeSet<Vec<String>>,
    /// Its explicitly created indexes (lowercase).
    indexes: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
struct Column {
    /// Lowercase: SQLite's names are case-insensitive.
    name: String,
    declared_type: String,
    /// The type affinity: what SQLite converts written values to.
    affinity: &'static str,
    not_null: bool,
    has_default: bool,
    /// 1-based position in the primary key, 0 if not in it.
    primary_key: i64,
}

#[derive(Debug, PartialEq, Eq)]
struct ForeignKey {
    parent: String,
    from: String,
    /// `None` for the parent's primary key.
    to: Option<String>,
    on_update: String,
    on_delete: String,
}

impl ForeignKey {
    /// Whether the file's key (`self`) does what ours does.
    fn fits(&self, ours: &ForeignKey) -> bool {
        self.parent == ours.parent
            && self.from == ours.from
            && (self.to.is_none() || self.to == ours.to)
            && self.on_update == ours.on_update
            && self.on_delete == ours.on_delete
    }
}

impl Shape {
    fn read(connection: &Connection, table: &str) -> rusqlite::Result<Shape> {
        let mut statement = connection.prepare(
            "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk FROM pragma_table_info(?1)",
        )?;
        let columns = statement
            .query_map([table], |row| {
                let declared_type: String = row.get(1)?;
                Ok(Column {
                    name: row.get::<_, String>(0)?.to_ascii_lowercase(),
                    affinity: affinity(&declared_type),
                    declared_type,
                    not_null: row.get(2)?,
                    has_default: row.get(3)?,
                    primary_key: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut statement = connection.prepare(
            "SELECT \"table\", \"from\", \"to\", on_update, on_delete
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )?;
        let foreign_keys = statement
            .query_map([table], |row| {
                Ok(ForeignKey {
                    parent: row.get::<_, String>(0)?.to_ascii_lowercase(),
                    from: row.get::<_, String>(1)?.to_ascii_lowercase(),
                    to: row
                        .get::<_, Option<String>>(2)?
                        .map(|to| to.to_ascii_lowercase()),
                    on_update: row.get::<_, String>(3)?.to_ascii_uppercase(),
                    on_delete: row.get::<_, String>(4)?.to_ascii_uppercase(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut statement = connection.prepare(
            "SELECT name FROM pragma_index_list(?1) WHERE \"unique\" AND origin != 'pk'",
        )?;
        let unique_indexes = statement
            .query_map([table], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut unique = BTreeSet::new();
        for index in unique_indexes {
            let mut statement =
                connection.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
            let columns = statement
                .query_map([&index], |row| row.get::<_, Option<String>>(0))?
                .map(|name| name.map(|name| name.unwrap_or_default().to_ascii_lowercase()))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            unique.insert(columns);
        }
        let mut statement = connection.prepare(
            "SELECT lower(name) FROM sqlite_master
             WHERE type = 'index' AND tbl_name = ?1 COLLATE NOCASE AND sql IS NOT NULL
             ORDER BY name",
        )?;
        let indexes = statement
            .query_map([table], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Shape {
            columns,
            foreign_keys,
            unique,
            indexes,
        })
    }

    fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|column| column.name.eq_ignore_ascii_case(name))
    }

    /// The primary key's columns, in key order.
    fn primary_key(&self) -> Vec<&str> {
        let mut key: Vec<&Column> = self
            .columns
            .iter()
            .filter(|column| column.primary_key > 0)
            .collect();
        key.sort_by_key(|column| column.primary_key);
        key.into_iter().map(|column| column.name.as_str()).collect()
    }
}

/// SQLite's type affinity of a declared column type
/// (<https://sqlite.org/datatype3.html#determination_of_column_affinity>).
fn affinity(declared_type: &str) -> &'static str {
    let declared = declared_type.to_ascii_uppercase();
    if declared.contains("INT") {
        "INTEGER"
    } else if ["CHAR", "CLOB", "TEXT"]
        .iter()
        .any(|name| declared.contains(name))
    {
        "TEXT"
    } else if declared.contains("BLOB") || declared.is_empty() {
        "BLOB"
    } else if ["REAL", "FLOA", "DOUB"]
        .iter()
        .any(|name| declared.contains(name))
    {
        "REAL"
    } else {
        "NUMERIC"
    }
}

/// Whether `table`, one of ours, exists in a file opened at schema
/// `version`: certainly if that version has it; otherwise (a read-only open
/// of an older file) only if an engine has migrated the file since.
pub(crate) fn has_table(
    connection: &Connection,
    version: u32,
    table: &str,
) -> rusqlite::Result<bool> {
    let since = TABLES
        .iter()
        .find(|ours| ours.name == table)
        .map_or(u32::MAX, |ours| ours.since);
    if since <= version {
        return Ok(true);
    }
    table_exists(connection, table)
}

fn table_exists(connection: &Connection, name: &str) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        [name],
        |row| row.get(0),
    )
}

fn index_exists(connection: &Connection, name: &str) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ?1 COLLATE NOCASE",
        [name],
        |row| row.get(0),
    )
}

/// The table's column names, in order.
fn column_names(connection: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        connection.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let names = statement
        .query_map([table], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as an SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::*;
    use crate::{Database, ServiceWorkerRegistrationId, WorkerType, DATABASE_FILE_NAME};

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
                "service_worker_event_types",
                "service_worker_imported_scripts",
                "service_worker_navigation_preload",
                "service_worker_registrations",
                "service_worker_router_rules",
                "service_worker_script_types",
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

    /// A registration as every schema version's registrations table takes it.
    const INSERT_REGISTRATION: &str =
        "INSERT INTO service_worker_registrations (scope, script_url, origin, state,
             script_source, update_via_cache, created_ms, updated_ms)
         VALUES ('https://a.test/', 'https://a.test/sw.js', 'https://a.test',
             'activated', x'00', 'imports', 1, 1)";

    #[test]
    fn version_1_data_survives_migration_to_version_2() {
        let dir = TempDir::new().unwrap();
        {
            let mut connection = raw_connection(&dir);
            migrate_to(&mut connection, 1).unwrap();
            assert_eq!(user_version(&connection).unwrap(), 1);
            connection.execute(INSERT_REGISTRATION, []).unwrap();
        }
        let mut database = Database::open(dir.path()).unwrap();
        assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
        let records = database.service_workers().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].scope, "https://a.test/");
        // The new tables work, including their foreign keys to the old one.
        assert!(database
            .sync_registrations(records[0].id)
            .unwrap()
            .is_empty());
        assert_eq!(database.navigation_preload(records[0].id).unwrap(), None);
        database
            .set_navigation_preload(records[0].id, true, "true")
            .unwrap();
        assert!(database
            .delete_service_worker(ServiceWorkerRegistrationId(records[0].id.0))
            .unwrap());
    }

    /// A file a version-4 build left: its registrations' workers are classic,
    /// read-only as it is, and after an engine's migration to version 5.
    #[test]
    fn version_4_registrations_read_as_classic_before_and_after_migration_to_5() {
        let dir = TempDir::new().unwrap();
        {
            let mut connection = raw_connection(&dir);
            migrate_to(&mut connection, 4).unwrap();
            assert_eq!(user_version(&connection).unwrap(), 4);
            assert!(!table_names(&connection).contains(&"service_worker_script_types".to_owned()));
            connection.execute(INSERT_REGISTRATION, []).unwrap();
        }
        let id = ServiceWorkerRegistrationId(1);
        let file = dir.path().join(DATABASE_FILE_NAME);
        let bytes = std::fs::read(&file).unwrap();
        let types = |database: &Database| -> Vec<WorkerType> {
            let listed: Vec<WorkerType> = database
                .service_workers()
                .unwrap()
                .iter()
                .map(|record| record.worker_type)
                .collect();
            assert_eq!(
                database
                    .service_worker(id)
                    .unwrap()
                    .map(|record| record.worker_type),
                listed.first().copied()
            );
            assert_eq!(
                database
                    .service_worker_by_scope("https://a.test/")
                    .unwrap()
                    .map(|record| record.worker_type),
                listed.first().copied()
            );
            listed
        };

        // Read-only, the file stays at version 4, without the table.
        {
            let reader = Database::open_read_only(dir.path()).unwrap();
            assert_eq!(reader.schema_version().unwrap(), 4);
            assert_eq!(types(&reader), [WorkerType::Classic]);
        }
        assert_eq!(std::fs::read(&file).unwrap(), bytes, "nothing written");

        // A reader that opened the version-4 file sees an engine's migration and its module
        // workers (the engine holds the lock: the reader is a WAL reader, not immutable).
        let _engine = crate::ProfileLock::acquire(dir.path()).unwrap();
        let reader = Database::open_read_only(dir.path()).unwrap();
        let mut database = Database::open(dir.path()).unwrap();
        assert_eq!(database.repairs(), []);
        assert_eq!(database.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(types(&database), [WorkerType::Classic]);
        assert_eq!(count_rows(&database, "service_worker_script_types"), 0);
        let module = database
            .insert_service_worker(&crate::NewServiceWorkerRegistration {
                scope: "https://b.test/".to_owned(),
                script_url: "https://b.test/sw.js".to_owned(),
                origin: "https://b.test".to_owned(),
                state: crate::ServiceWorkerState::Installing,
                script_source: b"export {};".to_vec(),
                update_via_cache: crate::UpdateViaCache::Imports,
                worker_type: WorkerType::Module,
            })
            .unwrap();
        assert_eq!(types(&database), [WorkerType::Classic, WorkerType::Module]);
        assert_eq!(types(&reader), [WorkerType::Classic, WorkerType::Module]);
        assert_eq!(
            reader.service_worker(module).unwrap().unwrap().worker_type,
            WorkerType::Module
        );
    }

    fn count_rows(database: &Database, table: &str) -> i64 {
        database
            .connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap()
    }

    #[test]
    fn a_read_only_open_refuses_a_file_older_than_version_4() {
        let dir = TempDir::new().unwrap();
        {
            let mut connection = raw_connection(&dir);
            migrate_to(&mut connection, OLDEST_READ_ONLY_VERSION - 1).unwrap();
        }
        let error = Database::open_read_only(dir.path()).unwrap_err();
        assert!(
            matches!(&error, crate::OpenError::Unreadable { reason, .. }
                if reason.contains("schema version 3") && reason.contains("migrates")),
            "{error:?}"
        );
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

    #[test]
    fn tables_match_what_the_migrations_build() {
        let mut migrated = Connection::open_in_memory().unwrap();
        migrate(&mut migrated).unwrap();
        let reference = reference().unwrap();
        let schema = |connection: &Connection| -> Vec<(String, String)> {
            let mut statement = connection
                .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                .unwrap();
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            rows
        };
        assert_eq!(schema(&migrated), schema(&reference));
        for table in &TABLES {
            assert_eq!(
                Shape::read(&migrated, table.name).unwrap(),
                Shape::read(&reference, table.name).unwrap()
            );
        }
        assert!(inspect_tables(&migrated, &reference).unwrap().is_empty());
    }

    #[test]
    fn addable_columns_come_back_with_their_type_and_check() {
        let collapse = |sql: &str| sql.split_whitespace().collect::<Vec<_>>().join(" ");
        for table in &TABLES {
            for &(column, definition) in table.addable {
                let connection = reference().unwrap();
                let expected = Shape::read(&connection, table.name).unwrap();
                connection
                    .execute_batch(&format!("ALTER TABLE {} DROP COLUMN {column}", table.name))
                    .unwrap();
                let plans = inspect_tables(&connection, &reference().unwrap()).unwrap();
                assert_eq!(plans.len(), 1);
                assert_eq!(plans[0].add, [(column, definition)]);
                assert!(plans[0].problems.is_empty(), "{:?}", plans[0].problems);
                connection
                    .execute_batch(&format!(
                        "ALTER TABLE {} ADD COLUMN {definition}",
                        table.name
                    ))
                    .unwrap();
                let restored = Shape::read(&connection, table.name).unwrap();
                let (before, after) = (
                    expected.column(column).unwrap(),
                    restored.column(column).unwrap(),
                );
                assert_eq!(
                    (before.affinity, before.not_null, before.primary_key),
                    (after.affinity, after.not_null, after.primary_key),
                    "{column}"
                );
                // The same CHECK as the table's own definition.
                let create = collapse(table.create[0]);
                let check = collapse(&definition[definition.find("CHECK").unwrap_or(0)..]);
                assert!(
                    !definition.contains("CHECK") || create.contains(&check),
                    "{check}"
                );
                assert!(inspect_tables(&connection, &reference().unwrap())
                    .unwrap()
                    .is_empty());
            }
        }
    }

    #[test]
    fn a_table_moved_aside_never_takes_an_earlier_ones_name() {
        let connection = Connection::open_in_memory().unwrap();
        assert_eq!(
            unused_table_name(&connection, "t_broken_5").unwrap(),
            "t_broken_5"
        );
        connection
            .execute_batch("CREATE TABLE t_broken_5 (x); CREATE TABLE T_BROKEN_5_1 (x);")
            .unwrap();
        assert_eq!(
            unused_table_name(&connection, "t_broken_5").unwrap(),
            "t_broken_5_2"
        );
    }

    #[test]
    fn affinity_follows_sqlites_rules() {
        for (declared, expected) in [
            ("INTEGER", "INTEGER"),
            ("int", "INTEGER"),
            ("BIGINT", "INTEGER"),
            ("TEXT", "TEXT"),
            ("VARCHAR(10)", "TEXT"),
            ("BLOB", "BLOB"),
            ("", "BLOB"),
            ("DOUBLE", "REAL"),
            ("NUMERIC", "NUMERIC"),
            ("DATE", "NUMERIC"),
        ] {
            assert_eq!(affinity(declared), expected, "{declared}");
        }
    }

    /// The row check at open moves a row aside exactly when the reader
    /// would reject it for its enum values.
    #[test]
    fn rows_are_flagged_exactly_when_the_reader_rejects_their_names() {
        let values = |names: Vec<&'static str>| -> Vec<(String, bool)> {
            let mut values: Vec<(String, bool)> = names
                .into_iter()
                .map(|name| (format!("'{name}'"), true))
                .collect();
            for unknown in ["'exploded'", "''", "'Pending'", "7", "x'00'", "1.5"] {
                values.push((unknown.to_owned(), false));
            }
            values
        };
        let insert_registration = |database: &Database| {
            database
                .connection()
                .execute_batch(
                    "INSERT INTO service_worker_registrations (id, scope, script_url, origin,
                         state, script_source, update_via_cache, created_ms, updated_ms)
                     VALUES (1, 's', 'u', 'o', 'activated', x'00', 'imports', 1, 1)",
                )
                .unwrap();
        };
        // Each table's enum columns, the SQL that puts `{column} = {value}` in
        // a row of it, and whether its reader accepts the row.
        type Reader = fn(&Database) -> bool;
        type EnumColumns = Vec<(&'static str, Vec<&'static str>)>;
        let tables: [(EnumColumns, &str, Reader); 3] = [
            (
                service_workers::enum_columns(),
                "UPDATE service_worker_registrations SET {column} = {value};",
                |database| database.service_workers().is_ok(),
            ),
            (
                service_workers::type_enum_columns(),
                "INSERT INTO service_worker_script_types VALUES (1, 'module');
                 UPDATE service_worker_script_types SET {column} = {value};",
                |database| database.service_workers().is_ok(),
            ),
            (
                sync_registrations::enum_columns(),
                "INSERT INTO sync_registrations VALUES (1, 't', 'pending', 0, 3, NULL);
                 UPDATE sync_registrations SET {column} = {value};",
                |database| database.all_sync_registrations().is_ok(),
            ),
        ];
        for (columns, edit, readable) in tables {
            for (column, names) in columns {
                for (value, known) in values(names) {
                    let database = Database::open_in_memory().unwrap();
                    insert_registration(&database);
                    let edit = edit.replace("{column}", column).replace("{value}", &value);
                    database
                        .connection()
                        .execute_batch(&format!("PRAGMA ignore_check_constraints = ON; {edit}"))
                        .unwrap();
                    assert_eq!(readable(&database), known, "{column} = {value}");
                    assert_eq!(
                        has_unusable_rows(database.connection()).unwrap(),
                        !known,
                        "{column} = {value}"
                    );
                }
            }
        }
    }
}
