//! Messages between pages and workers, and messages that must not pass.

use script_traits::{ServiceWorkerRequest, ToClientMsg};

use super::*;

fn message_text(message: &ToClientMsg) -> Option<String> {
    match message {
        ToClientMsg::Message { message, .. } => Some(String::from_utf8_lossy(&message.0).into()),
        _ => None,
    }
}

#[test]
fn a_message_reaches_the_worker_and_its_reply_the_page() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "echo");
    let worker = info.active.unwrap();
    assert!(page.post(worker.id, b"ping"));
    let messages = page.messages_until(|message| message_text(message).is_some());
    let Some(ToClientMsg::Message {
        source,
        origin,
        message,
    }) = messages.last()
    else {
        unreachable!()
    };
    assert_eq!(message.0, b"ping");
    assert_eq!(source.id, worker.id);
    assert_eq!(*origin, server.url("/").origin().ascii_serialization());
}

#[test]
fn a_worker_sees_only_clients_of_its_origin() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "report-clients\nforward");
    let worker = info.active.unwrap();
    // Another page of the same origin, and one of another origin (never
    // loaded from the network: only its URL matters here).
    let (_same, _) = Page::load(&engine.engine, &server.url("/second.html"));
    let other_url = Url::parse("http://localhost:1/page.html").unwrap();
    let (other, other_setup) = Page::load(&engine.engine, &other_url);

    // Two clients of the origin, one controlled (the second page loaded in
    // scope; the first was not claimed), and the source is found by id.
    assert!(page.post(worker.id, b"report"));
    let messages =
        page.messages_until(|message| message_text(message).is_some_and(|text| text.contains(' ')));
    assert_eq!(message_text(messages.last().unwrap()).unwrap(), "2 1 true");

    // Posting to the other origin's client by its id does nothing.
    assert!(page.post(worker.id, other_setup.client.id.0.as_bytes()));
    assert!(other.next_message(Duration::from_millis(300)).is_none());
}

#[test]
fn a_page_cannot_message_a_worker_of_another_origin_or_an_unknown_one() {
    let engine = engine();
    let server = TestServer::start();
    let (_page, info) = register_active(&engine, &server, "echo");
    let worker = info.active.unwrap();
    let (other, _) = Page::load(
        &engine.engine,
        &Url::parse("http://localhost:1/page.html").unwrap(),
    );
    assert!(!other.post(worker.id, b"forged"));
    assert!(!other.post(ServiceWorkerId(999), b"nobody"));
    assert_eq!(engine.log.count(&format!("{} message", worker.id.0)), 0);
}

#[test]
fn a_worker_messages_itself_but_not_a_worker_of_another_origin() {
    let engine = engine();
    let server = TestServer::start();
    let other_server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "post-to-worker");
    let (_other_page, other_info) = register_active(&engine, &other_server, "// worker");
    let worker = info.active.unwrap().id;
    let other = other_info.active.unwrap().id;

    // To itself: a message event whose source is the worker.
    let heard_itself = format!("{} message from {}", worker.0, worker.0);
    assert!(page.post(worker, worker.0.to_string().as_bytes()));
    eventually("the worker hears itself", || {
        engine.log.count(&heard_itself) == 1
    });

    // To another origin's worker, by its id: dropped. (The worker's own log
    // has the page's two messages and its own.)
    assert!(page.post(worker, other.0.to_string().as_bytes()));
    eventually("the worker has the page's second message", || {
        engine.log.count(&format!("{} message", worker.0)) == 3
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(engine.log.count(&format!("{} message", other.0)), 0);
    assert_eq!(engine.log.count(&format!("{} message from", other.0)), 0);
}

#[test]
fn a_second_document_loaded_and_requests_before_the_first_are_ignored() {
    let engine = engine();
    let server = TestServer::start();
    server.serve_js("/sw.js", "// worker");
    let url = server.url("/page.html");
    let page = Page::open(&engine.engine, &url);
    // Before DocumentLoaded: refused (answered with no answer).
    let early = page.request(|id| ServiceWorkerRequest::GetRegistrations { id });
    assert!(early.is_none());
    // A DocumentLoaded claiming another origin is refused.
    let elsewhere = Url::parse("http://localhost:1/page.html").unwrap();
    assert!(page.document_loaded(&elsewhere).is_none());
    assert!(page.document_loaded(&url).is_some());
    assert!(page.document_loaded(&url).is_none());
    // The client still works, with its first URL.
    let registrations = page
        .request(|id| ServiceWorkerRequest::GetRegistrations { id })
        .unwrap();
    assert_eq!(registrations, Ok(Vec::new()));
    assert!(page.register(&server.url("/sw.js")).is_ok());
}

#[test]
fn requests_are_judged_by_the_recorded_origin() {
    let engine = engine();
    let server = TestServer::start();
    let (_page, info) = register_active(&engine, &server, "// worker");
    let (other, _) = Page::load(
        &engine.engine,
        &Url::parse("http://localhost:1/page.html").unwrap(),
    );
    // Another origin's registration id is unknown to this page.
    let unregistered = other
        .request(|id| ServiceWorkerRequest::Unregister {
            registration: info.id,
            id,
        })
        .unwrap();
    assert_eq!(unregistered, Ok(false));
    assert_eq!(engine.engine.registrations().len(), 1);
    let error = other
        .request(|id| ServiceWorkerRequest::GetRegistration {
            client_url: server.url("/page.html"),
            id,
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(error.dom_exception_name(), "SecurityError");
    // A script of the page's origin on a server that does not exist: the
    // register job's fetch fails, and the engine carries on.
    let error = other
        .register(&Url::parse("http://localhost:1/sw.js").unwrap())
        .unwrap_err();
    assert_eq!(error.dom_exception_name(), "TypeError");
    assert_eq!(engine.engine.registrations().len(), 1);
}

#[test]
fn a_closed_page_is_forgotten() {
    let engine = engine();
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "report-clients");
    let worker = info.active.unwrap();
    let (closing, _) = Page::load(&engine.engine, &server.url("/second.html"));
    closing.send(ScriptMsg::Closed);
    let (dropped, _) = Page::load(&engine.engine, &server.url("/third.html"));
    drop(dropped);
    eventually("both pages are forgotten", || {
        assert!(page.post(worker.id, b"report"));
        let messages = page.messages_until(|message| message_text(message).is_some());
        message_text(messages.last().unwrap()).unwrap() == "1 0 true"
    });
}
