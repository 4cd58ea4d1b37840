//! A profile database that is not SQLite is moved aside (never deleted),
//! and the engine runs with a fresh one.

mod support;

use engine::PageOutcome;
use storage::DATABASE_FILE_NAME;
use support::server::TestServer;
use support::{page, register_page, start_engine, PAGE_TIMEOUT, WORKER};

const GARBAGE: &[u8] = b"this is not a SQLite database, only some text";

fn corrupt_profile() -> tempfile::TempDir {
    let profile = tempfile::TempDir::new().unwrap();
    std::fs::write(profile.path().join(DATABASE_FILE_NAME), GARBAGE).unwrap();
    profile
}

#[test]
fn a_non_sqlite_profile_database_is_moved_aside_and_pages_run() {
    let profile = corrupt_profile();
    let (engine, console) = start_engine(Some(profile.path()), &[]);
    let moved = engine.storage_recovered().expect("moved aside").to_owned();
    assert_eq!(moved.parent(), Some(profile.path()));
    assert_eq!(std::fs::read(&moved).unwrap(), GARBAGE);
    assert!(engine.registrations().is_empty());
    // The fresh database is a real one.
    let fresh = std::fs::read(profile.path().join(DATABASE_FILE_NAME)).unwrap();
    assert!(fresh.starts_with(b"SQLite format 3\0"));

    let server = TestServer::start();
    server.serve_html("/hello.html", &page("console.log('hello'); done();"));
    let outcome = engine.run_page(server.url("/hello.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed);
    assert_eq!(console.lines(), ["hello"]);
}

#[test]
fn service_workers_work_on_the_fresh_database() {
    let profile = corrupt_profile();
    let server = TestServer::start();
    server.serve_js("/sw.js", WORKER);
    server.serve_html("/register.html", &register_page());
    {
        let (engine, console) = start_engine(Some(profile.path()), &[]);
        assert!(engine.storage_recovered().is_some());
        let outcome = engine.run_page(server.url("/register.html"), Some(PAGE_TIMEOUT));
        assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
        assert!(console.contains("ready activated"), "{:?}", console.lines());
    }
    // Stored in the fresh file: the next engine has it, and nothing more
    // was moved.
    let (engine, _) = start_engine(Some(profile.path()), &[]);
    assert_eq!(engine.storage_recovered(), None);
    assert_eq!(engine.registrations().len(), 1);
}
