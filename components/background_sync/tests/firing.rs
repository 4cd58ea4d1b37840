//! Firing, outcomes, retries and the host's switches (online, offline,
//! disabled), plus the service's own rules (timeouts, stale outcomes,
//! wake-ups).

mod common;

use background_sync::{
    Action, RetryPolicy, SyncEventFailure, SyncEventOutcome, SyncState, DEFERRED_DELETION_MS,
};
use common::*;

const REJECTED: SyncEventOutcome = SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected);
const THREW: SyncEventOutcome = SyncEventOutcome::Failed(SyncEventFailure::HandlerThrew);

#[test]
fn online_registration_fires_at_once_and_disappears_after_success() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, "outbox"));
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::Firing
    );
    // Firing is not stored: the row says what a restart would make of it.
    assert_eq!(
        harness.store.row(SW_A, "outbox").unwrap().state,
        SyncState::Pending
    );
    let actions = harness
        .service
        .event_outcome(fired.dispatch, SyncEventOutcome::Success);
    assert!(harness.tags(SW_A).is_empty());
    // The row goes with the next write, or after DEFERRED_DELETION_MS.
    assert_eq!(
        scheduled_wakeup(&actions),
        Some(START_MS + DEFERRED_DELETION_MS)
    );
    assert_eq!(harness.store.rows().len(), 1);
    let early = harness.advance_and_wake(DEFERRED_DELETION_MS - 1);
    assert_eq!(
        scheduled_wakeup(&early),
        Some(START_MS + DEFERRED_DELETION_MS)
    );
    assert_eq!(harness.store.rows().len(), 1);
    assert_eq!(harness.advance_and_wake(1), [], "nothing left to wait for");
    assert!(harness.store.rows().is_empty());
}

#[test]
fn registering_commits_durably_and_the_service_own_changes_relaxed() {
    let mut harness = Harness::new();
    for tag in ["a", "b", "c"] {
        harness.register_confirmed(SW_A, tag);
    }
    // One synced commit per register(): its promise says the row survives.
    assert_eq!(harness.store.commits(), (3, 0));
    // Going online fires all three and writes nothing.
    let fired = dispatches(&harness.service.set_online(true));
    assert_eq!(fired.len(), 3);
    assert_eq!(harness.store.commits(), (3, 0));
    // A success deletes the tag with the next write: register("d") is one
    // durable commit that also deletes "a".
    harness
        .service
        .event_outcome(fired[0].dispatch, SyncEventOutcome::Success);
    assert_eq!(harness.store.commits(), (3, 0));
    harness.service.register(SW_A, "d").unwrap();
    assert_eq!(harness.store.commits(), (4, 0));
    assert_eq!(stored_tags(&harness), ["b", "c", "d"]);
    // A failure is one relaxed commit at once (its back-off must survive).
    harness.service.event_outcome(fired[1].dispatch, REJECTED);
    assert_eq!(harness.store.commits(), (4, 1));
    assert_eq!(
        harness.store.row(SW_A, "b").unwrap().state,
        SyncState::Waiting
    );
    // A success with no write after it: deleted on its own, relaxed.
    harness
        .service
        .event_outcome(fired[2].dispatch, SyncEventOutcome::Success);
    harness.advance_and_wake(DEFERRED_DELETION_MS);
    assert_eq!(harness.store.commits(), (4, 2));
    assert_eq!(stored_tags(&harness), ["b", "d"]);
}

#[test]
fn deferred_deletions_are_written_when_the_service_is_dropped() {
    let mut harness = Harness::online();
    harness.register_and_succeed(SW_A, "a");
    assert_eq!(stored_tags(&harness), ["a"]);
    let store = harness.store.clone();
    drop(harness);
    assert!(store.rows().is_empty());
}

#[test]
fn a_tag_registered_again_after_success_is_deleted_then_stored_again() {
    let mut harness = Harness::online();
    harness.register_and_succeed(SW_A, "a");
    // Offline, so the new registration stays pending.
    harness.service.set_online(false);
    harness.register_confirmed(SW_A, "a");
    harness.advance_and_wake(DEFERRED_DELETION_MS);
    let row = harness.store.row(SW_A, "a").unwrap();
    assert_eq!(row.state, SyncState::Pending);
    assert_eq!(row.num_attempts, 0);
    assert_eq!(harness.tags(SW_A), ["a"]);
}

