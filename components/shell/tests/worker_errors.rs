//! Errors in service workers reach the developer: each kind prints one line on stderr, as a
//! page's would (`file:line:col Uncaught ...`), followed by the worker's scope. Real
//! processes, a real HTTP server on 127.0.0.1, real SpiderMonkey workers.

#[path = "../../engine/tests/support/server.rs"]
mod server;

use std::process::Command;

use server::TestServer;

/// At `NAME.html`, registers the worker `NAME.js` for the scope `NAME/`. Once it is active,
/// posts it a message; the page stays until the message event is over (the idle rule), so a
/// handler's error is printed before the run ends. A rejected registration is logged.
const PAGE: &str = r#"<!doctype html>
<script>
const name = location.pathname.slice(1, -'.html'.length);
navigator.serviceWorker.register(name + '.js', {scope: name + '/'})
  .then(registration => new Promise(resolve => {
    const worker = registration.installing || registration.waiting || registration.active;
    if (worker.state === 'activated') return resolve(worker);
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve(worker);
    });
  }))
  .then(worker => worker.postMessage('go'))
  .catch(error => console.log('rejected ' + error.name));
</script>"#;

/// Serves `source` as worker `name`, runs the page for it, and returns the run's stderr lines
/// that name the worker's scope, and its stdout.
fn error_lines(name: &str, source: &str) -> (Vec<String>, String) {
    let server = TestServer::start();
    server.serve_html(&format!("/{name}.html"), PAGE);
    server.serve_js(&format!("/{name}.js"), source);
    let data_home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bgsync"))
        .env("XDG_DATA_HOME", data_home.path())
        .args(["run", "--timeout", "20"])
        .arg(server.url(&format!("/{name}.html")).as_str())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let scope = format!(
        "(service worker, scope {})",
        server.url(&format!("/{name}/"))
    );
    let lines = stderr
        .lines()
        .filter(|line| line.ends_with(&scope))
        .map(|line| {
            line.replace(&scope, "(SCOPE)")
                .replace(server.url("/").as_str(), "URL/")
        })
        .collect();
    (lines, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn an_exception_at_the_top_level_names_file_line_and_column() {
    let (lines, stdout) = error_lines("top", "// line 1\nnotDefinedAnywhere();\n");
    assert_eq!(
        lines,
        ["URL/top.js:2:1 Uncaught ReferenceError: notDefinedAnywhere is not defined (SCOPE)"]
    );
    assert_eq!(stdout, "rejected TypeError\n");
}

#[test]
fn an_exception_in_an_event_handler_names_where_it_was_thrown() {
    let (lines, stdout) = error_lines(
        "handler",
        "self.addEventListener('message', () => {\n  throw new TypeError('handler broke');\n});\n",
    );
    assert_eq!(
        lines,
        ["URL/handler.js:2:9 Uncaught TypeError: handler broke (SCOPE)"]
    );
    assert_eq!(stdout, "");
}

#[test]
fn a_rejection_nobody_handles_is_uncaught_in_promise() {
    let (lines, _) = error_lines(
        "rejection",
        "self.addEventListener('message', () => {\n  Promise.reject(new RangeError('nobody handles me'));\n});\n",
    );
    assert_eq!(
        lines,
        ["URL/rejection.js:2:18 Uncaught (in promise) RangeError: nobody handles me (SCOPE)"]
    );
}

#[test]
fn a_rejected_wait_until_promise_is_uncaught_in_promise() {
    // What a handler written for IndexedDB did before the engine had it: the promise is the
    // event's, but nothing in the worker saw it fail.
    let (lines, _) = error_lines(
        "waituntil",
        "self.addEventListener('message', event => {\n  \
           event.waitUntil(Promise.resolve().then(() => outboxStore.open('x')));\n});\n",
    );
    assert_eq!(
        lines,
        ["URL/waituntil.js:2:48 Uncaught (in promise) ReferenceError: outboxStore is not defined (SCOPE)"]
    );
}

#[test]
fn a_script_that_does_not_parse_names_its_url_and_line() {
    let (lines, stdout) = error_lines("parse", "// fine\nlet x = ;\n");
    assert_eq!(
        lines,
        ["URL/parse.js:2:9 Uncaught SyntaxError: expected expression, got ';' (SCOPE)"]
    );
    assert_eq!(stdout, "rejected TypeError\n");
}

#[test]
fn a_failing_import_scripts_names_the_import_and_the_line() {
    let (lines, stdout) = error_lines("imports", "// imports\nimportScripts('missing.js');\n");
    assert_eq!(
        lines,
        [
            "URL/imports.js:2:13 Uncaught NetworkError: Failed to execute 'importScripts' on \
             'WorkerGlobalScope': The script at 'URL/missing.js' failed to load: HTTP 404 (SCOPE)"
        ]
    );
    assert_eq!(stdout, "rejected TypeError\n");
}
