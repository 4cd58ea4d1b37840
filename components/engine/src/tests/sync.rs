//! Background sync through the constellation: requests judged by the
//! sender's recorded origin, the spec's rejections, the service's actions
//! carried out on (fake) workers, and a disabled service that leaves the
//! rest of the engine working.

use background_sync_traits::SyncState;

use super::*;
use crate::DeniedPermissions;

/// Waits a moment in which nothing must happen.
fn quiet_moment() {
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn a_sync_fires_once_its_registering_page_confirmed_and_is_then_gone() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "// fine");
    let worker = info.active.unwrap().id.0;
    assert_eq!(page.sync_register_unconfirmed(info.id, "outbox"), Ok(()));
    assert_eq!(page.sync_tags(info.id), Ok(vec!["outbox".to_owned()]));
    quiet_moment();
    assert_eq!(engine.log.count(&format!("{worker} sync")), 0);
    page.sync_confirm(info.id, "outbox");
    eventually("the sync event fired", || {
        engine.log.count(&format!("{worker} sync outbox false")) == 1
    });
    eventually("the tag is gone", || {
        page.sync_tags(info.id) == Ok(Vec::new())
    });
}

#[test]
fn a_forged_request_naming_another_origins_registration_is_rejected_logged_and_changes_nothing() {
    capture_logs();
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "// fine");
    // A pending tag of origin A, not confirmed: a confirmation would fire it.
    assert_eq!(page.sync_register_unconfirmed(info.id, "mine"), Ok(()));
    let before = engine.engine.sync_registrations().unwrap();

    // A page of another origin names A's registration id in every request.
    let (other, _) = Page::load(
        &engine.engine,
        &Url::parse("http://localhost:1/page.html").unwrap(),
    );
    assert_eq!(
        other.sync_register_unconfirmed(info.id, "forged"),
        Err(SyncError::InvalidState)
    );
    assert_eq!(other.sync_tags(info.id), Err(SyncError::InvalidState));
    other.sync_confirm(info.id, "mine");
    // An id nobody has reads the same.
    assert_eq!(
        other.sync_tags(ServiceWorkerRegistrationId(999)),
        Err(SyncError::InvalidState)
    );
    quiet_moment();

    // Nothing changed and nothing fired.
    assert_eq!(engine.engine.sync_registrations().unwrap(), before);
    assert_eq!(page.sync_tags(info.id), Ok(vec!["mine".to_owned()]));
    let worker = info.active.unwrap().id.0;
    assert_eq!(engine.log.count(&format!("{worker} sync")), 0);
    // Each forged request was logged as such.
    let forged = warnings_containing(&format!(
        "names {} of {}",
        info.id,
        server.url("/").origin().ascii_serialization()
    ));
    let kinds: Vec<&str> = ["register", "getTags", "confirm"]
        .into_iter()
        .filter(|what| {
            forged
                .iter()
                .any(|(_, line)| line.starts_with(&format!("{what} from")))
        })
        .collect();
    assert_eq!(kinds, ["register", "getTags", "confirm"], "{forged:?}");
    assert!(forged
        .iter()
        .all(|(target, _)| target == "bgsync::constellation"));
}

#[test]
fn a_page_registering_while_the_only_worker_installs_is_answered_at_once() {
    // The install never ends by itself: the registry waits on it (for
    // serviceworker.max_event_duration_ms), and the page's sync requests
    // are answered meanwhile, against the registration as it is.
    let engine = engine_with(None, &["serviceworker.max_event_duration_ms=4000"]);
    let server = TestServer::start();
    server.serve_js("/sw.js", "hang-install");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let registration = page.register(&server.url("/sw.js")).unwrap();
    assert!(registration.installing.is_some() && registration.active.is_none());
    let started = Instant::now();
    assert_eq!(
        page.sync_register_unconfirmed(registration.id, "early"),
        Err(SyncError::InvalidState)
    );
    assert_eq!(
        page.sync_tags(registration.id),
        Err(SyncError::InvalidState)
    );
    let answered = started.elapsed();
    // The worker logs its install from its own thread: the line may come after the answers.
    eventually("the install started", || engine.log.count("1 install") == 1);
    assert_eq!(engine.log.count("1 install"), 1, "{:?}", engine.log.lines());
    assert!(answered < Duration::from_secs(3));
}