fn stored_tags(harness: &Harness) -> Vec<String> {
    harness
        .store
        .rows()
        .into_iter()
        .map(|row| row.tag)
        .collect()
}

#[test]
fn going_online_fires_a_slice_per_pass_and_wakes_at_once_for_the_rest() {
    let mut harness = Harness::new();
    for i in 0..250 {
        harness.register_confirmed(SW_A, &format!("tag-{i:03}"));
    }
    let actions = harness.service.set_online(true);
    assert_eq!(dispatches(&actions).len(), 100);
    // The rest are due now: the host's timer fires at once.
    assert_eq!(scheduled_wakeup(&actions), Some(START_MS));
    let mut fired = 100;
    while fired < 250 {
        let actions = harness.service.wake();
        let slice = dispatches(&actions).len();
        assert!(slice > 0 && slice <= 100, "a pass fired {slice}");
        fired += slice;
    }
    assert_eq!(fired, 250);
    assert!(harness
        .service
        .registrations(SW_A)
        .unwrap()
        .iter()
        .all(|sync| sync.state == SyncState::Firing));
    // Nothing is left to fire: no immediate wake-up.
    assert_ne!(scheduled_wakeup(&harness.service.wake()), Some(START_MS));
}

#[test]
fn offline_registration_stays_pending() {
    let mut harness = Harness::new();
    harness.register_confirmed(SW_A, "outbox");
    assert!(dispatches(&harness.advance_and_wake(60 * MINUTE_MS)).is_empty());
    assert_eq!(
        harness.store.row(SW_A, "outbox").unwrap().state,
        SyncState::Pending
    );
}

#[test]
fn going_online_fires_every_pending_tag_of_every_registration() {
    let mut harness = Harness::new();
    for (registration, tag) in [(SW_A, "a1"), (SW_A, "a2"), (SW_B, "b1")] {
        harness.register_confirmed(registration, tag);
    }
    let mut fired: Vec<_> = dispatches(&harness.service.set_online(true))
        .into_iter()
        .map(|fired| (fired.registration, fired.tag))
        .collect();
    fired.sort();
    assert_eq!(
        fired,
        [
            (SW_A, "a1".to_owned()),
            (SW_A, "a2".to_owned()),
            (SW_B, "b1".to_owned())
        ]
    );
}

#[test]
fn going_offline_stops_new_dispatches_but_not_events_in_flight() {
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.service.set_online(false);
    assert!(dispatches(&harness.register_confirmed(SW_A, "b")).is_empty());
    // The event in flight still completes and counts.
    harness
        .service
        .event_outcome(first.dispatch, SyncEventOutcome::Success);
    assert_eq!(harness.tags(SW_A), ["b"]);
    assert_eq!(only_dispatch(&harness.service.set_online(true)).tag, "b");
}

#[test]
fn worker_marked_offline_does_not_fire_until_unmarked() {
    let mut harness = Harness::online();
    harness.service.set_worker_offline(SW_A, true);
    assert!(dispatches(&harness.register_confirmed(SW_A, "a")).is_empty());
    assert_eq!(
        only_dispatch(&harness.register_confirmed(SW_B, "b")).tag,
        "b"
    );
    assert_eq!(
        only_dispatch(&harness.service.set_worker_offline(SW_A, false)).tag,
        "a"
    );
}

#[test]
fn reregister_while_firing_fires_again_after_failure() {
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert!(dispatches(&harness.register_confirmed(SW_A, "a")).is_empty());
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::ReregisteredWhileFiring
    );
    let second = only_dispatch(&harness.service.event_outcome(first.dispatch, REJECTED));
    assert_eq!(second.tag, "a");
    assert_ne!(second.dispatch, first.dispatch);
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::Firing
    );
    let row = harness.store.row(SW_A, "a").unwrap();
    assert_eq!(row.state, SyncState::Pending, "firing is stored as pending");
    assert_eq!(row.num_attempts, 1, "the failed attempt counts");
}

