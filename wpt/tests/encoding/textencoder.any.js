// META: global=window,dedicatedworker,serviceworker
// META: title=Encoding: TextEncoder
"use strict";

test(() => {
  const encoder = new TextEncoder();
  assert_equals(encoder.encoding, "utf-8");
  const bytes = encoder.encode("aé€😀");
  assert_true(bytes instanceof Uint8Array);
  assert_array_equals(bytes, [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  assert_equals(encoder.encode().length, 0, "no input");
  assert_equals(encoder.encode(undefined).length, 0, "undefined is the default");
  assert_array_equals(encoder.encode(null), [0x6e, 0x75, 0x6c, 0x6c], "null becomes 'null'");
  assert_not_equals(encoder.encode("x"), encoder.encode("x"), "a new array each time");
}, "encode() gives the UTF-8 bytes in a new Uint8Array");

test(() => {
  const encoder = new TextEncoder();
  assert_array_equals(encoder.encode("\uD800"), [0xef, 0xbf, 0xbd], "a lone lead surrogate");
  assert_array_equals(encoder.encode("a\uDC00b"), [0x61, 0xef, 0xbf, 0xbd, 0x62], "a lone trail");
  assert_array_equals(encoder.encode("\uD83D\uDE00"), [0xf0, 0x9f, 0x98, 0x80], "a pair");
}, "encode() replaces lone surrogates with U+FFFD");

test(() => {
  const encoder = new TextEncoder();
  const destination = new Uint8Array(5);
  let result = encoder.encodeInto("aé😀", destination);
  assert_equals(result.read, 2, "'a' and 'é': the emoji does not fit");
  assert_equals(result.written, 3);
  assert_array_equals(destination, [0x61, 0xc3, 0xa9, 0, 0]);

  const big = new Uint8Array(8);
  result = encoder.encodeInto("aé😀", big);
  assert_equals(result.read, 4, "UTF-16 code units: the emoji counts two");
  assert_equals(result.written, 7);

  const view = new Uint8Array(new ArrayBuffer(6), 2, 3);
  result = encoder.encodeInto("xyz!", view);
  assert_equals(result.written, 3, "a view writes within its window");
  assert_array_equals(new Uint8Array(view.buffer), [0, 0, 0x78, 0x79, 0x7a, 0]);

  result = encoder.encodeInto("", new Uint8Array(0));
  assert_equals(result.read, 0);
  assert_equals(result.written, 0);
}, "encodeInto() writes whole characters that fit and counts what it read and wrote");

test(() => {
  const encoder = new TextEncoder();
  assert_throws_js(TypeError, () => encoder.encodeInto("a", new ArrayBuffer(4)), "an ArrayBuffer");
  assert_throws_js(TypeError, () => encoder.encodeInto("a", new Uint16Array(4)), "a Uint16Array");
  assert_throws_js(TypeError, () => encoder.encodeInto("a", [0, 0]), "an array");
  assert_throws_js(TypeError, () => encoder.encodeInto("a"), "nothing");
}, "encodeInto() takes a Uint8Array only");
