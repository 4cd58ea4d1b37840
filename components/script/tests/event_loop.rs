//! Script, task and microtask ordering, timers, and how a page ends, on real pages.

mod common;

use common::{run_files, run_script};
use script::page::PageOutcome;

#[test]
fn microtasks_run_before_the_next_task() {
    let run = run_script(
        "ordering",
        r#"
        console.log("sync 1");
        setTimeout(() => console.log("timeout"), 0);
        Promise.resolve().then(() => console.log("promise"));
        queueMicrotask(() => console.log("microtask"));
        console.log("sync 2");
        "#,
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(
        run.lines,
        ["sync 1", "sync 2", "promise", "microtask", "timeout"]
    );
}

#[test]
fn microtasks_queued_by_a_task_run_before_the_following_task() {
    let run = run_script(
        "task-microtask",
        r#"
        setTimeout(() => { console.log("t1"); Promise.resolve().then(() => console.log("m1")); }, 0);
        setTimeout(() => console.log("t2"), 0);
        "#,
    );
    assert_eq!(run.lines, ["t1", "m1", "t2"]);
}

#[test]
fn timers_fire_in_deadline_order_and_pass_extra_arguments() {
    let run = run_script(
        "timers",
        r#"
        setTimeout((a, b) => console.log("late", a, b), 30, 1, "two");
        setTimeout(() => console.log("early"), 5);
        const id = setTimeout(() => console.log("cancelled"), 10);
        clearTimeout(id);
        "#,
    );
    assert_eq!(run.lines, ["early", "late 1 two"]);
}

#[test]
fn interval_repeats_until_cleared() {
    let run = run_script(
        "interval",
        r#"
        let n = 0;
        const id = setInterval(() => { n++; console.log("tick", n); if (n === 3) clearInterval(id); }, 1);
        "#,
    );
    assert_eq!(run.lines, ["tick 1", "tick 2", "tick 3"]);
}

#[test]
fn string_timer_handlers_are_evaluated() {
    let run = run_script(
        "string-timer",
        r#"setTimeout("console.log('from string')", 0);"#,
    );
    assert_eq!(run.lines, ["from string"]);
}

#[test]
fn scripts_run_in_document_order_and_see_the_dom_built_so_far() {
    let run = run_files(
        "doc-order",
        r#"<!DOCTYPE html><html><head>
        <script>console.log("head", document.body === null, document.readyState);</script>
        </head><body><p id="a">x</p>
        <script>console.log("body", document.getElementById("a").textContent);</script>
        <script src="ext.js"></script>
        <script>console.log("after external", window.fromExternal);</script>
        </body></html>"#,
        &[(
            "ext.js",
            b"window.fromExternal = 42; console.log('external');",
        )],
    );
    assert_eq!(
        run.lines,
        [
            "head true loading",
            "body x",
            "external",
            "after external 42"
        ]
    );
}

#[test]
fn domcontentloaded_then_load_with_ready_states() {
    let run = run_script(
        "load-order",
        r#"
        document.addEventListener("readystatechange", () => console.log("readystate", document.readyState));
        document.addEventListener("DOMContentLoaded", () => console.log("DOMContentLoaded", document.readyState));
        window.addEventListener("load", () => console.log("load", document.readyState));
        "#,
    );
    assert_eq!(
        run.lines,
        [
            "readystate interactive",
            "DOMContentLoaded interactive",
            "readystate complete",
            "load complete"
        ]
    );
}

#[test]
fn window_close_ends_the_page() {
    let run = run_script(
        "close",
        r#"setTimeout(() => { console.log("closing"); window.close(); }, 0); setTimeout(() => console.log("never"), 50);"#,
    );
    assert_eq!(run.outcome, PageOutcome::Closed);
    assert_eq!(run.lines, ["closing"]);
}

#[test]
fn an_infinite_loop_is_interrupted_at_the_timeout() {
    let dir = common::temp_dir("infinite");
    let page = dir.join("page.html");
    std::fs::write(&page, "<script>console.log('start'); for (;;) {}</script>").unwrap();
    let run = common::run_url(
        url::Url::from_file_path(&page).unwrap(),
        std::time::Duration::from_millis(500),
    );
    assert_eq!(run.outcome, PageOutcome::TimedOut);
    assert_eq!(run.lines, ["start"]);
}

#[test]
fn an_abort_signal_timeout_fires_but_does_not_keep_the_page_alive() {
    // A timeout signal that something waits on fires with a TimeoutError...
    let run = run_script(
        "abort-timeout-fires",
        r#"const signal = AbortSignal.timeout(20);
        console.log('aborted ' + signal.aborted);
        signal.onabort = () => console.log('abort ' + signal.reason.name);
        setTimeout(() => console.log('later ' + signal.aborted), 60);"#,
    );
    assert_eq!(
        run.lines,
        ["aborted false", "abort TimeoutError", "later true"]
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    // ...and one nothing waits on leaves the page idle at once: an hour's wait would end
    // the run timed out, not idle.
    let run = run_script(
        "abort-timeout-idle",
        "AbortSignal.timeout(3600000); console.log('made');",
    );
    assert_eq!(run.lines, ["made"]);
    assert_eq!(run.outcome, PageOutcome::Idle);
}
