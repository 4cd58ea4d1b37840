//! One engine per profile: a second `bgsync run` on a profile in use exits 1
//! naming the process that holds it; the lock a `kill -9`'d engine left is
//! taken over (and logged); `bgsync sync list` reads a profile while an
//! engine runs on it and changes nothing in it, not even a corrupt database.
//! Real processes and real profile directories.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn bgsync() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bgsync"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes a page that prints `up` and then stays busy until killed (or its
/// `--timeout`).
fn busy_page(dir: &Path) -> String {
    let page = dir.join("busy.html");
    std::fs::write(
        &page,
        "<script>console.log('up'); setInterval(() => {}, 50);</script>",
    )
    .unwrap();
    page.to_str().unwrap().to_owned()
}

fn quick_page(dir: &Path) -> String {
    let page = dir.join("quick.html");
    std::fs::write(&page, "<script>console.log('done')</script>").unwrap();
    page.to_str().unwrap().to_owned()
}

/// Starts `bgsync run --profile PROFILE` on the busy page and waits until
/// the page runs (so the engine holds the profile).
fn start_engine(profile: &Path, pages: &Path) -> Child {
    let mut child = bgsync()
        .args(["run", "--timeout", "60", "--offline", "--profile"])
        .arg(profile)
        .arg(busy_page(pages))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = BufReader::new(stdout).lines().next();
    assert_eq!(first.map(Result::unwrap).as_deref(), Some("up"));
    child
}

fn run_on(profile: &Path, page: &str) -> Output {
    bgsync()
        .args(["run", "--offline", "--profile"])
        .arg(profile)
        .arg(page)
        .output()
        .unwrap()
}

fn list(profile: &Path) -> Output {
    bgsync()
        .args(["sync", "list", "--json", "--profile"])
        .arg(profile)
        .output()
        .unwrap()
}

#[test]
fn a_second_engine_on_a_profile_in_use_exits_1_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let mut first = start_engine(&profile, dir.path());

    let second = run_on(&profile, &quick_page(dir.path()));
    let stderr = text(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "profile {} is in use by process {}",
            profile.display(),
            first.id()
        )),
        "{stderr}"
    );
    assert_eq!(text(&second.stdout), "", "the second engine ran nothing");

    // A read-only command works beside the running engine.
    let listed = list(&profile);
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    assert_eq!(text(&listed.stdout).trim(), "[]");

    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn the_lock_of_a_killed_engine_is_taken_over_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let mut first = start_engine(&profile, dir.path());
    let killed = first.id();
    first.kill().unwrap(); // SIGKILL: nothing is cleaned up
    first.wait().unwrap();

    let next = run_on(&profile, &quick_page(dir.path()));
    let stderr = text(&next.stderr);
    assert_eq!(next.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&next.stdout), "done\n");
    assert!(
        stderr.contains(&format!("took over the lock left by process {killed}")),
        "{stderr}"
    );
    // A clean exit leaves nothing to take over.
    let again = run_on(&profile, &quick_page(dir.path()));
    assert_eq!(again.status.code(), Some(0));
    assert!(
        !text(&again.stderr).contains("took over"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn sync_list_reports_a_corrupt_database_and_leaves_the_profile_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    std::fs::create_dir(&profile).unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(profile.join("storage.sqlite"), &garbage).unwrap();

    let listed = list(&profile);
    let stderr = text(&listed.stderr);
    assert_eq!(listed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("left untouched"), "{stderr}");
    let names: Vec<String> = std::fs::read_dir(&profile)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["storage.sqlite"]);
    assert_eq!(
        std::fs::read(profile.join("storage.sqlite")).unwrap(),
        garbage
    );
}