#[test]
fn reregister_while_firing_fires_again_after_success() {
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.register_confirmed(SW_A, "a");
    let second = only_dispatch(
        &harness
            .service
            .event_outcome(first.dispatch, SyncEventOutcome::Success),
    );
    assert!(!second.last_chance);
    assert_eq!(harness.store.row(SW_A, "a").unwrap().num_attempts, 0);
    harness
        .service
        .event_outcome(second.dispatch, SyncEventOutcome::Success);
    assert!(harness.tags(SW_A).is_empty());
}

#[test]
fn reregister_while_firing_waits_for_its_confirmation_to_fire_again() {
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.register(SW_A, "a");
    let actions = harness
        .service
        .event_outcome(first.dispatch, SyncEventOutcome::Success);
    assert!(dispatches(&actions).is_empty());
    assert_eq!(
        harness.store.row(SW_A, "a").unwrap().state,
        SyncState::Pending
    );
    assert_eq!(
        only_dispatch(&harness.service.confirm_registration(SW_A, "a")).tag,
        "a"
    );
}

#[test]
fn wait_until_rejection_schedules_a_retry() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    let actions = harness.service.event_outcome(fired.dispatch, REJECTED);
    assert_eq!(scheduled_wakeup(&actions), Some(START_MS + 5 * MINUTE_MS));
    let row = harness.store.row(SW_A, "a").unwrap();
    assert_eq!(row.state, SyncState::Waiting);
    assert_eq!(row.num_attempts, 1);
    assert_eq!(row.delay_until_ms, Some(START_MS + 5 * MINUTE_MS));
}

#[test]
fn handler_exception_schedules_a_retry() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.service.event_outcome(fired.dispatch, THREW);
    assert_eq!(
        harness.store.row(SW_A, "a").unwrap().state,
        SyncState::Waiting
    );
}

#[test]
fn timeout_counts_as_failure_and_aborts_the_event() {
    let mut harness = Harness::online();
    let actions = harness.register_confirmed(SW_A, "a");
    let fired = only_dispatch(&actions);
    assert_eq!(scheduled_wakeup(&actions), Some(START_MS + 3 * MINUTE_MS));
    let early = harness.advance_and_wake(3 * MINUTE_MS - 1);
    assert_eq!(
        early,
        [Action::ScheduleWakeup {
            at_ms: START_MS + 3 * MINUTE_MS
        }],
        "an early wake-up only re-arms the timer"
    );
    let actions = harness.advance_and_wake(1);
    assert!(actions.contains(&Action::AbortSyncEvent {
        dispatch: fired.dispatch
    }));
    let row = harness.store.row(SW_A, "a").unwrap();
    assert_eq!(row.state, SyncState::Waiting);
    assert_eq!(row.num_attempts, 1);
    // The worker's late report of the aborted event changes nothing.
    assert!(harness
        .service
        .event_outcome(fired.dispatch, SyncEventOutcome::Success)
        .is_empty());
    assert_eq!(harness.tags(SW_A), ["a"]);
}

#[test]
fn retry_delays_grow_by_the_factor_and_last_chance_comes_last() {
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert!(!first.last_chance);
    let actions = harness.service.event_outcome(first.dispatch, REJECTED);
    assert_eq!(scheduled_wakeup(&actions), Some(START_MS + 5 * MINUTE_MS));

    assert!(dispatches(&harness.advance_and_wake(5 * MINUTE_MS - 1)).is_empty());
    let second = only_dispatch(&harness.advance_and_wake(1));
    assert!(!second.last_chance);
    let failed_at = START_MS + 5 * MINUTE_MS;
    let actions = harness.service.event_outcome(second.dispatch, REJECTED);
    assert_eq!(scheduled_wakeup(&actions), Some(failed_at + 15 * MINUTE_MS));

    assert!(dispatches(&harness.advance_and_wake(15 * MINUTE_MS - 1)).is_empty());
    let third = only_dispatch(&harness.advance_and_wake(1));
    assert!(third.last_chance);
    harness.service.event_outcome(third.dispatch, REJECTED);
    assert!(harness.tags(SW_A).is_empty());
    assert_eq!(harness.advance_and_wake(DEFERRED_DELETION_MS), []);
    assert!(harness.store.rows().is_empty());
}

