//! The Background Synchronization service: registrations, state machine,
//! policy, scheduler.
//!
//! <https://wicg.github.io/background-sync/spec/>
//!
//! A library with a small interface and no JavaScript: the constellation
//! hosts a [`SyncService`], passes it the requests of pages and workers (after
//! checking their origins), the network state and the outcomes of `sync`
//! events, and carries out the [`Action`]s it returns (dispatch an event,
//! abort one, set the wake-up timer). Persistence goes through the
//! [`SyncStore`] trait: [`SqliteSyncStore`] over the profile database in the
//! engine, [`MemorySyncStore`] in tests. Time comes from a [`Clock`], so tests
//! run the back-off schedule with a [`FakeClock`].
//!
//! The files follow Chromium's `content/browser/background_sync`:
//! `manager` is the state machine, `parameters` the policy numbers,
//! `scheduler` what is ready and when to wake, `store` the persistence,
//! `clock` the time, and `service` ties them to the requests.

mod action;
mod clock;
mod manager;
mod parameters;
mod scheduler;
mod service;
mod store;

pub use background_sync_traits::{
    SyncError, SyncEventFailure, SyncEventOutcome, SyncRegistrationInfo, SyncState,
};
pub use base::id::ServiceWorkerRegistrationId;

pub use crate::action::{Action, DispatchId};
pub use crate::clock::{Clock, FakeClock, SystemClock};
pub use crate::parameters::RetryPolicy;
pub use crate::service::{
    DisabledReason, SyncService, DEFERRED_DELETION_MS, FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS,
};
pub use crate::store::{Durability, MemorySyncStore, SqliteSyncStore, StoreError, SyncStore};
