//! Register, evaluation, install and activation as pages see them.

use script_traits::{RegistrationUpdate, ServiceWorkerRequest, ServiceWorkerState, ToClientMsg};

use super::*;

fn state_changes(messages: &[ToClientMsg]) -> Vec<(u64, ServiceWorkerState, bool)> {
    messages
        .iter()
        .filter_map(|message| match message {
            ToClientMsg::Registration(update) => match &**update {
                RegistrationUpdate {
                    changed_worker: Some(worker),
                    update_found,
                    ..
                } => Some((worker.id.0, worker.state, *update_found)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn register_runs_the_script_then_install_and_activate_and_tells_the_page() {
    let engine = engine();
    let server = TestServer::start();
    server.serve_js("/app/sw.js", "// worker");
    let (page, setup) = Page::load(&engine.engine, &server.url("/app/page.html"));
    assert_eq!(setup.controller, None);
    assert_eq!(setup.client.url, server.url("/app/page.html"));

    let reply = page.register(&server.url("/app/sw.js")).unwrap();
    assert_eq!(reply.scope, server.url("/app/"));
    let worker = reply.installing.clone().expect("an installing worker");
    assert_eq!(worker.state, ServiceWorkerState::Installing);

    let messages = page.messages_until(|message| {
        state_changes(std::slice::from_ref(message))
            .iter()
            .any(|(_, state, _)| *state == ServiceWorkerState::Activated)
    });
    let id = worker.id.0;
    assert_eq!(
        state_changes(&messages),
        [
            (id, ServiceWorkerState::Installing, false),
            (id, ServiceWorkerState::Installed, false),
            (id, ServiceWorkerState::Activating, false),
            (id, ServiceWorkerState::Activated, false),
        ]
    );
    // `updatefound` is its own broadcast, after the installing state (and the reply, which
    // `register` read): Install queues it after resolving the job promise.
    let found: Vec<usize> = messages
        .iter()
        .enumerate()
        .filter(|(_, message)| {
            matches!(message, ToClientMsg::Registration(update)
                if update.update_found && update.changed_worker.is_none())
        })
        .map(|(index, _)| index)
        .collect();
    assert_eq!(found.len(), 1, "{messages:?}");
    let installing_at = messages
        .iter()
        .position(|message| !state_changes(std::slice::from_ref(message)).is_empty())
        .unwrap();
    assert!(installing_at < found[0], "{messages:?}");
    let log = engine.log.lines();
    assert_eq!(log[0], format!("spawn {id} first_run=true imports=0"));
    assert!(log.contains(&format!("{id} install")), "{log:?}");
    assert!(log.contains(&format!("{id} activate")), "{log:?}");
    // The worker hears its own state changes too.
    eventually("the worker sees itself activated", || {
        engine.log.count(&format!("{id} sees {id} activated")) == 1
    });
    // The script was fetched as a service-worker script.
    let requests = server.requests_of("/app/sw.js");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("service-worker"), Some("script"));
}

#[test]
fn a_script_that_throws_rejects_register_with_a_type_error_and_leaves_nothing() {
    let engine = engine();
    let server = TestServer::start();
    server.serve_js("/sw.js", "throw");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let error = page.register(&server.url("/sw.js")).unwrap_err();
    assert_eq!(error.dom_exception_name(), "TypeError");
    assert!(
        error
            .message()
            .ends_with("ServiceWorker script evaluation failed"),
        "{error:?}"
    );
    assert!(engine.engine.registrations().is_empty());
    assert!(!engine.engine.is_worker_running(&server.url("/")));
    assert_eq!(engine.log.count("spawn"), 1);
}

#[test]
fn a_script_that_never_finishes_is_interrupted_and_rejected() {
    let engine = engine_with(None, &["serviceworker.max_event_duration_ms=200"]);
    let server = TestServer::start();
    server.serve_js("/sw.js", "hang-evaluation");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let error = page.register(&server.url("/sw.js")).unwrap_err();
    assert_eq!(error.dom_exception_name(), "TypeError");
    assert!(engine.engine.registrations().is_empty());
}

#[test]
fn a_redirected_script_is_rejected() {
    let engine = engine();
    let server = TestServer::start();
    server.serve("/sw.js", Response::redirect("/other.js"));
    server.serve_js("/other.js", "// worker");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let error = page.register(&server.url("/sw.js")).unwrap_err();
    assert_eq!(error.dom_exception_name(), "SecurityError");
    assert!(error.message().contains("redirect"), "{error:?}");
    assert!(server.requests_of("/other.js").is_empty());
    assert_eq!(engine.log.count("spawn"), 0);
}

#[test]
fn a_rejected_install_makes_the_worker_redundant_and_removes_the_registration() {
    let engine = engine();
    let server = TestServer::start();
    server.serve_js("/sw.js", "reject-install");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let reply = page.register(&server.url("/sw.js")).unwrap();
    let worker = reply.installing.unwrap();
    page.messages_until(|message| {
        state_changes(std::slice::from_ref(message))
            == [(worker.id.0, ServiceWorkerState::Redundant, false)]
    });
    assert!(engine.engine.registrations().is_empty());
    eventually("the failed worker stops", || {
        !engine.engine.is_worker_running(&server.url("/"))
    });
}

#[test]
fn an_install_past_the_time_limit_fails() {
    let engine = engine_with(None, &["serviceworker.max_event_duration_ms=200"]);
    let server = TestServer::start();
    server.serve_js("/sw.js", "hang-install");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let reply = page.register(&server.url("/sw.js")).unwrap();
    let worker = reply.installing.unwrap();
    page.messages_until(|message| {
        state_changes(std::slice::from_ref(message))
            == [(worker.id.0, ServiceWorkerState::Redundant, false)]
    });
    assert!(engine.engine.registrations().is_empty());
}

#[test]
fn claim_in_activate_controls_the_open_page_and_new_pages_are_controlled() {
    let engine = engine();
    let server = TestServer::start();
    let (_page, info, messages) = register_active_seeing(&engine, &server, "claim");
    let active = info.active.clone().unwrap();
    assert!(engine
        .log
        .lines()
        .contains(&format!("{} claim Some(Ok(()))", active.id.0)));
    // controllerchange comes while the worker is activating, before the
    // registration reports it activated.
    let changed = messages.iter().position(|message| {
        matches!(message, ToClientMsg::ControllerChanged { controller: Some(controller) } if controller.id == active.id)
    });
    assert_eq!(changed, Some(messages.len() - 2), "{messages:?}");
    // A page loaded in scope is controlled from the start; one outside is
    // not.
    let (_, setup) = Page::load(&engine.engine, &server.url("/other.html"));
    assert_eq!(setup.controller.map(|c| c.id), Some(active.id));
}

#[test]
fn claim_by_a_worker_that_is_not_active_is_an_invalid_state_error() {
    let engine = engine();
    let server = TestServer::start();
    // v1 is active and controls a page; v2 (which claims on a message)
    // waits behind it.
    let (page, info) = register_active(&engine, &server, "// v1");
    let (_controlled, setup) = Page::load(&engine.engine, &server.url("/controlled.html"));
    assert!(setup.controller.is_some());
    server.serve_js("/sw.js", "claim\n// v2");
    let updated = page
        .request(|id| ServiceWorkerRequest::Update {
            registration: info.id,
            id,
        })
        .unwrap()
        .unwrap();
    let v2 = updated.installing.unwrap();
    eventually("v2 waits", || {
        engine.engine.registrations()[0]
            .waiting
            .as_ref()
            .is_some_and(|waiting| waiting.id == v2.id)
    });
    // v2 never activated, so it has not claimed yet; a message makes it
    // try.
    assert_eq!(engine.log.count(&format!("{} claim", v2.id.0)), 0);
    assert!(page.post(v2.id, b"hello"));
    assert!(engine.log.lines().contains(&format!(
        "{} claim Some(Err(InvalidState(\"Only the active worker can claim clients.\")))",
        v2.id.0
    )));
}

#[test]
fn skip_waiting_activates_an_update_and_moves_the_controlled_page() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info, messages) = register_active_seeing(&engine, &server, "claim\n// v1");
    let v1 = info.active.unwrap();
    assert!(messages
        .iter()
        .any(|message| matches!(message, ToClientMsg::ControllerChanged { .. })));

    server.serve_js("/sw.js", "skip-waiting\n// v2");
    let updated = page
        .request(|id| ServiceWorkerRequest::Update {
            registration: info.id,
            id,
        })
        .unwrap()
        .unwrap();
    let v2 = updated.installing.unwrap();
    assert_ne!(v2.id, v1.id);
    let messages = page.messages_until(|message| {
        matches!(message, ToClientMsg::ControllerChanged { controller: Some(controller) } if controller.id == v2.id)
    });
    assert!(state_changes(&messages).contains(&(v1.id.0, ServiceWorkerState::Redundant, false)));
    eventually("v2 is activated", || {
        engine.engine.registrations()[0]
            .active
            .as_ref()
            .is_some_and(|active| {
                active.id == v2.id && active.state == ServiceWorkerState::Activated
            })
    });
}

#[test]
fn an_update_waits_while_a_page_is_controlled_and_activates_when_it_closes() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "// v1");
    let v1 = info.active.unwrap();
    let (controlled, setup) = Page::load(&engine.engine, &server.url("/controlled.html"));
    assert_eq!(setup.controller.map(|c| c.id), Some(v1.id));
    server.serve_js("/sw.js", "// v2");
    let updated = page
        .request(|id| ServiceWorkerRequest::Update {
            registration: info.id,
            id,
        })
        .unwrap()
        .unwrap();
    let v2 = updated.installing.unwrap();
    eventually("v2 waits", || {
        engine.engine.registrations()[0]
            .waiting
            .as_ref()
            .is_some_and(|waiting| waiting.id == v2.id)
    });
    controlled.send(ScriptMsg::Closed);
    eventually("v2 activates", || {
        engine.engine.registrations()[0]
            .active
            .as_ref()
            .is_some_and(|active| active.id == v2.id)
    });
}

#[test]
fn an_update_of_an_unused_registration_activates_at_once() {
    let engine = engine();
    let server = TestServer::start();
    // The page is outside the scope: nothing uses the registration.
    server.serve_js("/app/sw.js", "// v1");
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));
    let info = page.register(&server.url("/app/sw.js")).unwrap();
    eventually("v1 activates", || {
        engine.engine.registrations()[0].active.is_some()
    });
    server.serve_js("/app/sw.js", "// v2");
    let updated = page
        .request(|id| ServiceWorkerRequest::Update {
            registration: info.id,
            id,
        })
        .unwrap()
        .unwrap();
    let v2 = updated.installing.unwrap();
    eventually("v2 activates without waiting", || {
        engine.engine.registrations()[0]
            .active
            .as_ref()
            .is_some_and(|active| active.id == v2.id)
    });
}
