//! Shared basics: prefs, origins, ids, and how a thread waits for ipc.
//!
//! Every other bgsync crate may depend on `base`; `base` depends on no crate
//! of ours, so anything here can be used on either side of an ipc-channel.

pub mod id;
pub mod ipc_waiter;
pub mod method;
pub mod mime;
pub mod origin;
pub mod prefs;
pub mod referrer;

pub use prefs::{PrefError, PrefType, PrefValue, Prefs};
