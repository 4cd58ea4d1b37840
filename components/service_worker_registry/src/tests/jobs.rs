//! Register, update and unregister jobs: the checks and their errors, and
//! the queue's order.

use script_traits::{ServiceWorkerState, UpdateViaCache, WorkerType};

use super::*;
use crate::registry::now_ms;

#[test]
fn register_creates_an_active_registration_after_install_and_activate() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/app/sw.js", b"// v1");
    let reply = profile
        .register("https://a.test/app/sw.js", Some("https://a.test/app/"))
        .unwrap();
    // The job resolves as the spec says: before install, worker installing.
    let installing = reply.installing.clone().unwrap();
    assert_eq!(installing.state, ServiceWorkerState::Installing);
    assert_eq!(installing.script_url, url("https://a.test/app/sw.js"));
    let current = profile.current(&reply).unwrap();
    let active = current.active.unwrap();
    assert_eq!(active.id, installing.id);
    assert_eq!(active.state, ServiceWorkerState::Activated);
    assert_eq!((current.installing, current.waiting), (None, None));
    assert_eq!(
        profile.host.events,
        [
            format!("start {}", active.id),
            format!("install {}", active.id),
            format!("activate {}", active.id)
        ]
    );
    assert_eq!(
        profile.host.states_of(active.id),
        [
            ServiceWorkerState::Installing,
            ServiceWorkerState::Installed,
            ServiceWorkerState::Activating,
            ServiceWorkerState::Activated,
        ]
    );
    let stored = profile
        .database()
        .service_worker(reply.id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, storage::ServiceWorkerState::Activated);
    assert_eq!(stored.origin, "https://a.test");
}

#[test]
fn default_scope_is_the_script_directory() {
    let mut profile = Profile::new();
    profile
        .fetcher
        .serve("https://a.test/app/js/sw.js?v=1", b"x");
    let info = profile
        .register("https://a.test/app/js/sw.js?v=1", None)
        .unwrap();
    assert_eq!(info.scope, url("https://a.test/app/js/"));
}

#[test]
fn scope_wider_than_the_script_directory_is_a_security_error() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/app/sw.js", b"x");
    let result = profile.register("https://a.test/app/sw.js", Some("https://a.test/"));
    assert_eq!(exception_name(result), "SecurityError");
    assert_eq!(profile.registry.registrations().count(), 0);
    assert!(profile.database().service_workers().unwrap().is_empty());
}

#[test]
fn service_worker_allowed_header_permits_a_wider_scope() {
    let mut profile = Profile::new();
    profile
        .fetcher
        .serve("https://a.test/app/sw.js", b"x")
        .service_worker_allowed = Some("/".to_owned());
    let info = profile
        .register("https://a.test/app/sw.js", Some("https://a.test/"))
        .unwrap();
    assert_eq!(info.scope, url("https://a.test/"));
}

#[test]
fn service_worker_allowed_header_is_a_maximum_not_a_blank_cheque() {
    let mut profile = Profile::new();
    profile
        .fetcher
        .serve("https://a.test/app/sw.js", b"x")
        .service_worker_allowed = Some("/other/".to_owned());
    let result = profile.register("https://a.test/app/sw.js", Some("https://a.test/"));
    assert_eq!(exception_name(result), "SecurityError");
}

#[test]
fn cross_origin_script_is_a_security_error() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://b.test/sw.js", b"x");
    let result = profile.register("https://b.test/sw.js", Some("https://a.test/"));
    assert_eq!(exception_name(result), "SecurityError");
    // Nothing was fetched from the other origin.
    assert!(profile.fetcher.fetched.is_empty());
}

#[test]
fn cross_origin_scope_is_a_security_error() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let result = profile.register("https://a.test/sw.js", Some("https://b.test/"));
    assert_eq!(exception_name(result), "SecurityError");
}

#[test]
fn script_served_as_html_is_a_security_error() {
    let mut profile = Profile::new();
    profile
        .fetcher
        .serve("https://a.test/sw.js", b"x")
        .mime_type = Some("text/html".to_owned());
    let result = profile.register("https://a.test/sw.js", None);
    assert_eq!(exception_name(result), "SecurityError");
    assert_eq!(profile.registry.registrations().count(), 0);
}

