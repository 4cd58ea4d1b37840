//! The IndexedDB backend (work in progress): what the engine's IndexedDB
//! thread will run on the origin's SQLite files.
//!
//! So far: [`encoding`], keys as bytes whose order (SQLite compares BLOBs
//! with `memcmp`) is the spec's key order, so that a key range or an index
//! query is a range scan over an indexed column, not a full scan.

pub mod encoding;

pub use crate::encoding::{decode_key, encode_key, encoded_range, DecodeError, EncodedRange};
