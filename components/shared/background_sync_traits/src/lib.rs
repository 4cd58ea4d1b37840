//! The vocabulary of the Background Synchronization service.
//!
//! Everything that crosses a thread or process boundary on the way to or
//! from the sync service is defined here: the state of a sync registration
//! ([`SyncState`], [`SyncRegistrationInfo`]), the errors `register()` and
//! `getTags()` reject with ([`SyncError`]), and the messages script threads,
//! service-worker threads and the constellation exchange ([`SyncRequest`],
//! [`SyncEventOutcome`]). This crate holds no logic
//! beyond naming: the state machine lives in `background_sync`, the origin
//! checks in the constellation.
//!
//! Spec: <https://wicg.github.io/background-sync/spec/>.

mod error;
mod messages;
mod state;

pub use base::id::{RequestId, ServiceWorkerRegistrationId};

pub use crate::error::SyncError;
pub use crate::messages::{
    GetTagsReply, RegisterReply, SyncEventFailure, SyncEventOutcome, SyncRequest,
};
pub use crate::state::{SyncRegistrationInfo, SyncState, UnknownSyncState};
