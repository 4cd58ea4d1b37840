//! When workers run: started on demand from their stored scripts, stopped
//! when idle or stuck, and persisted across engines.

use script_traits::ServiceWorkerRequest;

use super::*;

#[test]
fn a_stopped_worker_starts_again_from_its_stored_scripts_for_a_message() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "import\necho");
    let worker = info.active.unwrap();
    let scope = info.scope.clone();
    assert!(engine.engine.is_worker_running(&scope));
    assert!(engine.engine.stop_worker(&scope));
    assert!(!engine.engine.is_worker_running(&scope));
    assert!(!engine.engine.stop_worker(&scope));

    assert!(page.post(worker.id, b"wake up"));
    assert!(engine.engine.is_worker_running(&scope));
    let spawns: Vec<String> = engine
        .log
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("spawn"))
        .collect();
    let id = worker.id.0;
    assert_eq!(
        spawns,
        [
            format!("spawn {id} first_run=true imports=0"),
            format!("spawn {id} first_run=false imports=1"),
        ]
    );
    // The stored script is used: sw.js was fetched once.
    assert_eq!(server.requests_of("/sw.js").len(), 1);
}

#[test]
fn an_idle_worker_stops_and_a_message_wakes_it() {
    let engine = engine_with(None, &["serviceworker.idle_timeout_ms=100"]);
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "echo");
    let worker = info.active.unwrap();
    eventually("the idle worker stops", || {
        !engine.engine.is_worker_running(&info.scope)
    });
    assert!(page.post(worker.id, b"again"));
    assert_eq!(engine.log.count("spawn"), 2);
    eventually("it stops again", || {
        !engine.engine.is_worker_running(&info.scope)
    });
}

#[test]
fn an_event_past_the_time_limit_stops_the_worker_which_can_start_again() {
    let engine = engine_with(None, &["serviceworker.max_event_duration_ms=300"]);
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "hang-message");
    let worker = info.active.unwrap();
    // The message is never handled: `done` is dropped.
    assert!(!page.post(worker.id, b"spin"));
    assert!(!engine.engine.is_worker_running(&info.scope));
    assert_eq!(engine.engine.start_worker(&info.scope), Ok(()));
    assert!(engine.engine.is_worker_running(&info.scope));
}

#[test]
fn start_worker_of_an_unknown_scope_is_an_error() {
    let engine = engine();
    let scope = Url::parse("http://127.0.0.1:1/").unwrap();
    assert!(engine.engine.start_worker(&scope).is_err());
    assert!(!engine.engine.is_worker_running(&scope));
}

#[test]
fn registrations_outlive_the_engine_and_workers_start_only_when_needed() {
    let profile = tempfile::TempDir::new().unwrap();
    let server = TestServer::start();
    let info = {
        let first = engine_with(Some(profile.path()), &[]);
        let (_, info) = register_active(&first, &server, "import\necho");
        first.engine.shutdown();
        info
    };

    let second = engine_with(Some(profile.path()), &[]);
    let registrations = second.engine.registrations();
    assert_eq!(registrations.len(), 1);
    let loaded = &registrations[0];
    assert_eq!((loaded.id, &loaded.scope), (info.id, &info.scope));
    let active = loaded.active.clone().unwrap();
    assert_eq!(active.state, script_traits::ServiceWorkerState::Activated);
    assert!(!second.engine.is_worker_running(&loaded.scope));

    // A page in scope is controlled without any worker running.
    let (page, setup) = Page::load(&second.engine, &server.url("/page.html"));
    assert_eq!(setup.controller.map(|c| c.id), Some(active.id));
    let found = page
        .request(|id| ServiceWorkerRequest::GetRegistration {
            client_url: server.url("/page.html"),
            id,
        })
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(found.active.map(|a| a.id), Some(active.id));
    assert_eq!(second.log.count("spawn"), 0);

    // A message starts it, from the stored scripts, with no install.
    assert!(page.post(active.id, b"hello"));
    assert_eq!(
        second.log.lines()[0],
        format!("spawn {} first_run=false imports=1", active.id.0)
    );
    assert_eq!(second.log.count(&format!("{} install", active.id.0)), 0);
    assert_eq!(server.requests_of("/sw.js").len(), 1);
}

#[test]
fn a_corrupt_profile_database_is_moved_aside() {
    let profile = tempfile::TempDir::new().unwrap();
    let file = profile.path().join(storage::DATABASE_FILE_NAME);
    std::fs::write(&file, b"this is not a database, just some text").unwrap();
    let engine = engine_with(Some(profile.path()), &[]);
    let moved = engine
        .engine
        .storage_recovered()
        .expect("moved aside")
        .to_owned();
    assert_eq!(
        std::fs::read(&moved).unwrap(),
        b"this is not a database, just some text"
    );
    assert!(engine.engine.registrations().is_empty());
    let server = TestServer::start();
    register_active(&engine, &server, "// worker");
    assert_eq!(engine.engine.registrations().len(), 1);
}

#[test]
fn shutdown_stops_running_workers_and_is_idempotent() {
    let engine = engine();
    let server = TestServer::start();
    let (_page, info) = register_active(&engine, &server, "// worker");
    assert!(engine.engine.is_worker_running(&info.scope));
    engine.engine.shutdown();
    engine.engine.shutdown();
    assert!(!engine.engine.is_worker_running(&info.scope));
    assert!(engine.engine.registrations().is_empty());
}

#[test]
fn an_engine_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}
