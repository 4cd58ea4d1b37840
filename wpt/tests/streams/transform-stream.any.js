// META: global=window,dedicatedworker,serviceworker
// META: title=Streams: TransformStream, pipeTo() and pipeThrough()
"use strict";

async function collect(readable) {
  const chunks = [];
  for await (const chunk of readable) chunks.push(chunk);
  return chunks;
}

function source(...chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

promise_test(async () => {
  const doubled = new TransformStream({
    transform(chunk, controller) {
      assert_true(controller instanceof TransformStreamDefaultController);
      controller.enqueue(chunk);
      controller.enqueue(chunk);
    },
    flush(controller) { controller.enqueue("end"); },
  });
  assert_true(doubled.readable instanceof ReadableStream);
  assert_true(doubled.writable instanceof WritableStream);
  const out = source("a", "b").pipeThrough(doubled);
  assert_equals(out, doubled.readable, "pipeThrough() returns the readable side");
  assert_array_equals(await collect(out), ["a", "a", "b", "b", "end"]);
}, "a transformer's transform and flush");

promise_test(async () => {
  const identity = new TransformStream();
  const writer = identity.writable.getWriter();
  writer.write(1);
  writer.write(2);
  writer.close();
  assert_array_equals(await collect(identity.readable), [1, 2], "no transform passes chunks on");
}, "an identity TransformStream");

promise_test(async (t) => {
  const error = new Error("transform failed");
  const failing = new TransformStream({ transform() { throw error; } });
  const piped = source("x").pipeThrough(failing);
  await promise_rejects_exactly(t, error, piped.getReader().read(), "the readable side errors");
}, "a transform that throws errors both sides");

promise_test(async () => {
  const stream = new TransformStream({
    start(controller) { controller.enqueue("only"); controller.terminate(); },
  });
  assert_array_equals(await collect(stream.readable), ["only"], "terminate() closes the readable side");
}, "terminate()");

promise_test(async () => {
  const written = [];
  const dest = new WritableStream({ write(chunk) { written.push(chunk); } });
  await source(1, 2, 3).pipeTo(dest);
  assert_array_equals(written, [1, 2, 3]);
  assert_equals(dest.getWriter().desiredSize, 0, "the destination was closed");
}, "pipeTo() writes every chunk, then closes the destination");

promise_test(async (t) => {
  const error = new Error("source broke");
  let abortReason;
  const dest = new WritableStream({ abort(reason) { abortReason = reason; } });
  const broken = new ReadableStream({ start(c) { c.error(error); } });
  await promise_rejects_exactly(t, error, broken.pipeTo(dest));
  assert_equals(abortReason, error, "the destination is aborted with the source's error");

  let cancelReason;
  const open = new ReadableStream({ cancel(reason) { cancelReason = reason; } });
  const sinkError = new Error("sink broke");
  const failing = new WritableStream({ start(c) { c.error(sinkError); } });
  await promise_rejects_exactly(t, sinkError, open.pipeTo(failing));
  assert_equals(cancelReason, sinkError, "the source is canceled with the destination's error");
  assert_false(open.locked, "the pipe releases the source");
}, "pipeTo() carries errors forward and backward");

promise_test(async (t) => {
  const written = [];
  const dest = new WritableStream({ write(chunk) { written.push(chunk); } });
  await source("kept").pipeTo(dest, { preventClose: true });
  const writer = dest.getWriter();
  await writer.write("more");
  assert_array_equals(written, ["kept", "more"], "preventClose leaves the destination open");
  writer.releaseLock();

  const controller = new AbortController();
  let canceled;
  const endless = new ReadableStream({ pull(c) { c.enqueue("x"); }, cancel(reason) { canceled = reason; } }, { highWaterMark: 0 });
  const piped = endless.pipeTo(new WritableStream(), { signal: controller.signal });
  controller.abort("stop");
  await promise_rejects_exactly(t, "stop", piped);
  assert_equals(canceled, "stop", "the signal cancels the source");
  assert_false(endless.locked, "the aborted pipe released the source");
  const after = new WritableStream();
  await endless.pipeTo(after);
  assert_equals(after.getWriter().desiredSize, 0, "a canceled (closed) source closes what it is piped to");
}, "pipeTo() options: preventClose and signal");

promise_test(async (t) => {
  const readable = new ReadableStream();
  readable.getReader();
  await promise_rejects_js(t, TypeError, readable.pipeTo(new WritableStream()), "a locked source");
  const writable = new WritableStream();
  writable.getWriter();
  await promise_rejects_js(t, TypeError, new ReadableStream().pipeTo(writable), "a locked destination");
  assert_throws_js(TypeError, () => new ReadableStream().pipeThrough({ readable: new ReadableStream(), writable }));
  assert_throws_js(TypeError, () => new ReadableStream().pipeThrough({}), "readable and writable are required");
}, "pipes need unlocked streams");
