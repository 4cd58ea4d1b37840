//! The profile database: one SQLite file per profile, `<profile>/storage.sqlite`.
//!
//! This crate owns the schema and every SQL statement of the engine; its
//! callers see typed records and typed errors, never SQL. Two subsystems keep
//! their state here: the constellation's service-worker registry (the
//! registrations, their scripts and imported scripts) and the background
//! sync service (sync registrations, keyed by service-worker registration
//! and tag, deleted with their service-worker registration by a foreign key).
//!
//! Opening is where the care goes (see [`Database::open`]): the file is put
//! in WAL mode with `synchronous=FULL`, checked with `PRAGMA quick_check`,
//! and migrated forward by `PRAGMA user_version`; a file that is not a
//! SQLite database or is corrupt is moved aside, never deleted, and the
//! error says where it went. A file whose tables or rows do not match this
//! build is repaired inside the file instead (see [`Repair`]): what cannot
//! be repaired in place is renamed or copied to `_broken` tables, never
//! deleted. What to do then (run disabled, or start fresh
//! with [`Database::open_fresh`]) is the caller's decision.
//!
//! Every write method commits before it returns (or, inside a batch, at
//! [`Database::commit_batch`]). A commit is synced to disk before it returns
//! unless the caller chose [`Durability::Relaxed`] for it, so a caller that
//! answers a page after a durable write (a `register()` promise) has kept its
//! word even if the machine loses power right after; relaxed commits survive
//! the process dying and are synced by the next durable one.

mod database;
mod error;
mod lock;
mod schema;
mod service_workers;
mod sync_registrations;
mod values;

pub use background_sync_traits::{SyncRegistrationInfo, SyncState};
pub use base::id::ServiceWorkerRegistrationId;

pub use crate::database::{move_aside, origin_file_name, Database, Durability, DATABASE_FILE_NAME};
pub use crate::error::{OpenError, StorageError};
pub use crate::lock::{LockError, ProfileLock, LOCK_FILE_NAME};
pub use crate::schema::{Repair, SCHEMA_VERSION};
pub use crate::service_workers::{
    ImportedScript, NewServiceWorkerRegistration, ServiceWorkerRecord, ServiceWorkerState,
    UnknownName, UpdateViaCache, WorkerType,
};
