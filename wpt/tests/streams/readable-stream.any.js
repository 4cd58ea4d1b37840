// META: global=window,dedicatedworker,serviceworker
// META: title=Streams: ReadableStream with its default controller and default reader
"use strict";

// Reads `stream` to its end: its chunks, in order.
async function read_all(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

promise_test(async () => {
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
      c.enqueue("a");
      c.enqueue("b");
    },
  });
  assert_true(controller instanceof ReadableStreamDefaultController);
  assert_false(stream.locked);
  const reader = stream.getReader();
  assert_true(reader instanceof ReadableStreamDefaultReader);
  assert_true(stream.locked, "a reader locks the stream");
  assert_object_equals(await reader.read(), { value: "a", done: false });
  const pending = reader.read();
  const later = reader.read();
  assert_object_equals(await pending, { value: "b", done: false });
  controller.enqueue("c");
  assert_object_equals(await later, { value: "c", done: false }, "a waiting read gets the next enqueue");
  controller.close();
  assert_object_equals(await reader.read(), { value: undefined, done: true });
  assert_equals(await reader.closed, undefined, "closed resolves");
  assert_object_equals(await reader.read(), { value: undefined, done: true }, "reads after close are done");
}, "start() enqueues, read() takes chunks in order, close() ends the stream");

promise_test(async () => {
  const result = Object.getPrototypeOf(await new ReadableStream({ start(c) { c.enqueue(1); } }).getReader().read());
  assert_equals(result, Object.prototype, "a read result is a plain object");
}, "read() results are plain {value, done} objects");

promise_test(async () => {
  let pulls = 0;
  const stream = new ReadableStream({
    pull(c) {
      pulls++;
      c.enqueue(pulls);
      if (pulls === 3) c.close();
    },
  }, { highWaterMark: 0 });
  await flush();
  assert_equals(pulls, 0, "with highWaterMark 0 nothing is pulled before a read");
  assert_array_equals(await read_all(stream), [1, 2, 3]);
  assert_equals(pulls, 3);
}, "pull() is called when a read waits");

promise_test(async () => {
  let pulls = 0;
  const stream = new ReadableStream({
    pull(c) {
      pulls++;
      c.enqueue(pulls);
    },
  }, { highWaterMark: 2 });
  await flush();
  assert_equals(pulls, 2, "the queue is filled to the high water mark");
  const reader = stream.getReader();
  await reader.read();
  await flush();
  assert_equals(pulls, 3, "a read makes room for one more");
}, "pull() fills the queue up to highWaterMark");

promise_test(async () => {
  const sizes = [];
  let controller;
  new ReadableStream({
    start(c) {
      controller = c;
    },
  }, { highWaterMark: 10, size(chunk) { sizes.push(chunk); return chunk.length; } });
  assert_equals(controller.desiredSize, 10);
  controller.enqueue("abc");
  assert_equals(controller.desiredSize, 7, "desiredSize subtracts the chunk's size");
  assert_array_equals(sizes, ["abc"]);
  controller.enqueue("");
  assert_equals(controller.desiredSize, 7, "a chunk of size 0 takes no room");
}, "the strategy's size() measures chunks");

test(() => {
  let controller;
  const stream = new ReadableStream({ start(c) { controller = c; } }, { size() { return -1; } });
  assert_throws_js(RangeError, () => controller.enqueue("x"));
  assert_equals(controller.desiredSize, null, "the stream errored");
  assert_throws_js(TypeError, () => controller.enqueue("y"), "no enqueue after an error");
}, "a negative chunk size is a RangeError and errors the stream");

test(() => {
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: -1 }));
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: NaN }));
  assert_throws_js(TypeError, () => new ReadableStream({ start: 1 }), "start must be callable");
  assert_throws_js(TypeError, () => new ReadableStream({ pull: "no" }));
  assert_throws_js(TypeError, () => new ReadableStream(null), "null is not an object");
  const error = new Error("from start");
  assert_throws_exactly(error, () => new ReadableStream({ start() { throw error; } }));
  new ReadableStream();
  new ReadableStream(undefined);
}, "the constructor checks its source and strategy");

promise_test(async (t) => {
  const error = new TypeError("broken");
  const stream = new ReadableStream({ start(c) { c.enqueue("lost"); c.error(error); } });
  const reader = stream.getReader();
  await promise_rejects_exactly(t, error, reader.read(), "read() rejects with the error");
  await promise_rejects_exactly(t, error, reader.closed, "closed rejects with it");
  await promise_rejects_exactly(t, error, reader.cancel(), "cancel() of an errored stream rejects");
}, "error() drops the queue and rejects reads");

promise_test(async (t) => {
  const error = new Error("pull failed");
  const stream = new ReadableStream({ pull() { return Promise.reject(error); } });
  await promise_rejects_exactly(t, error, stream.getReader().read());
}, "a pull() that rejects errors the stream");

promise_test(async (t) => {
  const error = new Error("start failed");
  const stream = new ReadableStream({ start() { return Promise.reject(error); } });
  await promise_rejects_exactly(t, error, stream.getReader().closed);
}, "a start() promise that rejects errors the stream");

