//! What survives closing and reopening the profile database.

use script_traits::ServiceWorkerState;

use super::*;

#[test]
fn registrations_survive_reopening_the_database() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"// root v1");
    profile
        .fetcher
        .serve("https://a.test/app/sw.js", b"// app v1");
    let root = profile.register("https://a.test/sw.js", None).unwrap();
    let app = profile.register("https://a.test/app/sw.js", None).unwrap();

    profile.reopen();

    assert_eq!(profile.registry.registrations().count(), 2);
    let loaded = profile.registry.registration(app.id).unwrap();
    assert_eq!(loaded.scope(), &url("https://a.test/app/"));
    let active = loaded.active().unwrap();
    assert_eq!(active.state(), ServiceWorkerState::Activated);
    assert_eq!(active.script(), b"// app v1");
    assert_eq!(active.script_url(), &url("https://a.test/app/sw.js"));
    assert!(loaded.installing().is_none() && loaded.waiting().is_none());
    let matched = profile
        .registry
        .match_registration(&url("https://a.test/other"))
        .map(|registration| registration.id());
    assert_eq!(matched, Some(root.id));

    // The loaded script is what updates compare with: unchanged bytes
    // create no worker, even after the restart.
    let events = profile.host.events.len();
    profile.update(&app).unwrap();
    assert_eq!(profile.host.events.len(), events);
}

#[test]
fn an_update_activated_before_closing_is_what_loads() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile.update(&info).unwrap();
    assert!(profile.current(&info).unwrap().waiting.is_some());
    // Closed while v2 waits: v1 is what loads.
    profile.reopen();
    let loaded = profile.registry.registration(info.id).unwrap();
    assert_eq!(loaded.active().unwrap().script(), b"v1");
    assert!(loaded.waiting().is_none());
    // Updated and activated: v2 is what loads.
    profile.update(&info).unwrap();
    let waiting_now = profile.current(&info).unwrap().waiting.unwrap();
    profile.skip_waiting(waiting_now.id).unwrap();
    profile.reopen();
    let loaded = profile.registry.registration(info.id).unwrap();
    assert_eq!(loaded.active().unwrap().script(), b"v2");
}

#[test]
fn rows_that_never_finished_installing_are_dropped_and_installed_ones_activate() {
    let mut profile = Profile::new();
    let mut database = profile.database();
    let insert = |database: &mut storage::Database, scope: &str, state| {
        database
            .insert_service_worker(&storage::NewServiceWorkerRegistration {
                scope: scope.to_owned(),
                script_url: format!("{scope}sw.js"),
                origin: "https://a.test".to_owned(),
                state,
                script_source: b"x".to_vec(),
                update_via_cache: storage::UpdateViaCache::Imports,
                worker_type: storage::WorkerType::Classic,
            })
            .unwrap()
    };
    let half = insert(
        &mut database,
        "https://a.test/half/",
        storage::ServiceWorkerState::Installing,
    );
    let installed = insert(
        &mut database,
        "https://a.test/installed/",
        storage::ServiceWorkerState::Installed,
    );
    profile.reopen();
    assert!(profile.registry.registration(half).is_none());
    assert!(database.service_worker(half).unwrap().is_none());
    let loaded = profile.registry.registration(installed).unwrap();
    assert_eq!(
        loaded.waiting().map(|worker| worker.state()),
        Some(ServiceWorkerState::Installed)
    );

    profile.try_activate_all();
    let loaded = profile.registry.registration(installed).unwrap();
    assert_eq!(
        loaded.active().map(|worker| worker.state()),
        Some(ServiceWorkerState::Activated)
    );
    let stored = database.service_worker(installed).unwrap().unwrap();
    assert_eq!(stored.state, storage::ServiceWorkerState::Activated);
}

#[test]
fn a_row_with_an_unparsable_url_is_skipped_not_deleted() {
    let mut profile = Profile::new();
    let mut database = profile.database();
    let id = database
        .insert_service_worker(&storage::NewServiceWorkerRegistration {
            scope: "not a url".to_owned(),
            script_url: "also not".to_owned(),
            origin: "https://a.test".to_owned(),
            state: storage::ServiceWorkerState::Activated,
            script_source: Vec::new(),
            update_via_cache: storage::UpdateViaCache::Imports,
            worker_type: storage::WorkerType::Classic,
        })
        .unwrap();
    profile.reopen();
    assert_eq!(profile.registry.registrations().count(), 0);
    assert!(database.service_worker(id).unwrap().is_some());
}

#[test]
fn imported_scripts_are_stored_and_given_back_after_a_restart() {
    let mut profile = Profile::new();
    let import = |name: &str, source: &[u8]| ImportedScript {
        url: url(&format!("https://a.test/{name}")),
        source: source.to_vec(),
    };
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    profile
        .host
        .imports
        .insert(b"v1".to_vec(), vec![import("lib.js", b"// lib v1")]);
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    // Install and activate were given what the first run imported.
    assert_eq!(
        profile.host.given_imports,
        [
            vec![import("lib.js", b"// lib v1")],
            vec![import("lib.js", b"// lib v1")]
        ]
    );
    let stored = profile.database().imported_scripts(info.id).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].url, "https://a.test/lib.js");

    // An update's imports replace the old ones once it is the stored worker.
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile
        .host
        .imports
        .insert(b"v2".to_vec(), vec![import("lib2.js", b"// lib v2")]);
    profile.update(&info).unwrap();
    let waiting = profile.current(&info).unwrap().waiting.unwrap();
    assert_eq!(
        profile.database().imported_scripts(info.id).unwrap()[0].url,
        "https://a.test/lib.js"
    );
    profile.skip_waiting(waiting.id).unwrap();

    profile.reopen();
    let loaded = profile.registry.registration(info.id).unwrap();
    assert_eq!(
        loaded.active().unwrap().imported_scripts(),
        [import("lib2.js", b"// lib v2")]
    );
}

#[test]
fn navigation_preload_survives_reopening_and_only_its_origin_changes_it() {
    use script_traits::{NavigationPreloadCommand as Command, NavigationPreloadState};
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"// worker");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let a = origin("https://a.test");
    let state = |profile: &mut Profile| {
        profile
            .registry
            .navigation_preload(&a, info.id, Command::GetState)
            .unwrap()
    };
    assert_eq!(state(&mut profile), NavigationPreloadState::default());
    profile
        .registry
        .navigation_preload(&a, info.id, Command::Enable)
        .unwrap();
    profile
        .registry
        .navigation_preload(&a, info.id, Command::SetHeaderValue("v2".into()))
        .unwrap();
    // Another origin, naming the registration by id: refused, nothing changes.
    let refused =
        profile
            .registry
            .navigation_preload(&origin("https://b.test"), info.id, Command::Disable);
    assert_eq!(
        refused.unwrap_err().dom_exception_name(),
        "InvalidStateError"
    );

    profile.reopen();
    let expected = NavigationPreloadState {
        enabled: true,
        header_value: "v2".into(),
    };
    assert_eq!(state(&mut profile), expected);
    assert_eq!(profile.registry.navigation_preload_of(info.id), expected);
}
