//! The log tells the story of a tag: one line per state change, with target
//! `bgsync::service`.

mod common;

use std::cell::RefCell;

use background_sync::{SyncEventFailure, SyncEventOutcome};
use common::*;
use log::{Level, LevelFilter, Log, Metadata, Record};

/// Collects the records of the thread that logs them, so parallel tests do
/// not see each other's lines.
struct CapturingLogger;

thread_local! {
    static LINES: RefCell<Vec<(String, Level, String)>> = const { RefCell::new(Vec::new()) };
}

impl Log for CapturingLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &Record<'_>) {
        LINES.with(|lines| {
            lines.borrow_mut().push((
                record.target().to_owned(),
                record.level(),
                record.args().to_string(),
            ))
        });
    }

    fn flush(&self) {}
}

static LOGGER: CapturingLogger = CapturingLogger;

fn capture() {
    // Only the first test to get here installs it; the others reuse it.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(LevelFilter::Trace);
    LINES.with(|lines| lines.borrow_mut().clear());
}

/// The state-change lines logged so far on this thread.
fn state_changes() -> Vec<String> {
    LINES.with(|lines| {
        lines
            .borrow()
            .iter()
            .filter(|(target, _, text)| target == "bgsync::service" && text.contains(" -> "))
            .map(|(_, _, text)| text.clone())
            .collect()
    })
}

#[test]
fn every_state_change_logs_one_line() {
    capture();
    let mut harness = Harness::online();
    let first = only_dispatch(&harness.register_confirmed(SW_A, "outbox"));
    harness.service.event_outcome(
        first.dispatch,
        SyncEventOutcome::Failed(SyncEventFailure::WaitUntilRejected),
    );
    let second = only_dispatch(&harness.advance_and_wake(5 * MINUTE_MS));
    harness
        .service
        .event_outcome(second.dispatch, SyncEventOutcome::Success);

    let changes = state_changes();
    let transitions: Vec<&str> = changes
        .iter()
        .map(|line| {
            let after_tag = line.split_once("\"outbox\": ").expect(line).1;
            let mut words = after_tag.split(' ');
            let from = words.next().unwrap_or_default();
            let _arrow = words.next();
            let to = words.next().unwrap_or_default().trim_end_matches(':');
            match (from, to) {
                ("new", "pending") => "new -> pending",
                ("pending", "firing") => "pending -> firing",
                ("firing", "waiting") => "firing -> waiting",
                ("waiting", "pending") => "waiting -> pending",
                ("firing", "deleted") => "firing -> deleted",
                _ => panic!("unexpected transition in {line:?}"),
            }
        })
        .collect();
    assert_eq!(
        transitions,
        [
            "new -> pending",
            "pending -> firing",
            "firing -> waiting",
            "waiting -> pending",
            "pending -> firing",
            "firing -> deleted",
        ]
    );
    assert!(changes
        .iter()
        .all(|line| line.starts_with("sw-registration-1 tag")));
    assert!(
        changes[2].contains("a waitUntil promise rejected"),
        "{}",
        changes[2]
    );
    assert!(changes[5].contains("succeeded"), "{}", changes[5]);
}

#[test]
fn confirmations_and_repeated_registrations_change_no_state() {
    capture();
    let mut harness = Harness::new();
    harness.register_confirmed(SW_A, "a");
    harness.register_confirmed(SW_A, "a");
    assert_eq!(state_changes().len(), 1);
}

#[test]
fn storage_failure_is_logged_as_an_error() {
    capture();
    let mut harness = Harness::new();
    harness.store.fail_writes(true);
    let _ = harness.service.register(SW_A, "a");
    let errors: Vec<String> = LINES.with(|lines| {
        lines
            .borrow()
            .iter()
            .filter(|(target, level, _)| target == "bgsync::service" && *level == Level::Error)
            .map(|(_, _, text)| text.clone())
            .collect()
    });
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("storage failed"), "{}", errors[0]);
    assert!(errors[0].contains("UnknownError"), "{}", errors[0]);
}
