//! A worker's type (classic or module) and its imported scripts in the update check: a
//! change of either makes a new worker, as a change of the main script does.

use script_traits::{ImportedScript, WorkerType};

use super::*;

const SCRIPT: &str = "https://a.test/sw.js";

fn import(name: &str, source: &[u8]) -> ImportedScript {
    ImportedScript {
        url: url(&format!("https://a.test/{name}")),
        source: source.to_vec(),
    }
}

fn register(profile: &mut Profile, worker_type: WorkerType) -> RegistrationInfo {
    profile
        .register_as(ORIGIN, SCRIPT, None, worker_type)
        .unwrap()
}

#[test]
fn a_module_worker_runs_installs_and_activates_as_a_module_and_stays_one_after_a_restart() {
    let mut profile = Profile::new();
    profile.fetcher.serve(SCRIPT, b"import './lib.js';");
    let info = register(&mut profile, WorkerType::Module);
    let worker = profile.current(&info).unwrap().active.unwrap().id;
    assert_eq!(
        profile.host.given_types,
        [
            (worker, WorkerType::Module),
            (worker, WorkerType::Module),
            (worker, WorkerType::Module)
        ],
        "first run, install and activate"
    );
    assert_eq!(
        profile
            .database()
            .service_worker(info.id)
            .unwrap()
            .unwrap()
            .worker_type,
        storage::WorkerType::Module
    );
    profile.reopen();
    let loaded = profile.registry.registration(info.id).unwrap();
    assert_eq!(loaded.active().unwrap().worker_type(), WorkerType::Module);
    assert_eq!(
        loaded.active().unwrap().scripts().worker_type,
        WorkerType::Module,
        "a restarted worker runs as a module"
    );
}

#[test]
fn registering_the_same_script_as_another_type_makes_a_new_worker_of_that_type() {
    let mut profile = Profile::new();
    profile.fetcher.serve(SCRIPT, b"// either way");
    let info = register(&mut profile, WorkerType::Classic);
    let classic = profile.current(&info).unwrap().active.unwrap().id;

    let same = register(&mut profile, WorkerType::Classic);
    assert_eq!(
        same.active.as_ref().map(|w| w.id),
        Some(classic),
        "same type: same worker"
    );

    let module = register(&mut profile, WorkerType::Module);
    assert_eq!(module.id, info.id, "the same registration");
    let new = module.installing.expect("a new worker installs").id;
    assert_ne!(new, classic);
    assert_eq!(
        profile.host.given_types.last(),
        Some(&(new, WorkerType::Module))
    );
    profile.skip_waiting(new).unwrap();
    profile.reopen();
    let loaded = profile.registry.registration(info.id).unwrap();
    assert_eq!(loaded.active().unwrap().worker_type(), WorkerType::Module);

    // And back.
    let back = register(&mut profile, WorkerType::Classic);
    let installing = back.installing.expect("a classic worker installs");
    assert_eq!(
        profile.host.given_types.last(),
        Some(&(installing.id, WorkerType::Classic))
    );
}

#[test]
fn an_update_runs_the_new_worker_as_the_newest_worker_s_type() {
    let mut profile = Profile::new();
    profile.fetcher.serve(SCRIPT, b"v1");
    let info = register(&mut profile, WorkerType::Module);
    profile.fetcher.serve(SCRIPT, b"v2");
    profile.update(&info).unwrap();
    let waiting = profile.current(&info).unwrap().waiting.unwrap();
    assert_eq!(
        profile.host.given_types.last(),
        Some(&(waiting.id, WorkerType::Module))
    );
}

/// A worker whose main script imported `lib.js` (v1), registered.
fn worker_with_an_import(profile: &mut Profile, worker_type: WorkerType) -> RegistrationInfo {
    profile.fetcher.serve(SCRIPT, b"main");
    profile.fetcher.serve("https://a.test/lib.js", b"lib v1");
    profile
        .host
        .imports
        .insert(b"main".to_vec(), vec![import("lib.js", b"lib v1")]);
    register(profile, worker_type)
}

#[test]
fn an_update_whose_imported_script_changed_makes_a_new_worker() {
    for worker_type in [WorkerType::Classic, WorkerType::Module] {
        let mut profile = Profile::new();
        let info = worker_with_an_import(&mut profile, worker_type);
        let active = profile.current(&info).unwrap().active.unwrap();
        profile.fetcher.serve("https://a.test/lib.js", b"lib v2");
        let Ok(JobOutcome::Registration(after)) = profile.update(&info) else {
            panic!("update failed");
        };
        let waiting = after
            .installing
            .or(after.waiting)
            .expect("a new worker, though the main script is the same");
        assert_ne!(waiting.id, active.id);
        assert_eq!(
            profile.fetcher.fetched.last().map(Url::as_str),
            Some("https://a.test/lib.js"),
            "the import was fetched for the check"
        );
        assert_eq!(
            profile.host.given_types.last().map(|t| t.1),
            Some(worker_type)
        );
    }
}

#[test]
fn an_update_whose_imports_are_unchanged_or_unreachable_keeps_the_worker() {
    let mut profile = Profile::new();
    let info = worker_with_an_import(&mut profile, WorkerType::Module);
    let before = profile.current(&info).unwrap();
    let events = profile.host.events.len();

    let Ok(JobOutcome::Registration(after)) = profile.update(&info) else {
        panic!("update failed");
    };
    assert_eq!(*after, before, "identical import: nothing changes");
    assert_eq!(profile.host.events.len(), events);
    let fetched: Vec<&str> = profile.fetcher.fetched.iter().map(Url::as_str).collect();
    assert_eq!(
        fetched[fetched.len() - 2..],
        ["https://a.test/sw.js", "https://a.test/lib.js"]
    );

    // An import that no longer loads is skipped by the check (the spec's "bad import script
    // response": continue), so the worker stays.
    profile.fetcher.scripts.remove("https://a.test/lib.js");
    let Ok(JobOutcome::Registration(after)) = profile.update(&info) else {
        panic!("update failed");
    };
    assert_eq!(*after, before);
    assert_eq!(profile.host.events.len(), events);
}

#[test]
fn a_changed_main_script_does_not_fetch_the_imports_for_the_check() {
    let mut profile = Profile::new();
    let info = worker_with_an_import(&mut profile, WorkerType::Classic);
    profile.fetcher.serve(SCRIPT, b"main v2");
    let fetched = profile.fetcher.fetched.len();
    profile.update(&info).unwrap();
    assert_eq!(
        profile.fetcher.fetched[fetched..],
        [url(SCRIPT)],
        "only the main script: it changed, so the worker is new anyway"
    );
}
