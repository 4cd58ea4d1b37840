//! Jobs that wait: the registry's answers come later, and meanwhile it
//! serves other scopes, keeps one scope's jobs in order, and leaves nothing
//! behind when a wait ends in failure.

use script_traits::{ServiceWorkerState, UpdateViaCache, WorkerType};

use super::*;
use crate::action::{FetchError, JobId, RegistryAction};

/// Takes the registry's actions without carrying them out.
fn pending_actions(profile: &mut Profile) -> Vec<RegistryAction> {
    std::iter::from_fn(|| profile.registry.next_action()).collect()
}

/// The job of the only script fetch among `actions`.
fn fetch_of(actions: &[RegistryAction], script: &str) -> JobId {
    let fetches: Vec<JobId> = actions
        .iter()
        .filter_map(|action| match action {
            RegistryAction::FetchScript { job, url, .. } if url.as_str() == script => Some(*job),
            _ => None,
        })
        .collect();
    assert_eq!(fetches.len(), 1, "one fetch of {script} in {actions:?}");
    fetches[0]
}

/// Schedules a register job whose result `results` records as `index`.
fn start_register(profile: &mut Profile, results: &Results, index: usize, script: &str) {
    profile.registry.schedule_register(
        &origin(ORIGIN),
        url(script),
        None,
        UpdateViaCache::Imports,
        WorkerType::Classic,
        results.completion(index),
    );
}

#[test]
fn a_job_waiting_for_its_script_does_not_hold_other_scopes() {
    let mut profile = Profile::new();
    let results = Results::new();
    start_register(&mut profile, &results, 0, "https://a.test/b/sw.js");
    let held = fetch_of(&pending_actions(&mut profile), "https://a.test/b/sw.js");
    // While B's script is out, A registers from start to activation.
    profile.fetcher.serve("https://a.test/a/sw.js", b"a");
    let a = profile.register("https://a.test/a/sw.js", None).unwrap();
    assert_eq!(
        profile.current(&a).unwrap().active.map(|w| w.state),
        Some(ServiceWorkerState::Activated)
    );
    assert!(results.all().is_empty(), "B has no answer yet");
    assert!(profile.registry.has_pending_jobs());
    // B's script arrives: B goes on where it stopped.
    profile.fetcher.serve("https://a.test/b/sw.js", b"b");
    let fetched = profile.fetcher.fetch_script(&url("https://a.test/b/sw.js"));
    profile.registry.script_fetched(held, fetched);
    profile.run();
    let all = results.all();
    assert_eq!(all.len(), 1);
    let Ok(JobOutcome::Registration(b)) = &all[0].1 else {
        panic!("B failed: {all:?}");
    };
    assert_eq!(b.scope, url("https://a.test/b/"));
    assert!(profile.current(b).unwrap().active.is_some());
    assert!(!profile.registry.has_pending_jobs());
}

#[test]
fn jobs_of_one_scope_run_in_order_while_the_first_waits() {
    let mut profile = Profile::new();
    let results = Results::new();
    start_register(&mut profile, &results, 0, "https://a.test/sw.js");
    start_register(&mut profile, &results, 1, "https://a.test/sw.js?v=2");
    let actions = pending_actions(&mut profile);
    // Only the first job fetches: the second waits its turn.
    let first = fetch_of(&actions, "https://a.test/sw.js");
    assert_eq!(actions.len(), 1, "{actions:?}");
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    profile.fetcher.serve("https://a.test/sw.js?v=2", b"v2");
    let fetched = profile.fetcher.fetch_script(&url("https://a.test/sw.js"));
    profile.registry.script_fetched(first, fetched);
    profile.run();
    let all = results.all();
    let order: Vec<usize> = all.iter().map(|(index, _)| *index).collect();
    assert_eq!(order, [0, 1]);
    assert_eq!(
        profile.fetcher.fetched,
        [url("https://a.test/sw.js"), url("https://a.test/sw.js?v=2")],
        "the second job fetched only after the first ended"
    );
    let Ok(JobOutcome::Registration(info)) = &all[1].1 else {
        panic!("second register failed: {all:?}");
    };
    let current = profile.current(info).unwrap();
    let newest = current.waiting.or(current.active).unwrap();
    assert_eq!(newest.script_url, url("https://a.test/sw.js?v=2"));
}

#[test]
fn unregister_during_a_pending_update_runs_after_it() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let info = profile.register("https://a.test/sw.js", None).unwrap();
    let results = Results::new();
    profile
        .registry
        .schedule_update(&origin(ORIGIN), info.id, results.completion(0));
    profile
        .registry
        .schedule_unregister(&origin(ORIGIN), info.id, results.completion(1));
    let held = fetch_of(&pending_actions(&mut profile), "https://a.test/sw.js");
    // The registration is still there while the update waits.
    assert!(profile.current(&info).is_some());
    assert!(results.all().is_empty());
    profile.fetcher.serve("https://a.test/sw.js", b"v2");
    let fetched = profile.fetcher.fetch_script(&url("https://a.test/sw.js"));
    profile.registry.script_fetched(held, fetched);
    profile.run();
    let all = results.all();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].0, 0);
    assert!(matches!(all[0].1, Ok(JobOutcome::Registration(_))));
    assert_eq!(all[1], (1, Ok(JobOutcome::Unregistered(true))));
    assert!(profile.current(&info).is_none());
    assert!(profile.database().service_workers().unwrap().is_empty());
    assert!(!profile.registry.has_pending_jobs());
}