#[test]
fn register_with_only_an_installing_worker_is_an_invalid_state_error() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "sync-register-in-install");
    let worker = info.active.unwrap().id.0;
    assert_eq!(
        engine.log.count(&format!(
            "{worker} sync register in install Some(Err(InvalidState))"
        )),
        1,
        "{:?}",
        engine.log.lines()
    );
    assert_eq!(page.sync_tags(info.id), Ok(Vec::new()));
}

#[test]
fn a_worker_registers_inside_its_activate_event_while_the_registry_waits() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "sync-register-in-activate");
    let worker = info.active.unwrap().id.0;
    assert_eq!(
        engine
            .log
            .count(&format!("{worker} sync register in activate Some(Ok(()))")),
        1,
        "{:?}",
        engine.log.lines()
    );
    // Registered by a worker, it fires once the worker's promise resolves;
    // the fake worker never confirms, so it is still there.
    assert_eq!(page.sync_tags(info.id), Ok(vec!["from-worker".to_owned()]));
}

#[test]
fn a_worker_cannot_register_without_a_window_of_its_origin() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "sync-register-on-start");
    let worker = info.active.unwrap().id.0;
    let scope = server.url("/");
    // The page is gone: no window of the origin.
    drop(page);
    eventually("the client is gone", || {
        engine.engine.stop_worker(&scope);
        engine.engine.start_worker(&scope).unwrap();
        engine.log.count(&format!(
            "{worker} sync register on start Some(Err(InvalidAccess))"
        )) > 0
    });
    // With a window of the origin open, the same request succeeds. The window's
    // `DocumentLoaded` and the restarted worker's request come on different channels, so a
    // request the constellation reads first is still refused: restart until one succeeds.
    let (_window, _) = Page::load(&engine.engine, &server.url("/other.html"));
    let registered = || {
        engine
            .log
            .count(&format!("{worker} sync register on start Some(Ok(()))"))
    };
    eventually("registered", || {
        if registered() == 0 {
            engine.engine.stop_worker(&scope);
            engine.engine.start_worker(&scope).unwrap();
        }
        registered() > 0
    });
}

#[test]
fn a_denied_permission_is_a_not_allowed_error() {
    let server = TestServer::start();
    let origin = server.url("/").origin();
    let engine = engine_with_options(None, &[], |options| {
        let mut denied = DeniedPermissions::new();
        denied.deny("background-sync", origin);
        options.denied_permissions = denied;
    });
    let (page, info) = register_active(&engine, &server, "// fine");
    assert_eq!(
        page.sync_register(info.id, "outbox"),
        Err(SyncError::NotAllowed)
    );
    // A tag too long is checked before the permission.
    assert_eq!(
        page.sync_register(info.id, &"x".repeat(10241)),
        Err(SyncError::InvalidAccess)
    );
    assert_eq!(page.sync_tags(info.id), Ok(Vec::new()));
}

#[test]
fn a_sync_event_in_flight_keeps_its_worker_from_idling_until_it_times_out() {
    let prefs = [
        "serviceworker.idle_timeout_ms=50",
        "background_sync.max_event_duration_ms=1000",
        "background_sync.initial_retry_delay_ms=60000",
    ];
    let engine = engine_with(None, &prefs);
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "hang-sync");
    let scope = server.url("/");
    let worker = info.active.unwrap().id.0;
    assert_eq!(page.sync_register(info.id, "slow"), Ok(()));
    eventually("the event fired", || {
        engine.log.count(&format!("{worker} sync slow false")) == 1
    });
    std::thread::sleep(Duration::from_millis(400));
    assert!(engine.engine.is_worker_running(&scope));
    assert_eq!(page.sync_tags(info.id), Ok(vec!["slow".to_owned()]));
    // At the sync limit the worker is interrupted, the attempt failed.
    assert!(engine.engine.wait_for_sync_events(PATIENCE));
    assert!(!engine.engine.is_worker_running(&scope));
    let listed = engine.engine.sync_registrations().unwrap();
    assert_eq!(
        (listed[0].state, listed[0].num_attempts),
        (SyncState::Waiting, 1)
    );
}