#[test]
fn insecure_origin_is_a_security_error() {
    let mut profile = Profile::new();
    profile.fetcher.serve("http://a.test/sw.js", b"x");
    let result = profile.register_from("http://a.test", "http://a.test/sw.js", None);
    assert_eq!(exception_name(result), "SecurityError");
    // Loopback http is a secure context.
    profile.fetcher.serve("http://127.0.0.1:8000/sw.js", b"x");
    let local = profile.register_from("http://127.0.0.1:8000", "http://127.0.0.1:8000/sw.js", None);
    assert!(local.is_ok());
}

#[test]
fn missing_script_is_a_type_error_and_leaves_no_registration() {
    let mut profile = Profile::new();
    let result = profile.register("https://a.test/missing.js", None);
    assert_eq!(exception_name(result), "TypeError");
    assert_eq!(profile.registry.registrations().count(), 0);
    assert!(profile.database().service_workers().unwrap().is_empty());
}

#[test]
fn redirected_script_is_a_security_error() {
    let mut profile = Profile::new();
    profile
        .fetcher
        .serve("https://a.test/sw.js", b"x")
        .final_url = url("https://a.test/other.js");
    let result = profile.register("https://a.test/sw.js", None);
    assert_eq!(exception_name(result), "SecurityError");
    assert_eq!(profile.registry.registrations().count(), 0);
}

#[test]
fn the_script_url_s_fragment_is_not_kept() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let first = profile.register("https://a.test/sw.js#one", None).unwrap();
    let worker = profile.current(&first).unwrap().active.unwrap();
    assert_eq!(worker.script_url, url("https://a.test/sw.js"));
    // Another fragment names the same script: the same registration, no new worker.
    let events = profile.host.events.len();
    let second = profile.register("https://a.test/sw.js#two", None).unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(profile.host.events.len(), events);
}

#[test]
fn non_http_script_url_is_rejected_before_queueing() {
    let mut profile = Profile::new();
    let result = profile.register("file:///sw.js", None);
    assert_eq!(exception_name(result), "TypeError");
    assert!(!profile.registry.has_pending_jobs());
}

#[test]
fn reregistering_the_same_script_returns_the_same_registration_without_a_new_worker() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let first = profile.register("https://a.test/sw.js", None).unwrap();
    let events = profile.host.events.len();
    let second = profile.register("https://a.test/sw.js", None).unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(second.active, profile.current(&first).unwrap().active);
    assert_eq!(profile.host.events.len(), events);
    assert_eq!(profile.fetcher.fetched.len(), 1);
}

#[test]
fn update_with_identical_bytes_creates_no_worker() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"same");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let before = profile.current(&info).unwrap();
    let events = profile.host.events.len();
    let Ok(JobOutcome::Registration(after)) = profile.update(&info) else {
        panic!("update failed");
    };
    assert_eq!(*after, before);
    assert_eq!(profile.host.events.len(), events);
    assert_eq!(profile.fetcher.fetched.len(), 2);
}

#[test]
fn update_of_an_unregistered_registration_is_a_type_error() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.unregister_from(ORIGIN, &info).unwrap();
    let error = profile.update(&info).unwrap_err();
    assert_eq!(error.dom_exception_name(), "TypeError");
}

