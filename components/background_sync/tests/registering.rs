//! `register()`, confirmation and `getTags()`, as far as they need no
//! JavaScript: states, re-registering, tag limits, what a page can list.

mod common;

use background_sync::{
    DisabledReason, MemorySyncStore, RetryPolicy, SyncError, SyncEventFailure, SyncEventOutcome,
    SyncService, SyncState, DEFERRED_DELETION_MS, FIRST_RETRY_DELAY_MS,
};
use base::prefs::Prefs;
use common::*;

#[test]
fn nothing_fires_before_the_registering_context_confirms() {
    let mut harness = Harness::online();
    harness.register(SW_A, "outbox");
    assert!(dispatches(&harness.service.set_online(true)).is_empty());
    assert!(dispatches(&harness.advance_and_wake(MINUTE_MS)).is_empty());
    let fired = only_dispatch(&harness.service.confirm_registration(SW_A, "outbox"));
    assert_eq!(fired.tag, "outbox");
    assert_eq!(fired.registration, SW_A);
    assert!(!fired.last_chance);
}

#[test]
fn confirmation_while_offline_fires_when_online() {
    let mut harness = Harness::new();
    assert!(dispatches(&harness.register_confirmed(SW_A, "outbox")).is_empty());
    assert_eq!(
        only_dispatch(&harness.service.set_online(true)).tag,
        "outbox"
    );
}

#[test]
fn confirmation_of_an_unknown_tag_is_ignored() {
    let mut harness = Harness::online();
    assert!(harness
        .service
        .confirm_registration(SW_A, "never")
        .is_empty());
    assert!(harness.tags(SW_A).is_empty());
}

#[test]
fn register_is_committed_before_it_returns() {
    let mut harness = Harness::new();
    harness.register(SW_A, "outbox");
    let row = harness.store.row(SW_A, "outbox").expect("committed");
    assert_eq!(row.state, SyncState::Pending);
    assert_eq!(row.num_attempts, 0);
    assert_eq!(row.max_attempts, 3);
    assert_eq!(row.delay_until_ms, None);
}

#[test]
fn get_tags_lists_nothing_then_one_then_two() {
    let mut harness = Harness::new();
    assert!(harness.tags(SW_A).is_empty());
    harness.register(SW_A, "a");
    assert_eq!(harness.tags(SW_A), ["a"]);
    harness.register(SW_A, "b");
    assert_eq!(harness.tags(SW_A), ["a", "b"]);
    assert!(harness.tags(SW_B).is_empty(), "tags are per registration");
}

#[test]
fn same_tag_twice_is_one_registration() {
    let mut harness = Harness::new();
    harness.register(SW_A, "a");
    harness.register(SW_A, "a");
    assert_eq!(harness.tags(SW_A), ["a"]);
    assert_eq!(harness.store.rows().len(), 1);
}

#[test]
fn same_tag_in_two_service_workers_is_two_registrations() {
    let mut harness = Harness::new();
    harness.register(SW_A, "a");
    harness.register(SW_B, "a");
    assert_eq!(harness.tags(SW_A), ["a"]);
    assert_eq!(harness.tags(SW_B), ["a"]);
}

#[test]
fn tag_of_10240_bytes_is_accepted() {
    let mut harness = Harness::new();
    let tag = "t".repeat(10240);
    assert_eq!(harness.service.check_register(&tag), Ok(()));
    harness.register(SW_A, &tag);
    assert_eq!(harness.tags(SW_A), [tag]);
}

#[test]
fn tag_of_10241_bytes_is_rejected() {
    let mut harness = Harness::new();
    let tag = "t".repeat(10241);
    assert_eq!(
        harness.service.check_register(&tag),
        Err(SyncError::InvalidAccess)
    );
    assert_eq!(
        harness.service.register(SW_A, &tag),
        Err(SyncError::InvalidAccess)
    );
    assert!(harness.tags(SW_A).is_empty());
    assert!(harness.store.rows().is_empty());
}

#[test]
fn tag_length_is_counted_in_utf8_bytes() {
    let mut harness = Harness::new();
    // 3414 three-byte characters are 10242 bytes, though only 3414 UTF-16 units.
    let tag = "€".repeat(3414);
    assert_eq!(
        harness.service.register(SW_A, &tag),
        Err(SyncError::InvalidAccess)
    );
    harness.register(SW_A, &"€".repeat(3413));
}

#[test]
fn empty_tag_is_valid() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, ""));
    assert_eq!(fired.tag, "");
    assert_eq!(harness.tags(SW_A), [""]);
}

