//! `js.max_dedicated_workers`: a page that makes more workers than the cap gets `error` events
//! for the extra ones, not threads, and a place freed by `terminate()` can be used again. Its
//! own test binary, since the count of running workers is process-wide.

mod common;

use std::time::Duration;

use common::{run_url_with_prefs, temp_dir};
use script::page::PageOutcome;

#[test]
fn workers_past_the_cap_get_an_error_event_and_a_freed_place_is_used_again() {
    let dir = temp_dir("worker-limit");
    std::fs::write(
        dir.join("page.html"),
        r#"<script>
        const workers = [];
        let up = 0, refused = 0;
        for (let i = 0; i < 8; i++) {
            const w = new Worker("w.js");
            w.onmessage = () => { if (++up === 5) check(); };
            w.onerror = (e) => { refused++; e.preventDefault(); };
            workers.push(w);
        }
        function check() {
            setTimeout(() => {
                console.log("up " + up + ", refused " + refused);
                workers[0].terminate();
                // Once the terminated worker's thread has ended, a new worker starts.
                const tryAgain = (attempt) => {
                    const again = new Worker("w.js");
                    again.onmessage = () => {
                        console.log("a freed place is used again");
                        workers.forEach((w) => w.terminate());
                        again.terminate();
                    };
                    again.onerror = (e) => {
                        e.preventDefault();
                        if (attempt < 100) setTimeout(() => tryAgain(attempt + 1), 50);
                        else console.log("still refused");
                    };
                };
                tryAgain(0);
            }, 200);
        }
        </script>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("w.js"),
        "postMessage('up'); setInterval(() => {}, 50);",
    )
    .unwrap();
    let prefs = base::prefs::Prefs::with_overrides(["js.max_dedicated_workers=5"]).unwrap();
    let url = url::Url::from_file_path(dir.join("page.html")).unwrap();
    let run = run_url_with_prefs(url, Duration::from_secs(20), prefs);
    assert_eq!(run.outcome, PageOutcome::Idle, "{:?}", run.lines);
    let lines: Vec<&String> = run
        .lines
        .iter()
        .filter(|line| !line.contains("not started"))
        .collect();
    assert_eq!(lines, ["up 5, refused 3", "a freed place is used again"]);
    let refusals = run
        .lines
        .iter()
        .take_while(|line| !line.starts_with("up "))
        .filter(|line| {
            line.contains("dedicated workers already run (pref js.max_dedicated_workers)")
        })
        .count();
    assert_eq!(refusals, 3, "each refused worker says why: {:?}", run.lines);
}
