//! Events: listeners, bubbling, handlers, custom events and error reporting.

mod common;

use common::run_script;

#[test]
fn events_bubble_through_the_tree_to_the_window() {
    let run = run_script(
        "bubbling",
        r#"
        document.addEventListener("DOMContentLoaded", () => {
          const outer = document.createElement("div");
          const inner = document.createElement("span");
          outer.appendChild(inner);
          document.body.appendChild(outer);
          const log = (label) => (e) => console.log(label, e.eventPhase, e.target === inner, e.currentTarget === null);
          window.addEventListener("ping", log("window-capture"), true);
          window.addEventListener("ping", log("window"));
          document.addEventListener("ping", log("document"));
          outer.addEventListener("ping", log("outer"));
          inner.addEventListener("ping", log("inner"));
          const result = inner.dispatchEvent(new Event("ping", { bubbles: true }));
          console.log("dispatched", result);
          const quiet = new Event("ping");
          inner.dispatchEvent(quiet);
        });
        "#,
    );
    assert_eq!(
        run.lines,
        [
            "window-capture 1 true false",
            "inner 2 true false",
            "outer 3 true false",
            "document 3 true false",
            "window 3 true false",
            "dispatched true",
            "window-capture 1 true false",
            "inner 2 true false"
        ]
    );
}

#[test]
fn an_exception_in_a_listener_is_reported_and_dispatch_continues() {
    let run = run_script(
        "listener-throws",
        r#"
        window.addEventListener("error", (e) => console.log("error event:", e.message.includes("boom"), e.lineno > 0, e.error instanceof Error));
        const t = new EventTarget();
        t.addEventListener("x", () => { throw new Error("boom"); });
        t.addEventListener("x", () => console.log("second listener ran"));
        t.dispatchEvent(new Event("x"));
        console.log("after dispatch");
        "#,
    );
    assert_eq!(
        run.lines,
        [
            "error event: true true true",
            "second listener ran",
            "after dispatch"
        ]
    );
}

#[test]
fn stop_propagation_once_and_prevent_default() {
    let run = run_script(
        "flags",
        r#"
        const t = new EventTarget();
        let n = 0;
        t.addEventListener("once", () => n++, { once: true });
        t.dispatchEvent(new Event("once")); t.dispatchEvent(new Event("once"));
        console.log("once", n);
        t.addEventListener("c", (e) => { e.preventDefault(); e.stopImmediatePropagation(); });
        t.addEventListener("c", () => console.log("not reached"));
        const e = new Event("c", { cancelable: true });
        console.log(t.dispatchEvent(e), e.defaultPrevented);
        const f = () => console.log("removed?");
        t.addEventListener("r", f); t.removeEventListener("r", f); t.dispatchEvent(new Event("r"));
        const obj = { handleEvent(ev) { console.log("handleEvent", ev.type, this === obj); } };
        t.addEventListener("h", obj); t.dispatchEvent(new Event("h"));
        "#,
    );
    assert_eq!(run.lines, ["once 1", "false true", "handleEvent h true"]);
}

#[test]
fn custom_events_carry_detail_and_handlers_work() {
    let run = run_script(
        "custom",
        r#"
        const t = document.createElement("div");
        t.addEventListener("hello", (e) => console.log(e.detail.x, e instanceof CustomEvent, e instanceof Event, e.isTrusted));
        t.dispatchEvent(new CustomEvent("hello", { detail: { x: 7 } }));
        window.onload = () => console.log("onload handler");
        console.log(typeof window.onload);
        window.onload = 5;
        console.log(window.onload);
        window.onload = () => console.log("second handler");
        "#,
    );
    assert_eq!(
        run.lines,
        ["7 true true false", "function", "null", "second handler"]
    );
}

