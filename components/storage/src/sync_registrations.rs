//! The background sync service's table: one row per (service-worker
//! registration, tag).
//!
//! Rows are [`SyncRegistrationInfo`] values, written whole on every state
//! change (an upsert), so the service never has to know which columns
//! changed. A row can only exist for a stored service-worker registration;
//! writing one for an unknown id fails with
//! [`StorageError::UnknownServiceWorkerRegistration`] (the registration was
//! deleted in the meantime), and deleting the service-worker registration
//! deletes its rows.

use background_sync_traits::{SyncRegistrationInfo, SyncState};
use base::id::ServiceWorkerRegistrationId;
use rusqlite::{params, OptionalExtension, Row};

use crate::database::Database;
use crate::error::StorageError;
use crate::service_workers::foreign_key_error;
use crate::values::{u32_from_sql, u64_from_sql, u64_to_sql};

const TABLE: &str = "sync_registrations";

const COLUMNS: &str = "registration_id, tag, state, num_attempts, max_attempts, delay_until_ms";

/// The columns that hold enum names, with every name this build reads: a
/// row with another one is moved aside at open (see [`crate::schema`]).
pub(crate) fn enum_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![(
        "state",
        SyncState::ALL.iter().map(|state| state.as_str()).collect(),
    )]
}

impl Database {
    /// Inserts the sync registration or replaces the stored one with the
    /// same service-worker registration and tag. Committed on return.
    pub fn put_sync_registration(
        &mut self,
        registration: &SyncRegistrationInfo,
    ) -> Result<(), StorageError> {
        let delay_until = registration
            .delay_until_ms
            .map(|at| u64_to_sql(at, "delay_until_ms"))
            .transpose()?;
        self.connection()
            .prepare_cached(
                "INSERT INTO sync_registrations (registration_id, tag, state, num_attempts,
                     max_attempts, delay_until_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (registration_id, tag) DO UPDATE SET
                     state = excluded.state,
                     num_attempts = excluded.num_attempts,
                     max_attempts = excluded.max_attempts,
                     delay_until_ms = excluded.delay_until_ms",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    registration.registration.0,
                    registration.tag,
                    registration.state.as_str(),
                    registration.num_attempts,
                    registration.max_attempts,
                    delay_until,
                ])
            })
            .map_err(|error| foreign_key_error(error, registration.registration))?;
        Ok(())
    }

    /// The sync registration with this tag, if any.
    pub fn sync_registration(
        &self,
        id: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Result<Option<SyncRegistrationInfo>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM {TABLE} WHERE registration_id = ?1 AND tag = ?2");
        self.connection()
            .query_row(&sql, params![id.0, tag], read_raw)
            .optional()?
            .map(RawSync::into_info)
            .transpose()
    }

    /// The sync registrations of one service-worker registration, by tag.
    /// A row this build cannot read fails the read, or on a read-only
    /// database is skipped (see [`Database::open_read_only`]).
    pub fn sync_registrations(
        &self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<Vec<SyncRegistrationInfo>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM {TABLE} WHERE registration_id = ?1 ORDER BY tag");
        let mut statement = self.connection().prepare(&sql)?;
        let rows = statement.query_map([id.0], read_raw)?;
        self.readable_rows(TABLE, rows.map(|raw| raw?.into_info()))
    }

    /// Every sync registration of the profile, by service-worker registration
    /// and tag: what the sync service loads at start. A row this build
    /// cannot read fails the read, or on a read-only database is skipped.
    pub fn all_sync_registrations(&self) -> Result<Vec<SyncRegistrationInfo>, StorageError> {
        let sql = format!("SELECT {COLUMNS} FROM {TABLE} ORDER BY registration_id, tag");
        let mut statement = self.connection().prepare(&sql)?;
        let rows = statement.query_map([], read_raw)?;
        self.readable_rows(TABLE, rows.map(|raw| raw?.into_info()))
    }

    /// Deletes one sync registration. Returns whether it existed.
    pub fn delete_sync_registration(
        &mut self,
        id: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Result<bool, StorageError> {
        let deleted = self
            .connection()
            .prepare_cached(
                "DELETE FROM sync_registrations WHERE registration_id = ?1 AND tag = ?2",
            )?
            .execute(params![id.0, tag])?;
        Ok(deleted > 0)
    }

    /// Deletes every sync registration of a service-worker registration (the
    /// registration itself stays). Returns how many there were.
    pub fn delete_sync_registrations(
        &mut self,
        id: ServiceWorkerRegistrationId,
    ) -> Result<usize, StorageError> {
        Ok(self.connection().execute(
            "DELETE FROM sync_registrations WHERE registration_id = ?1",
            [id.0],
        )?)
    }
}

/// A row as SQLite gives it, before its values are checked.
struct RawSync {
    registration_id: i64,
    tag: String,
    state: String,
    num_attempts: i64,
    max_attempts: i64,
    delay_until_ms: Option<i64>,
}

fn read_raw(row: &Row<'_>) -> rusqlite::Result<RawSync> {
    Ok(RawSync {
        registration_id: row.get(0)?,
        tag: row.get(1)?,
        state: row.get(2)?,
        num_attempts: row.get(3)?,
        max_attempts: row.get(4)?,
        delay_until_ms: row.get(5)?,
    })
}

impl RawSync {
    fn into_info(self) -> Result<SyncRegistrationInfo, StorageError> {
        let state: SyncState = self.state.parse().map_err(|_| StorageError::InvalidRow {
            table: TABLE,
            detail: format!("state is {:?}", self.state),
        })?;
        Ok(SyncRegistrationInfo {
            registration: ServiceWorkerRegistrationId(self.registration_id),
            tag: self.tag,
            state,
            num_attempts: u32_from_sql(self.num_attempts, TABLE, "num_attempts")?,
            max_attempts: u32_from_sql(self.max_attempts, TABLE, "max_attempts")?,
            delay_until_ms: self
                .delay_until_ms
                .map(|at| u64_from_sql(at, TABLE, "delay_until_ms"))
                .transpose()?,
        })
    }
}
