//! Where sync registrations persist.
//!
//! The service writes through [`SyncStore`] and never sees SQL. In the
//! engine that is [`SqliteSyncStore`], over the profile database of the
//! `storage` crate; unit tests use [`MemorySyncStore`], whose clones share
//! their contents (so a test can inspect what was "committed" and start a
//! second service on it, as after a restart) and which can be told to fail.
//!
//! Every write says how durable its commit must be ([`Durability`]): the
//! service answers a `register()` only after a [`Durability::Durable`] `put`
//! returned `Ok`; the changes the service makes on its own (an attempt's
//! outcome, a back-off ending) are [`Durability::Relaxed`], because losing
//! one to a power cut leaves a row the next start fires again, never a lost
//! registration. A batch groups many writes into one commit. (Firing writes
//! nothing, and deletions after an event wait for the next write: see the
//! service's `processing.rs`.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use background_sync_traits::SyncRegistrationInfo;
use base::id::ServiceWorkerRegistrationId;
use storage::{Database, StorageError};

pub use storage::Durability;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The service-worker registration is gone from storage (unregistered
    /// in the meantime); not a failure of the store.
    #[error("no service-worker registration {0}")]
    UnknownServiceWorkerRegistration(ServiceWorkerRegistrationId),
    /// The profile database failed.
    #[error(transparent)]
    Storage(StorageError),
    /// A store that is not a database failed (the memory store, told to).
    #[error("{0}")]
    Failed(String),
}

impl From<StorageError> for StoreError {
    fn from(error: StorageError) -> StoreError {
        match error {
            StorageError::UnknownServiceWorkerRegistration(id) => {
                StoreError::UnknownServiceWorkerRegistration(id)
            }
            other => StoreError::Storage(other),
        }
    }
}

/// Durable storage of sync registrations.
pub trait SyncStore: Send {
    /// Every stored registration (at start).
    fn load_all(&mut self) -> Result<Vec<SyncRegistrationInfo>, StoreError>;
    /// Inserts or replaces the registration with this key.
    fn put(
        &mut self,
        registration: &SyncRegistrationInfo,
        durability: Durability,
    ) -> Result<(), StoreError>;
    /// Deletes one registration; deleting a missing one is not an error.
    fn delete(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        durability: Durability,
    ) -> Result<(), StoreError>;
    /// The writes until [`SyncStore::end_batch`] commit together, once, with
    /// `durability` (whatever each write asks for).
    fn begin_batch(&mut self, durability: Durability) -> Result<(), StoreError>;
    /// Commits the current batch, if any.
    fn end_batch(&mut self) -> Result<(), StoreError>;
    /// Deletes every registration of a service-worker registration.
    fn delete_all(&mut self, registration: ServiceWorkerRegistrationId) -> Result<(), StoreError>;
}

/// The engine's store: the `sync_registrations` table of the profile
/// database. It owns its own connection; the service-worker registry opens
/// another one to the same file.
#[derive(Debug)]
pub struct SqliteSyncStore {
    database: Database,
}

impl SqliteSyncStore {
    pub fn new(database: Database) -> SqliteSyncStore {
        SqliteSyncStore { database }
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    pub fn database_mut(&mut self) -> &mut Database {
        &mut self.database
    }
}

impl SyncStore for SqliteSyncStore {
    fn load_all(&mut self) -> Result<Vec<SyncRegistrationInfo>, StoreError> {
        Ok(self.database.all_sync_registrations()?)
    }

    fn put(
        &mut self,
        registration: &SyncRegistrationInfo,
        durability: Durability,
    ) -> Result<(), StoreError> {
        self.database.set_durability(durability)?;
        Ok(self.database.put_sync_registration(registration)?)
    }

    fn delete(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        durability: Durability,
    ) -> Result<(), StoreError> {
        self.database.set_durability(durability)?;
        self.database.delete_sync_registration(registration, tag)?;
        Ok(())
    }

    fn delete_all(&mut self, registration: ServiceWorkerRegistrationId) -> Result<(), StoreError> {
        self.database.set_durability(Durability::Durable)?;
        self.database.delete_sync_registrations(registration)?;
        Ok(())
    }

    fn begin_batch(&mut self, durability: Durability) -> Result<(), StoreError> {
        Ok(self.database.begin_batch(durability)?)
    }

