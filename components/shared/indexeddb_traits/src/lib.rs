//! The vocabulary of IndexedDB that crosses from script threads to the
//! IndexedDB backend: keys ([`Key`], ordered as the spec compares them) and
//! key ranges ([`KeyRange`]), key paths ([`KeyPath`]) and the errors
//! requests fail with ([`IdbError`], each naming its DOMException), and the
//! messages between a global and the backend ([`IdbMsg`], [`IdbEvent`]).
//!
//! Spec: <https://w3c.github.io/IndexedDB/>.

mod error;
mod key;
mod messages;

pub use crate::error::{IdbError, IdbErrorName};
pub use crate::key::{Bound, Key, KeyPath, KeyRange};
pub use crate::messages::{
    ConnectionNumber, CursorDirection, CursorPosition, DatabaseSchema, DurabilityHint, IdbEvent,
    IdbMsg, IndexSchema, Operation, Outcome, Record, RequestNumber, Source, StoreSchema,
    TransactionMode, TransactionNumber,
};
