// META: global=window,dedicatedworker,serviceworker
// META: title=Transferring MessagePorts within one global, and ArrayBuffers
"use strict";

function next_message(port) {
  return new Promise((resolve) => { port.onmessage = resolve; });
}

promise_test(async () => {
  const carrier = new MessageChannel();
  const channel = new MessageChannel();
  // Posted before the transfer: it travels with port2.
  channel.port1.postMessage("sent before the transfer");
  const arrived = next_message(carrier.port2);
  carrier.port1.postMessage({ note: "here is a port" }, [channel.port2]);
  const event = await arrived;
  assert_equals(event.data.note, "here is a port");
  assert_equals(event.ports.length, 1);
  const moved = event.ports[0];
  assert_true(moved instanceof MessagePort);
  assert_not_equals(moved, channel.port2, "a new object in the receiving global");
  const first = await next_message(moved);
  assert_equals(first.data, "sent before the transfer");
  const second = next_message(moved);
  channel.port1.postMessage("sent after");
  assert_equals((await second).data, "sent after");
  const back = next_message(channel.port1);
  moved.postMessage("and back");
  assert_equals((await back).data, "and back");
}, "a transferred port keeps its channel and the messages that waited for it, in order");

test(() => {
  const { port1, port2 } = new MessageChannel();
  const other = new MessageChannel();
  other.port1.postMessage(null, [port2]);
  assert_throws_dom("DataCloneError", () => other.port1.postMessage(null, [port2]),
                    "a transferred port cannot be transferred again");
  port2.postMessage("goes nowhere");
  assert_throws_dom("DataCloneError", () => port1.postMessage(null, [port1]),
                    "a port cannot be sent through itself");
  const { port1: a } = new MessageChannel();
  assert_throws_dom("DataCloneError", () => other.port1.postMessage(null, [a, a]),
                    "a port listed twice");
  assert_throws_dom("DataCloneError", () => other.port1.postMessage(null, [{}]),
                    "a plain object is not transferable");
  assert_throws_dom("DataCloneError", () => other.port1.postMessage({ a }, []),
                    "a port in the message must be in the transfer list");
}, "what cannot be transferred throws DataCloneError");

promise_test(async (t) => {
  const { port1, port2 } = new MessageChannel();
  port2.onmessage = t.unreached_func("the message to a port sent through its own channel is lost");
  port1.postMessage("lost", [port2]);
  await new Promise((resolve) => t.step_timeout(resolve, 100));
}, "posting a port's other end through it loses the message, and throws nothing");

promise_test(async () => {
  const carrier = new MessageChannel();
  const { port1: a } = new MessageChannel();
  const { port1: b } = new MessageChannel();
  const arrived = next_message(carrier.port2);
  carrier.port1.postMessage({ second: b }, [a, b]);
  const event = await arrived;
  assert_equals(event.ports.length, 2, "every transferred port, in transfer order");
  assert_equals(event.data.second, event.ports[1], "the port in the data is the one in ports");
  assert_not_equals(event.ports[0], event.ports[1]);
}, "event.ports lists the transferred ports, also those not in the message");

promise_test(async () => {
  const { port1, port2 } = new MessageChannel();
  const clone = structuredClone({ port: port2 }, { transfer: [port2] });
  assert_true(clone.port instanceof MessagePort);
  assert_not_equals(clone.port, port2);
  const received = next_message(clone.port);
  port1.postMessage("through the clone");
  assert_equals((await received).data, "through the clone");
}, "structuredClone() transfers a port into a new port of the same global");

test(() => {
  const buffer = new Uint8Array([1, 2, 3]).buffer;
  const clone = structuredClone(buffer, { transfer: [buffer] });
  assert_equals(buffer.byteLength, 0, "the original is detached");
  assert_array_equals(new Uint8Array(clone), [1, 2, 3]);
}, "structuredClone() transfers an ArrayBuffer");

test(() => {
  const closed = new MessageChannel();
  const carrier = new MessageChannel();
  closed.port1.close();
  assert_throws_dom("DataCloneError", () => carrier.port1.postMessage(null, [closed.port1]),
                    "a closed port cannot be transferred");
  carrier.port1.postMessage(null, [closed.port2]);
}, "close() detaches the port, not the one it was entangled with");