#[test]
fn unregister_removes_the_registration_and_its_sync_rows() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let mut other = profile.database();
    other
        .put_sync_registration(&background_sync_traits::SyncRegistrationInfo {
            registration: info.id,
            tag: "outbox".to_owned(),
            state: background_sync_traits::SyncState::Pending,
            num_attempts: 0,
            max_attempts: 3,
            delay_until_ms: None,
        })
        .unwrap();
    assert_eq!(other.sync_registrations(info.id).unwrap().len(), 1);
    let active = profile.current(&info).unwrap().active.unwrap();
    // No client uses it: cleared at once.
    profile.host.unused = true;

    assert_eq!(
        profile.unregister_from(ORIGIN, &info),
        Ok(JobOutcome::Unregistered(true))
    );
    assert!(profile.current(&info).is_none());
    assert!(profile
        .registry
        .match_registration(&url("https://a.test/page"))
        .is_none());
    assert!(other.service_worker(info.id).unwrap().is_none());
    assert!(other.sync_registrations(info.id).unwrap().is_empty());
    assert_eq!(profile.host.terminated, [active.id]);
    assert_eq!(
        profile.host.states_of(active.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
    // A second unregister finds nothing.
    assert_eq!(
        profile.unregister_from(ORIGIN, &info),
        Ok(JobOutcome::Unregistered(false))
    );
}

#[test]
fn an_unregistered_registration_in_use_is_cleared_once_unused() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let active = profile.current(&info).unwrap().active.unwrap();

    // A client uses it (the fake host's default).
    assert_eq!(
        profile.unregister_from(ORIGIN, &info),
        Ok(JobOutcome::Unregistered(true))
    );
    // Gone from the map and the database at once: nothing matches it, and a
    // second unregister finds nothing...
    assert!(profile.current(&info).is_none());
    assert!(profile
        .registry
        .match_registration(&url("https://a.test/page"))
        .is_none());
    assert!(profile
        .registry
        .get_registrations(&origin(ORIGIN))
        .is_empty());
    assert!(profile
        .database()
        .service_worker(info.id)
        .unwrap()
        .is_none());
    assert_eq!(
        profile.unregister_from(ORIGIN, &info),
        Ok(JobOutcome::Unregistered(false))
    );
    // ...but its active worker goes on serving the client that uses it.
    assert!(profile.host.terminated.is_empty());
    assert_ne!(
        profile.host.states_of(active.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
    // A registration of the same scope is a new one.
    let fresh = profile.register("https://a.test/sw.js", None).unwrap();
    assert_ne!(fresh.id, info.id);

    // The client goes: Try Clear Registration clears it.
    profile.host.unused = true;
    profile.run();
    assert!(profile.host.terminated.contains(&active.id));
    assert_eq!(
        profile.host.states_of(active.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
}

#[test]
fn another_origin_cannot_unregister_or_see_a_registration() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    assert_eq!(
        profile.unregister_from("https://evil.test", &info),
        Ok(JobOutcome::Unregistered(false))
    );
    assert!(profile.current(&info).is_some());
    let evil = origin("https://evil.test");
    assert!(profile.registry.get_registrations(&evil).is_empty());
    let error = profile
        .registry
        .get_registration(&evil, &url("https://a.test/"))
        .unwrap_err();
    assert_eq!(error.dom_exception_name(), "SecurityError");
    assert_eq!(profile.registry.get_registrations(&origin(ORIGIN)).len(), 1);
}

#[test]
fn matching_uses_the_longest_scope_prefix() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"root");
    profile.fetcher.serve("https://a.test/app/sw.js", b"app");
    profile
        .fetcher
        .serve("https://a.test/app/admin/sw.js", b"admin");
    let root = profile.register("https://a.test/sw.js", None).unwrap();
    let app = profile.register("https://a.test/app/sw.js", None).unwrap();
    let admin = profile
        .register("https://a.test/app/admin/sw.js", None)
        .unwrap();
    let matched = |client: &str| {
        profile
            .registry
            .match_registration(&url(client))
            .map(|registration| registration.id())
    };
    assert_eq!(matched("https://a.test/index.html"), Some(root.id));
    assert_eq!(matched("https://a.test/app/"), Some(app.id));
    assert_eq!(matched("https://a.test/app/page#admin/"), Some(app.id));
    assert_eq!(matched("https://a.test/application"), Some(root.id));
    assert_eq!(
        matched("https://a.test/app/admin/users?x=1"),
        Some(admin.id)
    );
    assert_eq!(matched("https://b.test/app/"), None);
    let found = profile
        .registry
        .get_registration(&origin(ORIGIN), &url("https://a.test/app/x"))
        .unwrap();
    assert_eq!(found.map(|info| info.id), Some(app.id));
}

#[test]
fn jobs_for_one_scope_run_in_order() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    let results = Results::new();
    let client = origin(ORIGIN);
    let registry = &mut profile.registry;
    registry.schedule_update(&client, info.id, results.completion(0));
    registry.schedule_unregister(&client, info.id, results.completion(1));
    registry.schedule_register(
        &client,
        url("https://a.test/sw.js"),
        None,
        UpdateViaCache::Imports,
        WorkerType::Classic,
        results.completion(2),
    );
    assert!(registry.has_pending_jobs());
    profile.run();
    let results = results.all();
    let order: Vec<usize> = results.iter().map(|(index, _)| *index).collect();
    assert_eq!(order, [0, 1, 2]);
    // The update ran first (a new worker), then the unregister, then a
    // fresh registration with a new id.
    let Ok(JobOutcome::Registration(updated)) = &results[0].1 else {
        panic!("{results:?}");
    };
    assert_eq!(updated.id, info.id);
    assert!(updated.installing.is_some());
    assert_eq!(results[1].1, Ok(JobOutcome::Unregistered(true)));
    let Ok(JobOutcome::Registration(fresh)) = &results[2].1 else {
        panic!("{results:?}");
    };
    assert_ne!(fresh.id, info.id);
    assert!(!profile.registry.has_pending_jobs());
}