#[test]
fn a_script_fetch_that_fails_late_rejects_and_leaves_nothing() {
    let mut profile = Profile::new();
    let results = Results::new();
    start_register(&mut profile, &results, 0, "https://a.test/sw.js");
    let held = fetch_of(&pending_actions(&mut profile), "https://a.test/sw.js");
    // Other work meanwhile.
    profile.fetcher.serve("https://a.test/other/sw.js", b"x");
    profile
        .register("https://a.test/other/sw.js", None)
        .unwrap();
    profile
        .registry
        .script_fetched(held, Err(FetchError("timed out".to_owned())));
    profile.run();
    let all = results.all();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].1.clone().unwrap_err().dom_exception_name(),
        "TypeError"
    );
    assert!(profile
        .registry
        .registration_by_scope(&url("https://a.test/"))
        .is_none());
    assert_eq!(profile.database().service_workers().unwrap().len(), 1);
    assert!(!profile.registry.has_pending_jobs());
    // A late second answer for the same job changes nothing.
    profile
        .registry
        .script_fetched(held, Err(FetchError("again".to_owned())));
    assert!(pending_actions(&mut profile).is_empty());
    assert!(results.all().is_empty());
}

#[test]
fn a_job_waiting_for_install_holds_its_scope_not_its_promise() {
    let mut profile = Profile::new();
    profile.fetcher.serve("https://a.test/sw.js", b"v1");
    let results = Results::new();
    start_register(&mut profile, &results, 0, "https://a.test/sw.js");
    // Carry out everything but the install event.
    let mut install = None;
    while let Some(action) = profile.registry.next_action() {
        match action {
            RegistryAction::FetchScript { job, url, .. } => {
                let fetched = profile.fetcher.fetch_script(&url);
                profile.registry.script_fetched(job, fetched);
            }
            RegistryAction::EvaluateWorker { job, .. } => {
                profile.registry.worker_evaluated(job, Ok(Vec::new()))
            }
            RegistryAction::FireInstall { job, .. } => install = Some(job),
            _ => {}
        }
    }
    let install = install.expect("install fired");
    // The promise resolved before install, with the worker installing.
    let all = results.all();
    let Ok(JobOutcome::Registration(info)) = &all[0].1 else {
        panic!("register failed: {all:?}");
    };
    assert!(info.installing.is_some());
    // An equivalent register now is a job of its own, queued behind.
    start_register(&mut profile, &results, 1, "https://a.test/sw.js");
    assert!(pending_actions(&mut profile).is_empty());
    assert!(results.all().is_empty());
    profile
        .registry
        .install_done(install, Ok(()), &profile.host);
    profile.run();
    let all = results.all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, 1);
    assert!(profile.current(info).unwrap().active.is_some());
}

#[test]
fn clients_hear_of_the_installing_worker_before_the_register_promise_settles() {
    let mut profile = Profile::new();
    let results = Results::new();
    start_register(&mut profile, &results, 0, "https://a.test/sw.js");
    let job = fetch_of(&pending_actions(&mut profile), "https://a.test/sw.js");
    profile.fetcher.serve("https://a.test/sw.js", b"a");
    let fetched = profile.fetcher.fetch_script(&url("https://a.test/sw.js"));
    profile.registry.script_fetched(job, fetched);
    let actions = pending_actions(&mut profile);
    assert!(
        matches!(actions[..], [RegistryAction::EvaluateWorker { job: evaluated, .. }] if evaluated == job),
        "{actions:?}"
    );
    profile.registry.worker_evaluated(job, Ok(Vec::new()));
    // Install: the clients are told of the installing worker first ...
    let told = profile.registry.next_action();
    let Some(RegistryAction::StateChanged {
        registration,
        worker,
    }) = &told
    else {
        panic!("expected the clients to be told first: {told:?}");
    };
    assert_eq!(registration.installing.as_ref(), Some(worker));
    assert!(
        results.all().is_empty(),
        "the promise settled before they heard"
    );
    // ... then the promise settles, with the installing worker, then `updatefound` is
    // fired at the clients, and the install event at the worker.
    let found = profile.registry.next_action();
    assert!(
        matches!(&found, Some(RegistryAction::UpdateFound(info)) if info.installing.as_ref() == Some(worker)),
        "{found:?}"
    );
    // Settled already, before `updatefound`.
    let all = results.all();
    let fire = profile.registry.next_action();
    assert!(
        matches!(fire, Some(RegistryAction::FireInstall { .. })),
        "{fire:?}"
    );
    let [(0, Ok(JobOutcome::Registration(settled)))] = &all[..] else {
        panic!("expected the promise to have settled: {all:?}");
    };
    assert_eq!(settled.installing.as_ref(), Some(worker));
}
