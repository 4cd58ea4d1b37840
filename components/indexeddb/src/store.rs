//! One origin's IndexedDB data in one SQLite file: its databases, their
//! object stores and records, and each store's key generator.
//!
//! Records are keyed by the encoded key ([`crate::encoding`]), so a key range
//! is a range scan of the primary key `(store_id, key)`. Values are opaque
//! bytes (SpiderMonkey structured-clone data, made and read by script
//! threads). The key generator's current number is a column of its store:
//! a transaction that rolls back takes its changes back with everything else,
//! as the spec wants (<https://w3c.github.io/IndexedDB/#key-generator-construct>).
//!
//! Transactions are the caller's: [`OriginStore::begin`] (with its
//! durability) then [`OriginStore::commit`] or [`OriginStore::rollback`].
//! Every other method runs inside whatever transaction is open.

use std::path::Path;

use indexeddb_traits::{IdbError, IdbErrorName, Key, KeyPath, KeyRange};
use rusqlite::{params, Connection, OptionalExtension};

use crate::encoding::{decode_key, encode_key, encoded_range};

/// A database's id in its origin's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DatabaseId(pub i64);

/// An object store's id in its origin's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoreId(pub i64);

/// A database as `open()` sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseInfo {
    pub id: DatabaseId,
    pub name: String,
    pub version: u64,
    pub stores: Vec<StoreInfo>,
}

/// An object store's definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreInfo {
    pub id: StoreId,
    pub name: String,
    pub key_path: Option<KeyPath>,
    pub auto_increment: bool,
    pub indexes: Vec<IndexInfo>,
}

/// An index's id in its origin's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IndexId(pub i64);

/// An index's definition. Its keys are computed by the script thread (the
/// key path is evaluated on the JS value) and handed in with each write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexInfo {
    pub id: IndexId,
    pub name: String,
    pub key_path: KeyPath,
    pub unique: bool,
    pub multi_entry: bool,
}

/// A record found through an index: the index key, the record's key and
/// its value.
pub type IndexRecord = (Key, Key, Vec<u8>);

/// <https://w3c.github.io/IndexedDB/#enumdef-idbcursordirection>.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Next,
    NextUnique,
    Prev,
    PrevUnique,
}

impl Direction {
    fn forward(self) -> bool {
        matches!(self, Direction::Next | Direction::NextUnique)
    }

    fn unique(self) -> bool {
        matches!(self, Direction::NextUnique | Direction::PrevUnique)
    }
}

/// The largest number a key generator gives: 2^53. The current number is
/// an integer column, so 2^53 + 1 (out of keys) is exact, as `f64` is not.
pub const MAX_GENERATED_KEY: i64 = 1 << 53;

/// The tables whose rows have names a script can change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedTable {
    ObjectStores,
    Indexes,
}

/// The page cache of an origin's file, in KiB (SQLite's negative `cache_size`): 16 MiB, so
/// a transaction of thousands of records does not spill to the file before its commit.
const CACHE_KIB: i64 = -16 * 1024;

