//! Malformed pages and scripts: reported, never fatal.

mod common;

use common::{run_files, run_url};
use script::page::PageOutcome;
use std::time::Duration;

#[test]
fn malformed_html_is_recovered_by_the_parser() {
    let run = run_files(
        "malformed",
        "<p>unclosed <b>bold <i>both</p> text <div><table><td>cell</div>\u{0}<script>console.log(document.getElementsByTagName('b').length > 0, document.body.textContent.includes('cell'))</script>",
        &[],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(run.lines, ["true true"]);
}

#[test]
fn a_syntax_error_is_reported_and_later_scripts_still_run() {
    let run = run_files(
        "syntax",
        r#"<script>window.addEventListener("error", e => console.log("error", e.message.includes("SyntaxError"), e.lineno));</script>
<script>
  let x = ;
</script>
<script>console.log("still running");</script>"#,
        &[],
    );
    assert_eq!(run.lines, ["error true 3", "still running"]);
}

#[test]
fn hostile_tags_and_huge_attributes_do_not_break_the_page() {
    let big = "x".repeat(1 << 20);
    let html = format!(
        "<div {big}=1 title=\"{big}\"></div><svg><script>console.log('svg script')</script></svg><scr<script>ipt>console.log('nested')</script><script>console.log(document.getElementsByTagName('div')[0].title.length)</script>"
    );
    let run = run_files("hostile", &html, &[]);
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert!(
        run.lines.contains(&(1usize << 20).to_string()),
        "{:?}",
        run.lines
    );
}

#[test]
fn a_missing_file_fails_to_load() {
    let dir = common::temp_dir("missing");
    let run = run_url(
        url::Url::from_file_path(dir.join("nope.html")).unwrap(),
        Duration::from_secs(5),
    );
    match run.outcome {
        PageOutcome::LoadFailed(reason) => assert!(reason.contains("nope.html"), "{reason}"),
        other => panic!("expected a load failure, got {other:?}"),
    }
}

#[test]
fn a_binary_file_is_refused() {
    let dir = common::temp_dir("binary");
    let path = dir.join("blob.html");
    std::fs::write(&path, [0x7fu8, b'E', b'L', b'F', 0, 0, 1, 2, 3]).unwrap();
    let run = run_url(
        url::Url::from_file_path(&path).unwrap(),
        Duration::from_secs(5),
    );
    match run.outcome {
        PageOutcome::LoadFailed(reason) => assert!(reason.contains("binary"), "{reason}"),
        other => panic!("expected a load failure, got {other:?}"),
    }
}

#[test]
fn an_unresolvable_host_fails_to_load() {
    let run = run_url(
        url::Url::parse("http://no-such-host.invalid/").unwrap(),
        Duration::from_secs(10),
    );
    assert!(
        matches!(run.outcome, PageOutcome::LoadFailed(_)),
        "{:?}",
        run.outcome
    );
}

#[test]
fn an_http_error_page_fails_to_load() {
    let base = common::serve(vec![]);
    let run = run_url(
        url::Url::parse(&format!("{base}/missing.html")).unwrap(),
        Duration::from_secs(10),
    );
    match run.outcome {
        PageOutcome::LoadFailed(reason) => assert!(reason.contains("404"), "{reason}"),
        other => panic!("expected a load failure, got {other:?}"),
    }
}

#[test]
fn a_404_script_src_fires_error_and_the_page_goes_on() {
    let base = common::serve(vec![(
        "/page.html",
        "text/html",
        r#"<script>window.addEventListener("error", e => { if (e.target.tagName === "SCRIPT") console.log("script error event", e.target.src.endsWith("/gone.js")); }, true);</script><script src="/gone.js"></script><script>console.log('next script')</script>"#.to_string(),
    )]);
    let run = run_url(
        url::Url::parse(&format!("{base}/page.html")).unwrap(),
        Duration::from_secs(10),
    );
    assert_eq!(run.lines, ["script error event true", "next script"]);
}

#[test]
fn a_page_that_opens_windows_without_end_is_stopped_at_the_limit() {
    // Each opened window opens another as it loads, and the page opens many at once.
    let run = run_files(
        "open-windows",
        r#"<script>
let opened = 0;
for (let i = 0; i < 200; i++) {
  if (window.open("child.html")) opened++;
}
console.log("opened " + opened);
</script>"#,
        &[(
            "child.html",
            b"<script>window.open('child.html'); window.open('child.html');</script>",
        )],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    let expected = format!("opened {}", script::auxiliary::MAX_OPEN_WINDOWS);
    assert!(
        run.lines.contains(&expected),
        "{:?}",
        &run.lines[..run.lines.len().min(5)]
    );
    assert!(
        run.lines
            .iter()
            .any(|line| line.contains("window.open() was blocked")),
        "{:?}",
        &run.lines[..run.lines.len().min(5)]
    );
}