#[test]
fn failed_last_chance_drops_the_tag() {
    let policy = RetryPolicy {
        max_attempts: 2,
        initial_retry_delay_ms: 10,
        ..RetryPolicy::default()
    };
    let mut harness = Harness::with_policy(policy);
    harness.service.set_online(true);
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert!(!first.last_chance);
    harness.service.event_outcome(first.dispatch, THREW);
    let last = only_dispatch(&harness.advance_and_wake(10));
    assert!(last.last_chance);
    harness.service.event_outcome(last.dispatch, THREW);
    assert!(harness.tags(SW_A).is_empty());
}

#[test]
fn max_attempts_of_one_makes_the_first_attempt_the_last_chance() {
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let mut harness = Harness::with_policy(policy);
    harness.service.set_online(true);
    let only = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    assert!(only.last_chance);
}

#[test]
fn backoff_ends_while_offline_and_fires_once_online() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.service.event_outcome(fired.dispatch, REJECTED);
    harness.service.set_online(false);
    assert!(dispatches(&harness.advance_and_wake(5 * MINUTE_MS)).is_empty());
    assert_eq!(
        harness.store.row(SW_A, "a").unwrap().state,
        SyncState::Pending
    );
    let retry = only_dispatch(&harness.service.set_online(true));
    assert_eq!(retry.tag, "a");
}

#[test]
fn reregistering_a_waiting_tag_fires_without_the_backoff_and_keeps_attempts() {
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.service.event_outcome(first.dispatch, REJECTED);
    harness.register(SW_A, "a");
    let row = harness.store.row(SW_A, "a").unwrap();
    assert_eq!(row.state, SyncState::Pending);
    assert_eq!(row.num_attempts, 1);
    assert_eq!(row.delay_until_ms, None);
    let second = only_dispatch(&harness.service.confirm_registration(SW_A, "a"));
    assert!(!second.last_chance);
    harness.service.event_outcome(second.dispatch, REJECTED);
    harness.register(SW_A, "a");
    let third = only_dispatch(&harness.service.confirm_registration(SW_A, "a"));
    assert!(third.last_chance, "re-registering bought no extra attempt");
    harness.service.event_outcome(third.dispatch, REJECTED);
    assert!(harness.tags(SW_A).is_empty());
}

#[test]
fn a_second_outcome_for_the_same_dispatch_is_ignored() {
    let mut harness = Harness::online();
    let fired = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    harness.service.event_outcome(fired.dispatch, REJECTED);
    assert!(harness
        .service
        .event_outcome(fired.dispatch, REJECTED)
        .is_empty());
    assert_eq!(harness.store.row(SW_A, "a").unwrap().num_attempts, 1);
}

#[test]
fn wakeup_is_cancelled_when_nothing_waits_for_time() {
    let mut harness = Harness::online();
    let actions = harness.register_confirmed(SW_A, "a");
    let fired = only_dispatch(&actions);
    assert!(scheduled_wakeup(&actions).is_some(), "the event's deadline");
    let actions = harness
        .service
        .event_outcome(fired.dispatch, SyncEventOutcome::Success);
    // What is left is writing the deletion.
    assert_eq!(
        scheduled_wakeup(&actions),
        Some(START_MS + DEFERRED_DELETION_MS)
    );
    assert_eq!(harness.advance_and_wake(DEFERRED_DELETION_MS), []);
}

#[test]
fn no_event_deadline_when_max_event_duration_is_zero() {
    let policy = RetryPolicy {
        max_event_duration_ms: 0,
        ..RetryPolicy::default()
    };
    let mut harness = Harness::with_policy(policy);
    harness.service.set_online(true);
    let actions = harness.register_confirmed(SW_A, "a");
    assert_eq!(scheduled_wakeup(&actions), None);
    assert!(harness.advance_and_wake(24 * 60 * MINUTE_MS).is_empty());
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::Firing
    );
}

