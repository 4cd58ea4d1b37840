// META: global=window,dedicatedworker,serviceworker
// META: title=Streams: WritableStream with its default controller and default writer
"use strict";

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

promise_test(async () => {
  const log = [];
  let release;
  const stream = new WritableStream({
    start(controller) {
      log.push(["start", controller instanceof WritableStreamDefaultController]);
    },
    write(chunk, controller) {
      log.push(["write", chunk]);
      return new Promise((resolve) => { release = resolve; });
    },
    close() {
      log.push(["close"]);
    },
  });
  const writer = stream.getWriter();
  assert_true(writer instanceof WritableStreamDefaultWriter);
  assert_true(stream.locked);
  await writer.ready;
  const first = writer.write("a");
  const second = writer.write("b");
  assert_equals(writer.desiredSize, -1, "two chunks queued against a high water mark of 1");
  await flush();
  assert_array_equals(log.map(String), ["start,true", "write,a"], "one write at a time");
  release();
  await first;
  await flush();
  assert_array_equals(log.map(String), ["start,true", "write,a", "write,b"]);
  release();
  await second;
  await writer.close();
  assert_array_equals(log.map(String), ["start,true", "write,a", "write,b", "close"]);
  assert_equals(await writer.closed, undefined);
  assert_equals(writer.desiredSize, 0, "a closed stream wants nothing");
}, "writes go to the sink one at a time, in order, then close()");

promise_test(async () => {
  let resolveWrite;
  const stream = new WritableStream({
    write() { return new Promise((resolve) => { resolveWrite = resolve; }); },
  }, { highWaterMark: 2 });
  const writer = stream.getWriter();
  writer.write("1");
  writer.write("2");
  let ready = false;
  writer.ready.then(() => { ready = true; });
  await flush();
  assert_false(ready, "ready waits while the queue is full");
  resolveWrite();
  await flush();
  assert_true(ready, "a finished write makes room");
}, "backpressure: ready waits until the queue has room");

promise_test(async (t) => {
  const error = new Error("sink failed");
  const stream = new WritableStream({ write() { throw error; } });
  const writer = stream.getWriter();
  await promise_rejects_exactly(t, error, writer.write("x"), "the write rejects with the sink's error");
  await promise_rejects_exactly(t, error, writer.closed, "the stream is errored");
  await promise_rejects_exactly(t, error, writer.write("y"), "later writes reject too");
  await promise_rejects_exactly(t, error, writer.ready);
}, "a sink write that throws errors the stream");

promise_test(async (t) => {
  const log = [];
  let signal;
  const stream = new WritableStream({
    start(controller) { signal = controller.signal; },
    write() { log.push("write"); },
    abort(reason) { log.push(`abort ${reason}`); },
  });
  assert_true(signal instanceof AbortSignal);
  const writer = stream.getWriter();
  const aborted = writer.abort("enough");
  assert_true(signal.aborted, "abort() signals the controller's signal");
  assert_equals(signal.reason, "enough");
  await aborted;
  assert_array_equals(log, ["abort enough"]);
  await promise_rejects_exactly(t, "enough", writer.closed);
  await promise_rejects_exactly(t, "enough", writer.write("late"));
}, "abort() calls the sink's abort and errors the stream with the reason");

promise_test(async (t) => {
  const stream = new WritableStream();
  const writer = stream.getWriter();
  assert_throws_js(TypeError, () => stream.getWriter(), "one writer at a time");
  await promise_rejects_js(t, TypeError, stream.close(), "a locked stream's close()");
  await promise_rejects_js(t, TypeError, stream.abort(), "a locked stream's abort()");
  writer.releaseLock();
  await promise_rejects_js(t, TypeError, writer.closed, "a released writer's closed rejects");
  await promise_rejects_js(t, TypeError, writer.write("x"));
  assert_throws_js(TypeError, () => writer.desiredSize);
  assert_false(stream.locked);
  await stream.close();
  await promise_rejects_js(t, TypeError, stream.getWriter().write("after close"));
}, "a writer locks its stream until releaseLock()");

promise_test(async (t) => {
  let controller;
  const stream = new WritableStream({ start(c) { controller = c; } });
  const writer = stream.getWriter();
  const error = new Error("from the controller");
  controller.error(error);
  await promise_rejects_exactly(t, error, writer.closed);
  assert_equals(writer.desiredSize, null);
}, "controller.error() errors the stream");

promise_test(async (t) => {
  const stream = new WritableStream({}, { highWaterMark: 10, size(chunk) { return chunk.length; } });
  const writer = stream.getWriter();
  assert_equals(writer.desiredSize, 10);
  writer.write("abcd");
  assert_equals(writer.desiredSize, 6, "the strategy's size counts");
  assert_throws_js(RangeError, () => new WritableStream({}, { highWaterMark: -1 }));
  assert_throws_js(RangeError, () => new WritableStream({ type: "bytes" }));
  const bad = new WritableStream({}, { size() { return -1; } }).getWriter();
  await promise_rejects_js(t, RangeError, bad.write("x"), "a negative size errors the stream");
}, "the strategy and the constructor's checks");