#[test]
fn non_ascii_tags_round_trip_exactly() {
    let mut harness = Harness::online();
    let tags = ["ünïcödé", "日本語のタグ", "🐢🐇", "a\u{0}b", "e\u{301}"];
    let mut fired = Vec::new();
    for tag in tags {
        fired.extend(dispatches(&harness.register_confirmed(SW_A, tag)));
    }
    let mut listed = harness.tags(SW_A);
    let mut expected: Vec<String> = tags.iter().map(|tag| tag.to_string()).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    let mut fired_tags: Vec<String> = fired.into_iter().map(|fired| fired.tag).collect();
    fired_tags.sort();
    assert_eq!(fired_tags, expected);
}

#[test]
fn get_tags_is_in_code_point_order() {
    let mut harness = Harness::new();
    for tag in ["b", "a", "B", "é", ""] {
        harness.register(SW_A, tag);
    }
    assert_eq!(harness.tags(SW_A), ["", "B", "a", "b", "é"]);
}

#[test]
fn registering_twice_while_offline_fires_once() {
    let mut harness = Harness::new();
    harness.register_confirmed(SW_A, "outbox");
    harness.register_confirmed(SW_A, "outbox");
    let actions = harness.service.set_online(true);
    assert_eq!(only_dispatch(&actions).tag, "outbox");
}

#[test]
fn register_again_after_the_tag_was_dropped_works() {
    let mut harness = Harness::online();
    let first = harness.register_and_succeed(SW_A, "a");
    assert!(harness.tags(SW_A).is_empty());
    let second = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert_ne!(second.dispatch, first.dispatch);
    assert_eq!(harness.tags(SW_A), ["a"]);
}

#[test]
fn register_again_after_the_last_chance_failed_starts_over() {
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let mut harness = Harness::with_policy(policy);
    harness.service.set_online(true);
    let only = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert!(only.last_chance);
    harness.service.event_outcome(
        only.dispatch,
        SyncEventOutcome::Failed(SyncEventFailure::HandlerThrew),
    );
    assert!(harness.tags(SW_A).is_empty());
    let again = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert!(again.last_chance);
    assert_eq!(harness.store.row(SW_A, "a").unwrap().num_attempts, 0);
}

#[test]
fn tag_is_listed_while_firing_and_gone_after_completion() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert_eq!(harness.tags(SW_A), ["a"]);
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::Firing
    );
    harness
        .service
        .event_outcome(fired.dispatch, SyncEventOutcome::Success);
    assert!(harness.tags(SW_A).is_empty());
    assert!(harness.service.registrations(SW_A).unwrap().is_empty());
}

#[test]
fn get_tags_lists_every_state() {
    let mut harness = Harness::new();
    harness.register_confirmed(SW_A, "firing");
    harness.register_confirmed(SW_A, "rereg");
    harness.register_confirmed(SW_A, "waiting");
    let fired = dispatches(&harness.service.set_online(true));
    assert_eq!(fired.len(), 3);
    harness.service.set_online(false);
    harness.register(SW_A, "pending");
    harness.register(SW_A, "rereg");
    let waiting = fired.iter().find(|fired| fired.tag == "waiting").unwrap();
    harness.service.event_outcome(
        waiting.dispatch,
        SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected),
    );
    let states: Vec<(String, SyncState)> = harness
        .service
        .registrations(SW_A)
        .unwrap()
        .into_iter()
        .map(|info| (info.tag, info.state))
        .collect();
    assert_eq!(
        states,
        [
            ("firing".to_owned(), SyncState::Firing),
            ("pending".to_owned(), SyncState::Pending),
            ("rereg".to_owned(), SyncState::ReregisteredWhileFiring),
            ("waiting".to_owned(), SyncState::Waiting),
        ]
    );
    assert_eq!(
        harness.tags(SW_A),
        ["firing", "pending", "rereg", "waiting"]
    );
}

#[test]
fn a_failed_register_commit_rejects_that_call_only() {
    let mut harness = Harness::online();
    harness.register(SW_A, "before");
    harness.store.fail_writes(true);
    assert_eq!(
        harness.service.register(SW_A, "outbox"),
        Err(SyncError::Unknown)
    );
    // Not promised, so not kept; the service goes on.
    assert!(harness.service.is_enabled());
    assert_eq!(harness.service.disabled_reason(), None);
    assert_eq!(harness.tags(SW_A), ["before"]);
    // Once the disk recovers, register() works again.
    harness.store.fail_writes(false);
    harness.register(SW_A, "later");
    assert_eq!(harness.tags(SW_A), ["before", "later"]);
    let stored: Vec<String> = harness
        .store
        .rows()
        .into_iter()
        .map(|row| row.tag)
        .collect();
    assert_eq!(stored, ["before", "later"]);
}

