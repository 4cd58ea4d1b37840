//! Install, activation, replacement and `skipWaiting()`.

use script_traits::ServiceWorkerState;

use super::*;

#[test]
fn failed_install_makes_the_worker_redundant_and_leaves_no_registration() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"throw 1");
    profile.host.failing_scripts.push(b"throw 1".to_vec());
    // The promise resolved before install, as in the spec.
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let worker = info.installing.clone().unwrap();
    assert_eq!(
        profile.host.states_of(worker.id),
        [
            ServiceWorkerState::Installing,
            ServiceWorkerState::Redundant
        ]
    );
    assert!(profile.current(&info).is_none());
    assert!(profile
        .registry
        .match_registration(&url("https://a.test/"))
        .is_none());
    assert!(profile.database().service_workers().unwrap().is_empty());
    assert!(!profile
        .host
        .events
        .iter()
        .any(|event| event.starts_with("activate")));
}

#[test]
fn failed_update_keeps_the_active_worker() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let active = profile.current(&info).unwrap().active.unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2 broken");
    profile.host.failing_scripts.push(b"v2 broken".to_vec());
    profile.update(&info).unwrap();
    let current = profile.current(&info).unwrap();
    assert_eq!(current.active, Some(active));
    assert_eq!((current.installing, current.waiting), (None, None));
    let stored = profile.database().service_worker(info.id).unwrap().unwrap();
    assert_eq!(stored.script_source, b"v1");
}