    fn end_batch(&mut self) -> Result<(), StoreError> {
        Ok(self.database.commit_batch()?)
    }
}

/// A store in memory, for tests. Clones share one set of rows.
#[derive(Clone, Debug, Default)]
pub struct MemorySyncStore {
    shared: Arc<Mutex<MemoryContents>>,
}

#[derive(Debug, Default)]
struct MemoryContents {
    rows: BTreeMap<(ServiceWorkerRegistrationId, String), SyncRegistrationInfo>,
    fail_writes: bool,
    fail_loads: bool,
    /// Commits so far, by durability: a write outside a batch is one, a
    /// batch is one.
    durable_commits: usize,
    relaxed_commits: usize,
    /// The durability of the batch in progress.
    batch: Option<Durability>,
}

impl MemoryContents {
    fn count_commit(&mut self, durability: Durability) {
        match self.batch.unwrap_or(durability) {
            Durability::Durable => self.durable_commits += 1,
            Durability::Relaxed => self.relaxed_commits += 1,
        }
    }
}

impl MemorySyncStore {
    pub fn new() -> MemorySyncStore {
        MemorySyncStore::default()
    }

    /// What is "committed", by service-worker registration and tag.
    pub fn rows(&self) -> Vec<SyncRegistrationInfo> {
        self.contents().rows.values().cloned().collect()
    }

    /// The committed row with this key.
    pub fn row(
        &self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Option<SyncRegistrationInfo> {
        self.contents()
            .rows
            .get(&(registration, tag.to_owned()))
            .cloned()
    }

    /// Puts a row directly, as if an earlier run had stored it.
    pub fn insert_row(&self, row: SyncRegistrationInfo) {
        self.contents()
            .rows
            .insert((row.registration, row.tag.clone()), row);
    }

    /// How many commits were durable and how many relaxed (a batch counts
    /// once, when it ends).
    pub fn commits(&self) -> (usize, usize) {
        let contents = self.contents();
        (contents.durable_commits, contents.relaxed_commits)
    }

    /// From now on, `put`, `delete` and `delete_all` fail (a full disk).
    pub fn fail_writes(&self, fail: bool) {
        self.contents().fail_writes = fail;
    }

    /// From now on, `load_all` fails (an unreadable database).
    pub fn fail_loads(&self, fail: bool) {
        self.contents().fail_loads = fail;
    }

    fn contents(&self) -> MutexGuard<'_, MemoryContents> {
        // A test that panicked while holding the lock left whole rows
        // behind: every change is a single insert or remove.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn writable(&self) -> Result<MutexGuard<'_, MemoryContents>, StoreError> {
        let contents = self.contents();
        if contents.fail_writes {
            return Err(StoreError::Failed(
                "memory store told to fail writes".to_owned(),
            ));
        }
        Ok(contents)
    }
}

impl SyncStore for MemorySyncStore {
    fn load_all(&mut self) -> Result<Vec<SyncRegistrationInfo>, StoreError> {
        let contents = self.contents();
        if contents.fail_loads {
            return Err(StoreError::Failed(
                "memory store told to fail loads".to_owned(),
            ));
        }
        Ok(contents.rows.values().cloned().collect())
    }

    fn put(
        &mut self,
        registration: &SyncRegistrationInfo,
        durability: Durability,
    ) -> Result<(), StoreError> {
        let mut contents = self.writable()?;
        contents.rows.insert(
            (registration.registration, registration.tag.clone()),
            registration.clone(),
        );
        if contents.batch.is_none() {
            contents.count_commit(durability);
        }
        Ok(())
    }

    fn delete(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
        durability: Durability,
    ) -> Result<(), StoreError> {
        let mut contents = self.writable()?;
        contents.rows.remove(&(registration, tag.to_owned()));
        if contents.batch.is_none() {
            contents.count_commit(durability);
        }
        Ok(())
    }

    fn delete_all(&mut self, registration: ServiceWorkerRegistrationId) -> Result<(), StoreError> {
        let mut contents = self.writable()?;
        contents.rows.retain(|(owner, _), _| *owner != registration);
        if contents.batch.is_none() {
            contents.count_commit(Durability::Durable);
        }
        Ok(())
    }

    fn begin_batch(&mut self, durability: Durability) -> Result<(), StoreError> {
        let mut contents = self.writable()?;
        if contents.batch.is_none() {
            contents.batch = Some(durability);
        }
        Ok(())
    }

