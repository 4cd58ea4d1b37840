//! Web IDL conformance of the generated bindings: property descriptors, function lengths
//! and names, toString tags, inheritance, and the TypeError cases.

mod common;

use common::run_script;

fn check(name: &str, script: &str, expected: &[&str]) {
    let run = run_script(name, script);
    assert_eq!(run.lines, expected, "{name}");
}

#[test]
fn operations_are_enumerable_writable_configurable_on_the_prototype() {
    check(
        "op-descriptor",
        r#"
        const d = Object.getOwnPropertyDescriptor(EventTarget.prototype, "addEventListener");
        console.log(typeof d.value, d.writable, d.enumerable, d.configurable);
        console.log(EventTarget.prototype.addEventListener.length, EventTarget.prototype.addEventListener.name);
        console.log(Node.prototype.appendChild.length, Document.prototype.getElementById.length);
        "#,
        &["function true true true", "2 addEventListener", "1 1"],
    );
}

#[test]
fn attributes_are_accessors_named_get_and_set() {
    check(
        "attr-descriptor",
        r#"
        const d = Object.getOwnPropertyDescriptor(Node.prototype, "textContent");
        console.log(typeof d.get, typeof d.set, d.enumerable, d.configurable, d.get.name, d.set.name);
        const r = Object.getOwnPropertyDescriptor(Node.prototype, "parentNode");
        console.log(typeof r.get, r.set);
        "#,
        &[
            "function function true true get textContent set textContent",
            "function undefined",
        ],
    );
}

#[test]
fn interface_objects_constructors_and_inheritance() {
    check(
        "interfaces",
        r#"
        const d = Object.getOwnPropertyDescriptor(window, "Event");
        console.log(d.enumerable, d.writable, d.configurable);
        console.log(Event.name, Event.length, CustomEvent.length, Object.getPrototypeOf(CustomEvent) === Event);
        console.log(Object.getPrototypeOf(CustomEvent.prototype) === Event.prototype, Event.prototype.constructor === Event);
        const p = Object.getOwnPropertyDescriptor(Event, "prototype");
        console.log(p.writable, p.enumerable, p.configurable);
        console.log(Object.prototype.toString.call(new Event("x")), Object.prototype.toString.call(Event.prototype));
        console.log(document instanceof Node, document instanceof EventTarget, window instanceof EventTarget);
        console.log(Node.ELEMENT_NODE, Node.prototype.COMMENT_NODE, document.documentElement.nodeType);
        class MyEvent extends Event { hello() { return "hi"; } }
        const m = new MyEvent("m");
        console.log(m.hello(), m.type, m instanceof Event);
        "#,
        &[
            "false true true",
            "Event 1 1 true",
            "true true",
            "false false false",
            "[object Event] [object Event]",
            "true true true",
            "1 8 1",
            "hi m true",
        ],
    );
}

#[test]
fn type_errors_for_missing_arguments_wrong_this_and_illegal_constructors() {
    check(
        "typeerrors",
        r#"
        const attempt = (f) => { try { f(); console.log("no error"); } catch (e) { console.log(e.constructor.name, e.message); } };
        attempt(() => document.getElementById());
        attempt(() => Node.prototype.appendChild.call({}, document.body));
        attempt(() => new Node());
        attempt(() => Event("x"));
        attempt(() => document.documentElement.appendChild("not a node"));
        attempt(() => new EventTarget().addEventListener("x", 5));
        "#,
        &[
            "TypeError Failed to execute 'getElementById' on 'Document': 1 argument required, but only 0 present.",
            "TypeError 'appendChild' called on an object that does not implement interface Node.",
            "TypeError Illegal constructor",
            "TypeError Failed to construct 'Event': Please use the 'new' operator, this DOM object constructor cannot be called as a function.",
            "TypeError Node.appendChild: value is not of type 'Node'.",
            "TypeError EventTarget.addEventListener: The provided value is not an object.",
        ],
    );
}

