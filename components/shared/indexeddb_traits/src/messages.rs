//! The messages between a script thread (a page or a worker) and the
//! IndexedDB backend.
//!
//! A global numbers its own connections, transactions and requests; the
//! backend keeps them apart per sender, whose identity (and so origin) the
//! engine adds when it routes the message, never read from the message
//! itself. Everything a global asks is answered on the global's own
//! channel as an [`IdbEvent`], in the order the backend did the work.
//!
//! The protocol, in short:
//! - `Open` is answered by `Opened` or `OpenFailed`, possibly after
//!   `Blocked` (other connections stayed open after their `versionchange`)
//!   and `UpgradeNeeded` (the upgrade transaction, numbered by the `Open`,
//!   runs; its end comes as `Finished` before the `Opened`).
//! - A connection sent `VersionChange` answers with `VersionChangeFired`
//!   once its event was dispatched (and `Close`, if a listener closed it).
//! - `Begin` creates a transaction; its `Request`s are answered by
//!   `Answer`s in order; `Commit` and `Abort` end it, and every transaction
//!   ends with exactly one `Finished`.

use serde::{Deserialize, Serialize};

use crate::{IdbError, Key, KeyPath, KeyRange};

/// A connection's number, chosen by its global.
pub type ConnectionNumber = u64;
/// A transaction's number, chosen by its global, growing in creation order.
pub type TransactionNumber = u64;
/// A request's number, chosen by its global.
pub type RequestNumber = u64;

/// <https://w3c.github.io/IndexedDB/#transaction-mode>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransactionMode {
    ReadOnly,
    ReadWrite,
    VersionChange,
}

/// <https://w3c.github.io/IndexedDB/#transaction-durability-hint>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DurabilityHint {
    Default,
    Strict,
    Relaxed,
}

/// An index of a database's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSchema {
    pub name: String,
    pub key_path: KeyPath,
    pub unique: bool,
    pub multi_entry: bool,
}

/// An object store of a database's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSchema {
    pub name: String,
    pub key_path: Option<KeyPath>,
    pub auto_increment: bool,
    pub indexes: Vec<IndexSchema>,
}

/// A database as a new connection sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSchema {
    pub name: String,
    pub version: u64,
    pub stores: Vec<StoreSchema>,
}

/// What a read goes through: an object store, or one of its indexes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub store: String,
    pub index: Option<String>,
}

/// <https://w3c.github.io/IndexedDB/#enumdef-idbcursordirection>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CursorDirection {
    Next,
    NextUnique,
    Prev,
    PrevUnique,
}

/// Where a cursor's next step starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CursorPosition {
    /// The first record of the range in the cursor's direction.
    Start,
    /// Past the record at this key (and, for an index, this primary key).
    After { key: Key, primary_key: Option<Key> },
    /// The first record at or past this key (`continue(key)`), and, for an
    /// index, at or past this primary key within it (`continuePrimaryKey`).
    AtOrPast { key: Key, primary_key: Option<Key> },
}

/// One request of a transaction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Operation {
    CreateObjectStore {
        name: String,
        key_path: Option<KeyPath>,
        auto_increment: bool,
    },
    DeleteObjectStore {
        name: String,
    },
    RenameObjectStore {
        from: String,
        to: String,
    },
    /// Answered with the store's records, whose index keys the script
    /// thread computes and sends as `IndexEntries`.
    CreateIndex {
        store: String,
        schema: IndexSchema,
    },
    IndexEntries {
        store: String,
        index: String,
        entries: Vec<(Key, Vec<Key>)>,
    },
    DeleteIndex {
        store: String,
        name: String,
    },
    RenameIndex {
        store: String,
        from: String,
        to: String,
    },
    /// `put()` (`overwrite`) or `add()`. `key` is `None` when the store's
    /// key generator gives it. `index_keys`: each index's keys for the value.
    Put {
        store: String,
        key: Option<Key>,
        /// Structured-clone bytes (encoded as one byte string, not byte by byte).
        #[serde(with = "serde_bytes")]
        value: Vec<u8>,
        overwrite: bool,
        index_keys: Vec<(String, Vec<Key>)>,
    },
    /// `get`, `getAll`, `getKey`, `getAllKeys`, in a range, up to `limit`.
    GetAll {
        source: Source,
        range: KeyRange,
        limit: Option<u32>,
    },
    Count {
        source: Source,
        range: KeyRange,
    },
    Delete {
        store: String,
        range: KeyRange,
    },
    Clear {
        store: String,
    },
    /// A cursor's step: the record `skip` records on from `position`, and up to `count - 1`
    /// records after it (read ahead; fewer than `count` means the end follows them).
    Cursor {
        source: Source,
        range: KeyRange,
        direction: CursorDirection,
        position: CursorPosition,
        skip: u32,
        count: u32,
    },
}

