//! A request the page gave up on (an aborted `fetch()`, an XMLHttpRequest's `abort()` or
//! timeout) no longer keeps the page running: with the server still holding the responses, the
//! run ends as soon as the page is idle, instead of at the server's answer or the deadline.

#[path = "../../engine/tests/support/server.rs"]
mod server;

mod common;
use common::{run, text};

use server::{Response, TestServer};

#[test]
fn aborted_requests_do_not_keep_the_page_running() {
    let server = TestServer::start();
    server.serve("/held", Response::ok("text/plain", "late"));
    let held = server.hold("/held");
    // No keep-alive timer and no window.close(): the run ends when the page is idle.
    server.serve_html(
        "/page.html",
        r#"<!doctype html>
<script>
const controller = new AbortController();
fetch('/held', {signal: controller.signal})
  .catch((error) => console.log('fetch ' + error.name));
const xhr = new XMLHttpRequest();
xhr.open('GET', '/held');
xhr.onabort = () => console.log('xhr abort');
xhr.send();
const timed = new XMLHttpRequest();
timed.open('GET', '/held');
timed.timeout = 50;
timed.ontimeout = () => console.log('xhr timeout');
timed.send();
setTimeout(() => { controller.abort(); xhr.abort(); }, 20);
</script>"#,
    );
    let out = run(&["run", "--timeout", "60", server.url("/page.html").as_str()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        ["fetch AbortError", "xhr abort", "xhr timeout"],
        "{stderr}"
    );
    // The server never answered while the page ran.
    held.release();
    assert_eq!(server.requests_of("/held").len(), 3);
}