#[test]
fn equivalent_register_jobs_share_one_run() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let results = Results::new();
    for index in 0..2 {
        profile.registry.schedule_register(
            &origin(ORIGIN),
            url("https://a.test/sw.js"),
            None,
            UpdateViaCache::Imports,
            WorkerType::Classic,
            results.completion(index),
        );
    }
    profile.run();
    let results = results.all();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].1, results[1].1);
    assert_eq!(profile.fetcher.fetched.len(), 1);
}

#[test]
fn script_that_throws_at_top_level_rejects_register_and_leaves_no_registration() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"throw 1");
    profile.host.throwing_scripts.push(b"throw 1".to_vec());
    let error = profile.register("https://a.test/sw.js", None).unwrap_err();
    assert_eq!(error.dom_exception_name(), "TypeError");
    assert_eq!(
        error.message(),
        "Failed to register a ServiceWorker for scope ('https://a.test/') with script \
         ('https://a.test/sw.js'): ServiceWorker script evaluation failed"
    );
    assert_eq!(profile.registry.registrations().count(), 0);
    assert!(profile.database().service_workers().unwrap().is_empty());
    // The worker never reached a slot: no install, no state change.
    assert!(profile.host.events.iter().all(|e| e.starts_with("start")));
    assert!(profile.host.states.is_empty());
}

#[test]
fn update_whose_script_throws_rejects_and_keeps_the_registration() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let before = profile.current(&info).unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2 throws");
    profile.host.throwing_scripts.push(b"v2 throws".to_vec());
    let error = profile.update(&info).unwrap_err();
    assert_eq!(error.dom_exception_name(), "TypeError");
    assert!(error
        .message()
        .starts_with("Failed to update a ServiceWorker"));
    assert_eq!(profile.current(&info), Some(before));
    let stored = profile.database().service_worker(info.id).unwrap().unwrap();
    assert_eq!(stored.script_source, b"v1");
}