    fn end_batch(&mut self) -> Result<(), StoreError> {
        let mut contents = self.contents();
        if let Some(durability) = contents.batch.take() {
            contents.count_commit(durability);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use background_sync_traits::SyncState;
    use storage::{NewServiceWorkerRegistration, ServiceWorkerState, UpdateViaCache};
    use tempfile::TempDir;

    use super::*;

    fn row(registration: ServiceWorkerRegistrationId, tag: &str) -> SyncRegistrationInfo {
        SyncRegistrationInfo {
            registration,
            tag: tag.to_owned(),
            state: SyncState::Pending,
            num_attempts: 0,
            max_attempts: 3,
            delay_until_ms: None,
        }
    }

    /// Exercises the contract every store must keep.
    fn check_store_contract(
        store: &mut dyn SyncStore,
        first: ServiceWorkerRegistrationId,
        second: ServiceWorkerRegistrationId,
    ) {
        assert!(store.load_all().unwrap().is_empty());
        store.put(&row(first, "a"), Durability::Durable).unwrap();
        store.put(&row(first, "b"), Durability::Relaxed).unwrap();
        store.begin_batch(Durability::Relaxed).unwrap();
        store.put(&row(second, "a"), Durability::Durable).unwrap();
        store.end_batch().unwrap();
        let waiting = SyncRegistrationInfo {
            state: SyncState::Waiting,
            num_attempts: 1,
            delay_until_ms: Some(99),
            ..row(first, "a")
        };
        store.put(&waiting, Durability::Relaxed).unwrap();
        assert_eq!(
            store.load_all().unwrap(),
            [waiting, row(first, "b"), row(second, "a")]
        );
        store.delete(first, "b", Durability::Relaxed).unwrap();
        store.delete(first, "missing", Durability::Durable).unwrap();
        store.delete_all(first).unwrap();
        assert_eq!(store.load_all().unwrap(), [row(second, "a")]);
    }

    #[test]
    fn memory_store_keeps_the_contract() {
        check_store_contract(
            &mut MemorySyncStore::new(),
            ServiceWorkerRegistrationId(1),
            ServiceWorkerRegistrationId(2),
        );
    }

    fn sqlite_store_with_two_workers(
        dir: &TempDir,
    ) -> (
        SqliteSyncStore,
        ServiceWorkerRegistrationId,
        ServiceWorkerRegistrationId,
    ) {
        let mut database = Database::open(dir.path()).unwrap();
        let mut insert = |scope: &str| {
            database
                .insert_service_worker(&NewServiceWorkerRegistration {
                    scope: scope.to_owned(),
                    script_url: format!("{scope}sw.js"),
                    origin: "https://a.test".to_owned(),
                    state: ServiceWorkerState::Activated,
                    script_source: Vec::new(),
                    update_via_cache: UpdateViaCache::Imports,
                    worker_type: storage::WorkerType::Classic,
                })
                .unwrap()
        };
        let first = insert("https://a.test/1/");
        let second = insert("https://a.test/2/");
        (SqliteSyncStore::new(database), first, second)
    }

    #[test]
    fn sqlite_store_keeps_the_contract() {
        let dir = TempDir::new().unwrap();
        let (mut store, first, second) = sqlite_store_with_two_workers(&dir);
        check_store_contract(&mut store, first, second);
    }

    #[test]
    fn sqlite_store_reports_a_vanished_service_worker_as_such() {
        let dir = TempDir::new().unwrap();
        let (mut store, first, _) = sqlite_store_with_two_workers(&dir);
        store.database_mut().delete_service_worker(first).unwrap();
        assert!(matches!(
            store.put(&row(first, "a"), Durability::Durable),
            Err(StoreError::UnknownServiceWorkerRegistration(id)) if id == first
        ));
    }

    #[test]
    fn memory_store_clones_share_rows_and_failures() {
        let store = MemorySyncStore::new();
        let mut writer = store.clone();
        writer
            .put(
                &row(ServiceWorkerRegistrationId(1), "a"),
                Durability::Durable,
            )
            .unwrap();
        assert_eq!(store.rows().len(), 1);
        store.fail_writes(true);
        assert!(matches!(
            writer.put(
                &row(ServiceWorkerRegistrationId(1), "b"),
                Durability::Durable
            ),
            Err(StoreError::Failed(_))
        ));
        store.fail_loads(true);
        assert!(writer.load_all().is_err());
        assert_eq!(store.commits(), (1, 0));
        assert!(store.row(ServiceWorkerRegistrationId(1), "a").is_some());
    }
}
