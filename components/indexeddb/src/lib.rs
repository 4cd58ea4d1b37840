//! The IndexedDB backend (work in progress): what the engine's IndexedDB
//! thread will run on the origin's SQLite files.
//!
//! So far: [`encoding`], keys as bytes whose order (SQLite compares BLOBs
//! with `memcmp`) is the spec's key order, so that a key range or an index
//! query is a range scan over an indexed column, not a full scan; and
//! [`store`], one origin's databases, object stores, records, key generators
//! and indexes (unique, multiEntry; their keys computed by the script thread)
//! and cursor steps (seek from a position, four directions), in one SQLite
//! file, inside transactions the caller opens; [`layout`], where each
//! origin's file lives in a profile and a read-only listing of them
//! (`bgsync idb list`); [`scheduler`], which transactions of a database may
//! run (the spec's scheduling rules, as pure state). Not yet: the backend
//! thread and its messages.

pub mod encoding;
pub mod layout;
pub mod scheduler;
pub mod store;

pub use crate::encoding::{decode_key, encode_key, encoded_range, DecodeError, EncodedRange};
pub use crate::store::{
    DatabaseId, DatabaseInfo, Direction, Durability, IndexId, IndexInfo, IndexRecord, OriginStore,
    StoreId, StoreInfo, MAX_GENERATED_KEY,
};
