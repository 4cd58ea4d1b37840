//! A full disk does not disable sync. The profile lives on a real tmpfs of
//! 8 MiB; once the page's tags are stored, a file fills the rest of it. A
//! page then registers large tags until a commit fails: that `register()`
//! rejects with `UnknownError`, and nothing else changes. The network comes
//! back: every stored tag fires and succeeds, and the engine forgets it; the
//! deletions reach the database (with back-off if a write fails) without a
//! restart once the file is removed, and `register()` works again.
//!
//! Needs root (mount). Where a tmpfs cannot be mounted the test prints
//! `SKIPPED:` and returns; `BGSYNC_REQUIRE_TMPFS=1` (CI sets it) makes that
//! a failure.
#![cfg(target_os = "linux")]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use engine::{Connectivity, PageOutcome};
use support::server::TestServer;
use support::{eventually, start_engine_with, PAGE_TIMEOUT};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|error| format!("cannot run mount: {error}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Fills the file system of `dir` with one file, until it is full.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
    path
}

/// The tags stored in the profile, read as `bgsync sync list` reads them.
fn stored_tags(profile: &Path) -> Vec<String> {
    let database = storage::Database::open_read_only(profile).unwrap();
    let mut tags: Vec<String> = database
        .all_sync_registrations()
        .unwrap()
        .into_iter()
        .map(|row| row.tag)
        .collect();
    tags.sort();
    tags
}

const WORKER: &str = "self.addEventListener('sync', event => console.log('sw: ' + event.tag));";

/// Registers `t1` ... `t20`.
const REGISTER: &str = r#"<!doctype html>
<script>
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(r => Promise.all(Array.from({length: 20}, (_, i) => r.sync.register('t' + (i + 1)))))
  .then(() => console.log('registered'), e => console.log('error ' + e));
</script>"#;

/// Registers tags of 10,000 bytes until one fails; says how many were
/// stored and the error that stopped it.
const BIG: &str = r#"<!doctype html>
<script>
navigator.serviceWorker.ready.then(async r => {
  for (let i = 0; i < 1000; i++) {
    try { await r.sync.register(String(i).padEnd(10000, '.')); }
    catch (e) { console.log('big: ' + i + ' then ' + e.name); return; }
  }
  console.log('big: all stored');
});
</script>"#;

/// Tries one more `register()` and `getTags()`, and says how they went.
const LATER: &str = r#"<!doctype html>
<script>
navigator.serviceWorker.ready
  .then(r => r.sync.register('later').then(() => 'ok', e => e.name)
    .then(result => r.sync.getTags().then(tags => console.log('later: ' + result + ' ' + tags.length))))
  .catch(e => console.log('error ' + e));
</script>"#;

#[test]
fn a_full_disk_does_not_disable_sync_and_the_deletions_are_written_once_there_is_room() {
    let tmpfs = match Tmpfs::mount("8m") {
        Ok(tmpfs) => tmpfs,
        Err(reason) => {
            if std::env::var_os("BGSYNC_REQUIRE_TMPFS").is_some_and(|value| value == "1") {
                panic!("{reason} (and BGSYNC_REQUIRE_TMPFS=1)");
            }
            let _ = writeln!(std::io::stderr(), "SKIPPED: disk_full: {reason}");
            return;
        }
    };
    let profile = tmpfs.path().join("profile");
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/register.html", REGISTER);
    server.serve_html("/later.html", LATER);
    server.serve_html("/big.html", BIG);
    let (engine, console, _log) =
        start_engine_with(Some(&profile), &[], Some(Connectivity::Offline));
    let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle);
    assert!(console.lines().contains(&"registered".to_owned()));
    assert_eq!(stored_tags(&profile).len(), 20);

    let filler = fill(tmpfs.path());
    let outcome = engine.run_page(server.url("/big.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle);
    let big = console
        .lines()
        .into_iter()
        .find(|line| line.starts_with("big: "))
        .expect("the big page's report");
    assert!(big.ends_with(" then UnknownError"), "{big}");
    let stored_big: usize = big["big: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Not disabled: everything stored fires once the network is back.
    engine.set_network_override(Some(Connectivity::Online));
    eventually("every stored tag ran", || {
        console
            .lines()
            .iter()
            .filter(|line| line.starts_with("sw: "))
            .count()
            == 20 + stored_big
    });
    eventually("the engine forgot the finished tags", || {
        engine
            .sync_registrations()
            .is_ok_and(|listed| listed.is_empty())
    });
    std::fs::remove_file(filler).unwrap();
    eventually("the deletions are written once there is room", || {
        stored_tags(&profile).is_empty()
    });
    let outcome = engine.run_page(server.url("/later.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Idle);
    assert!(
        console.lines().contains(&"later: ok 0".to_owned())
            || console.lines().contains(&"later: ok 1".to_owned()),
        "{:?}",
        console.lines()
    );
    engine.shutdown();
}
