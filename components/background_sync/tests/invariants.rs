//! The sync service under arbitrary sequences of what can happen to it:
//! `register()`, confirmations, `getTags()`, event outcomes (in any order,
//! late, for events already aborted), the network coming and going, time
//! passing, and restarts on the same store. After every step:
//!
//! - no tag is stored twice, and none with more failed attempts than its
//!   maximum;
//! - no tag has two events in flight at once (no double firing);
//! - nothing is lost across a restart: every tag listed before it is
//!   listed after it (a completed tag whose deletion was still deferred may
//!   come back, to fire again: at least once, never never).
//!
//! `./mach test` runs 64 sequences (proptest's `PROPTEST_CASES` sets how
//! many: `PROPTEST_CASES=100000 cargo test -p background_sync --test
//! invariants` for a long run).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use background_sync::{Action, DispatchId};
use background_sync_traits::{ServiceWorkerRegistrationId, SyncEventFailure, SyncEventOutcome};
use common::*;
use proptest::prelude::*;

const REGISTRATIONS: [ServiceWorkerRegistrationId; 2] = [SW_A, SW_B];
const TAGS: [&str; 3] = ["a", "b", "c"];

#[derive(Clone, Debug)]
enum Step {
    Register(usize, usize),
    Confirm(usize, usize),
    GetTags(usize),
    /// The outcome of the n-th event in flight (modulo their number).
    Outcome(usize, u8),
    /// An outcome for a dispatch that is not in flight (late or forged).
    StaleOutcome(u64),
    Online(bool),
    AdvanceMs(u64),
    Restart,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..2usize, 0..3usize).prop_map(|(r, t)| Step::Register(r, t)),
        3 => (0..2usize, 0..3usize).prop_map(|(r, t)| Step::Confirm(r, t)),
        1 => (0..2usize).prop_map(Step::GetTags),
        4 => (0..8usize, 0..5u8).prop_map(|(n, o)| Step::Outcome(n, o)),
        1 => (0..64u64).prop_map(Step::StaleOutcome),
        2 => any::<bool>().prop_map(Step::Online),
        2 => prop_oneof![Just(1u64), Just(60_000), Just(3 * 60_000 + 1), Just(3_600_000)]
            .prop_map(Step::AdvanceMs),
        1 => Just(Step::Restart),
    ]
}

fn outcome(code: u8) -> SyncEventOutcome {
    match code {
        0 => SyncEventOutcome::Success,
        1 => SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected),
        2 => SyncEventOutcome::Failed(SyncEventFailure::WorkerTerminated),
        3 => SyncEventOutcome::Interrupted,
        _ => SyncEventOutcome::Failed(SyncEventFailure::HandlerThrew),
    }
}

/// What the test knows of the events in flight, from the actions.
#[derive(Default)]
struct Flights {
    by_dispatch: BTreeMap<DispatchId, (ServiceWorkerRegistrationId, String)>,
}

impl Flights {
    fn take(&mut self, actions: &[Action]) -> Result<(), TestCaseError> {
        for action in actions {
            match action {
                Action::DispatchSyncEvent {
                    dispatch,
                    registration,
                    tag,
                    ..
                } => {
                    let key = (*registration, tag.clone());
                    prop_assert!(
                        !self.by_dispatch.values().any(|flying| *flying == key),
                        "{key:?} fired while its event {:?} was in flight",
                        self.by_dispatch
                    );
                    self.by_dispatch.insert(*dispatch, key);
                }
                Action::AbortSyncEvent { dispatch } => {
                    self.by_dispatch.remove(dispatch);
                }
                Action::ScheduleWakeup { .. } | Action::CancelWakeup => {}
            }
        }
        Ok(())
    }
}

fn listed(harness: &Harness) -> BTreeSet<(ServiceWorkerRegistrationId, String)> {
    REGISTRATIONS
        .iter()
        .flat_map(|registration| {
            harness
                .service
                .get_tags(*registration)
                .unwrap_or_default()
                .into_iter()
                .map(move |tag| (*registration, tag))
        })
        .collect()
}

fn check_store(harness: &Harness) -> Result<(), TestCaseError> {
    let rows = harness.store.rows();
    let keys: BTreeSet<_> = rows
        .iter()
        .map(|row| (row.registration, &row.tag))
        .collect();
    prop_assert_eq!(keys.len(), rows.len(), "a tag stored twice: {:?}", rows);
    for row in &rows {
        prop_assert!(
            row.num_attempts <= row.max_attempts,
            "attempts above the maximum: {:?}",
            row
        );
    }
    Ok(())
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut harness = Harness::new();
    let mut flights = Flights::default();
    for step in steps {
        let actions = match step {
            Step::Register(r, t) => {
                let _ = harness.service.register(REGISTRATIONS[r], TAGS[t]);
                Vec::new()
            }
            Step::Confirm(r, t) => harness
                .service
                .confirm_registration(REGISTRATIONS[r], TAGS[t]),
            Step::GetTags(r) => {
                let _ = harness.service.get_tags(REGISTRATIONS[r]);
                Vec::new()
            }
            Step::Outcome(n, code) => {
                let flying: Vec<DispatchId> = flights.by_dispatch.keys().copied().collect();
                if flying.is_empty() {
                    Vec::new()
                } else {
                    let dispatch = flying[n % flying.len()];
                    flights.by_dispatch.remove(&dispatch);
                    harness.service.event_outcome(dispatch, outcome(code))
                }
            }
            Step::StaleOutcome(id) => {
                let dispatch = DispatchId(id);
                if flights.by_dispatch.contains_key(&dispatch) {
                    Vec::new()
                } else {
                    harness
                        .service
                        .event_outcome(dispatch, SyncEventOutcome::Success)
                }
            }
            Step::Online(online) => harness.service.set_online(online),
            Step::AdvanceMs(ms) => harness.advance_and_wake(ms),
            Step::Restart => {
                let before = listed(&harness);
                harness = harness.restarted();
                // A new service: nothing of the old one is in flight.
                flights = Flights::default();
                let actions = harness.service.set_online(false);
                let after = listed(&harness);
                prop_assert!(
                    before.is_subset(&after),
                    "lost across a restart: {:?}",
                    before.difference(&after).collect::<Vec<_>>()
                );
                actions
            }
        };
        flights.take(&actions)?;
        check_store(&harness)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(64),
        .. ProptestConfig::default()
    })]

    #[test]
    fn the_service_keeps_its_invariants(steps in proptest::collection::vec(step(), 1..60)) {
        run(steps)?;
    }
}