#[test]
fn changes_made_while_storage_fails_go_on_in_memory_and_are_written_once_it_works() {
    let mut harness = Harness::new();
    let _ = harness.register_confirmed(SW_A, "done");
    let _ = harness.register_confirmed(SW_A, "retry");
    harness.store.fail_writes(true);
    let fired = dispatches(&harness.service.set_online(true));
    assert_eq!(fired.len(), 2);
    let outcome = |tag: &str| {
        if tag == "done" {
            SyncEventOutcome::Success
        } else {
            SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected)
        }
    };
    for event in &fired {
        harness
            .service
            .event_outcome(event.dispatch, outcome(&event.tag));
    }
    // The deletion of `done` is deferred, then fails to be written; `retry`
    // waits for its back-off. Memory has both changes, the store neither.
    let _ = harness.advance_and_wake(DEFERRED_DELETION_MS);
    assert!(harness.service.is_enabled());
    assert_eq!(harness.tags(SW_A), ["retry"]);
    let stored = |harness: &Harness| -> Vec<(String, SyncState)> {
        harness
            .store
            .rows()
            .into_iter()
            .map(|row| (row.tag, row.state))
            .collect()
    };
    assert_eq!(
        stored(&harness),
        [
            ("done".to_owned(), SyncState::Pending),
            ("retry".to_owned(), SyncState::Pending)
        ]
    );
    // Tried again 1 s after the first failure, then after 2 s, ... while it
    // fails.
    let first_try = START_MS + FIRST_RETRY_DELAY_MS;
    assert_eq!(scheduled_wakeup(&harness.service.wake()), Some(first_try));
    let actions = harness.advance_and_wake(first_try - START_MS - DEFERRED_DELETION_MS);
    assert_eq!(
        scheduled_wakeup(&actions),
        Some(first_try + 2 * FIRST_RETRY_DELAY_MS)
    );
    assert_eq!(stored(&harness).len(), 2);
    // The disk recovers: the next try writes memory's view.
    harness.store.fail_writes(false);
    let _ = harness.advance_and_wake(2 * FIRST_RETRY_DELAY_MS);
    assert_eq!(stored(&harness), [("retry".to_owned(), SyncState::Waiting)]);
    assert!(harness.service.is_enabled());
    // And `retry` still fires after its back-off.
    let fired_again = dispatches(&harness.advance_and_wake(5 * MINUTE_MS));
    assert_eq!(fired_again.len(), 1);
    assert_eq!(fired_again[0].tag, "retry");
}

#[test]
fn store_that_cannot_be_read_at_start_disables_the_service() {
    let store = MemorySyncStore::new();
    store.fail_loads(true);
    let mut harness = Harness::on_store(
        RetryPolicy::default(),
        store,
        background_sync::FakeClock::new(START_MS),
    );
    assert_eq!(harness.service.register(SW_A, "a"), Err(SyncError::Unknown));
    assert_eq!(harness.tags_result(SW_A), Err(SyncError::Unknown));
    assert!(harness.service.set_online(true).is_empty());
}

#[test]
fn unopenable_storage_gives_a_disabled_service_that_rejects_everything() {
    let mut service = SyncService::disabled(DisabledReason::Storage(
        "storage.sqlite is corrupt; moved aside".to_owned(),
    ));
    assert_eq!(service.check_register("a"), Err(SyncError::Unknown));
    assert_eq!(service.register(SW_A, "a"), Err(SyncError::Unknown));
    assert_eq!(service.get_tags(SW_A), Err(SyncError::Unknown));
    assert_eq!(service.all_registrations(), Err(SyncError::Unknown));
    assert_eq!(
        service.dispatch_now(SW_A, "a", false),
        Err(SyncError::Unknown)
    );
    assert!(service.set_online(true).is_empty());
    assert!(service.wake().is_empty());
}

#[test]
fn disabled_pref_rejects_with_unknown_error_before_checking_the_tag() {
    let prefs = Prefs::with_overrides(["background_sync.enabled=false"]).unwrap();
    let mut service = SyncService::new(
        &prefs,
        Box::new(MemorySyncStore::new()),
        Box::new(background_sync::FakeClock::new(START_MS)),
    );
    assert_eq!(service.disabled_reason(), Some(&DisabledReason::TurnedOff));
    let too_long = "x".repeat(10241);
    assert_eq!(service.check_register(&too_long), Err(SyncError::Unknown));
    assert_eq!(service.register(SW_A, "a"), Err(SyncError::Unknown));
}

#[test]
fn policy_comes_from_prefs() {
    let prefs = Prefs::with_overrides([
        "background_sync.max_tag_length_bytes=3",
        "background_sync.max_attempts=0",
    ])
    .unwrap();
    let mut service = SyncService::new(
        &prefs,
        Box::new(MemorySyncStore::new()),
        Box::new(background_sync::FakeClock::new(START_MS)),
    );
    assert_eq!(service.policy().max_attempts, 1);
    assert_eq!(
        service.register(SW_A, "abcd"),
        Err(SyncError::InvalidAccess)
    );
    assert_eq!(service.register(SW_A, "abc"), Ok(()));
}
