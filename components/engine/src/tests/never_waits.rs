//! The constellation never waits: while one registration's job waits (on a
//! script server that has not answered, or on a worker's `install` event
//! that has not ended), every other request is served. Behaviour tests,
//! not timed ones: the held work is released only after the others are
//! done, so each would hang (and fail after PATIENCE) if the constellation
//! waited on the held one.

use script_traits::{
    RegisterReply, RegistrationInfo, ServiceWorkerRequest, ServiceWorkerState, ToClientMsg,
    UpdateViaCache,
};

use super::*;

/// Registers the script at `path` (served with `source`) from `page`, and
/// waits until its worker is active.
fn register_active_at(
    engine: &TestEngine,
    server: &TestServer,
    page: &Page,
    path: &str,
    source: &str,
) -> RegistrationInfo {
    server.serve_js(path, source);
    let reply = page.register(&server.url(path)).expect("register failed");
    wait_until_active(page, &reply);
    engine
        .engine
        .registrations()
        .into_iter()
        .find(|registration| registration.id == reply.id)
        .expect("the registration is gone")
}

/// Reads `page`'s messages until `registration` has an activated worker.
fn wait_until_active(page: &Page, registration: &RegistrationInfo) {
    page.messages_until(|message| {
        matches!(message, ToClientMsg::Registration(update)
            if update.registration.id == registration.id
                && update.registration.active.as_ref()
                    .is_some_and(|active| active.state == ServiceWorkerState::Activated))
    });
}

/// Sends `register(script)` without waiting for the answer.
fn start_register(page: &Page, script: &Url) -> RequestId<RegisterReply> {
    page.start(|id| {
        ScriptMsg::ServiceWorker(ServiceWorkerRequest::Register {
            script_url: script.clone(),
            scope: None,
            update_via_cache: UpdateViaCache::Imports,
            worker_type: script_traits::WorkerType::Classic,
            id,
        })
    })
}

/// While the job of `held_page` waits, the other registrations and pages
/// of the engine are served: a sync `register()` and `getTags()` of
/// registration A, a `postMessage` round trip to registration C's worker,
/// and a second page's registration of scope D, from start to activation.
fn other_work_is_served(
    engine: &TestEngine,
    server: &TestServer,
    a: &RegistrationInfo,
    c: &RegistrationInfo,
    pages: (&Page, &Page),
) {
    let (page_a, page_c) = pages;
    page_a.sync_register(a.id, "y").expect("sync register of A");
    page_a.sync_tags(a.id).expect("getTags of A");
    let c_worker = c.active.as_ref().expect("C is active").id;
    assert!(page_c.post(c_worker, b"ping"), "C's message event ended");
    let echoed = page_c.messages_until(|message| matches!(message, ToClientMsg::Message { .. }));
    assert!(
        matches!(echoed.last(), Some(ToClientMsg::Message { message, .. }) if message.0 == b"ping")
    );
    let (page_d, _) = Page::load(&engine.engine, &server.url("/d/page.html"));
    register_active_at(engine, server, &page_d, "/d/sw.js", "// D");
}

/// Pages of scopes A and C, each with an active registration (C's worker
/// echoes messages).
fn a_and_c(
    engine: &TestEngine,
    server: &TestServer,
) -> (Page, RegistrationInfo, Page, RegistrationInfo) {
    let (page_a, _) = Page::load(&engine.engine, &server.url("/a/page.html"));
    let a = register_active_at(engine, server, &page_a, "/a/sw.js", "// A");
    let (page_c, _) = Page::load(&engine.engine, &server.url("/c/page.html"));
    let c = register_active_at(engine, server, &page_c, "/c/sw.js", "echo");
    (page_a, a, page_c, c)
}

#[test]
fn a_held_worker_script_holds_only_its_own_job() {
    let engine = engine();
    let server = TestServer::start();
    let (page_a, a, page_c, c) = a_and_c(&engine, &server);
    // B's script server does not answer until released.
    server.serve_js("/b/sw.js", "// B");
    let hold = server.hold("/b/sw.js");
    let (page_b, _) = Page::load(&engine.engine, &server.url("/b/page.html"));
    let b_answer = start_register(&page_b, &server.url("/b/sw.js"));
    eventually("B's script is requested", || {
        server.requests_of("/b/sw.js").len() == 1
    });
    other_work_is_served(&engine, &server, &a, &c, (&page_a, &page_c));
    assert!(
        !page_b.answered(b_answer),
        "B answered before its script did"
    );
    hold.release();
    let b = page_b
        .answer(b_answer)
        .expect("B's answer")
        .expect("B registered");
    assert_eq!(b.scope, server.url("/b/"));
    wait_until_active(&page_b, &b);
}

#[test]
fn a_slow_install_holds_only_its_own_registration() {
    let engine = engine();
    let server = TestServer::start();
    let (page_a, a, page_c, c) = a_and_c(&engine, &server);
    server.serve_js("/b/sw.js", "gated-install slow-install-b");
    let (page_b, _) = Page::load(&engine.engine, &server.url("/b/page.html"));
    let b = page_b
        .register(&server.url("/b/sw.js"))
        .expect("B registered");
    let b_worker = b.installing.as_ref().expect("B installs").id;
    eventually("B's install event runs", || {
        engine.log.count(&format!("{} install", b_worker.0)) == 1
    });
    other_work_is_served(&engine, &server, &a, &c, (&page_a, &page_c));
    let b_now = engine
        .engine
        .registrations()
        .into_iter()
        .find(|registration| registration.id == b.id)
        .expect("B is registered");
    assert_eq!(
        b_now.installing.map(|worker| worker.id),
        Some(b_worker),
        "B was still installing while the rest was served"
    );
    open_gate("slow-install-b");
    wait_until_active(&page_b, &b);
    assert_eq!(engine.log.count(&format!("{} install-end", b_worker.0)), 1);
}

#[test]
fn a_script_that_fails_after_a_long_wait_rejects_and_leaves_nothing() {
    let engine = engine();
    let server = TestServer::start();
    let (page_a, _) = Page::load(&engine.engine, &server.url("/a/page.html"));
    let a = register_active_at(&engine, &server, &page_a, "/a/sw.js", "// A");
    // Nothing is served at /b/sw.js: once released, the answer is a 404.
    let hold = server.hold("/b/sw.js");
    let (page_b, _) = Page::load(&engine.engine, &server.url("/b/page.html"));
    let b_answer = start_register(&page_b, &server.url("/b/sw.js"));
    eventually("B's script is requested", || {
        server.requests_of("/b/sw.js").len() == 1
    });
    page_a.sync_register(a.id, "meanwhile").expect("A served");
    hold.release();
    let error = page_b
        .answer(b_answer)
        .expect("B's answer")
        .expect_err("B failed");
    assert_eq!(error.dom_exception_name(), "TypeError");
    let scopes: Vec<Url> = engine
        .engine
        .registrations()
        .into_iter()
        .map(|registration| registration.scope)
        .collect();
    assert_eq!(scopes, [server.url("/a/")]);
    assert_eq!(engine.log.count("spawn"), 1, "no worker was started for B");
}