#[test]
fn unregistering_the_service_worker_removes_its_syncs() {
    let mut harness = Harness::online();
    let firing = only_dispatch(&harness.register_confirmed(SW_A, "firing"));
    harness.service.set_online(false);
    harness.register_confirmed(SW_A, "pending");
    harness.register_confirmed(SW_B, "other");
    harness.service.unregister_service_worker(SW_A);
    assert!(harness.tags(SW_A).is_empty());
    assert_eq!(harness.tags(SW_B), ["other"]);
    let stored: Vec<_> = harness
        .store
        .rows()
        .into_iter()
        .map(|row| (row.registration, row.tag))
        .collect();
    assert_eq!(stored, [(SW_B, "other".to_owned())]);
    // The worker's report of the event that was firing changes nothing.
    assert!(harness
        .service
        .event_outcome(firing.dispatch, SyncEventOutcome::Success)
        .is_empty());
    let fired: Vec<_> = dispatches(&harness.service.set_online(true))
        .into_iter()
        .map(|fired| fired.tag)
        .collect();
    assert_eq!(fired, ["other"]);
}

#[test]
fn dispatch_now_fires_without_changing_stored_state() {
    let mut harness = Harness::new();
    harness.register_confirmed(SW_A, "a");
    let before = harness.store.rows();
    // Offline, and for a registered tag: fires anyway, as devtools does.
    let actions = harness.service.dispatch_now(SW_A, "a", true).unwrap();
    let fired = only_dispatch(&actions);
    assert!(fired.last_chance);
    assert_eq!(harness.store.rows(), before);
    assert!(
        harness
            .service
            .event_outcome(fired.dispatch, REJECTED)
            .len()
            <= 1
    );
    assert_eq!(harness.store.rows(), before);
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::Pending
    );
    // A tag nobody registered works too, and leaves nothing behind.
    let other = only_dispatch(&harness.service.dispatch_now(SW_A, "ad hoc", false).unwrap());
    harness
        .service
        .event_outcome(other.dispatch, SyncEventOutcome::Success);
    assert_eq!(harness.store.rows(), before);
    assert_eq!(harness.tags(SW_A), ["a"]);
}

#[test]
fn dispatch_now_while_firing_leaves_the_real_attempt_alone() {
    let mut harness = Harness::online();
    let real = only_dispatch(&harness.register_confirmed(SW_A, "a"));
    let manual = only_dispatch(&harness.service.dispatch_now(SW_A, "a", false).unwrap());
    harness.service.event_outcome(manual.dispatch, REJECTED);
    assert_eq!(
        harness.service.registrations(SW_A).unwrap()[0].state,
        SyncState::Firing
    );
    assert_eq!(harness.store.row(SW_A, "a").unwrap().num_attempts, 0);
    harness
        .service
        .event_outcome(real.dispatch, SyncEventOutcome::Success);
    assert!(harness.tags(SW_A).is_empty());
}

#[test]
fn dispatch_now_times_out_without_counting() {
    let mut harness = Harness::new();
    harness.register_confirmed(SW_A, "a");
    let before = harness.store.rows();
    let manual = only_dispatch(&harness.service.dispatch_now(SW_A, "a", false).unwrap());
    let actions = harness.advance_and_wake(3 * MINUTE_MS);
    assert!(actions.contains(&Action::AbortSyncEvent {
        dispatch: manual.dispatch
    }));
    assert_eq!(harness.store.rows(), before);
}

#[test]
fn of_events_overdue_together_on_one_worker_only_the_first_is_charged() {
    let mut harness = Harness::online();
    // Both run on SW_A's one worker: "hog" first, "queued" behind it.
    let hog = only_dispatch(&harness.register_confirmed(SW_A, "hog"));
    let queued = only_dispatch(&harness.register_confirmed(SW_A, "queued"));
    let actions = harness.advance_and_wake(3 * MINUTE_MS);
    let aborted: Vec<&Action> = actions
        .iter()
        .filter(|action| matches!(action, Action::AbortSyncEvent { .. }))
        .collect();
    assert_eq!(
        aborted,
        [&Action::AbortSyncEvent {
            dispatch: hog.dispatch
        }]
    );
    assert_eq!(harness.store.row(SW_A, "hog").unwrap().num_attempts, 1);
    // The host stopped the worker: the queued event comes back cut off. It
    // is not counted, and fires again at once.
    let again = harness
        .service
        .event_outcome(queued.dispatch, SyncEventOutcome::Interrupted);
    let refired = only_dispatch(&again);
    assert_eq!(refired.tag, "queued");
    assert_ne!(refired.dispatch, queued.dispatch);
    assert!(!refired.last_chance);
    assert_eq!(harness.store.row(SW_A, "queued").unwrap().num_attempts, 0);
}
