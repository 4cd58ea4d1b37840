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
}

/// The largest number a key generator gives: 2^53. The current number is
/// an integer column, so 2^53 + 1 (out of keys) is exact, as `f64` is not.
pub const MAX_GENERATED_KEY: i64 = 1 << 53;

/// How a commit is written: `Strict` waits until the data is on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    Strict,
    Relaxed,
}

const SCHEMA: &str = "
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
";

/// The items of an array key path, joined in the `key_path` column by this
/// separator (U+001F, which no identifier holds).
const PATH_SEPARATOR: char = '\u{1f}';

fn storage_error(error: rusqlite::Error) -> IdbError {
    IdbError::new(IdbErrorName::Unknown, format!("storage failed: {error}"))
}

/// A stored version (never negative: the column's CHECK).
fn version(stored: i64) -> u64 {
    stored.max(0) as u64
}

/// One origin's IndexedDB file.
pub struct OriginStore {
    connection: Connection,
}

impl OriginStore {
    /// Opens (creating if needed) the file at `path`.
    pub fn open(path: &Path) -> Result<OriginStore, IdbError> {
        OriginStore::with_connection(Connection::open(path).map_err(storage_error)?)
    }

    /// A store that lives in memory only.
    pub fn in_memory() -> Result<OriginStore, IdbError> {
        OriginStore::with_connection(Connection::open_in_memory().map_err(storage_error)?)
    }

    fn with_connection(connection: Connection) -> Result<OriginStore, IdbError> {
        connection
            .pragma_update(None, "foreign_keys", true)
            .and_then(|()| connection.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| connection.execute_batch(SCHEMA))
            .map_err(storage_error)?;
        Ok(OriginStore { connection })
    }

    /// Opens a transaction written with `durability` (`Strict`: its commit
    /// returns once it is on disk); every change until
    /// [`OriginStore::commit`] or [`OriginStore::rollback`] is in it.
    pub fn begin(&mut self, durability: Durability) -> Result<(), IdbError> {
        let synchronous = match durability {
            Durability::Strict => "FULL",
            Durability::Relaxed => "NORMAL",
        };
        self.connection
            .pragma_update(None, "synchronous", synchronous)
            .and_then(|()| self.connection.execute_batch("BEGIN IMMEDIATE"))
            .map_err(storage_error)
    }

    /// Commits the open transaction.
    pub fn commit(&mut self) -> Result<(), IdbError> {
        self.connection
            .execute_batch("COMMIT")
            .map_err(storage_error)
    }

    /// Takes back everything the open transaction did.
    pub fn rollback(&mut self) -> Result<(), IdbError> {
        self.connection
            .execute_batch("ROLLBACK")
            .map_err(storage_error)
    }