#[test]
fn onerror_handler_receives_the_parts_and_can_cancel() {
    let run = run_script(
        "onerror",
        r#"
        window.onerror = (message, source, lineno, colno, error) => {
          console.log("onerror", typeof message, source.endsWith("page.html"), lineno, error.message);
          return true;
        };
        setTimeout(() => { throw new Error("late"); }, 0);
        "#,
    );
    assert_eq!(run.lines.len(), 1, "{:?}", run.lines);
    assert!(
        run.lines[0].starts_with("onerror string true "),
        "{:?}",
        run.lines
    );
    assert!(run.lines[0].ends_with(" late"), "{:?}", run.lines);
}

#[test]
fn unhandled_rejections_fire_unhandledrejection() {
    let run = run_script(
        "unhandled",
        r#"
        window.addEventListener("unhandledrejection", (e) => console.log("unhandled", e.reason, e.promise instanceof Promise));
        Promise.reject("nope");
        Promise.reject("handled").catch(() => console.log("caught"));
        "#,
    );
    assert_eq!(run.lines, ["caught", "unhandled nope true"]);
}

#[test]
fn event_handler_content_attributes_are_compiled_when_needed() {
    let run = common::run_files(
        "content-attributes",
        r#"<!DOCTYPE html><body onload="console.log('body onload', event.type, this === window)">
        <script src="missing.js" onerror="console.log('script onerror', event.type)"></script>
        <div id="d" onclick="console.log('click', event.target.id); return false"></div>
        <p id="bad" onclick="this is not javascript"></p>
        <script>
          const d = document.getElementById("d");
          console.log(typeof d.onclick === "undefined", d.dispatchEvent(new Event("click", { cancelable: true })));
          window.addEventListener("error", (e) => console.log("syntax error reported", e.message.startsWith("SyntaxError")));
          document.getElementById("bad").dispatchEvent(new Event("click"));
        </script></body>"#,
        &[],
    );
    assert_eq!(
        run.lines,
        [
            "script onerror error",
            "click d",
            "true false",
            "syntax error reported true",
            "body onload load true"
        ]
    );
}

#[test]
fn a_listener_that_refers_to_its_target_does_not_keep_it_alive() {
    // Listeners are traced by their target, not rooted: a target whose only references are
    // its own listeners is garbage. A WeakRef tells, once collections have run (the junk
    // forces them); a target still referenced from script stays.
    let run = run_script(
        "listener-cycle",
        r#"
        function cycle() {
          const t = new EventTarget();
          t.addEventListener("x", () => t.dispatchEvent(new Event("y")));
          t.addEventListener("y", { handleEvent() { return t; } });
          return new WeakRef(t);
        }
        const gone = cycle();
        const kept = new EventTarget();
        let calls = 0;
        kept.addEventListener("x", () => { calls++; return kept; });
        const stays = new WeakRef(kept);
        let rounds = 0;
        function churn() {
          const junk = [];
          for (let i = 0; i < 500; i++) junk.push(new ArrayBuffer(100000));
          rounds++;
          if (gone.deref() === undefined || rounds === 50) {
            console.log("cycle collected", gone.deref() === undefined);
            console.log("referenced target kept", stays.deref() === kept);
            kept.dispatchEvent(new Event("x"));
            console.log("its listener still runs", calls);
            return;
          }
          setTimeout(churn, 0);
        }
        setTimeout(churn, 0);
        "#,
    );
    assert_eq!(
        run.lines,
        [
            "cycle collected true",
            "referenced target kept true",
            "its listener still runs 1"
        ]
    );
}

