//! The IndexedDB backend: what the engine's IndexedDB threads run on the
//! origins' SQLite files.
//!
//! The parts: [`encoding`], keys as bytes whose order (SQLite compares BLOBs
//! with `memcmp`) is the spec's key order, so that a key range or an index
//! query is a range scan over an indexed column, not a full scan; and
//! [`store`], one origin's databases, object stores, records, key generators
//! and indexes (unique, multiEntry; their keys computed by the script thread)
//! and cursor steps (seek from a position, four directions), in one SQLite
//! file, inside transactions the caller opens; [`layout`], where each
//! origin's file lives in a profile and a read-only listing of them
//! (`bgsync idb list`); [`scheduler`], which transactions of a database may
//! run (the spec's scheduling rules, as pure state); [`backend`], a thread
//! per origin that owns its file and serves the globals' messages (opens,
//! upgrades, `versionchange`/`blocked`, transactions and their requests).

pub mod backend;
pub mod encoding;
pub mod layout;
pub mod scheduler;
pub mod store;

pub use crate::backend::{Backend, BackendConfig, Deliver};
pub use crate::encoding::{decode_key, encode_key, encoded_range, DecodeError, EncodedRange};
pub use crate::store::{
    DatabaseId, DatabaseInfo, Direction, Durability, IndexId, IndexInfo, IndexRecord, OriginStore,
    StoreId, StoreInfo, MAX_GENERATED_KEY,
};
