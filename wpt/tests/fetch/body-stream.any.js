// META: global=window,dedicatedworker,serviceworker
// META: title=Fetch: bodies as streams (Request/Response body, ReadableStream BodyInit)
"use strict";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// A stream of `parts` as Uint8Array chunks, the last after a timer (so a reader waits).
function byte_stream(...parts) {
  return new ReadableStream({
    start(controller) {
      for (const part of parts.slice(0, -1)) controller.enqueue(encoder.encode(part));
      setTimeout(() => {
        controller.enqueue(encoder.encode(parts[parts.length - 1]));
        controller.close();
      }, 5);
    },
  });
}

async function read_text(stream) {
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    assert_true(value instanceof Uint8Array, "a body stream's chunks are Uint8Arrays");
    text += decoder.decode(value, { stream: true });
  }
}

promise_test(async () => {
  const response = new Response("hello");
  const body = response.body;
  assert_true(body instanceof ReadableStream);
  assert_equals(response.body, body, "the same stream each time");
  assert_false(response.bodyUsed, "asking for the stream does not use the body");
  assert_equals(await read_text(body), "hello");
  assert_true(response.bodyUsed, "reading the stream does");
}, "Response.body is a stream of the body's bytes");

promise_test(async (t) => {
  assert_equals(new Response(null).body, null, "a null body has no stream");
  assert_equals(new Response().body, null);
  assert_equals(new Request("/").body, null);
  const response = new Response("x");
  const reader = response.body.getReader();
  await promise_rejects_js(t, TypeError, response.text(), "a locked body cannot be read");
  reader.releaseLock();
  assert_equals(await response.text(), "x", "once released it can");
  assert_true(response.body.locked, "the body of a read response is locked");
  assert_true(response.bodyUsed);
}, "a body stream that is locked cannot be read");

promise_test(async () => {
  const response = new Response(byte_stream("ab", "cd", "ef"), { headers: { "Content-Type": "text/x-test" } });
  assert_equals(response.headers.get("Content-Type"), "text/x-test");
  assert_false(response.bodyUsed);
  assert_equals(await response.text(), "abcdef", "text() reads the stream to its end");
  assert_true(response.bodyUsed);
  const buffer = await new Response(byte_stream("xyz")).arrayBuffer();
  assert_array_equals(new Uint8Array(buffer), [120, 121, 122]);
  assert_object_equals(await new Response(byte_stream('{"a":', "1}")).json(), { a: 1 });
  const blob = await new Response(byte_stream("blob")).blob();
  assert_equals(blob.size, 4);
}, "new Response(stream): text(), arrayBuffer(), json(), blob() read the stream");

promise_test(async () => {
  const stream = byte_stream("same");
  const response = new Response(stream);
  assert_equals(response.body, stream, "the body is the stream given");
}, "a ReadableStream given as a body is the body");

promise_test(async (t) => {
  const strings = new ReadableStream({ start(c) { c.enqueue("not bytes"); c.close(); } });
  await promise_rejects_js(t, TypeError, new Response(strings).text(), "a chunk that is not a Uint8Array");
  const error = new Error("broken");
  const broken = new ReadableStream({ start(c) { c.enqueue(encoder.encode("a")); c.error(error); } });
  await promise_rejects_exactly(t, error, new Response(broken).text(), "the stream's error");
}, "reading a body stream fails on a chunk that is not bytes, or when the stream errors");

promise_test(async () => {
  const locked = new ReadableStream();
  locked.getReader();
  assert_throws_js(TypeError, () => new Response(locked), "a locked stream");
  const disturbed = new ReadableStream({ start(c) { c.close(); } });
  const reader = disturbed.getReader();
  await reader.read();
  reader.releaseLock();
  assert_false(disturbed.locked);
  assert_throws_js(TypeError, () => new Response(disturbed), "a disturbed stream");
  assert_throws_js(TypeError, () => new Request("/", { method: "POST", body: disturbed, duplex: "half" }));
}, "a locked or disturbed stream cannot be a body");

promise_test(async () => {
  const original = new Response(byte_stream("to ", "both"));
  const clone = original.clone();
  const [a, b] = await Promise.all([original.text(), clone.text()]);
  assert_equals(a, "to both");
  assert_equals(b, "to both", "a clone of a stream body gets every chunk too");
  const request = new Request("/", { method: "POST", body: byte_stream("req"), duplex: "half" });
  const request_clone = request.clone();
  assert_equals(await request_clone.text(), "req");
  assert_equals(await request.text(), "req");
}, "clone() of a stream body tees it");

promise_test(async () => {
  const request = new Request("/", { method: "POST", body: "posted" });
  assert_true(request.body instanceof ReadableStream);
  assert_equals(await read_text(request.body), "posted");
  assert_true(request.bodyUsed);
  const streamed = new Request("/", { method: "POST", body: byte_stream("str", "eamed"), duplex: "half" });
  assert_equals(streamed.duplex, "half");
  assert_equals(await streamed.text(), "streamed");
  const moved = new Request(new Request("/", { method: "POST", body: byte_stream("moved"), duplex: "half" }));
  assert_equals(await moved.text(), "moved", "new Request(request) takes its stream body");
}, "Request bodies as streams");

test(() => {
  assert_throws_js(TypeError, () => new Request("/", { method: "POST", body: new ReadableStream() }),
                   "a stream body needs duplex: 'half'");
  assert_throws_js(TypeError, () => new Request("/", { method: "POST", body: new ReadableStream(), duplex: "full" }),
                   "'full' is not a duplex value");
  assert_throws_js(TypeError, () => new Request("/", {
    method: "POST", body: new ReadableStream(), duplex: "half", mode: "no-cors",
  }), "no-cors cannot send a stream");
  assert_throws_js(TypeError, () => new Request("/", {
    method: "POST", body: new ReadableStream(), duplex: "half", keepalive: true,
  }), "keepalive cannot send a stream");
  assert_throws_js(TypeError, () => new Request("/", { body: new ReadableStream(), duplex: "half" }),
                   "GET has no body");
  assert_equals(new Request("/").duplex, "half");
}, "a stream body's Request rules");

promise_test(async (t) => {
  const strings = new ReadableStream({ start(c) { c.enqueue("text"); c.close(); } });
  await promise_rejects_js(t, TypeError, fetch("resources/echo.py", { method: "POST", body: strings, duplex: "half" }),
                           "a chunk that is not a Uint8Array rejects the fetch");
}, "fetch() with a stream body of something other than bytes rejects");

promise_test(async () => {
  const bytes = await new Response("héllo").bytes();
  assert_true(bytes instanceof Uint8Array, "bytes() gives a Uint8Array");
  assert_array_equals(bytes, [0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
  const streamed = await new Response(byte_stream("ab", "c")).bytes();
  assert_array_equals(streamed, [0x61, 0x62, 0x63], "of a stream body too");
  const request = new Request("/", { method: "POST", body: "r" });
  assert_array_equals(await request.bytes(), [0x72]);
  assert_true(request.bodyUsed);
}, "Response and Request bytes()");

promise_test(async () => {
  const blob = new Blob(["blob ", "bytes"], { type: "text/plain" });
  const stream = blob.stream();
  assert_true(stream instanceof ReadableStream);
  assert_equals(await read_text(stream), "blob bytes");
  assert_array_equals(await new Blob([new Uint8Array([1, 2])]).bytes(), [1, 2]);
  assert_equals(await new Response(new Blob(["as a body"]).stream()).text(), "as a body",
                "a blob's stream is a body");
  assert_equals(await read_text(new Blob([]).stream()), "", "an empty blob's stream just closes");
}, "Blob stream() and bytes()");
