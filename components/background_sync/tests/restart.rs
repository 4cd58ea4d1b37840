//! Engine restarts and the real profile database: what a restart fires
//! again, and what is stored of outcomes and registrations.

mod common;

use std::fs;
use std::path::Path;

use background_sync::{
    DisabledReason, FakeClock, MemorySyncStore, RetryPolicy, ServiceWorkerRegistrationId,
    SqliteSyncStore, SyncError, SyncEventFailure, SyncEventOutcome, SyncRegistrationInfo,
    SyncService, SyncState,
};
use common::*;
use storage::{
    Database, NewServiceWorkerRegistration, OpenError, ServiceWorkerState, UpdateViaCache,
};
use tempfile::TempDir;

const REJECTED: SyncEventOutcome = SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected);

/// A profile with two activated service-worker registrations.
fn profile_with_two_workers(
    dir: &TempDir,
) -> (ServiceWorkerRegistrationId, ServiceWorkerRegistrationId) {
    let mut registry = Database::open(dir.path()).unwrap();
    let mut insert = |scope: &str| {
        registry
            .insert_service_worker(&NewServiceWorkerRegistration {
                scope: scope.to_owned(),
                script_url: format!("{scope}sw.js"),
                origin: "https://app.test".to_owned(),
                state: ServiceWorkerState::Activated,
                script_source: b"self.onsync = () => {};".to_vec(),
                update_via_cache: UpdateViaCache::Imports,
                worker_type: storage::WorkerType::Classic,
            })
            .unwrap()
    };
    (insert("https://app.test/a/"), insert("https://app.test/b/"))
}

/// Starts the service as the engine does: its own connection to the
/// profile database, then the network state.
fn start_service(
    profile: &Path,
    clock: &FakeClock,
    online: bool,
) -> (SyncService, Vec<background_sync::Action>) {
    let database = Database::open(profile).unwrap();
    let mut service = SyncService::with_policy(
        RetryPolicy::default(),
        Box::new(SqliteSyncStore::new(database)),
        Box::new(clock.clone()),
    );
    let actions = service.set_online(online);
    (service, actions)
}

fn stored(profile: &Path) -> Vec<SyncRegistrationInfo> {
    Database::open(profile)
        .unwrap()
        .all_sync_registrations()
        .unwrap()
}

#[test]
fn pending_and_waiting_registrations_survive_a_restart_per_service_worker() {
    let dir = TempDir::new().unwrap();
    let (sw_a, sw_b) = profile_with_two_workers(&dir);
    let clock = FakeClock::new(START_MS);
    {
        let (mut service, _) = start_service(dir.path(), &clock, true);
        service.register(sw_a, "waiting").unwrap();
        let fired = only_dispatch(&service.confirm_registration(sw_a, "waiting"));
        service.event_outcome(fired.dispatch, REJECTED);
        service.set_online(false);
        service.register(sw_a, "pending").unwrap();
        service.register(sw_b, "pending").unwrap();
    }
    let (service, actions) = start_service(dir.path(), &clock, false);
    assert!(dispatches(&actions).is_empty());
    assert_eq!(service.get_tags(sw_a).unwrap(), ["pending", "waiting"]);
    assert_eq!(service.get_tags(sw_b).unwrap(), ["pending"]);
    let waiting = &service.registrations(sw_a).unwrap()[1];
    assert_eq!(waiting.state, SyncState::Waiting);
    assert_eq!(waiting.num_attempts, 1);
    assert_eq!(waiting.delay_until_ms, Some(START_MS + 5 * MINUTE_MS));
}