#[test]
fn update_with_changed_bytes_installs_a_new_worker_that_waits_then_activates() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let old = profile.current(&info).unwrap().active.unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    let Ok(JobOutcome::Registration(updated)) = profile.update(&info) else {
        panic!("update failed");
    };
    let new = updated.installing.unwrap();
    assert_ne!(new.id, old.id);

    // Installed, but waiting: the old worker is still active.
    let current = profile.current(&info).unwrap();
    assert_eq!(current.waiting.as_ref().map(|w| w.id), Some(new.id));
    assert_eq!(
        current.waiting.unwrap().state,
        ServiceWorkerState::Installed
    );
    assert_eq!(current.active.as_ref().map(|w| w.id), Some(old.id));
    // The disk still holds the working script until the new one activates.
    let stored = profile.database().service_worker(info.id).unwrap().unwrap();
    assert_eq!(stored.script_source, b"v1");

    // skipWaiting() promotes it.
    profile.skip_waiting(new.id).unwrap();
    let current = profile.current(&info).unwrap();
    let active = current.active.unwrap();
    assert_eq!(
        (active.id, active.state),
        (new.id, ServiceWorkerState::Activated)
    );
    assert_eq!(current.waiting, None);
    assert_eq!(
        profile.host.states_of(new.id),
        [
            ServiceWorkerState::Installing,
            ServiceWorkerState::Installed,
            ServiceWorkerState::Activating,
            ServiceWorkerState::Activated,
        ]
    );
    assert_eq!(
        profile.host.states_of(old.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
    assert_eq!(profile.host.terminated, [old.id]);
    let stored = profile.database().service_worker(info.id).unwrap().unwrap();
    assert_eq!(stored.script_source, b"v2");
    assert_eq!(stored.state, storage::ServiceWorkerState::Activated);
}

#[test]
fn a_newer_installed_worker_replaces_the_waiting_one() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile.update(&info).unwrap();
    let v2 = profile.current(&info).unwrap().waiting.unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v3");
    profile.update(&info).unwrap();
    let current = profile.current(&info).unwrap();
    assert_ne!(current.waiting.as_ref().map(|w| w.id), Some(v2.id));
    assert_eq!(
        profile.host.states_of(v2.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
}

#[test]
fn skip_waiting_for_an_unknown_worker_is_not_found() {
    let mut profile = Profile::new();
    let error = profile.skip_waiting(ServiceWorkerId(99)).unwrap_err();
    assert_eq!(error.dom_exception_name(), "NotFoundError");
}

#[test]
fn an_update_activates_at_once_when_nothing_uses_the_registration() {
    let mut profile = Profile::new();
    profile.host.unused = true;
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let old = profile.current(&info).unwrap().active.unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    let Ok(JobOutcome::Registration(updated)) = profile.update(&info) else {
        panic!("update failed");
    };
    let new = updated.installing.unwrap();
    let current = profile.current(&info).unwrap();
    assert_eq!(current.waiting, None);
    assert_eq!(
        current.active.map(|active| (active.id, active.state)),
        Some((new.id, ServiceWorkerState::Activated))
    );
    assert_eq!(
        profile.host.states_of(old.id).last(),
        Some(&ServiceWorkerState::Redundant)
    );
}

#[test]
fn a_waiting_worker_activates_once_the_registration_is_no_longer_used() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile.update(&info).unwrap();
    let waiting = profile.current(&info).unwrap().waiting.unwrap();
    // Still in use: nothing changes.
    profile.try_activate_all();
    assert!(profile.current(&info).unwrap().waiting.is_some());
    // The last client went away.
    profile.host.unused = true;
    profile.try_activate_all();
    let current = profile.current(&info).unwrap();
    assert_eq!(current.active.map(|active| active.id), Some(waiting.id));
}

#[test]
fn skip_waiting_still_waits_for_the_active_workers_pending_events() {
    let (mut profile, info, old) = active_v1_waiting_v2();
    let waiting = profile.current(&info).unwrap().waiting.unwrap();
    // The active worker is handling a message it extended with waitUntil().
    profile.host.busy.push(old.id);
    profile.skip_waiting(waiting.id).unwrap();
    let current = profile.current(&info).unwrap();
    assert_eq!(current.waiting.map(|w| w.id), Some(waiting.id));
    assert_eq!(current.active.map(|a| a.id), Some(old.id));
    // Its events end: the skip waiting flag lets the waiting worker in although a client
    // still uses the registration.
    profile.host.busy.clear();
    profile.try_activate_all();
    let current = profile.current(&info).unwrap();
    assert_eq!(current.active.map(|a| a.id), Some(waiting.id));
}

#[test]
fn no_client_is_not_enough_while_the_active_worker_has_pending_events() {
    let (mut profile, info, old) = active_v1_waiting_v2();
    profile.host.busy.push(old.id);
    profile.host.unused = true;
    profile.try_activate_all();
    assert_eq!(
        profile.current(&info).unwrap().active.map(|a| a.id),
        Some(old.id)
    );
    profile.host.busy.clear();
    profile.try_activate_all();
    assert_ne!(
        profile.current(&info).unwrap().active.map(|a| a.id),
        Some(old.id)
    );
}

#[test]
fn skip_waiting_while_the_new_worker_is_first_evaluated_is_kept() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let old = profile.current(&info).unwrap().active.unwrap();
    // v2 calls skipWaiting() at its top level, before it is the installing worker; the
    // active worker is busy, so it waits as "installed" first.
    profile.host.skipping_scripts.push(b"v2".to_vec());
    profile.host.busy.push(old.id);
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile.update(&info).unwrap();
    let waiting = profile.current(&info).unwrap().waiting.unwrap();
    assert_eq!(waiting.state, ServiceWorkerState::Installed);
    // The active worker's events end: the flag set during evaluation activates it although a
    // client still uses the registration.
    profile.host.busy.clear();
    profile.try_activate_all();
    assert_eq!(
        profile.current(&info).unwrap().active.map(|a| a.id),
        Some(waiting.id)
    );
}

/// A registration whose active worker runs "v1" and whose waiting worker runs "v2" (a client
/// uses it, as the fake host says by default).
fn active_v1_waiting_v2() -> (Profile, RegistrationInfo, ServiceWorkerInfo) {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let old = profile.current(&info).unwrap().active.unwrap();
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    profile.update(&info).unwrap();
    (profile, info, old)
}