    /// Every database: name and version (`indexedDB.databases()`).
    pub fn databases(&self) -> Result<Vec<(String, u64)>, IdbError> {
        let mut statement = self
            .connection
            .prepare("SELECT name, version FROM databases ORDER BY name")
            .map_err(storage_error)?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, version(row.get(1)?))))
            .map_err(storage_error)?;
        rows.collect::<Result<_, _>>().map_err(storage_error)
    }

    /// The database named `name`, with its stores.
    pub fn database(&self, name: &str) -> Result<Option<DatabaseInfo>, IdbError> {
        let found: Option<(i64, u64)> = self
            .connection
            .query_row(
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
            .prepare(
                "SELECT id, name, key_path_kind, key_path, auto_increment FROM object_stores
                 WHERE database_id = ?1 ORDER BY name",
            )
            .map_err(storage_error)?;
        let stores = statement
            .query_map([id], |row| {
                let kind: i64 = row.get(2)?;
                let path: Option<String> = row.get(3)?;
                let key_path = match (kind, path) {
                    (1, Some(path)) => Some(KeyPath::String(path)),
                    (2, Some(path)) => Some(KeyPath::Array(
                        path.split(PATH_SEPARATOR).map(str::to_owned).collect(),
                    )),
                    _ => None,
                };
                Ok(StoreInfo {
                    id: StoreId(row.get(0)?),
                    name: row.get(1)?,
                    key_path,
                    auto_increment: row.get(4)?,
                })
            })
            .map_err(storage_error)?
            .collect::<Result<_, _>>()
            .map_err(storage_error)?;
        Ok(Some(DatabaseInfo {
            id: DatabaseId(id),
            name: name.to_owned(),
            version,
            stores,
        }))
    }

    /// Creates database `name` at version 0 (the upgrade sets its version).
    pub fn create_database(&mut self, name: &str) -> Result<DatabaseId, IdbError> {
        self.connection
            .execute(
                "INSERT INTO databases (name, version) VALUES (?1, 0)",
                [name],
            )
            .map_err(storage_error)?;
        Ok(DatabaseId(self.connection.last_insert_rowid()))
    }

    pub fn set_version(&mut self, database: DatabaseId, version: u64) -> Result<(), IdbError> {
        self.connection
            .execute(
                "UPDATE databases SET version = ?2 WHERE id = ?1",
                params![database.0, i64::try_from(version).unwrap_or(i64::MAX)],
            )
            .map(|_| ())
            .map_err(storage_error)
    }

    /// Deletes database `name` with all its stores and records; whether it
    /// existed.
    pub fn delete_database(&mut self, name: &str) -> Result<bool, IdbError> {
        self.connection
            .execute("DELETE FROM databases WHERE name = ?1", [name])
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
        let (kind, path) = match key_path {
            None => (0, None),
            Some(KeyPath::String(path)) => (1, Some(path.clone())),
            Some(KeyPath::Array(items)) => (2, Some(items.join(&PATH_SEPARATOR.to_string()))),
        };
        let inserted = self.connection.execute(
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
        let deleted = self
            .connection
            .execute(
                "DELETE FROM object_stores WHERE database_id = ?1 AND name = ?2",
                params![database.0, name],
            )
            .map_err(storage_error)?;
        if deleted == 0 {
            return Err(IdbError::new(
                IdbErrorName::NotFound,
                format!("No object store named '{name}'."),
            ));
        }
        Ok(())
    }

    /// Stores `value` under `key`, or under the store's next generated key
    /// if `key` is `None` (a store with a key generator). With `overwrite`
    /// false (`add()`), an existing record is a `ConstraintError`. An
    /// explicit number key moves the generator past it. Returns the key.
    pub fn put(
        &mut self,
        store: StoreId,
        key: Option<Key>,
        value: &[u8],
        overwrite: bool,
    ) -> Result<Key, IdbError> {
        let current: i64 = self
            .connection
            .query_row(
                "SELECT current_number FROM object_stores WHERE id = ?1",
                [store.0],
                |row| row.get(0),
            )
            .optional()
            .map_err(storage_error)?
            .ok_or_else(|| IdbError::new(IdbErrorName::NotFound, "The object store is gone."))?;
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
        match self
            .connection
            .execute(sql, params![store.0, encoded, value])
        {
            Ok(_) => {}
            Err(error)
                if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
            {
                return Err(IdbError::new(
                    IdbErrorName::Constraint,
                    "A record with this key already exists in the object store.",
                ));
            }
            Err(error) => return Err(storage_error(error)),
        }
        if let Some(next) = next {
            self.connection
                .execute(
                    "UPDATE object_stores SET current_number = ?2 WHERE id = ?1",
                    params![store.0, next],
                )
                .map_err(storage_error)?;
        }
        Ok(key)
    }

    /// The `WHERE` clause of `range` on the records of `store`, with its
    /// parameters.
    fn range_clause(store: StoreId, range: &KeyRange) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let encoded = encoded_range(range);
        let mut clause = "store_id = ?1".to_owned();
        let mut values = vec![Value::Integer(store.0)];
        if let Some((bound, open)) = encoded.lower {
            values.push(Value::Blob(bound));
            clause += &format!(
                " AND key {} ?{}",
                if open { ">" } else { ">=" },
                values.len()
            );
        }
        if let Some((bound, open)) = encoded.upper {
            values.push(Value::Blob(bound));
            clause += &format!(
                " AND key {} ?{}",
                if open { "<" } else { "<=" },
                values.len()
            );
        }
        (clause, values)
    }

    /// The records of `range`, in key order, at most `limit` (`getAll`).
    pub fn get_all(
        &self,
        store: StoreId,
        range: &KeyRange,
        limit: Option<u32>,
    ) -> Result<Vec<(Key, Vec<u8>)>, IdbError> {
        let (clause, values) = OriginStore::range_clause(store, range);
        let limit = limit.map_or(-1, i64::from);
        let sql =
            format!("SELECT key, value FROM records WHERE {clause} ORDER BY key LIMIT {limit}");
        let mut statement = self.connection.prepare(&sql).map_err(storage_error)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(storage_error)?;
        rows.map(|row| {
            let (key, value) = row.map_err(storage_error)?;
            let key = decode_key(&key).map_err(|error| {
                IdbError::new(
                    IdbErrorName::Unknown,
                    format!("a stored key is damaged: {error}"),
                )
            })?;
            Ok((key, value))
        })
        .collect()
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
        let (clause, values) = OriginStore::range_clause(store, range);
        self.connection
            .query_row(
                &format!("SELECT count(*) FROM records WHERE {clause}"),
                rusqlite::params_from_iter(values),
                |row| row.get::<_, i64>(0).map(|count| count.max(0) as u64),
            )
            .map_err(storage_error)
    }

    /// Deletes the records of `range` (`delete`, `clear` with every key);
    /// how many.
    pub fn delete(&mut self, store: StoreId, range: &KeyRange) -> Result<u64, IdbError> {
        let (clause, values) = OriginStore::range_clause(store, range);
        self.connection
            .execute(
                &format!("DELETE FROM records WHERE {clause}"),
                rusqlite::params_from_iter(values),
            )
            .map(|deleted| deleted as u64)
            .map_err(storage_error)
    }
}