#[test]
fn listeners_removed_and_added_during_dispatch_survive_collections() {
    // The first listener removes the second and third, collects (junk), and adds the third
    // again. The dispatch skips both removed entries (the DOM's rule: the new entry is not in
    // this dispatch's list). The third, now held only by the target's list, is called by the
    // next dispatch after another collection, which also shows the list traces it.
    let run = run_script(
        "listener-removed-mid-dispatch",
        r#"
        const t = new EventTarget();
        const second = () => console.log("second (must not run)");
        let third = () => console.log("third ran");
        t.addEventListener("x", () => {
          t.removeEventListener("x", second);
          t.removeEventListener("x", third);
          const junk = [];
          for (let i = 0; i < 2000; i++) junk.push(new ArrayBuffer(100000), {i});
          t.addEventListener("x", third);
          console.log("first ran");
        });
        t.addEventListener("x", second);
        t.addEventListener("x", third);
        t.dispatchEvent(new Event("x"));
        third = null;
        const junk = [];
        for (let i = 0; i < 2000; i++) junk.push(new ArrayBuffer(100000), {i});
        t.dispatchEvent(new Event("x"));
        "#,
    );
    assert_eq!(run.lines, ["first ran", "first ran", "third ran"]);
}

#[test]
fn an_event_handler_keeps_the_place_it_was_first_set_at() {
    // HTML: the first non-null value registers the handler's listener at that place; a new
    // value keeps the place; null removes it, and the next value goes last. A handler cleared
    // by an earlier listener of the same dispatch is not called.
    let run = run_script(
        "handler-place",
        r#"
        const log = [];
        let clearing = false;
        addEventListener("load", () => { log.push("A"); if (clearing) onload = null; });
        onload = () => log.push("H1");
        addEventListener("load", () => log.push("B"));
        onload = () => log.push("H2");
        dispatchEvent(new Event("load"));
        onload = null;
        onload = () => log.push("H3");
        dispatchEvent(new Event("load"));
        log.push("|");
        clearing = true;
        dispatchEvent(new Event("load"));
        console.log(log.join(" "));
        "#,
    );
    assert_eq!(run.lines, ["A H2 B A B H3 | A B"]);
}

#[test]
fn at_the_target_capturing_listeners_run_first() {
    // The DOM (since 2021), as browsers do: the target's capturing listeners are called in the
    // capturing pass, its others in the bubbling pass, whatever the order they were added in.
    let run = run_script(
        "at-target-order",
        r#"
        const t = new EventTarget();
        const log = [];
        t.addEventListener("x", () => log.push("bubble 1"));
        t.addEventListener("x", () => log.push("capture 1"), true);
        t.addEventListener("x", () => log.push("bubble 2"));
        t.addEventListener("x", (e) => { log.push("capture 2 " + e.eventPhase); }, {capture: true});
        t.dispatchEvent(new Event("x"));
        const stopped = new EventTarget();
        stopped.addEventListener("x", () => log.push("not called"));
        stopped.addEventListener("x", (e) => { log.push("stops"); e.stopPropagation(); }, true);
        stopped.dispatchEvent(new Event("x"));
        console.log(log.join(", "));
        "#,
    );
    assert_eq!(
        run.lines,
        ["capture 1, capture 2 2, bubble 1, bubble 2, stops"]
    );
}

#[test]
fn promise_reactions_of_a_listener_run_before_the_next_when_the_engine_fires_the_event() {
    // HTML's "clean up after running a callback": after each listener of an event the engine
    // fires (here `load`), with no script left on the stack, a microtask checkpoint runs. An
    // event dispatched by script (`dispatchEvent`) runs its listeners inside that script, so
    // their reactions wait for it to end.
    let run = run_script(
        "checkpoint-after-listeners",
        r#"
        const log = [];
        const first = tag => () => { Promise.resolve().then(() => log.push(tag + " reaction")); log.push(tag + " first"); };
        const second = tag => () => log.push(tag + " second");
        addEventListener("load", first("load"));
        addEventListener("load", second("load"));
        addEventListener("load", () => console.log(log.join(", ")));
        const t = new EventTarget();
        t.addEventListener("x", first("script"));
        t.addEventListener("x", second("script"));
        t.dispatchEvent(new Event("x"));
        log.push("script end");
        "#,
    );
    assert_eq!(
        run.lines,
        ["script first, script second, script end, script reaction, load first, load reaction, load second"]
    );
}
