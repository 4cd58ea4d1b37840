// META: title=EventTarget: dispatch order, flags and listener options

test(() => {
  const outer = document.createElement("div");
  const inner = document.createElement("span");
  outer.appendChild(inner);
  document.body.appendChild(outer);
  const log = [];
  window.addEventListener("x", () => log.push("window-capture"), true);
  outer.addEventListener("x", () => log.push("outer-capture"), true);
  inner.addEventListener("x", () => log.push("inner"));
  outer.addEventListener("x", () => log.push("outer-bubble"));
  document.addEventListener("x", () => log.push("document-bubble"));
  inner.dispatchEvent(new Event("x", { bubbles: true }));
  assert_array_equals(log, ["window-capture", "outer-capture", "inner", "outer-bubble", "document-bubble"]);
  outer.remove();
}, "capture from the window down, then bubble up to the document");

test(() => {
  const target = new EventTarget();
  let calls = 0;
  target.addEventListener("once", () => calls++, { once: true });
  target.dispatchEvent(new Event("once"));
  target.dispatchEvent(new Event("once"));
  assert_equals(calls, 1);
}, "a once listener runs once");

test(() => {
  const target = new EventTarget();
  const log = [];
  target.addEventListener("s", (e) => { log.push(1); e.stopImmediatePropagation(); });
  target.addEventListener("s", () => log.push(2));
  target.dispatchEvent(new Event("s"));
  assert_array_equals(log, [1]);
}, "stopImmediatePropagation skips the remaining listeners");

test(() => {
  const target = new EventTarget();
  target.addEventListener("c", (e) => e.preventDefault());
  assert_false(target.dispatchEvent(new Event("c", { cancelable: true })), "cancelable");
  assert_true(target.dispatchEvent(new Event("c")), "not cancelable");
}, "dispatchEvent returns false for a canceled event");

test(() => {
  const event = new Event("busy");
  const target = new EventTarget();
  target.addEventListener("busy", () => {
    assert_throws_dom("InvalidStateError", () => target.dispatchEvent(event));
  });
  target.dispatchEvent(event);
}, "redispatching an event during its dispatch throws InvalidStateError");

test(() => {
  const target = new EventTarget();
  const listener = { handleEvent(e) { this.seen = e.type; } };
  target.addEventListener("h", listener);
  target.dispatchEvent(new Event("h"));
  assert_equals(listener.seen, "h");
}, "an object listener's handleEvent is called with the object as this");