promise_test(async () => {
  const log = [];
  const source = {
    start(c) { c.enqueue("queued"); },
    cancel(reason) {
      log.push(this === source, reason);
      return new Promise((resolve) => setTimeout(() => { log.push("settled"); resolve("ignored"); }, 5));
    },
  };
  const stream = new ReadableStream(source);
  const reader = stream.getReader();
  const result = await reader.cancel("why");
  assert_equals(result, undefined, "cancel() resolves with undefined");
  assert_array_equals(log, [true, "why", "settled"], "the source's cancel runs with the reason, this being the source");
  assert_object_equals(await reader.read(), { value: undefined, done: true }, "the queue is gone");
}, "cancel() calls the source's cancel and closes the stream");

promise_test(async (t) => {
  const stream = new ReadableStream();
  const reader = stream.getReader();
  assert_throws_js(TypeError, () => stream.getReader(), "a locked stream has no second reader");
  assert_throws_js(TypeError, () => new ReadableStreamDefaultReader(stream));
  await promise_rejects_js(t, TypeError, stream.cancel(), "a locked stream cannot be canceled");
  const pending = reader.read();
  reader.releaseLock();
  await promise_rejects_js(t, TypeError, pending, "a pending read rejects on release");
  await promise_rejects_js(t, TypeError, reader.closed, "closed rejects on release");
  await promise_rejects_js(t, TypeError, reader.read(), "a released reader cannot read");
  assert_false(stream.locked);
  const second = new ReadableStreamDefaultReader(stream);
  assert_true(stream.locked, "the constructor locks the stream too");
  second.releaseLock();
  second.releaseLock();
}, "a reader locks its stream until releaseLock()");

test(() => {
  const stream = new ReadableStream();
  assert_throws_js(TypeError, () => stream.getReader({ mode: "byob" }), "no BYOB reader for a default stream");
  assert_throws_js(TypeError, () => stream.getReader({ mode: "other" }));
  assert_throws_js(TypeError, () => new ReadableStreamDefaultController(), "no constructor");
}, "getReader() options; the controller has no constructor");

promise_test(async () => {
  let pulls = 0;
  const stream = new ReadableStream({
    pull(c) {
      pulls++;
      c.enqueue(pulls);
      if (pulls === 3) c.close();
    },
  });
  const [first, second] = stream.tee();
  assert_true(stream.locked, "tee() locks the stream");
  assert_true(first instanceof ReadableStream && second instanceof ReadableStream);
  const [a, b] = await Promise.all([read_all(first), read_all(second)]);
  assert_array_equals(a, [1, 2, 3]);
  assert_array_equals(b, [1, 2, 3], "each branch gets every chunk");
}, "tee() gives two branches of the same chunks");

promise_test(async () => {
  let reason;
  const stream = new ReadableStream({ cancel(r) { reason = r; } });
  const [first, second] = stream.tee();
  let first_settled = false;
  const first_canceled = first.cancel("one").then(() => { first_settled = true; });
  await flush();
  assert_equals(reason, undefined, "one branch canceled does not cancel the stream");
  assert_false(first_settled, "a branch's cancel waits for the other branch");
  await Promise.all([first_canceled, second.cancel("two")]);
  assert_array_equals(reason, ["one", "two"], "both canceled: the stream is canceled with both reasons");
}, "tee() cancels the stream when both branches are canceled");

promise_test(async (t) => {
  const error = new Error("source broke");
  let controller;
  const stream = new ReadableStream({ start(c) { controller = c; } });
  const [first, second] = stream.tee();
  controller.error(error);
  await promise_rejects_exactly(t, error, first.getReader().closed);
  await promise_rejects_exactly(t, error, second.getReader().closed);
}, "tee() branches error with the stream");

promise_test(async () => {
  // A chunk enqueued while the queue is drained synchronously many times over must not
  // exhaust the stack.
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 10000; i++) c.enqueue(i);
      c.close();
    },
  });
  const chunks = await read_all(stream);
  assert_equals(chunks.length, 10000);
  assert_equals(chunks[9999], 9999);
}, "ten thousand queued chunks are read in order");

promise_test(async () => {
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(1);
      c.enqueue(2);
      setTimeout(() => { c.enqueue(3); c.close(); }, 5);
    },
  });
  const seen = [];
  for await (const chunk of stream) {
    assert_true(stream.locked, "iterating locks the stream");
    seen.push(chunk);
  }
  assert_array_equals(seen, [1, 2, 3]);
  assert_false(stream.locked, "the end of the stream releases it");
}, "for await...of reads a stream to its end");

