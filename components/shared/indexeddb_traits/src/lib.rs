//! The vocabulary of IndexedDB that crosses from script threads to the
//! IndexedDB backend: keys ([`Key`], ordered as the spec compares them) and
//! key ranges ([`KeyRange`]).
//!
//! Spec: <https://w3c.github.io/IndexedDB/>.

mod key;

pub use crate::key::{Key, KeyRange};