/// A record as a read returns it. `key` is the index key for a read
/// through an index, else the primary key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub key: Key,
    pub primary_key: Key,
    /// Structured-clone bytes (encoded as one byte string, not byte by byte).
    #[serde(with = "serde_bytes")]
    pub value: Vec<u8>,
}

/// What a successful request yields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Done,
    Key(Key),
    Records(Vec<Record>),
    Count(u64),
    /// A cursor's next record and those read ahead after it; empty at the end.
    Cursor(Vec<Record>),
}

/// A global's message to the backend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum IdbMsg {
    /// `indexedDB.open(name, version)`. `connection` and `upgrade` number
    /// the connection and its upgrade transaction, if there are ones.
    Open {
        request: RequestNumber,
        name: String,
        version: Option<u64>,
        connection: ConnectionNumber,
        upgrade: TransactionNumber,
    },
    DeleteDatabase {
        request: RequestNumber,
        name: String,
    },
    Databases {
        request: RequestNumber,
    },
    /// The connection's `versionchange` event was dispatched.
    VersionChangeFired {
        connection: ConnectionNumber,
    },
    /// `close()`: the connection closes once its transactions finish.
    Close {
        connection: ConnectionNumber,
    },
    Begin {
        connection: ConnectionNumber,
        transaction: TransactionNumber,
        stores: Vec<String>,
        mode: TransactionMode,
        durability: DurabilityHint,
    },
    Request {
        transaction: TransactionNumber,
        request: RequestNumber,
        operation: Operation,
    },
    /// No request will come: commit once the requests sent are done.
    Commit {
        transaction: TransactionNumber,
    },
    Abort {
        transaction: TransactionNumber,
    },
    /// Several of the above, in order: what a task sent (one message instead of thousands
    /// when a page adds thousands of records).
    Batch(Vec<IdbMsg>),
}

/// The backend's message to a global.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum IdbEvent {
    Blocked {
        request: RequestNumber,
        old_version: u64,
        new_version: Option<u64>,
    },
    /// The upgrade transaction (numbered by the `Open`) runs.
    UpgradeNeeded {
        request: RequestNumber,
        old_version: u64,
        database: DatabaseSchema,
    },
    Opened {
        request: RequestNumber,
        database: DatabaseSchema,
    },
    /// An `open` or `deleteDatabase` failed.
    Failed {
        request: RequestNumber,
        error: IdbError,
    },
    Deleted {
        request: RequestNumber,
        old_version: u64,
    },
    DatabasesListed {
        request: RequestNumber,
        databases: Vec<(String, u64)>,
    },
    VersionChange {
        connection: ConnectionNumber,
        old_version: u64,
        new_version: Option<u64>,
    },
    Answer {
        transaction: TransactionNumber,
        request: RequestNumber,
        result: Result<Outcome, IdbError>,
    },
    /// The first records of a long `getAll()`/`getAllKeys()` answer, sent while the backend
    /// reads the rest, so script turns them into values meanwhile. The request's `Answer`
    /// follows with the last records; nothing fires before it.
    RecordsAhead {
        transaction: TransactionNumber,
        request: RequestNumber,
        records: Vec<Record>,
    },
    /// The transaction committed (`error` `None`) or was aborted.
    Finished {
        transaction: TransactionNumber,
        error: Option<IdbError>,
    },
    /// The connection was closed by the engine (the site's data was cleared): fire `close`.
    ForcedClose { connection: ConnectionNumber },
    /// Several of the above, in order (the answers to a burst of requests).
    Batch(Vec<IdbEvent>),
}
