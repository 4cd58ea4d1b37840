//! MessagePorts across threads on real pages: order under load, and that the process's port
//! router keeps nothing once the pages and workers that held the ports have ended. One test
//! function, so no other page of this binary runs meanwhile.

mod common;

use common::run_files;
use script::page::PageOutcome;

#[test]
fn ports_between_a_page_and_its_workers_keep_order_and_leave_nothing_behind() {
    assert_eq!(script::message_ports::routed_count(), 0);

    // Five thousand messages each way through a port the page gave its worker.
    let run = run_files(
        "ports-order",
        r#"<script>
        const w = new Worker("w.js");
        const { port1, port2 } = new MessageChannel();
        let next = 0, wrong = 0;
        port1.onmessage = e => {
            if (e.data !== next) wrong++;
            if (++next === 5000) { console.log("page got 5000, out of order: " + wrong); port1.close(); }
        };
        w.postMessage(null, [port2]);
        for (let i = 0; i < 5000; i++) port1.postMessage(i);
        </script>"#,
        &[(
            "w.js",
            br#"
            onmessage = e => {
                const port = e.ports[0];
                let next = 0, wrong = 0;
                port.onmessage = m => {
                    if (m.data !== next) wrong++;
                    port.postMessage(next++);
                    if (next === 5000) console.log("worker got 5000, out of order: " + wrong);
                };
            };
            "#,
        )],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    // The two threads' lines may come in either order.
    let mut lines = run.lines.clone();
    lines.sort();
    assert_eq!(
        lines,
        [
            "page got 5000, out of order: 0",
            "worker got 5000, out of order: 0"
        ]
    );
    assert_eq!(
        script::message_ports::routed_count(),
        0,
        "after ports-order"
    );

    // Ports left open in a worker and in the page, a port sent to a terminated worker, a
    // port in a message nobody reads, and a port passed on twice.
    let run = run_files(
        "ports-leftovers",
        r#"<script>
        const w = new Worker("w.js");
        const kept = new MessageChannel();
        w.postMessage("keep", [kept.port2]);
        const t = new Worker("w.js");
        t.terminate();
        const lost = new MessageChannel();
        t.postMessage("lost", [lost.port2]);
        lost.port1.postMessage("into the void");
        const relay = new MessageChannel();
        const c = new MessageChannel();
        relay.port1.postMessage(null, [c.port1]);
        relay.port2.onmessage = e => {
            w.postMessage("again", [e.ports[0]]);
            console.log("passed on");
        };
        </script>"#,
        &[("w.js", b"onmessage = e => { self.kept = e.ports; };")],
    );
    assert_eq!(run.outcome, PageOutcome::Idle);
    assert_eq!(run.lines, ["passed on"]);
    assert_eq!(
        script::message_ports::routed_count(),
        0,
        "after ports-leftovers"
    );
}
