//! MessagePorts between pages and their service worker, through the real constellation: a
//! port sent to the worker carries its answers back; once the worker is stopped, a message
//! on the page's end is dropped; and when the pages and the worker have ended, the process's
//! port router keeps nothing for any of their ports. One test function, so no other page of
//! this binary runs meanwhile (the router count is process-wide).

mod support;

use support::server::TestServer;
use support::{eventually, page, register_page, run_closed, start_engine};

/// Keeps the port each message brings and answers on it.
const PORT_WORKER: &str = r#"
self.addEventListener('message', event => {
  const port = event.ports[0];
  port.onmessage = m => port.postMessage('echo ' + m.data);
  port.postMessage('ready');
});
"#;

/// Sends a port to the active worker, logs its first two answers, then runs `after` (which
/// ends with `done()`).
fn port_page(after: &str) -> String {
    page(&format!(
        r#"navigator.serviceWorker.ready.then(registration => {{
  const {{ port1, port2 }} = new MessageChannel();
  let answers = 0;
  port1.onmessage = event => {{
    console.log('page got ' + event.data);
    if (++answers === 1) port1.postMessage('ping');
    else {{ {after} }}
  }};
  registration.active.postMessage(null, [port2]);
}}).catch(failed);"#
    ))
}

#[test]
fn ports_through_the_constellation_work_and_leave_nothing_behind() {
    assert_eq!(script::message_ports::routed_count(), 0);
    let (engine, console) = start_engine(None, &[]);
    let server = TestServer::start();
    server.serve_js("/ports/sw.js", PORT_WORKER);
    server.serve_html("/ports/register.html", &register_page());
    server.serve_html("/ports/talk.html", &port_page("done();"));
    server.serve_html(
        "/ports/after-stop.html",
        &port_page("setTimeout(() => { port1.postMessage('to a stopped worker'); done(); }, 600);"),
    );
    run_closed(&engine, &console, &server, "/ports/register.html");

    run_closed(&engine, &console, &server, "/ports/talk.html");
    let answers: Vec<String> = console
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("page got"))
        .collect();
    assert_eq!(answers, ["page got ready", "page got echo ping"]);

    // The worker still holds its end; the page's end is gone with the page.
    let scope = server.url("/ports/");
    assert!(engine.stop_worker(&scope));
    eventually("the stopped worker's ports are forgotten", || {
        script::message_ports::routed_count() == 0
    });

    // A second page: its port goes to a worker that is stopped while the page still talks.
    let stopper = {
        let engine = &engine;
        let console = console.clone();
        let scope = scope.clone();
        move || {
            eventually("the second page's answers", || {
                let pings = console
                    .lines()
                    .iter()
                    .filter(|line| *line == "page got echo ping")
                    .count();
                pings == 2 && engine.is_worker_running(&scope)
            });
        }
    };
    std::thread::scope(|threads| {
        let page =
            threads.spawn(|| run_closed(&engine, &console, &server, "/ports/after-stop.html"));
        stopper();
        // The page waits 600 ms before posting again: stop the worker meanwhile.
        engine.stop_worker(&scope);
        page.join().unwrap();
    });
    assert!(!console.contains("page got echo to a stopped worker"));
    eventually(
        "nothing is routed once the page and the worker have ended",
        || script::message_ports::routed_count() == 0,
    );
}