#[test]
fn conversions_call_tostring_and_valueof_in_argument_order() {
    check(
        "conversion-order",
        r#"
        const seen = [];
        const a = { toString() { seen.push("a"); return "t"; } };
        const b = { valueOf() { seen.push("b"); return 1; } };
        new EventTarget().dispatchEvent(new Event(a, { bubbles: b }));
        console.log(seen.join(","));
        const e = new Event(a, { get cancelable() { seen.push("cancelable"); return true; }, get bubbles() { seen.push("bubbles"); return false; } });
        console.log(seen.join(","), e.type, e.cancelable);
        "#,
        &["a", "a,a,bubbles,cancelable t true"],
    );
}

#[test]
fn unforgeable_and_replaceable_members() {
    check(
        "unforgeable",
        r#"
        const d = Object.getOwnPropertyDescriptor(window, "document");
        console.log(typeof d.get, d.configurable);
        const l = Object.getOwnPropertyDescriptor(location, "href");
        console.log(typeof l.get, l.configurable);
        self = 5;
        console.log(self);
        console.log(Object.getOwnPropertyDescriptor(new Event("x"), "isTrusted").configurable);
        "#,
        &["function false", "function false", "5", "false"],
    );
}

#[test]
fn domexception_names_codes_and_prototype() {
    check(
        "domexception",
        r#"
        const e = new DOMException("msg", "NotFoundError");
        console.log(e.name, e.message, e.code, DOMException.NOT_FOUND_ERR, e instanceof DOMException);
        console.log(new DOMException().name, new DOMException("m", "Custom").code);
        "#,
        &["NotFoundError msg 8 8 true", "Error 0"],
    );
}

#[test]
fn console_format_strings_groups_counters_and_tables() {
    // Workbox's dev logs: a `%c` prefix with its style, inside collapsed groups.
    check(
        "console-more",
        r#"
        console.log("%cworkbox", "background: #341da1; color: white", "Router is responding to:", "/api");
        console.log("%s is %d years, %i%%, %f, %o", "Ann", "42.9", 7.5, "1.25", { a: [1] }, "extra");
        console.log("%d %s", 1);
        console.groupCollapsed("%cworkbox", "color: red", "group");
        console.log("inside");
        console.group();
        console.warn("deeper");
        console.groupEnd();
        console.groupEnd();
        console.groupEnd();
        console.log("outside");
        console.count(); console.count(); console.count("x"); console.countReset(); console.count();
        console.countReset("nope");
        console.time("t"); console.time("t"); console.timeEnd("nope");
        console.table([{ a: 1, b: "x" }, { a: 2, c: true }]);
        console.table({ one: 1, two: [2] }, ["b"]);
        console.table("not tabular");
        console.dir({ k: 1 });
        "#,
        &[
            "workbox Router is responding to: /api",
            "Ann is 42 years, 7%, 1.25, { a: [1] } extra",
            "1 %s",
            "workbox group",
            "  inside",
            "  console.group",
            "    deeper",
            "outside",
            "default: 1",
            "default: 2",
            "x: 1",
            "default: 1",
            "Count for 'nope' does not exist",
            "Timer 't' already exists",
            "Timer 'nope' does not exist",
            "┌─────────┬───┬─────┬──────┐\n\
             │ (index) │ a │ b   │ c    │\n\
             ├─────────┼───┼─────┼──────┤\n\
             │ 0       │ 1 │ \"x\" │      │\n\
             │ 1       │ 2 │     │ true │\n\
             └─────────┴───┴─────┴──────┘",
            "┌─────────┬────────┐\n\
             │ (index) │ Values │\n\
             ├─────────┼────────┤\n\
             │ one     │ 1      │\n\
             │ two     │        │\n\
             └─────────┴────────┘",
            "not tabular",
            "{ k: 1 }",
        ],
    );
}

#[test]
fn console_formats_values_like_a_browser() {
    check(
        "console-format",
        r#"
        console.log("s", 1, 1.5, -0, true, null, undefined, [1, "a"], { x: { y: 2 } }, new Error("e"), Symbol("q"), 10n);
        console.log(document.documentElement, function named() {});
        console.info("info"); console.warn("warn"); console.error("error"); console.debug("debug");
        console.assert(1 === 2, "nope");
        "#,
        &[
            "s 1 1.5 -0 true null undefined [1, \"a\"] { x: { y: 2 } } Error: e Symbol(q) 10n",
            "[object HTMLElement] [Function: named]",
            "info",
            "warn",
            "error",
            "debug",
            "Assertion failed: nope",
        ],
    );
}
