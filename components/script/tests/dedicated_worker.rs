//! Dedicated workers on real pages: how long a page with workers runs (the idle rule across
//! threads), and that a page's end, `terminate()` and `close()` end workers however busy.

mod common;

use std::time::{Duration, Instant};

use common::{run_files, run_url, temp_dir};
use script::page::PageOutcome;

/// No timer of the page keeps it alive: a worker that answers later does, until it is idle.
#[test]
fn a_page_waits_for_its_busy_worker_and_ends_when_the_worker_is_idle() {
    let run = run_files(
        "dw-idle",
        r#"<script>
        const w = new Worker("w.js");
        w.onmessage = e => {
            console.log("page got " + e.data);
            if (e.data === "late") w.postMessage("again");
        };
        w.postMessage("start");
        </script>"#,
        &[(
            "w.js",
            br#"
            onmessage = e => {
                if (e.data === "start") setTimeout(() => postMessage("late"), 200);
                else setTimeout(() => postMessage("after " + e.data), 100);
            };
            "#,
        )],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(run.lines, ["page got late", "page got after again"]);
}

#[test]
fn a_worker_with_an_endless_interval_keeps_its_page_until_the_timeout() {
    let dir = temp_dir("dw-interval");
    std::fs::write(
        dir.join("page.html"),
        r#"<script>
        const w = new Worker("w.js");
        let n = 0;
        w.onmessage = () => { if (++n === 3) console.log("three ticks"); };
        </script>"#,
    )
    .unwrap();
    std::fs::write(dir.join("w.js"), "setInterval(() => postMessage(1), 10);").unwrap();
    let url = url::Url::from_file_path(dir.join("page.html")).unwrap();
    let run = run_url(url, Duration::from_millis(700));
    assert_eq!(run.outcome, PageOutcome::TimedOut);
    assert_eq!(run.lines, ["three ticks"]);
}

/// The page's end interrupts a worker stuck in a loop, and its thread is joined: the run
/// returns soon after the page's timeout.
#[test]
fn a_page_that_ends_stops_a_worker_in_an_infinite_loop() {
    let dir = temp_dir("dw-spin");
    std::fs::write(
        dir.join("page.html"),
        r#"<script>new Worker("w.js"); console.log("started");</script>"#,
    )
    .unwrap();
    std::fs::write(dir.join("w.js"), "for (;;) {}").unwrap();
    let url = url::Url::from_file_path(dir.join("page.html")).unwrap();
    let started = Instant::now();
    let run = run_url(url, Duration::from_millis(500));
    assert_eq!(run.outcome, PageOutcome::TimedOut);
    assert_eq!(run.lines, ["started"]);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn terminate_stops_a_spinning_worker_and_its_page_goes_idle() {
    let run = run_files(
        "dw-terminate",
        r#"<script>
        const w = new Worker("w.js");
        w.onmessage = e => {
            console.log("page got " + e.data);
            w.terminate();
            w.postMessage("ignored");
            setTimeout(() => console.log("page done"), 50);
        };
        </script>"#,
        &[(
            "w.js",
            br#"
            postMessage("spinning");
            setInterval(() => {}, 1);
            for (;;) {}
            "#,
        )],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(run.lines, ["page got spinning", "page done"]);
}

#[test]
fn a_worker_that_closes_itself_sends_what_it_posted_before_and_no_more() {
    let run = run_files(
        "dw-close",
        r#"<script>
        const w = new Worker("w.js");
        w.onmessage = e => console.log("page got " + e.data);
        setTimeout(() => w.postMessage("too late"), 100);
        </script>"#,
        &[(
            "w.js",
            br#"
            postMessage("before");
            setTimeout(() => postMessage("timer"), 0);
            onmessage = e => postMessage("echo " + e.data);
            close();
            "#,
        )],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(run.lines, ["page got before"]);
}

/// A worker's console lines are the page's; an uncaught error nobody handles is reported by
/// the page, with the worker script's place.
#[test]
fn worker_console_and_unhandled_errors_reach_the_page() {
    let run = run_files(
        "dw-console",
        r#"<script>
        const w = new Worker("w.js");
        window.onerror = (message, filename, line) => {
            console.log("window.onerror: " + message + " at " + filename.split("/").pop() + ":" + line);
        };
        </script>"#,
        &[(
            "w.js",
            b"console.log('from the worker', self.name === '');\nthrow new TypeError('boom');\n",
        )],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(
        run.lines,
        [
            "from the worker true",
            "window.onerror: TypeError: boom at w.js:2"
        ]
    );
}

/// Many workers, each posting many messages: every message arrives, in order per worker.
#[test]
fn twenty_workers_each_post_five_hundred_messages_in_order() {
    let run = run_files(
        "dw-many",
        r#"<script>
        const next = [];
        let done = 0, wrong = 0;
        for (let i = 0; i < 20; i++) {
            next.push(0);
            const w = new Worker("w.js", {name: String(i)});
            w.onmessage = e => {
                if (e.data !== next[i]) wrong++;
                next[i]++;
                if (next[i] === 500 && ++done === 20) console.log("all done, out of order: " + wrong);
            };
        }
        </script>"#,
        &[("w.js", b"for (let n = 0; n < 500; n++) postMessage(n);")],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(run.lines, ["all done, out of order: 0"]);
}
