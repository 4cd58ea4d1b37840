//! The transaction scheduler against the spec's rules, on random sequences
//! of new transactions (any mode, any scope over three stores) and finished
//! ones: no two running transactions conflict, none runs while an earlier
//! conflicting one is unfinished, none waits without such a reason, and
//! finishing what runs always drains the queue (nothing deadlocks).
//! Two transactions conflict when their scopes overlap and one of them is
//! not readonly (a versionchange transaction overlaps everything).
//!
//! `./mach test` runs 256 sequences; `PROPTEST_CASES` sets how many.

use std::collections::{BTreeMap, BTreeSet};

use indexeddb::scheduler::{Mode, Scheduler, Scope};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Add(Mode, Vec<bool>),
    /// Finish the running transaction at this position (modulo).
    Finish(usize),
}

fn step() -> impl Strategy<Value = Step> {
    let mode = prop_oneof![
        4 => Just(Mode::ReadOnly),
        4 => Just(Mode::ReadWrite),
        1 => Just(Mode::VersionChange),
    ];
    prop_oneof![
        (mode, proptest::collection::vec(any::<bool>(), 3))
            .prop_map(|(mode, stores)| Step::Add(mode, stores)),
        any::<usize>().prop_map(Step::Finish),
    ]
}

#[derive(Clone, Debug)]
struct Known {
    mode: Mode,
    stores: BTreeSet<usize>,
    running: bool,
}

fn conflict(a: &Known, b: &Known) -> bool {
    let overlap = a.mode == Mode::VersionChange
        || b.mode == Mode::VersionChange
        || !a.stores.is_disjoint(&b.stores);
    overlap && (a.mode != Mode::ReadOnly || b.mode != Mode::ReadOnly)
}

fn check(known: &BTreeMap<u64, Known>) -> Result<(), TestCaseError> {
    for (number, transaction) in known {
        let earlier_conflict = known
            .range(..*number)
            .any(|(_, earlier)| conflict(earlier, transaction));
        if transaction.running {
            prop_assert!(
                !earlier_conflict,
                "{number} runs before an earlier conflicting one ended"
            );
        } else {
            prop_assert!(earlier_conflict, "{number} waits for nothing");
        }
    }
    Ok(())
}

proptest! {
    // The default: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn the_scheduler_keeps_the_specs_rules(steps in proptest::collection::vec(step(), 1..40)) {
        let mut scheduler = Scheduler::default();
        let mut known: BTreeMap<u64, Known> = BTreeMap::new();
        let mut next = 1u64;
        let apply = |started: Vec<u64>, known: &mut BTreeMap<u64, Known>| {
            for number in started {
                known.get_mut(&number).expect("a known transaction").running = true;
            }
        };
        for step in steps {
            match step {
                Step::Add(mode, chosen) => {
                    let stores: BTreeSet<usize> =
                        chosen.iter().enumerate().filter(|(_, on)| **on).map(|(at, _)| at).collect();
                    let names = stores.iter().map(|store| format!("s{store}")).collect();
                    known.insert(next, Known { mode, stores, running: false });
                    let started = scheduler.add(next, mode, Scope::Stores(names));
                    apply(started, &mut known);
                    next += 1;
                }
                Step::Finish(at) => {
                    let running: Vec<u64> =
                        known.iter().filter(|(_, t)| t.running).map(|(n, _)| *n).collect();
                    if running.is_empty() {
                        continue;
                    }
                    let number = running[at % running.len()];
                    known.remove(&number);
                    let started = scheduler.finish(number);
                    apply(started, &mut known);
                }
            }
            check(&known)?;
            for (number, transaction) in &known {
                prop_assert_eq!(scheduler.is_running(*number), transaction.running);
            }
        }
        // Finishing what runs drains everything.
        while let Some((&number, _)) = known.iter().find(|(_, t)| t.running) {
            known.remove(&number);
            let started = scheduler.finish(number);
            apply(started, &mut known);
            check(&known)?;
        }
        prop_assert!(known.is_empty(), "left waiting: {:?}", known);
    }
}