promise_test(async () => {
  let reason = "not canceled";
  const stream = new ReadableStream({
    pull(c) { c.enqueue("again"); },
    cancel(r) { reason = r; },
  });
  for await (const chunk of stream) {
    assert_equals(chunk, "again");
    break;
  }
  assert_equals(reason, undefined, "breaking out cancels the stream");
  assert_false(stream.locked);

  let canceled = false;
  const kept = new ReadableStream({
    pull(c) { c.enqueue("kept"); },
    cancel() { canceled = true; },
  });
  for await (const chunk of kept.values({ preventCancel: true })) break;
  assert_false(canceled, "preventCancel leaves the stream uncanceled");
  assert_false(kept.locked, "but unlocked");
  assert_object_equals(await kept.getReader().read(), { value: "kept", done: false });
}, "leaving a for await...of loop cancels the stream unless preventCancel");

promise_test(async (t) => {
  const error = new Error("mid-stream");
  const stream = new ReadableStream({ start(c) { c.enqueue("a"); c.error(error); } });
  const iterator = stream[Symbol.asyncIterator]();
  await promise_rejects_exactly(t, error, iterator.next(), "the error rejects next()");
  assert_false(stream.locked, "and releases the stream");
  assert_object_equals(await iterator.next(), { value: undefined, done: true }, "a finished iterator stays done");
}, "an erroring stream rejects the iterator's next()");

promise_test(async (t) => {
  const proto = ReadableStream.prototype;
  assert_equals(proto[Symbol.asyncIterator], proto.values, "@@asyncIterator is values");
  assert_equals(proto.values.length, 0);
  const iterator = new ReadableStream()[Symbol.asyncIterator]();
  const iterator_proto = Object.getPrototypeOf(iterator);
  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  assert_equals(Object.getPrototypeOf(iterator_proto), AsyncIteratorPrototype);
  assert_equals(Object.prototype.toString.call(iterator), "[object ReadableStream AsyncIterator]");
  await promise_rejects_js(t, TypeError, iterator_proto.next.call({}), "next() of something else rejects");
  const later = new ReadableStream({
    start(c) {
      c.enqueue("a");
      setTimeout(() => c.close(), 5);
    },
  })[Symbol.asyncIterator]();
  const order = [];
  const first = later.next().then((r) => { order.push("first"); return r; });
  const second = later.next().then((r) => { order.push("second"); return r; });
  const returned = later.return("bye").then((r) => { order.push("return"); return r; });
  assert_object_equals(await returned, { value: "bye", done: true });
  assert_object_equals(await first, { value: "a", done: false });
  assert_object_equals(await second, { value: undefined, done: true }, "the stream closed");
  assert_array_equals(order, ["first", "second", "return"], "calls queue behind each other");
  const locked = new ReadableStream();
  locked.getReader();
  assert_throws_js(TypeError, () => locked.values(), "a locked stream cannot be iterated");
}, "the async iterator's prototype and its queued steps");

promise_test(async () => {
  const from_array = ReadableStream.from([1, Promise.resolve(2), 3]);
  const seen = [];
  for await (const chunk of from_array) seen.push(chunk);
  assert_array_equals(seen, [1, 2, 3], "a sync iterable's values, awaited");
  async function* generate() {
    yield "a";
    yield "b";
  }
  const from_generator = ReadableStream.from(generate());
  const reader = from_generator.getReader();
  assert_object_equals(await reader.read(), { value: "a", done: false });
  assert_object_equals(await reader.read(), { value: "b", done: false });
  assert_object_equals(await reader.read(), { value: undefined, done: true });
}, "ReadableStream.from() of sync and async iterables");

promise_test(async (t) => {
  assert_throws_js(TypeError, () => ReadableStream.from(42), "not iterable");
  assert_throws_js(TypeError, () => ReadableStream.from({ [Symbol.asyncIterator]: 1 }));
  let returned;
  const iterable = {
    [Symbol.asyncIterator]() {
      return {
        next() { return Promise.resolve({ value: "x", done: false }); },
        return(reason) { returned = reason; return Promise.resolve({ done: true }); },
      };
    },
  };
  await ReadableStream.from(iterable).cancel("stop");
  assert_equals(returned, "stop", "cancel() calls the iterator's return()");
  const error = new Error("next failed");
  const failing = ReadableStream.from({ [Symbol.asyncIterator]() { return { next() { throw error; } }; } });
  await promise_rejects_exactly(t, error, failing.getReader().read());
}, "ReadableStream.from(): errors and cancel");

test(() => {
  const count = new CountQueuingStrategy({ highWaterMark: 3 });
  assert_equals(count.highWaterMark, 3);
  assert_equals(count.size(), 1);
  assert_equals(count.size, new CountQueuingStrategy({ highWaterMark: 1 }).size, "one size function per global");
  const bytes = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assert_equals(bytes.size(new Uint8Array(5)), 5);
  assert_equals(bytes.size, new ByteLengthQueuingStrategy({ highWaterMark: 1 }).size);
  assert_throws_js(TypeError, () => new CountQueuingStrategy({}), "highWaterMark is required");
  let controller;
  new ReadableStream({ start(c) { controller = c; } }, bytes);
  controller.enqueue(new Uint8Array(10));
  assert_equals(controller.desiredSize, 6, "a stream uses the strategy's size");
}, "CountQueuingStrategy and ByteLengthQueuingStrategy");