#[test]
fn registrations_loaded_from_storage_fire_without_a_confirmation() {
    let dir = TempDir::new().unwrap();
    let (sw_a, sw_b) = profile_with_two_workers(&dir);
    let clock = FakeClock::new(START_MS);
    {
        let (mut service, _) = start_service(dir.path(), &clock, false);
        // The page went away before it could confirm.
        service.register(sw_a, "unconfirmed").unwrap();
        service.register(sw_b, "confirmed").unwrap();
        service.confirm_registration(sw_b, "confirmed");
    }
    let (_service, actions) = start_service(dir.path(), &clock, true);
    let mut fired: Vec<_> = dispatches(&actions)
        .into_iter()
        .map(|fired| (fired.registration, fired.tag))
        .collect();
    fired.sort();
    assert_eq!(
        fired,
        [
            (sw_a, "unconfirmed".to_owned()),
            (sw_b, "confirmed".to_owned())
        ]
    );
}

#[test]
fn registration_killed_mid_fire_fires_again_without_counting_the_attempt() {
    let dir = TempDir::new().unwrap();
    let (sw_a, _) = profile_with_two_workers(&dir);
    let clock = FakeClock::new(START_MS);
    {
        let (mut service, _) = start_service(dir.path(), &clock, true);
        service.register(sw_a, "a").unwrap();
        let first = only_dispatch(&service.confirm_registration(sw_a, "a"));
        service.event_outcome(first.dispatch, REJECTED);
        clock.advance_ms(5 * MINUTE_MS);
        let second = only_dispatch(&service.wake());
        assert!(!second.last_chance);
        // The engine dies while the second attempt runs.
    }
    // Firing is never stored: the row says what a restart makes of it.
    let row = &stored(dir.path())[0];
    assert_eq!(row.state, SyncState::Pending);
    assert_eq!(row.num_attempts, 1);
    let (mut service, actions) = start_service(dir.path(), &clock, true);
    let again = only_dispatch(&actions);
    assert_eq!(again.tag, "a");
    assert!(!again.last_chance, "still the second attempt");
    assert_eq!(stored(dir.path())[0].num_attempts, 1);
    service.event_outcome(again.dispatch, REJECTED);
    assert_eq!(stored(dir.path())[0].num_attempts, 2);
}

#[test]
fn firing_rows_of_older_files_are_stored_as_pending_on_restart() {
    let dir = TempDir::new().unwrap();
    let (sw_a, _) = profile_with_two_workers(&dir);
    // Engines from before firing stopped being stored left such rows when
    // they died mid-event.
    let mut database = Database::open(dir.path()).unwrap();
    for (tag, state) in [
        ("firing", SyncState::Firing),
        ("rereg", SyncState::ReregisteredWhileFiring),
    ] {
        database
            .put_sync_registration(&SyncRegistrationInfo {
                registration: sw_a,
                tag: tag.to_owned(),
                state,
                num_attempts: 1,
                max_attempts: 3,
                delay_until_ms: None,
            })
            .unwrap();
    }
    drop(database);
    let clock = FakeClock::new(START_MS);
    let (_service, actions) = start_service(dir.path(), &clock, false);
    assert!(actions.is_empty());
    let rows = stored(dir.path());
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row.state, SyncState::Pending, "{}", row.tag);
        assert_eq!(row.num_attempts, 1, "{}", row.tag);
    }
}

#[test]
fn backoff_is_kept_across_a_restart() {
    let dir = TempDir::new().unwrap();
    let (sw_a, _) = profile_with_two_workers(&dir);
    let clock = FakeClock::new(START_MS);
    {
        let (mut service, _) = start_service(dir.path(), &clock, true);
        service.register(sw_a, "a").unwrap();
        let first = only_dispatch(&service.confirm_registration(sw_a, "a"));
        service.event_outcome(first.dispatch, REJECTED);
    }
    clock.advance_ms(2 * MINUTE_MS);
    let (mut service, actions) = start_service(dir.path(), &clock, true);
    assert!(dispatches(&actions).is_empty(), "still backing off");
    assert_eq!(scheduled_wakeup(&actions), Some(START_MS + 5 * MINUTE_MS));
    clock.advance_ms(3 * MINUTE_MS);
    assert_eq!(only_dispatch(&service.wake()).tag, "a");
}

