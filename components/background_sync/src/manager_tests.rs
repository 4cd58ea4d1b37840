//! Unit tests of the sync registration state machine: each transition on
//! its own, with no store, clock or service around it.

use background_sync_traits::SyncEventFailure;

use super::*;

const NOW: u64 = 1_000_000;
const FAILED: SyncEventOutcome = SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected);

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_retry_delay_ms: 100,
        retry_delay_factor: 3,
        max_event_duration_ms: 50,
        max_tag_length_bytes: 10240,
    }
}

fn in_state(state: SyncState) -> SyncRegistration {
    SyncRegistration {
        state,
        confirmed: true,
        dispatch: matches!(
            state,
            SyncState::Firing | SyncState::ReregisteredWhileFiring
        )
        .then_some(DispatchId(1)),
        ..SyncRegistration::new(3)
    }
}

#[test]
fn new_registration_is_pending_and_unconfirmed() {
    let sync = SyncRegistration::new(3);
    assert_eq!(sync.state, SyncState::Pending);
    assert_eq!(sync.num_attempts, 0);
    assert!(!sync.confirmed);
    assert!(!sync.is_ready(NOW));
}

#[test]
fn confirmed_pending_registration_is_ready() {
    assert!(in_state(SyncState::Pending).is_ready(NOW));
}

#[test]
fn delay_in_the_future_is_not_ready() {
    let sync = SyncRegistration {
        delay_until_ms: Some(NOW + 1),
        ..in_state(SyncState::Pending)
    };
    assert!(!sync.is_ready(NOW));
    assert!(sync.is_ready(NOW + 1));
}

#[test]
fn only_pending_is_ready() {
    for state in [
        SyncState::Waiting,
        SyncState::Firing,
        SyncState::ReregisteredWhileFiring,
    ] {
        assert!(!in_state(state).is_ready(NOW), "{state}");
    }
}

#[test]
fn register_on_pending_changes_nothing() {
    assert_eq!(in_state(SyncState::Pending).reregistered(), None);
    assert_eq!(SyncRegistration::new(3).reregistered(), None);
}

#[test]
fn register_on_waiting_makes_it_pending_keeping_attempts() {
    let waiting = SyncRegistration {
        num_attempts: 2,
        delay_until_ms: Some(NOW + 500),
        ..in_state(SyncState::Waiting)
    };
    let next = waiting.reregistered().unwrap();
    assert_eq!(next.state, SyncState::Pending);
    assert_eq!(next.num_attempts, 2);
    assert_eq!(next.delay_until_ms, None);
    assert!(!next.confirmed, "waits for the new caller's confirmation");
}

#[test]
fn register_on_firing_marks_reregistered_while_firing() {
    let next = in_state(SyncState::Firing).reregistered().unwrap();
    assert_eq!(next.state, SyncState::ReregisteredWhileFiring);
    assert_eq!(next.dispatch, Some(DispatchId(1)));
    assert_eq!(
        in_state(SyncState::ReregisteredWhileFiring).reregistered(),
        None
    );
}

#[test]
fn last_chance_is_the_final_attempt() {
    let with_attempts = |num_attempts| SyncRegistration {
        num_attempts,
        ..SyncRegistration::new(3)
    };
    assert!(!with_attempts(0).is_last_chance());
    assert!(!with_attempts(1).is_last_chance());
    assert!(with_attempts(2).is_last_chance());
    assert!(with_attempts(3).is_last_chance());
    assert!(SyncRegistration::new(1).is_last_chance());
}

#[test]
fn success_deletes() {
    let completion =
        in_state(SyncState::Firing).completed(SyncEventOutcome::Success, NOW, &policy());
    assert_eq!(completion.next, None);
}

#[test]
fn success_while_reregistered_is_pending_with_attempts_reset() {
    let sync = SyncRegistration {
        num_attempts: 2,
        ..in_state(SyncState::ReregisteredWhileFiring)
    };
    let next = sync
        .completed(SyncEventOutcome::Success, NOW, &policy())
        .next
        .unwrap();
    assert_eq!(next.state, SyncState::Pending);
    assert_eq!(next.num_attempts, 0);
    assert_eq!(next.dispatch, None);
}

#[test]
fn failure_waits_with_growing_delay() {
    let first = in_state(SyncState::Firing)
        .completed(FAILED, NOW, &policy())
        .next
        .unwrap();
    assert_eq!(first.state, SyncState::Waiting);
    assert_eq!(first.num_attempts, 1);
    assert_eq!(first.delay_until_ms, Some(NOW + 100));
    assert_eq!(first.dispatch, None);

    let second = first
        .backoff_elapsed()
        .fired(DispatchId(2))
        .completed(FAILED, NOW, &policy())
        .next
        .unwrap();
    assert_eq!(second.num_attempts, 2);
    assert_eq!(second.delay_until_ms, Some(NOW + 300));
}

#[test]
fn failure_of_the_last_chance_deletes() {
    let last = SyncRegistration {
        num_attempts: 2,
        ..in_state(SyncState::Firing)
    };
    assert!(last.is_last_chance());
    let completion = last.completed(FAILED, NOW, &policy());
    assert_eq!(completion.next, None);
    assert!(completion.why.contains("giving up after 3 attempts"));
}