#[test]
fn a_worker_that_fails_to_start_is_a_failed_attempt() {
    let engine = engine_with(None, &["background_sync.initial_retry_delay_ms=60000"]);
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "throw-on-restart");
    let scope = server.url("/");
    engine.engine.stop_worker(&scope);
    assert_eq!(page.sync_register(info.id, "outbox"), Ok(()));
    eventually("the attempt failed", || {
        engine
            .engine
            .sync_registrations()
            .unwrap()
            .first()
            .is_some_and(|sync| sync.state == SyncState::Waiting && sync.num_attempts == 1)
    });
}

#[test]
fn a_failing_sync_table_rejects_register_until_it_works_again_and_the_rest_keeps_working() {
    let profile = tempfile::TempDir::new().unwrap();
    let engine = engine_with(Some(profile.path()), &[]);
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "echo");
    assert_eq!(page.sync_register(info.id, "first"), Ok(()));
    // Another process breaks the table under the engine.
    let database = rusqlite::Connection::open(profile.path().join("storage.sqlite")).unwrap();
    database
        .execute_batch("ALTER TABLE sync_registrations RENAME TO broken")
        .unwrap();
    assert_eq!(
        page.sync_register(info.id, "second"),
        Err(SyncError::Unknown)
    );
    // Sync is not disabled: getTags() still answers, and `first` fires and finishes (online;
    // on a loaded machine it may still be running now).
    assert!(page.sync_tags(info.id).is_ok());
    eventually("`first` fired and finished", || {
        page.sync_tags(info.id) == Ok(Vec::new())
    });
    assert!(engine.engine.sync_registrations().is_ok());
    // Service workers still work.
    assert!(page.post(info.active.unwrap().id, b"still here"));
    // Repaired: register() works again, in the same run.
    database
        .execute_batch("ALTER TABLE broken RENAME TO sync_registrations")
        .unwrap();
    assert_eq!(page.sync_register(info.id, "third"), Ok(()));
}

#[test]
fn an_unreadable_sync_row_at_start_disables_sync_and_keeps_the_row() {
    let profile = tempfile::TempDir::new().unwrap();
    let first = engine_with(Some(profile.path()), &[]);
    let server = TestServer::start();
    let (page, info) = register_active(&first, &server, "// fine");
    drop(page);
    first.engine.shutdown();
    drop(first);
    let database = rusqlite::Connection::open(profile.path().join("storage.sqlite")).unwrap();
    // Valid for SQLite (so the file passes its integrity check), not for
    // the service: more failed attempts than a u32 holds.
    database
        .execute(
            "INSERT INTO sync_registrations VALUES (?1, 'bad', 'pending', 1099511627776, 3, NULL)",
            [info.id.0],
        )
        .unwrap();

    let second = engine_with(Some(profile.path()), &[]);
    let (page, _) = Page::load(&second.engine, &server.url("/page.html"));
    assert_eq!(page.sync_register(info.id, "new"), Err(SyncError::Unknown));
    assert_eq!(page.sync_tags(info.id), Err(SyncError::Unknown));
    assert_eq!(second.engine.registrations().len(), 1);
    assert!(second.engine.storage_recovered().is_none());
    second.engine.shutdown();
    let kept: i64 = database
        .query_row(
            "SELECT count(*) FROM sync_registrations WHERE tag = 'bad'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1);
}

#[test]
fn a_corrupt_profile_database_is_kept_aside_and_sync_is_disabled_for_the_run() {
    let profile = tempfile::TempDir::new().unwrap();
    std::fs::write(
        profile.path().join("storage.sqlite"),
        b"this is not a database at all, not even close",
    )
    .unwrap();
    let engine = engine_with(Some(profile.path()), &[]);
    let moved_to = engine.engine.storage_recovered().unwrap().to_owned();
    assert!(moved_to.exists());
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "echo");
    assert_eq!(
        page.sync_register(info.id, "outbox"),
        Err(SyncError::Unknown)
    );
    assert!(page.post(info.active.unwrap().id, b"still here"));
}

#[test]
fn the_background_sync_pref_off_disables_sync() {
    let engine = engine_with(None, &["background_sync.enabled=false"]);
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "// fine");
    assert_eq!(
        page.sync_register(info.id, "outbox"),
        Err(SyncError::Unknown)
    );
    assert_eq!(page.sync_tags(info.id), Err(SyncError::Unknown));
}