#[test]
fn deadline_from_a_clock_that_jumped_back_is_clamped() {
    let store = MemorySyncStore::new();
    store.insert_row(SyncRegistrationInfo {
        registration: SW_A,
        tag: "a".to_owned(),
        state: SyncState::Waiting,
        num_attempts: 1,
        max_attempts: 3,
        // A year ahead: the clock was set back after this was stored.
        delay_until_ms: Some(START_MS + 365 * 24 * 60 * MINUTE_MS),
    });
    let mut harness = Harness::on_store(RetryPolicy::default(), store, FakeClock::new(START_MS));
    let actions = harness.service.set_online(true);
    assert_eq!(
        scheduled_wakeup(&actions),
        Some(START_MS + 15 * MINUTE_MS),
        "no longer than the policy's longest back-off"
    );
    assert_eq!(
        harness.store.row(SW_A, "a").unwrap().delay_until_ms,
        Some(START_MS + 15 * MINUTE_MS)
    );
}

#[test]
fn restart_with_the_memory_store_behaves_the_same() {
    let mut harness = Harness::online();
    harness.register_confirmed(SW_A, "a");
    let mut harness = harness.restarted();
    assert_eq!(harness.tags(SW_A), ["a"]);
    assert_eq!(only_dispatch(&harness.service.set_online(true)).tag, "a");
}

#[test]
fn unregistering_deletes_the_rows_and_so_does_deleting_the_worker() {
    let dir = TempDir::new().unwrap();
    let (sw_a, sw_b) = profile_with_two_workers(&dir);
    let clock = FakeClock::new(START_MS);
    let (mut service, _) = start_service(dir.path(), &clock, false);
    service.register(sw_a, "a").unwrap();
    service.register(sw_b, "b").unwrap();
    service.unregister_service_worker(sw_a);
    let tags: Vec<_> = stored(dir.path()).into_iter().map(|row| row.tag).collect();
    assert_eq!(tags, ["b"]);

    // The registry deletes the worker itself; the foreign key takes the
    // syncs along, and the service is told afterwards.
    Database::open(dir.path())
        .unwrap()
        .delete_service_worker(sw_b)
        .unwrap();
    assert!(stored(dir.path()).is_empty());
    service.unregister_service_worker(sw_b);
    assert!(service.is_enabled());
    assert!(service.get_tags(sw_b).unwrap().is_empty());
}

#[test]
fn register_for_a_vanished_service_worker_is_invalid_state_not_disabled() {
    let dir = TempDir::new().unwrap();
    let (sw_a, sw_b) = profile_with_two_workers(&dir);
    let clock = FakeClock::new(START_MS);
    let (mut service, _) = start_service(dir.path(), &clock, false);
    Database::open(dir.path())
        .unwrap()
        .delete_service_worker(sw_a)
        .unwrap();
    assert_eq!(service.register(sw_a, "a"), Err(SyncError::InvalidState));
    assert!(service.is_enabled());
    assert_eq!(service.register(sw_b, "b"), Ok(()));
}

#[test]
fn corrupt_database_leaves_the_service_disabled_and_the_file_aside() {
    let dir = TempDir::new().unwrap();
    let garbage = b"this is not a database, it is a grocery list".repeat(100);
    fs::write(dir.path().join("storage.sqlite"), &garbage).unwrap();

    // What the host does at start.
    let mut service = match Database::open(dir.path()) {
        Ok(database) => SyncService::with_policy(
            RetryPolicy::default(),
            Box::new(SqliteSyncStore::new(database)),
            Box::new(FakeClock::new(START_MS)),
        ),
        Err(error) => SyncService::disabled(DisabledReason::Storage(error.to_string())),
    };
    assert!(!service.is_enabled());
    assert_eq!(service.register(SW_A, "a"), Err(SyncError::Unknown));
    assert_eq!(service.get_tags(SW_A), Err(SyncError::Unknown));
    assert!(service.set_online(true).is_empty());

    let kept: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().contains("storage.sqlite.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(fs::read(&kept[0]).unwrap(), garbage);
    // The next run starts with a fresh, working database.
    assert!(!matches!(
        Database::open(dir.path()),
        Err(OpenError::Corrupt { .. })
    ));
}