/// How a commit is written: `Strict` waits until the data is on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    Strict,
    Relaxed,
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS databases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL CHECK (version >= 0)
    );
    CREATE TABLE IF NOT EXISTS object_stores (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        database_id INTEGER NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        key_path_kind INTEGER NOT NULL CHECK (key_path_kind IN (0, 1, 2)),
        key_path TEXT,
        auto_increment INTEGER NOT NULL,
        current_number INTEGER NOT NULL DEFAULT 1,
        UNIQUE (database_id, name)
    );
    CREATE TABLE IF NOT EXISTS records (
        store_id INTEGER NOT NULL REFERENCES object_stores (id) ON DELETE CASCADE,
        key BLOB NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (store_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS indexes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        store_id INTEGER NOT NULL REFERENCES object_stores (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        key_path_kind INTEGER NOT NULL CHECK (key_path_kind IN (1, 2)),
        key_path TEXT NOT NULL,
        is_unique INTEGER NOT NULL,
        multi_entry INTEGER NOT NULL,
        UNIQUE (store_id, name)
    );
    CREATE TABLE IF NOT EXISTS index_records (
        index_id INTEGER NOT NULL REFERENCES indexes (id) ON DELETE CASCADE,
        key BLOB NOT NULL,
        primary_key BLOB NOT NULL,
        PRIMARY KEY (index_id, key, primary_key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS index_records_by_primary_key
        ON index_records (index_id, primary_key);
";

/// The items of an array key path, joined in the `key_path` column by this
/// separator (U+001F, which no identifier holds).
const PATH_SEPARATOR: char = '\u{1f}';

/// A key path as its two columns: kind (0 none, 1 string, 2 array) and text.
fn key_path_columns(key_path: Option<&KeyPath>) -> (i64, Option<String>) {
    match key_path {
        None => (0, None),
        Some(KeyPath::String(path)) => (1, Some(path.clone())),
        Some(KeyPath::Array(items)) => (2, Some(items.join(&PATH_SEPARATOR.to_string()))),
    }
}

/// [`key_path_columns`]' inverse.
fn key_path_from(kind: i64, path: Option<String>) -> Option<KeyPath> {
    match (kind, path) {
        (1, Some(path)) => Some(KeyPath::String(path)),
        (2, Some(path)) => Some(KeyPath::Array(
            path.split(PATH_SEPARATOR).map(str::to_owned).collect(),
        )),
        _ => None,
    }
}

/// The `WHERE` clause that keeps the rows of `id_column = id` whose
/// `key_column` (an encoded key) is in `range`, with its parameters.
fn range_clause(
    id_column: &str,
    id: i64,
    key_column: &str,
    range: &KeyRange,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let encoded = encoded_range(range);
    let mut clause = format!("{id_column} = ?1");
    let mut values = vec![Value::Integer(id)];
    if let Some((bound, open)) = encoded.lower {
        values.push(Value::Blob(bound));
        let op = if open { ">" } else { ">=" };
        clause += &format!(" AND {key_column} {op} ?{}", values.len());
    }
    if let Some((bound, open)) = encoded.upper {
        values.push(Value::Blob(bound));
        let op = if open { "<" } else { "<=" };
        clause += &format!(" AND {key_column} {op} ?{}", values.len());
    }
    (clause, values)
}

/// A key read back from the file.
fn stored_key(bytes: &[u8]) -> Result<Key, IdbError> {
    decode_key(bytes).map_err(|error| {
        IdbError::new(
            IdbErrorName::Unknown,
            format!("a stored key is damaged: {error}"),
        )
    })
}

fn is_constraint(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
}

fn storage_error(error: rusqlite::Error) -> IdbError {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
        // The origin's quota (max_page_count), or the disk itself: either
        // way the write does not fit, as Chromium reports it too.
        return IdbError::new(
            IdbErrorName::QuotaExceeded,
            "The origin's IndexedDB storage is full (indexeddb.max_bytes_per_origin).",
        );
    }
    IdbError::new(IdbErrorName::Unknown, format!("storage failed: {error}"))
}

/// A stored version (never negative: the column's CHECK).
fn version(stored: i64) -> u64 {
    stored.max(0) as u64
}

/// One origin's IndexedDB file.
pub struct OriginStore {
    connection: Connection,
    /// A read transaction of [`OriginStore::begin_reads`] is open.
    reading: bool,
    /// The `synchronous` setting last set (`None`: SQLite's own until the first transaction),
    /// so a run of transactions of one durability sets it once.
    synchronous: Option<Durability>,
}

impl OriginStore {
    /// `Connection::execute` through the prepared-statement cache: the same few statements
    /// run for every request, and parsing them each time cost more than running them.
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.connection.prepare_cached(sql)?.execute(params)
    }

    /// `Connection::query_row` through the prepared-statement cache.
    fn query_row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.connection.prepare_cached(sql)?.query_row(params, f)
    }

    /// Opens (creating if needed) the file at `path`.
    pub fn open(path: &Path) -> Result<OriginStore, IdbError> {
        OriginStore::with_connection(Connection::open(path).map_err(storage_error)?)
    }

    /// Opens (creating if needed) the file of `origin` (its ASCII
    /// serialization) in `profile` ([`crate::layout::origin_file`]), and
    /// records the origin in it for listings.
    pub fn open_for_origin(profile: &Path, origin: &str) -> Result<OriginStore, IdbError> {
        let path = crate::layout::origin_file(profile, origin);
        if let Some(directory) = path.parent() {
            std::fs::create_dir_all(directory).map_err(|error| {
                IdbError::new(
                    IdbErrorName::Unknown,
                    format!("cannot create {}: {error}", directory.display()),
                )
            })?;
        }
        let store = OriginStore::open(&path)?;
        store
            .execute_cached(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('origin', ?1)",
                [origin],
            )
            .map_err(storage_error)?;
        Ok(store)
    }

    /// A store that lives in memory only.
    pub fn in_memory() -> Result<OriginStore, IdbError> {
        OriginStore::with_connection(Connection::open_in_memory().map_err(storage_error)?)
    }

    fn with_connection(connection: Connection) -> Result<OriginStore, IdbError> {
        connection
            .pragma_update(None, "foreign_keys", true)
            .and_then(|()| connection.pragma_update(None, "journal_mode", "WAL"))
            // A request's savepoint journal in memory, not in a temporary file written for
            // every page a request changes; a page cache that holds a large transaction.
            .and_then(|()| connection.pragma_update(None, "temp_store", "MEMORY"))
            .and_then(|()| connection.pragma_update(None, "cache_size", CACHE_KIB))
            .and_then(|()| connection.execute_batch(SCHEMA))
            .map_err(storage_error)?;
        connection.set_prepared_statement_cache_capacity(64);
        // The query planner's stability guarantee: a cached statement keeps its plan when a
        // key is bound (with STAT4 built in, every new key bound to a key comparison
        // otherwise re-prepared the statement: a fifth of a get()'s cost).
        connection
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
                true,
            )
            .map_err(storage_error)?;
        Ok(OriginStore {
            connection,
            reading: false,
            synchronous: None,
        })
    }

    /// Bounds the origin's file to about `max_bytes` (the pref
    /// `indexeddb.max_bytes_per_origin`): a write that would grow it further
    /// fails with `QuotaExceededError` and changes nothing; what is stored
    /// stays. SQLite's `max_page_count`, so checking costs nothing per write.
    pub fn set_quota(&mut self, max_bytes: u64) -> Result<(), IdbError> {
        let page_size: i64 = self
            .query_row_cached("PRAGMA page_size", [], |row| row.get(0))
            .map_err(storage_error)?;
        let pages = max_bytes.div_ceil(page_size.max(1) as u64).max(1);
        let pages = i64::try_from(pages).unwrap_or(i64::MAX);
        self.query_row_cached(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(storage_error)
    }

    /// Opens a transaction written with `durability` (`Strict`: its commit
    /// returns once it is on disk); every change until
    /// [`OriginStore::commit`] or [`OriginStore::rollback`] is in it.
    pub fn begin(&mut self, durability: Durability) -> Result<(), IdbError> {
        self.end_reads()?;
        if self.synchronous != Some(durability) {
            let synchronous = match durability {
                Durability::Strict => "FULL",
                Durability::Relaxed => "NORMAL",
            };
            self.connection
                .pragma_update(None, "synchronous", synchronous)
                .map_err(storage_error)?;
            self.synchronous = Some(durability);
        }
        self.execute_cached("BEGIN IMMEDIATE", [])
            .map(drop)
            .map_err(storage_error)
    }

    /// Opens a read transaction for a run of reads outside any transaction (a burst of
    /// readonly requests): one snapshot and one lock of the WAL for all of them instead of one
    /// per statement. [`OriginStore::begin`] and [`OriginStore::end_reads`] end it.
    pub fn begin_reads(&mut self) -> Result<(), IdbError> {
        if self.in_transaction() {
            return Ok(());
        }
        self.execute_cached("BEGIN DEFERRED", [])
            .map_err(storage_error)?;
        self.reading = true;
        Ok(())
    }

    /// Ends the read transaction of [`OriginStore::begin_reads`], if it is open.
    pub fn end_reads(&mut self) -> Result<(), IdbError> {
        if !std::mem::replace(&mut self.reading, false) || !self.in_transaction() {
            return Ok(());
        }
        self.execute_cached("COMMIT", [])
            .map(drop)
            .map_err(storage_error)
    }

    /// Commits the open transaction.
    pub fn commit(&mut self) -> Result<(), IdbError> {
        self.execute_cached("COMMIT", [])
            .map(drop)
            .map_err(storage_error)
    }

    /// Takes back everything the open transaction did. A transaction
    /// SQLite already rolled back (a write past the quota or a full disk
    /// ends it: the spec's "abort the transaction with QuotaExceededError")
    /// is nothing more to take back.
    pub fn rollback(&mut self) -> Result<(), IdbError> {
        if !self.in_transaction() {
            return Ok(());
        }
        self.connection
            .execute_batch("ROLLBACK")
            .map_err(storage_error)
    }

    /// Whether a transaction is open (a failed write may have ended it).
    pub fn in_transaction(&self) -> bool {
        !self.connection.is_autocommit()
    }

    /// Every database: name and version (`indexedDB.databases()`).
    pub fn databases(&self) -> Result<Vec<(String, u64)>, IdbError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT name, version FROM databases ORDER BY name")
            .map_err(storage_error)?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, version(row.get(1)?))))
            .map_err(storage_error)?;
        rows.collect::<Result<_, _>>().map_err(storage_error)
    }

    /// The database named `name`, with its stores.
    pub fn database(&self, name: &str) -> Result<Option<DatabaseInfo>, IdbError> {
        let found: Option<(i64, u64)> = self
            .query_row_cached(
                "SELECT id, version FROM databases WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, version(row.get(1)?))),
            )
            .optional()
            .map_err(storage_error)?;
        let Some((id, version)) = found else {
            return Ok(None);
        };
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT id, name, key_path_kind, key_path, auto_increment FROM object_stores
                 WHERE database_id = ?1 ORDER BY name",
            )
            .map_err(storage_error)?;
        let stores = statement
            .query_map([id], |row| {
                let key_path = key_path_from(row.get(2)?, row.get(3)?);
                Ok(StoreInfo {
                    id: StoreId(row.get(0)?),
                    name: row.get(1)?,
                    key_path,
                    auto_increment: row.get(4)?,
                    indexes: Vec::new(),
                })
            })
            .map_err(storage_error)?
            .collect::<Result<Vec<StoreInfo>, _>>()
            .map_err(storage_error)?;
        let mut stores = stores;
        for store in &mut stores {
            store.indexes = self.indexes_of(store.id)?;
        }
        Ok(Some(DatabaseInfo {
            id: DatabaseId(id),
            name: name.to_owned(),
            version,
            stores,
        }))
    }

    fn indexes_of(&self, store: StoreId) -> Result<Vec<IndexInfo>, IdbError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT id, name, key_path_kind, key_path, is_unique, multi_entry FROM indexes
                 WHERE store_id = ?1 ORDER BY name",
            )
            .map_err(storage_error)?;
        let indexes = statement
            .query_map([store.0], |row| {
                Ok(IndexInfo {
                    id: IndexId(row.get(0)?),
                    name: row.get(1)?,
                    key_path: key_path_from(row.get(2)?, row.get(3)?)
                        .unwrap_or(KeyPath::String(String::new())),
                    unique: row.get(4)?,
                    multi_entry: row.get(5)?,
                })
            })
            .map_err(storage_error)?;
        indexes.collect::<Result<_, _>>().map_err(storage_error)
    }

    /// `createIndex(name, keyPath, {unique, multiEntry})`: `ConstraintError`
    /// if the store has an index of that name. The existing records' entries
    /// come from the script thread ([`OriginStore::add_index_entries`]).
    pub fn create_index(
        &mut self,
        store: StoreId,
        name: &str,
        key_path: &KeyPath,
        unique: bool,
        multi_entry: bool,
    ) -> Result<IndexId, IdbError> {
        let (kind, path) = key_path_columns(Some(key_path));
        let inserted = self.execute_cached(
            "INSERT INTO indexes (store_id, name, key_path_kind, key_path, is_unique, multi_entry)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![store.0, name, kind, path, unique, multi_entry],
        );
        match inserted {
            Ok(_) => Ok(IndexId(self.connection.last_insert_rowid())),
            Err(error) if is_constraint(&error) => Err(IdbError::new(
                IdbErrorName::Constraint,
                format!("An index named '{name}' already exists."),
            )),
            Err(error) => Err(storage_error(error)),
        }
    }

    /// `deleteIndex(name)`: `NotFoundError` if none.
    pub fn delete_index(&mut self, store: StoreId, name: &str) -> Result<(), IdbError> {
        self.delete_named("indexes", "store_id", store.0, name, "index")
    }

    /// Deletes the row of `table` named `name` under `owner_column =
    /// owner`, with what cascades from it: `NotFoundError` if there is none.
    fn delete_named(
        &mut self,
        table: &str,
        owner_column: &str,
        owner: i64,
        name: &str,
        what: &str,
    ) -> Result<(), IdbError> {
        let deleted = self
            .execute_cached(
                &format!("DELETE FROM {table} WHERE {owner_column} = ?1 AND name = ?2"),
                params![owner, name],
            )
            .map_err(storage_error)?;
        if deleted == 0 {
            return Err(IdbError::new(
                IdbErrorName::NotFound,
                format!("No {what} named '{name}'."),
            ));
        }
        Ok(())
    }

    /// Renames the row of `table` named `from` under `owner_column = owner`
    /// to `to`: `NotFoundError` if there is none, `ConstraintError` if `to`
    /// is taken.
    pub fn rename_named(
        &mut self,
        table: NamedTable,
        owner: i64,
        from: &str,
        to: &str,
    ) -> Result<(), IdbError> {
        let (table, owner_column, what) = match table {
            NamedTable::ObjectStores => ("object_stores", "database_id", "object store"),
            NamedTable::Indexes => ("indexes", "store_id", "index"),
        };
        let renamed = self.execute_cached(
            &format!("UPDATE {table} SET name = ?3 WHERE {owner_column} = ?1 AND name = ?2"),
            params![owner, from, to],
        );
        match renamed {
            Ok(0) => Err(IdbError::new(
                IdbErrorName::NotFound,
                format!("No {what} named '{from}'."),
            )),
            Ok(_) => Ok(()),
            Err(error) if is_constraint(&error) => Err(IdbError::new(
                IdbErrorName::Constraint,
                format!("An {what} named '{to}' already exists."),
            )),
            Err(error) => Err(storage_error(error)),
        }
    }

    /// One column of the row `id` of a table (`sql` selects it by `?1`);
    /// `NotFoundError` with `gone` if there is no such row.
    fn column_of<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        id: i64,
        gone: &str,
    ) -> Result<T, IdbError> {
        self.query_row_cached(sql, [id], |row| row.get(0))
            .optional()
            .map_err(storage_error)?
            .ok_or_else(|| IdbError::new(IdbErrorName::NotFound, gone))
    }

    fn index_is_unique(&self, index: IndexId) -> Result<bool, IdbError> {
        self.column_of(
            "SELECT is_unique FROM indexes WHERE id = ?1",
            index.0,
            "The index is gone.",
        )
    }

    /// Adds the entries of one record (`primary_key`, encoded) to `index`:
    /// `ConstraintError` if the index is `unique` and one of `keys` belongs
    /// to another record already.
    fn insert_index_entries(
        &mut self,
        index: IndexId,
        unique: bool,
        primary_key: &[u8],
        keys: &[Key],
    ) -> Result<(), IdbError> {
        for key in keys {
            let key = encode_key(key);
            if unique {
                let taken: bool = self
                    .query_row_cached(
                        "SELECT EXISTS (SELECT 1 FROM index_records
                         WHERE index_id = ?1 AND key = ?2 AND primary_key != ?3)",
                        params![index.0, key, primary_key],
                        |row| row.get(0),
                    )
                    .map_err(storage_error)?;
                if taken {
                    return Err(IdbError::new(
                        IdbErrorName::Constraint,
                        "A record with this key already exists in a unique index.",
                    ));
                }
            }
            self.execute_cached(
                "INSERT OR IGNORE INTO index_records (index_id, key, primary_key)
                     VALUES (?1, ?2, ?3)",
                params![index.0, key, primary_key],
            )
            .map_err(storage_error)?;
        }
        Ok(())
    }

    /// The entries of existing records for an index just created (the
    /// script thread evaluated its key path on each value): each record's
    /// key with its index keys. A unique violation is a `ConstraintError`
    /// and adds nothing.
    pub fn add_index_entries(
        &mut self,
        index: IndexId,
        entries: &[(Key, Vec<Key>)],
    ) -> Result<(), IdbError> {
        let unique = self.index_is_unique(index)?;
        self.in_savepoint(|store| {
            entries.iter().try_for_each(|(primary_key, keys)| {
                store.insert_index_entries(index, unique, &encode_key(primary_key), keys)
            })
        })
    }

    /// Runs `work` so that if it fails, none of it stays (a failed request
    /// changes nothing; its transaction may go on).
    fn in_savepoint<T>(
        &mut self,
        work: impl FnOnce(&mut OriginStore) -> Result<T, IdbError>,
    ) -> Result<T, IdbError> {
        self.connection
            .execute_batch("SAVEPOINT request")
            .map_err(storage_error)?;
        match work(self) {
            Ok(value) => {
                self.connection
                    .execute_batch("RELEASE request")
                    .map_err(storage_error)?;
                Ok(value)
            }
            Err(error) => {
                let _ = self
                    .connection
                    .execute_batch("ROLLBACK TO request; RELEASE request");
                Err(error)
            }
        }
    }

    /// Creates database `name` at version 0 (the upgrade sets its version).
    pub fn create_database(&mut self, name: &str) -> Result<DatabaseId, IdbError> {
        self.execute_cached(
            "INSERT INTO databases (name, version) VALUES (?1, 0)",
            [name],
        )
        .map_err(storage_error)?;
        Ok(DatabaseId(self.connection.last_insert_rowid()))
    }

    pub fn set_version(&mut self, database: DatabaseId, version: u64) -> Result<(), IdbError> {
        self.execute_cached(
            "UPDATE databases SET version = ?2 WHERE id = ?1",
            params![database.0, i64::try_from(version).unwrap_or(i64::MAX)],
        )
        .map(|_| ())
        .map_err(storage_error)
    }

    /// Deletes every database of the origin with their stores and records
    /// (in the caller's transaction).
    pub fn delete_everything(&mut self) -> Result<(), IdbError> {
        self.connection
            .execute_batch("DELETE FROM databases")
            .map_err(storage_error)
    }

    /// Rewrites the file without its free pages (outside a transaction):
    /// after [`OriginStore::delete_everything`], nothing deleted stays on disk.
    pub fn compact(&mut self) -> Result<(), IdbError> {
        self.connection
            .execute_batch("VACUUM")
            .map_err(storage_error)
    }

    /// Deletes database `name` with all its stores and records; whether it
    /// existed.
    pub fn delete_database(&mut self, name: &str) -> Result<bool, IdbError> {
        self.execute_cached("DELETE FROM databases WHERE name = ?1", [name])
            .map(|deleted| deleted > 0)
            .map_err(storage_error)
    }

    /// `createObjectStore(name, {keyPath, autoIncrement})`: `ConstraintError`
    /// if the database has a store of that name.
    pub fn create_object_store(
        &mut self,
        database: DatabaseId,
        name: &str,
        key_path: Option<&KeyPath>,
        auto_increment: bool,
    ) -> Result<StoreId, IdbError> {
        let (kind, path) = key_path_columns(key_path);
        let inserted = self.execute_cached(
            "INSERT INTO object_stores (database_id, name, key_path_kind, key_path, auto_increment)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![database.0, name, kind, path, auto_increment],
        );
        match inserted {
            Ok(_) => Ok(StoreId(self.connection.last_insert_rowid())),
            Err(error)
                if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
            {
                Err(IdbError::new(
                    IdbErrorName::Constraint,
                    format!("An object store named '{name}' already exists."),
                ))
            }
            Err(error) => Err(storage_error(error)),
        }
    }

    /// `deleteObjectStore(name)`, records and all: `NotFoundError` if none.
    pub fn delete_object_store(
        &mut self,
        database: DatabaseId,
        name: &str,
    ) -> Result<(), IdbError> {
        self.delete_named(
            "object_stores",
            "database_id",
            database.0,
            name,
            "object store",
        )
    }

    /// Stores `value` under `key`, or under the store's next generated key
    /// if `key` is `None` (a store with a key generator), with its entries in
    /// the store's indexes (`index_keys`: the keys the script thread got by
    /// evaluating each index's key path on the value; an index it left out
    /// gets none). With `overwrite` false (`add()`), an existing record is a
    /// `ConstraintError`; so is a key a unique index holds for another
    /// record. An explicit number key moves the generator past it. A failure
    /// changes nothing. Returns the key.
    pub fn put(
        &mut self,
        store: StoreId,
        key: Option<Key>,
        value: &[u8],
        overwrite: bool,
        index_keys: &[(IndexId, Vec<Key>)],
    ) -> Result<Key, IdbError> {
        self.in_savepoint(|this| this.put_now(store, key, value, overwrite, index_keys))
    }

    fn put_now(
        &mut self,
        store: StoreId,
        key: Option<Key>,
        value: &[u8],
        overwrite: bool,
        index_keys: &[(IndexId, Vec<Key>)],
    ) -> Result<Key, IdbError> {
        let current: i64 = self.column_of(
            "SELECT current_number FROM object_stores WHERE id = ?1",
            store.0,
            "The object store is gone.",
        )?;
        let (key, next) = match key {
            Some(key) => {
                let next = match &key {
                    // https://w3c.github.io/IndexedDB/#possibly-update-the-key-generator
                    Key::Number(number) if *number >= current as f64 => {
                        // Never NaN; -inf is below any current number.
                        Some(number.min(MAX_GENERATED_KEY as f64).floor() as i64 + 1)
                    }
                    _ => None,
                };
                (key, next)
            }
            None => {
                if current > MAX_GENERATED_KEY {
                    return Err(IdbError::new(
                        IdbErrorName::Constraint,
                        "The key generator has run out of keys.",
                    ));
                }
                (Key::Number(current as f64), Some(current + 1))
            }
        };
        let encoded = encode_key(&key);
        let sql = if overwrite {
            "INSERT OR REPLACE INTO records (store_id, key, value) VALUES (?1, ?2, ?3)"
        } else {
            "INSERT INTO records (store_id, key, value) VALUES (?1, ?2, ?3)"
        };
        match self.execute_cached(sql, params![store.0, encoded, value]) {
            Ok(_) => {}
            Err(error) if is_constraint(&error) => {
                return Err(IdbError::new(
                    IdbErrorName::Constraint,
                    "A record with this key already exists in the object store.",
                ));
            }
            Err(error) => return Err(storage_error(error)),
        }
        if overwrite {
            // The replaced record's entries go; the new ones follow.
            self.execute_cached(
                "DELETE FROM index_records WHERE primary_key = ?2
                     AND index_id IN (SELECT id FROM indexes WHERE store_id = ?1)",
                params![store.0, encoded],
            )
            .map_err(storage_error)?;
        }
        for (index, keys) in index_keys {
            let unique = self.index_is_unique(*index)?;
            self.insert_index_entries(*index, unique, &encoded, keys)?;
        }
        if let Some(next) = next {
            self.execute_cached(
                "UPDATE object_stores SET current_number = ?2 WHERE id = ?1",
                params![store.0, next],
            )
            .map_err(storage_error)?;
        }
        Ok(key)
    }

    /// Records found through `index` with an index key in `range`, in index
    /// key order then record key order, at most `limit` (an index's `getAll`,
    /// `get` with a limit of 1).
    pub fn index_get_all(
        &self,
        index: IndexId,
        range: &KeyRange,
        limit: Option<u32>,
    ) -> Result<Vec<IndexRecord>, IdbError> {
        let mut records = Vec::new();
        self.index_get_each(index, range, limit, |record| {
            records.push(record);
            Ok(())
        })?;
        Ok(records)
    }

    /// [`OriginStore::index_get_all`], each record handed to `each` as it is read (a caller
    /// streaming a long answer sends the first records while reading the rest).
    pub fn index_get_each(
        &self,
        index: IndexId,
        range: &KeyRange,
        limit: Option<u32>,
        mut each: impl FnMut(IndexRecord) -> Result<(), IdbError>,
    ) -> Result<(), IdbError> {
        let (clause, values) = range_clause("entry.index_id", index.0, "entry.key", range);
        let limit = limit.map_or(-1, i64::from);
        let sql = format!(
            "SELECT entry.key, record.key, record.value
             FROM index_records AS entry
             JOIN indexes ON indexes.id = entry.index_id
             JOIN records AS record
               ON record.store_id = indexes.store_id AND record.key = entry.primary_key
             WHERE {clause} ORDER BY entry.key, entry.primary_key LIMIT {limit}"
        );
        let mut statement = self
            .connection
            .prepare_cached(&sql)
            .map_err(storage_error)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, Vec<u8>>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(storage_error)?;
        for row in rows {
            let (index_key, key, value) = row.map_err(storage_error)?;
            each((stored_key(&index_key)?, stored_key(&key)?, value))?;
        }
        Ok(())
    }

    /// Steps of a cursor over `store`: the record `skip` places past `after`
    /// (`None`: from the start) in `direction`, within `range` (`continue()`
    /// is a skip of 0, `advance(n)` one of `n - 1`), and the `count - 1`
    /// records after it, in one query (a cursor reading ahead). Record keys
    /// are unique, so the unique directions are the plain ones.
    pub fn store_cursor_steps(
        &self,
        store: StoreId,
        range: &KeyRange,
        direction: Direction,
        after: Option<&Key>,
        skip: u32,
        count: u32,
    ) -> Result<Vec<(Key, Vec<u8>)>, IdbError> {
        let (mut clause, mut values) = range_clause("store_id", store.0, "key", range);
        let forward = direction.forward();
        if let Some(after) = after {
            values.push(rusqlite::types::Value::Blob(encode_key(after)));
            clause += &format!(
                " AND key {} ?{}",
                if forward { ">" } else { "<" },
                values.len()
            );
        }
        let order = if forward { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT key, value FROM records WHERE {clause} ORDER BY key {order} LIMIT {} OFFSET {skip}",
            count.max(1)
        );
        let mut statement = self
            .connection
            .prepare_cached(&sql)
            .map_err(storage_error)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(storage_error)?;
        rows.map(|row| {
            let (key, value) = row.map_err(storage_error)?;
            Ok((stored_key(&key)?, value))
        })
        .collect()
    }

    /// A step of a cursor over `index`: the entry `skip` places past `after`
    /// (index key and record key; `None`: from the start; `inclusive`: that
    /// entry itself counts, as `continuePrimaryKey` asks) in `direction`,
    /// within `range`. Entries run in index key order, then record key order
    /// (both reversed for `prev`). The unique directions give one entry per
    /// index key: the one with the lowest record key, also going backwards,
    /// as the spec says.
    pub fn index_cursor_step(
        &self,
        index: IndexId,
        range: &KeyRange,
        direction: Direction,
        after: Option<(&Key, &Key)>,
        inclusive: bool,
        skip: u32,
    ) -> Result<Option<IndexRecord>, IdbError> {
        use rusqlite::types::Value;
        let (mut clause, mut values) = range_clause("entry.index_id", index.0, "entry.key", range);
        let forward = direction.forward();
        let (op, order) = match (forward, inclusive) {
            (true, false) => (">", "ASC"),
            (true, true) => (">=", "ASC"),
            (false, false) => ("<", "DESC"),
            (false, true) => ("<=", "DESC"),
        };
        if let Some((key, primary_key)) = after {
            values.push(Value::Blob(encode_key(key)));
            let key_param = values.len();
            if direction.unique() {
                clause += &format!(" AND entry.key {op} ?{key_param}");
            } else {
                values.push(Value::Blob(encode_key(primary_key)));
                clause += &format!(
                    " AND (entry.key, entry.primary_key) {op} (?{key_param}, ?{})",
                    values.len()
                );
            }
        }
        let sql = if direction.unique() {
            // One row per index key, with its lowest record key.
            format!(
                "SELECT entry.key, min(entry.primary_key) FROM index_records AS entry
                 WHERE {clause} GROUP BY entry.key ORDER BY entry.key {order}
                 LIMIT 1 OFFSET {skip}"
            )
        } else {
            format!(
                "SELECT entry.key, entry.primary_key FROM index_records AS entry
                 WHERE {clause} ORDER BY entry.key {order}, entry.primary_key {order}
                 LIMIT 1 OFFSET {skip}"
            )
        };
        let found = self
            .query_row_cached(&sql, rusqlite::params_from_iter(values), |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .optional()
            .map_err(storage_error)?;
        let Some((index_key, primary_key)) = found else {
            return Ok(None);
        };
        let value: Vec<u8> = self
            .query_row_cached(
                "SELECT record.value FROM records AS record
                 JOIN indexes ON indexes.store_id = record.store_id
                 WHERE indexes.id = ?1 AND record.key = ?2",
                params![index.0, primary_key],
                |row| row.get(0),
            )
            .map_err(storage_error)?;
        Ok(Some((
            stored_key(&index_key)?,
            stored_key(&primary_key)?,
            value,
        )))
    }

    /// How many entries of `index` have a key in `range` (an index's `count`).
    pub fn index_count(&self, index: IndexId, range: &KeyRange) -> Result<u64, IdbError> {
        let (clause, values) = range_clause("index_id", index.0, "key", range);
        self.query_row_cached(
            &format!("SELECT count(*) FROM index_records WHERE {clause}"),
            rusqlite::params_from_iter(values),
            |row| row.get::<_, i64>(0).map(|count| count.max(0) as u64),
        )
        .map_err(storage_error)
    }

    /// The records of `range`, in key order, at most `limit` (`getAll`).
    pub fn get_all(
        &self,
        store: StoreId,
        range: &KeyRange,
        limit: Option<u32>,
    ) -> Result<Vec<(Key, Vec<u8>)>, IdbError> {
        let mut records = Vec::new();
        self.get_each(store, range, limit, |record| {
            records.push(record);
            Ok(())
        })?;
        Ok(records)
    }

    /// [`OriginStore::get_all`], each record handed to `each` as it is read.
    pub fn get_each(
        &self,
        store: StoreId,
        range: &KeyRange,
        limit: Option<u32>,
        mut each: impl FnMut((Key, Vec<u8>)) -> Result<(), IdbError>,
    ) -> Result<(), IdbError> {
        let (sql, values) = match (&range.lower, &range.upper) {
            // One key (`get(key)`, the most common read): one fixed statement, no SQL to build.
            (Some(lower), Some(upper)) if !lower.open && !upper.open && lower.key == upper.key => (
                std::borrow::Cow::Borrowed(
                    "SELECT key, value FROM records WHERE store_id = ?1 AND key = ?2",
                ),
                vec![
                    rusqlite::types::Value::Integer(store.0),
                    rusqlite::types::Value::Blob(encode_key(&lower.key)),
                ],
            ),
            _ => {
                let (clause, values) = range_clause("store_id", store.0, "key", range);
                let limit = limit.map_or(-1, i64::from);
                let sql = format!(
                    "SELECT key, value FROM records WHERE {clause} ORDER BY key LIMIT {limit}"
                );
                (std::borrow::Cow::Owned(sql), values)
            }
        };
        let mut statement = self
            .connection
            .prepare_cached(&sql)
            .map_err(storage_error)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(storage_error)?;
        for row in rows {
            let (key, value) = row.map_err(storage_error)?;
            let key = decode_key(&key).map_err(|error| {
                IdbError::new(
                    IdbErrorName::Unknown,
                    format!("a stored key is damaged: {error}"),
                )
            })?;
            each((key, value))?;
        }
        Ok(())
    }

    /// The first record of `range` (`get`).
    pub fn get(
        &self,
        store: StoreId,
        range: &KeyRange,
    ) -> Result<Option<(Key, Vec<u8>)>, IdbError> {
        Ok(self.get_all(store, range, Some(1))?.into_iter().next())
    }

    /// How many records `range` holds (`count`).
    pub fn count(&self, store: StoreId, range: &KeyRange) -> Result<u64, IdbError> {
        let (clause, values) = range_clause("store_id", store.0, "key", range);
        self.query_row_cached(
            &format!("SELECT count(*) FROM records WHERE {clause}"),
            rusqlite::params_from_iter(values),
            |row| row.get::<_, i64>(0).map(|count| count.max(0) as u64),
        )
        .map_err(storage_error)
    }

    /// Deletes the records of `range` (`delete`, `clear` with every key);
    /// how many.
    pub fn delete(&mut self, store: StoreId, range: &KeyRange) -> Result<u64, IdbError> {
        let (clause, values) = range_clause("store_id", store.0, "key", range);
        self.execute_cached(
            &format!(
                "DELETE FROM index_records
                     WHERE index_id IN (SELECT id FROM indexes WHERE store_id = ?1)
                     AND primary_key IN (SELECT key FROM records WHERE {clause})"
            ),
            rusqlite::params_from_iter(values.clone()),
        )
        .map_err(storage_error)?;
        self.execute_cached(
            &format!("DELETE FROM records WHERE {clause}"),
            rusqlite::params_from_iter(values),
        )
        .map(|deleted| deleted as u64)
        .map_err(storage_error)
    }
}
