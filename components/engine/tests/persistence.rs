//! A registration outlives the engine: a second engine on the same profile
//! finds it active, does not install it again, and starts its worker only
//! when something needs it. Real pages, real workers, real SQLite, a real
//! HTTP server on 127.0.0.1.

mod support;

use engine::PageOutcome;
use support::server::TestServer;
use support::{message_page, page, register_page, start_engine, PAGE_TIMEOUT, WORKER};

#[test]
fn a_registration_survives_a_restart_without_installing_again() {
    let profile = tempfile::TempDir::new().unwrap();
    let server = TestServer::start();
    server.serve_js("/app/sw.js", WORKER);
    server.serve_html("/app/register.html", &register_page());
    server.serve_html(
        "/app/find.html",
        &page(
            r#"console.log('controller ' + (navigator.serviceWorker.controller ? navigator.serviceWorker.controller.state : 'none'));
navigator.serviceWorker.getRegistration().then(registration => {
  console.log('found ' + (registration && registration.active ? registration.active.state : 'nothing'));
  return navigator.serviceWorker.ready;
}).then(registration => { console.log('ready ' + registration.active.scriptURL); done(); })
  .catch(failed);"#,
        ),
    );
    server.serve_html("/app/message.html", &message_page());
    let scope = server.url("/app/");

    // Run 1: register; install and activate run.
    let (first, console) = start_engine(Some(profile.path()), &[]);
    let outcome = first.run_page(server.url("/app/register.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(console.contains("ready activated"), "{:?}", console.lines());
    assert!(console.contains("sw: install"), "{:?}", console.lines());
    assert!(console.contains("sw: activate"), "{:?}", console.lines());
    first.shutdown();
    drop(first);

    // Run 2: the registration is there, active, and no worker runs.
    let (second, console) = start_engine(Some(profile.path()), &[]);
    let registrations = second.registrations();
    assert_eq!(registrations.len(), 1);
    assert_eq!(registrations[0].scope, scope);
    assert!(registrations[0].active.is_some());
    let active_before = registrations[0].active.as_ref().map(|worker| worker.id);
    assert!(!second.is_worker_running(&scope));

    let outcome = second.run_page(server.url("/app/find.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    let expected = [
        "controller activated".to_owned(),
        "found activated".to_owned(),
        format!("ready {}", server.url("/app/sw.js")),
    ];
    assert_eq!(console.lines(), expected);
    // Finding it needed no worker.
    assert!(!second.is_worker_running(&scope));

    // A message needs one: it starts from the stored script, with no
    // install. The only fetch of the script is the update check that the
    // navigation to the page starts (Soft Update), which finds the same
    // bytes; it may or may not have reached the server when the page ends.
    let fetches = server.requests_of("/app/sw.js").len();
    let outcome = second.run_page(server.url("/app/message.html"), Some(PAGE_TIMEOUT));
    assert_eq!(outcome, PageOutcome::Closed, "{:?}", console.lines());
    assert!(console.contains("sw: message 41"), "{:?}", console.lines());
    assert!(console.contains("reply 42"), "{:?}", console.lines());
    assert!(!console.contains("sw: install"), "{:?}", console.lines());
    assert!(server.requests_of("/app/sw.js").len() <= fetches + 1);
    let registrations = second.registrations();
    assert_eq!(registrations.len(), 1);
    assert_eq!(
        registrations[0].active.as_ref().map(|worker| worker.id),
        active_before,
        "the stored worker stays active"
    );
    assert!(registrations[0].installing.is_none() && registrations[0].waiting.is_none());
}
