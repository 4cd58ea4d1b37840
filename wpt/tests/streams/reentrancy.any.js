// META: global=window,dedicatedworker
// META: title=Streams: sources, sinks and transformers that call back into their stream
// Bad input: script that re-enters a stream from inside its own callbacks gets the spec's
// errors (or nothing), and the engine stays up.
"use strict";

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

promise_test(async () => {
  let controller;
  let depth = 0;
  const stream = new ReadableStream({
    start(c) { controller = c; },
  }, {
    highWaterMark: 100,
    size(chunk) {
      // Enqueue from inside size(): the inner chunk goes first.
      if (depth++ === 0) controller.enqueue("inner");
      return 1;
    },
  });
  controller.enqueue("outer");
  const reader = stream.getReader();
  assert_object_equals(await reader.read(), { value: "inner", done: false });
  assert_object_equals(await reader.read(), { value: "outer", done: false });
}, "enqueue() from inside the strategy's size()");

promise_test(async (t) => {
  let controller;
  const error = new Error("from size");
  const stream = new ReadableStream({ start(c) { controller = c; } }, {
    size() {
      controller.error(error);
      return 1;
    },
  });
  controller.enqueue("x");
  assert_equals(controller.desiredSize, null, "the stream errored inside size()");
  assert_throws_js(TypeError, () => controller.enqueue("y"), "and takes no more chunks");
  await promise_rejects_exactly(t, error, stream.getReader().closed);
}, "error() from inside size()");

promise_test(async () => {
  let reader;
  const stream = new ReadableStream({
    pull(c) {
      reader.releaseLock();
      c.enqueue("kept");
    },
  }, { highWaterMark: 0 });
  reader = stream.getReader();
  const read = reader.read();
  await read.then(() => {}, () => {});
  assert_false(stream.locked, "released from inside pull()");
  assert_object_equals(await stream.getReader().read(), { value: "kept", done: false });
}, "releaseLock() from inside pull()");

promise_test(async () => {
  const stream = new ReadableStream({
    pull(c) {
      c.close();
      assert_throws_js(TypeError, () => c.enqueue("late"));
      assert_throws_js(TypeError, () => c.close());
    },
  });
  const reader = stream.getReader();
  assert_object_equals(await reader.read(), { value: undefined, done: true });
}, "close() then enqueue() and close() again from inside pull()");

promise_test(async () => {
  const stream = new ReadableStream({
    start(c) { c.enqueue(1); c.enqueue(2); c.close(); },
  });
  const [a, b] = stream.tee();
  const reader = a.getReader();
  const first = await reader.read();
  assert_equals(first.value, 1);
  const b_canceled = b.cancel("b");
  const rest = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest.push(value);
  }
  assert_array_equals(rest, [2], "the branch left gets the rest");
  assert_equals(await b_canceled, undefined, "the canceled branch's cancel ends with the stream");
}, "canceling one tee branch while the other reads on");

promise_test(async (t) => {
  let writer;
  const log = [];
  const stream = new WritableStream({
    write(chunk) {
      log.push(chunk);
      writer.abort("from write");
    },
    abort(reason) { log.push(`abort ${reason}`); },
  });
  writer = stream.getWriter();
  const written = writer.write("a");
  await written;
  await promise_rejects_exactly(t, "from write", writer.closed);
  assert_array_equals(log, ["a", "abort from write"], "the abort waits for the write in flight");
}, "abort() from inside a sink's write()");

promise_test(async (t) => {
  let controller;
  const stream = new WritableStream({
    start(c) { controller = c; },
    write() { controller.error(new TypeError("inside")); },
    close() { assert_unreached("an errored stream does not close"); },
  });
  const writer = stream.getWriter();
  await writer.write("a").then(() => {}, () => {});
  await promise_rejects_js(t, TypeError, writer.close());
}, "controller.error() from inside write()");

promise_test(async () => {
  const stream = new TransformStream({
    transform(chunk, c) {
      c.terminate();
      assert_throws_js(TypeError, () => c.enqueue("after"), "no enqueue after terminate()");
    },
  });
  const writer = stream.writable.getWriter();
  writer.write("x").catch(() => {});
  const reader = stream.readable.getReader();
  assert_object_equals(await reader.read(), { value: undefined, done: true });
}, "terminate() from inside transform()");

promise_test(async (t) => {
  const sourceError = new Error("pull failed");
  let pulls = 0;
  const source = new ReadableStream({
    pull(c) {
      if (++pulls === 3) throw sourceError;
      c.enqueue(pulls);
    },
  });
  const written = [];
  const dest = new WritableStream({ write(chunk) { written.push(chunk); } });
  await promise_rejects_exactly(t, sourceError, source.pipeTo(dest));
  assert_array_equals(written, [1, 2], "what was read was written first");
  await promise_rejects_exactly(t, sourceError, dest.getWriter().closed, "the destination was aborted");
}, "a pipe whose source fails partway");

promise_test(async (t) => {
  const throwing = {};
  Object.defineProperty(throwing, "start", { get() { throw new RangeError("getter"); } });
  assert_throws_js(RangeError, () => new ReadableStream(throwing), "a throwing getter on the source");
  assert_throws_js(RangeError, () => new WritableStream(throwing));
  assert_throws_js(RangeError, () => new TransformStream(throwing));
  const huge = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(8)); c.close(); } }, { highWaterMark: Infinity });
  assert_equals(await new Response(huge).text(), "\0".repeat(8));
}, "hostile source objects");