#[test]
fn failure_while_reregistered_is_pending_with_the_attempt_counted() {
    let sync = SyncRegistration {
        num_attempts: 1,
        ..in_state(SyncState::ReregisteredWhileFiring)
    };
    let next = sync.completed(FAILED, NOW, &policy()).next.unwrap();
    assert_eq!(next.state, SyncState::Pending);
    assert_eq!(next.num_attempts, 2);
    assert_eq!(next.delay_until_ms, None);
    assert!(next.is_last_chance());
}

#[test]
fn failure_of_last_chance_while_reregistered_fires_once_more_as_last_chance() {
    let sync = SyncRegistration {
        num_attempts: 2,
        ..in_state(SyncState::ReregisteredWhileFiring)
    };
    let next = sync.completed(FAILED, NOW, &policy()).next.unwrap();
    assert_eq!(next.num_attempts, 3);
    assert!(next.is_last_chance());
    let after = next.fired(DispatchId(3)).completed(FAILED, NOW, &policy());
    assert_eq!(after.next, None);
}

#[test]
fn backoff_elapsed_makes_waiting_pending() {
    let waiting = SyncRegistration {
        delay_until_ms: Some(NOW),
        num_attempts: 1,
        ..in_state(SyncState::Waiting)
    };
    let next = waiting.backoff_elapsed();
    assert_eq!(next.state, SyncState::Pending);
    assert_eq!(next.num_attempts, 1);
    assert!(next.is_ready(NOW));
}

#[test]
fn restart_turns_firing_into_pending_without_counting_the_attempt() {
    for state in [SyncState::Firing, SyncState::ReregisteredWhileFiring] {
        let info = SyncRegistrationInfo {
            registration: ServiceWorkerRegistrationId(1),
            tag: "t".to_owned(),
            state,
            num_attempts: 1,
            max_attempts: 3,
            delay_until_ms: None,
        };
        let sync = SyncRegistration::from_stored(&info, NOW, &policy());
        assert_eq!(sync.state, SyncState::Pending);
        assert_eq!(sync.num_attempts, 1);
        assert!(sync.confirmed);
        assert!(sync.is_ready(NOW));
    }
}

#[test]
fn restart_keeps_backoff_but_clamps_a_deadline_from_a_clock_that_jumped_back() {
    let info = SyncRegistrationInfo {
        registration: ServiceWorkerRegistrationId(1),
        tag: "t".to_owned(),
        state: SyncState::Waiting,
        num_attempts: 1,
        max_attempts: 3,
        delay_until_ms: Some(NOW + 100),
    };
    let kept = SyncRegistration::from_stored(&info, NOW, &policy());
    assert_eq!(kept.state, SyncState::Waiting);
    assert_eq!(kept.delay_until_ms, Some(NOW + 100));

    let far = SyncRegistrationInfo {
        delay_until_ms: Some(NOW + 1_000_000_000),
        ..info
    };
    let clamped = SyncRegistration::from_stored(&far, NOW, &policy());
    // The policy's longest wait is 100 * 3 = 300 ms.
    assert_eq!(clamped.delay_until_ms, Some(NOW + 300));
}

#[test]
fn stored_form_round_trips() {
    let registration = ServiceWorkerRegistrationId(4);
    let sync = SyncRegistration {
        num_attempts: 1,
        delay_until_ms: Some(NOW),
        ..in_state(SyncState::Waiting)
    };
    let info = sync.to_stored(registration, "tag");
    assert_eq!(info.tag, "tag");
    assert_eq!(info.registration, registration);
    let back = SyncRegistration::from_stored(&info, NOW, &policy());
    assert!(!back.differs_in_storage_from(&sync));
}

#[test]
fn confirmation_dispatch_and_firing_are_not_stored_differences() {
    let sync = in_state(SyncState::Pending);
    let unconfirmed = SyncRegistration {
        confirmed: false,
        ..sync.clone()
    };
    assert!(!sync.differs_in_storage_from(&unconfirmed));
    // Firing is stored as pending: what it is again if the engine dies.
    let fired = sync.fired(DispatchId(9));
    assert!(!sync.differs_in_storage_from(&fired));
    let registration = ServiceWorkerRegistrationId(4);
    assert_eq!(fired.to_info(registration, "t").state, SyncState::Firing);
    assert_eq!(fired.to_stored(registration, "t").state, SyncState::Pending);
    let reregistered = fired.reregistered().unwrap();
    assert_eq!(reregistered.state, SyncState::ReregisteredWhileFiring);
    assert!(!sync.differs_in_storage_from(&reregistered));
    // An outcome is a difference.
    let failed = fired.completed(FAILED, NOW, &policy()).next.unwrap();
    assert!(fired.differs_in_storage_from(&failed));
}

#[test]
fn registrations_group_by_worker_and_sort_tags() {
    let first = ServiceWorkerRegistrationId(1);
    let second = ServiceWorkerRegistrationId(2);
    let mut registrations = SyncRegistrations::default();
    for (registration, tag) in [(second, "x"), (first, "b"), (first, "a")] {
        registrations.set(registration, tag, Some(SyncRegistration::new(3)));
    }
    let tags: Vec<&str> = registrations.of(first).map(|(tag, _)| tag).collect();
    assert_eq!(tags, ["a", "b"]);
    assert_eq!(registrations.iter().count(), 3);
    registrations.set(second, "x", None);
    assert_eq!(registrations.of(second).count(), 0);
    assert_eq!(registrations.remove_worker(first).len(), 2);
    assert_eq!(registrations.iter().count(), 0);
}
