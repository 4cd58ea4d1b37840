//! The `bgsync` binary: output format and exit statuses.

use std::process::Command;

/// `bgsync` with a fresh per-user data directory (XDG_DATA_HOME), so a run
/// without `--profile` writes nothing into the real one. The directory goes
/// away with the returned guard.
fn bgsync_with_data_home() -> (Command, tempfile::TempDir) {
    let data_home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bgsync"));
    command.env("XDG_DATA_HOME", data_home.path());
    (command, data_home)
}

fn bgsync() -> BgsyncCommand {
    let (command, data_home) = bgsync_with_data_home();
    BgsyncCommand {
        command,
        _data_home: data_home,
    }
}

/// A `Command` that keeps its data directory until it is dropped.
struct BgsyncCommand {
    command: Command,
    _data_home: tempfile::TempDir,
}

impl std::ops::Deref for BgsyncCommand {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.command
    }
}

impl std::ops::DerefMut for BgsyncCommand {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.command
    }
}

/// The run exited 0; its stderr says why if not.
fn assert_exit_0(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A page file in a directory of its own, which goes away with the returned guard.
fn page(name: &str, html: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("bgsync-cli-{name}-"))
        .tempdir()
        .unwrap();
    let path = dir.path().join("page.html");
    std::fs::write(&path, html).unwrap();
    (dir, path)
}

#[test]
fn console_lines_go_to_stdout_and_exit_0_when_idle() {
    let (_dir, path) = page(
        "ok",
        "<script>console.log('hello', 42); setTimeout(() => console.warn('later'), 1)</script>",
    );
    let out = bgsync().arg("run").arg(&path).output().unwrap();
    assert_exit_0(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello 42\nlater\n");
}

#[test]
fn uncaught_exceptions_go_to_stderr_with_position() {
    let (_dir, path) = page(
        "throw",
        "<script>\n\nnull.x;\n</script><script>console.log('next')</script>",
    );
    let out = bgsync().arg("run").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "next\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("page.html:3:"), "{stderr}");
    assert!(stderr.contains("Uncaught TypeError"), "{stderr}");
}

#[test]
fn without_profile_a_run_uses_the_per_user_profile_and_keeps_what_it_stored() {
    let (_dir, path) = page(
        "default-profile",
        "<script>console.log(navigator.onLine !== undefined)</script>",
    );
    let (mut command, data_home) = bgsync_with_data_home();
    let out = command.arg("run").arg(&path).output().unwrap();
    assert_exit_0(&out);
    let database = data_home
        .path()
        .join("bgsync")
        .join("profile")
        .join("storage.sqlite");
    assert!(database.is_file(), "{} is missing", database.display());
}

#[test]
fn a_temporary_profile_leaves_nothing_on_disk() {
    let (_dir, path) = page("temporary-profile", "<script>console.log('ok')</script>");
    let (mut command, data_home) = bgsync_with_data_home();
    let out = command
        .args(["run", "--temporary-profile"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit_0(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    assert_eq!(std::fs::read_dir(data_home.path()).unwrap().count(), 0);
    // A profile and a temporary one at once is bad usage.
    let out = bgsync()
        .args(["run", "--temporary-profile", "--profile", "/tmp/x"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_page_exits_1_with_a_reason() {
    let out = bgsync()
        .args(["run", "/definitely/not/here.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not/here.html"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn bad_usage_exits_2() {
    let out = bgsync().args(["run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bgsync()
        .args(["run", "--pref", "no.such.pref=1", "x.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bgsync().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_network_prefs_exit_2_with_the_reason() {
    let cases = [
        (
            "net.host_rules=MAP web-platform.test nowhere",
            "bgsync: pref \"net.host_rules\": the replacement is not an IP address",
        ),
        (
            "net.extra_root_certificates=/no/such/ca.pem",
            "bgsync: pref \"net.extra_root_certificates\": /no/such/ca.pem: ",
        ),
    ];
    for (pref, reason) in cases {
        let out = bgsync()
            .args(["run", "--pref", pref, "x.html"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{pref}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(reason), "{pref}: {stderr}");
    }
}

#[test]
fn an_infinite_loop_exits_3_at_the_timeout() {
    let (_dir, path) = page(
        "loop",
        "<script>console.log('spinning'); while (true) {}</script>",
    );
    let started = std::time::Instant::now();
    let out = bgsync()
        .args(["run", "--timeout", "1"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "spinning\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_profile_database_that_is_not_sqlite_is_moved_aside_and_the_page_runs() {
    let (_dir, path) = page(
        "corrupt-profile",
        "<script>console.log('still here')</script>",
    );
    let profile = path.parent().unwrap().join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(profile.join("storage.sqlite"), b"not a database").unwrap();
    let out = bgsync()
        .arg("run")
        .arg("--profile")
        .arg(&profile)
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still here\n");
    assert!(stderr.contains("moved"), "{stderr}");
    let moved_aside = std::fs::read_dir(&profile)
        .unwrap()
        .filter_map(Result::ok)
        .any(|entry| entry.file_name().to_string_lossy().contains("corrupt"));
    assert!(moved_aside);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
