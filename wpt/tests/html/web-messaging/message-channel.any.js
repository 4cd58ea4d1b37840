// META: global=window,dedicatedworker,serviceworker
// META: title=MessageChannel and MessagePort within one global
"use strict";

function next_message(port) {
  return new Promise((resolve) => { port.onmessage = resolve; });
}

promise_test(async () => {
  const channel = new MessageChannel();
  assert_true(channel.port1 instanceof MessagePort);
  assert_true(channel.port2 instanceof MessagePort);
  assert_true(channel.port1 instanceof EventTarget);
  assert_equals(channel.port1, channel.port1, "[SameObject]-like: the same port each time");
  const received = next_message(channel.port2);
  const value = { text: "hi", list: [1, 2, 3], when: new Date(0) };
  channel.port1.postMessage(value);
  const event = await received;
  assert_true(event instanceof MessageEvent);
  assert_not_equals(event.data, value, "a structured clone");
  assert_equals(event.data.text, "hi");
  assert_array_equals(event.data.list, [1, 2, 3]);
  assert_true(event.data.when instanceof Date);
  assert_equals(event.origin, "");
  assert_equals(event.source, null);
  assert_array_equals(event.ports, []);
  assert_true(event.isTrusted);
}, "a message posted on one end is a message event at the other, with a clone of the data");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  let delivered = false;
  port2.onmessage = () => { delivered = true; };
  port1.postMessage("x");
  assert_false(delivered, "not synchronously");
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert_true(delivered, "in a task");
  const back = next_message(port1);
  port2.postMessage("back");
  assert_equals((await back).data, "back", "both ways");
}, "messages arrive in a task, both ways");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const seen = [];
  port2.addEventListener("message", (event) => seen.push(event.data));
  port1.postMessage(1);
  port1.postMessage(2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert_array_equals(seen, [], "addEventListener alone does not start the port");
  port2.start();
  port1.postMessage(3);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert_array_equals(seen, [1, 2, 3], "start() delivers what waited, in order");
}, "the port message queue waits for start(); setting onmessage starts it");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const seen = [];
  port2.onmessage = (event) => seen.push(event.data);
  port1.postMessage("before");
  await new Promise((resolve) => setTimeout(resolve, 50));
  port1.close();
  port1.postMessage("after");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert_array_equals(seen, ["before"], "nothing after close()");
  port2.postMessage("to a closed port");
  port1.close();
}, "after close(), messages are not delivered");

test(() => {
  const { port1 } = new MessageChannel();
  assert_throws_dom("DataCloneError", () => port1.postMessage(() => {}));
  assert_throws_dom("DataCloneError", () => port1.postMessage({ f: Symbol("s") }));
  assert_throws_js(TypeError, () => port1.postMessage());
}, "postMessage() of what cannot be cloned throws DataCloneError");

promise_test(async (t) => {
  const { port1, port2 } = new MessageChannel();
  assert_false("onclose" in MessagePort.prototype, "no onclose attribute");
  port1.addEventListener("close", t.unreached_func("no close event at the other end"));
  port2.addEventListener("close", t.unreached_func("no close event at the closed end"));
  port1.start();
  port2.close();
  await new Promise((resolve) => t.step_timeout(resolve, 50));
}, "closing a port fires no close event, and ports have no onclose");