#[test]
fn an_unregistered_registration_waits_for_its_workers_pending_events() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"x");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let active = profile.current(&info).unwrap().active.unwrap();
    // No client, but the active worker is still handling an event.
    profile.host.unused = true;
    profile.host.busy.push(active.id);
    assert_eq!(
        profile.unregister_from(ORIGIN, &info),
        Ok(JobOutcome::Unregistered(true))
    );
    assert!(profile.host.terminated.is_empty());
    // The event ends: Try Clear Registration clears it.
    profile.host.busy.clear();
    profile.run();
    assert_eq!(profile.host.terminated, [active.id]);
    assert_eq!(
        profile.host.states_of(active.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
}

#[test]
fn a_soft_update_installs_changed_bytes_and_answers_no_one() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.try_activate_all();
    // Unchanged bytes: nothing new.
    profile.registry.schedule_soft_update(info.id);
    profile.run();
    assert!(profile.current(&info).unwrap().installing.is_none());
    assert!(profile.current(&info).unwrap().waiting.is_none());
    // Changed bytes: a new worker, as registration.update() would make.
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile.registry.schedule_soft_update(info.id);
    profile.run();
    let current = profile.current(&info).unwrap();
    assert!(
        current.installing.is_some() || current.waiting.is_some(),
        "{current:?}"
    );
    assert!(!profile.registry.has_pending_jobs());
}

#[test]
fn a_soft_update_or_a_stale_registration_bypasses_the_http_cache() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.try_activate_all();
    profile.update(&info).unwrap();
    profile.registry.schedule_soft_update(info.id);
    profile.run();
    let scope = info.scope.as_str().to_owned();
    profile
        .registry
        .registrations
        .get_mut(&scope)
        .unwrap()
        .last_update_check_ms = Some(now_ms() - 86_460_000);
    profile.update(&info).unwrap();
    let bypasses: Vec<bool> = profile
        .fetcher
        .bypasses
        .iter()
        .map(|(_, bypass)| *bypass)
        .collect();
    // register(), update(), the soft update, update() of a registration a day stale.
    assert_eq!(bypasses, [false, false, true, true]);
}

#[test]
fn a_soft_update_of_a_registration_gone_does_nothing() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.unregister_from(ORIGIN, &info).unwrap();
    profile.registry.schedule_soft_update(info.id);
    assert!(!profile.registry.has_pending_jobs());
}

#[test]
fn an_update_check_a_day_old_is_stale() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    // Just registered: its script was fetched now.
    assert!(!profile.registry.update_check_is_stale(info.id));
    let scope = info.scope.as_str().to_owned();
    let day_and_a_minute_ago = now_ms() - 86_460_000;
    profile
        .registry
        .registrations
        .get_mut(&scope)
        .unwrap()
        .last_update_check_ms = Some(day_and_a_minute_ago);
    assert!(profile.registry.update_check_is_stale(info.id));
    // An update check (here a soft update's) makes it fresh again.
    profile.registry.schedule_soft_update(info.id);
    profile.run();
    assert!(!profile.registry.update_check_is_stale(info.id));
}

#[test]
fn clearing_an_origin_makes_its_registrations_redundant_at_once_and_leaves_others() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/app/sw.js", b"a");
    profile.fetcher.serve("https://a.test/old/sw.js", b"old");
    profile.fetcher.serve("https://b.test/sw.js", b"b");
    let app = profile.register("https://a.test/app/sw.js", None).unwrap();
    let old = profile.register("https://a.test/old/sw.js", None).unwrap();
    let other = profile
        .register_from("https://b.test", "https://b.test/sw.js", None)
        .unwrap();
    profile.try_activate_all();
    let old_worker = profile.current(&old).unwrap().active.unwrap().id;
    // In use (the default host's clients use every registration): unregister() keeps it.
    profile.unregister_from(ORIGIN, &old).unwrap();
    assert!(!profile.host.terminated.contains(&old_worker));

    let mut cleared = profile.registry.clear_origin_now(&origin(ORIGIN));
    cleared.sort_by_key(|id| id.0);
    assert_eq!(cleared, [app.id, old.id]);
    profile.run();
    let app_worker = app.installing.as_ref().unwrap().id;
    for worker in [app_worker, old_worker] {
        assert_eq!(
            profile.host.states_of(worker).last(),
            Some(&ServiceWorkerState::Redundant)
        );
        assert!(profile.host.terminated.contains(&worker));
    }
    assert!(profile.current(&app).is_none());
    assert!(profile.current(&other).is_some(), "another origin's stays");
    // Gone from the database too.
    profile.reopen();
    assert!(profile.current(&app).is_none());
    assert!(profile.current(&other).is_some());
}
