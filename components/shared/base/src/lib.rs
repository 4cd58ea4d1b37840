//! Shared basics: prefs and origins.
//!
//! Every other bgsync crate may depend on `base`; `base` depends on no crate
//! of ours, so anything here can be used on either side of an ipc-channel.

pub mod id;
pub mod mime;
pub mod origin;
pub mod prefs;

pub use prefs::{PrefError, PrefType, PrefValue, Prefs};
