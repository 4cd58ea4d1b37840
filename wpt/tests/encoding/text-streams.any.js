// META: global=window,dedicatedworker,serviceworker
// META: title=Encoding: TextEncoderStream and TextDecoderStream
"use strict";

function chunks_of(...values) {
  return new ReadableStream({
    start(controller) {
      for (const value of values) controller.enqueue(value);
      controller.close();
    },
  });
}

async function bytes_of(readable) {
  const out = [];
  for await (const chunk of readable) {
    assert_true(chunk instanceof Uint8Array, "chunks are Uint8Arrays");
    out.push(...chunk);
  }
  return out;
}

async function text_of(readable) {
  let out = "";
  for await (const chunk of readable) {
    assert_equals(typeof chunk, "string");
    out += chunk;
  }
  return out;
}

promise_test(async () => {
  const stream = new TextEncoderStream();
  assert_equals(stream.encoding, "utf-8");
  const bytes = await bytes_of(chunks_of("a", "é", "").pipeThrough(stream));
  assert_array_equals(bytes, [0x61, 0xc3, 0xa9]);
}, "TextEncoderStream encodes strings as UTF-8");

promise_test(async () => {
  const bytes = await bytes_of(chunks_of("\uD83D", "\uDE00", "\uD800").pipeThrough(new TextEncoderStream()));
  assert_array_equals(bytes, [0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbf, 0xbd],
                      "a pair cut between chunks is one character; a lone surrogate at the end is U+FFFD");
}, "TextEncoderStream puts surrogate pairs back together");

promise_test(async () => {
  const stream = new TextDecoderStream();
  assert_equals(stream.encoding, "utf-8");
  assert_false(stream.fatal);
  assert_false(stream.ignoreBOM);
  const encoded = new TextEncoder().encode("h€llo");
  const text = await text_of(chunks_of(encoded.slice(0, 2), encoded.slice(2, 3), encoded.slice(3)).pipeThrough(stream));
  assert_equals(text, "h€llo", "a character cut between chunks decodes whole");
  const latin = new TextDecoderStream("latin1");
  assert_equals(latin.encoding, "windows-1252");
  assert_equals(await text_of(chunks_of(new Uint8Array([0xe9])).pipeThrough(latin)), "é");
}, "TextDecoderStream decodes in streaming mode");

promise_test(async (t) => {
  assert_throws_js(RangeError, () => new TextDecoderStream("no-such-encoding"));
  const fatal = new TextDecoderStream("utf-8", { fatal: true });
  assert_true(fatal.fatal);
  const piped = chunks_of(new Uint8Array([0xff])).pipeThrough(fatal);
  await promise_rejects_js(t, TypeError, piped.getReader().read(), "invalid bytes with fatal error the stream");
  const truncated = chunks_of(new Uint8Array([0xe2, 0x82])).pipeThrough(new TextDecoderStream());
  assert_equals(await text_of(truncated), "\uFFFD", "a character cut off at the end is U+FFFD");
  const not_bytes = chunks_of("a string").pipeThrough(new TextDecoderStream());
  await promise_rejects_js(t, TypeError, not_bytes.getReader().read(), "a chunk that is not a BufferSource");
}, "TextDecoderStream errors");

promise_test(async () => {
  const response = new Response(chunks_of("streamed ", "text").pipeThrough(new TextEncoderStream()));
  assert_equals(await response.text(), "streamed text");
}, "a TextEncoderStream's output is a body");
