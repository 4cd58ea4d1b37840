//! What the shell's end-to-end tests share: running `bgsync`, reading its output, and a page
//! that runs a script to its `done()`.

#![allow(dead_code)] // each test file uses some of it

use std::process::{Command, Output};

pub fn bgsync() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bgsync"))
}

/// Runs `bgsync` with `args` and returns what it did. A run without `--profile` gets an empty
/// per-user data directory of its own.
pub fn run(args: &[&str]) -> Output {
    let data_home = tempfile::tempdir().unwrap();
    bgsync()
        .env("XDG_DATA_HOME", data_home.path())
        .args(args)
        .output()
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A page that runs `body` (which ends with `done()`), kept alive until then, and closes
/// itself. An error is logged as `error <name>: <message>`.
pub fn page(body: &str) -> String {
    format!(
        r#"<!doctype html>
<script>
const keepAlive = setInterval(() => {{}}, 20);
function done() {{ clearInterval(keepAlive); window.close(); }}
function failed(error) {{ console.log('error ' + error.name + ': ' + error.message); done(); }}
try {{
{body}
}} catch (error) {{ failed(error); }}
</script>"#
    )
}

/// Runs the page at `url` in `bgsync` with the profile directory `profile` (kept between runs:
/// a second run is a restarted engine) and `extra` arguments.
pub fn run_in_profile(url: &str, profile: &std::path::Path, extra: &[&str]) -> Output {
    bgsync()
        .args(["run", "--timeout", "60", "--profile"])
        .arg(profile)
        .args(extra)
        .arg(url)
        .output()
        .unwrap()
}

/// Asserts that a line of the run's stdout ends with `line`.
pub fn assert_logged(out: &Output, line: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.lines().any(|seen| seen.ends_with(line)),
        "missing {line:?} in:\n{stdout}\n{stderr}"
    );
}
