// META: global=window,dedicatedworker,serviceworker
// META: title=Encoding: TextDecoder
"use strict";

const bytes = (...values) => new Uint8Array(values);

test(() => {
  const decoder = new TextDecoder();
  assert_equals(decoder.encoding, "utf-8");
  assert_false(decoder.fatal);
  assert_false(decoder.ignoreBOM);
  assert_equals(decoder.decode(bytes(0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80)), "aé😀");
  assert_equals(decoder.decode(), "", "no input");
  assert_equals(decoder.decode(bytes(0x68, 0x69).buffer), "hi", "an ArrayBuffer");
  assert_equals(decoder.decode(new DataView(bytes(0x6f, 0x6b).buffer)), "ok", "a DataView");
  const window_ = new Uint8Array(bytes(0x78, 0x61, 0x62, 0x78).buffer, 1, 2);
  assert_equals(decoder.decode(window_), "ab", "a view decodes its window only");
}, "decode() reads UTF-8 from a BufferSource");

test(() => {
  assert_equals(new TextDecoder().decode(bytes(0x61, 0xff, 0x62)), "a\uFFFDb");
  assert_equals(new TextDecoder().decode(bytes(0xe2, 0x82)), "\uFFFD", "a truncated sequence");
  const fatal = new TextDecoder("utf-8", { fatal: true });
  assert_true(fatal.fatal);
  assert_throws_js(TypeError, () => fatal.decode(bytes(0x61, 0xff)));
  assert_throws_js(TypeError, () => fatal.decode(bytes(0xe2, 0x82)), "truncated at the end");
  assert_equals(fatal.decode(bytes(0x6f, 0x6b)), "ok", "usable after an error");
}, "invalid UTF-8 is U+FFFD, or a TypeError with fatal");

test(() => {
  const bom = [0xef, 0xbb, 0xbf];
  assert_equals(new TextDecoder().decode(bytes(...bom, 0x61)), "a", "the BOM is removed");
  assert_equals(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes(...bom, 0x61)),
                "\uFEFFa", "ignoreBOM keeps it");
  assert_equals(new TextDecoder("utf-16le").decode(bytes(0xff, 0xfe, 0x61, 0x00)), "a");
  assert_equals(new TextDecoder("utf-16le").decode(bytes(...bom, 0x61)).length, 2,
                "a UTF-8 BOM means nothing to UTF-16LE");
}, "BOM handling");

test(() => {
  const decoder = new TextDecoder();
  const euro = [0xe2, 0x82, 0xac];
  assert_equals(decoder.decode(bytes(euro[0]), { stream: true }), "");
  assert_equals(decoder.decode(bytes(euro[1], euro[2], 0x21), { stream: true }), "€!");
  assert_equals(decoder.decode(bytes(0xf0, 0x9f), { stream: true }), "");
  assert_equals(decoder.decode(), "\uFFFD", "the end of the stream flushes what is left");
  assert_equals(decoder.decode(bytes(0x61)), "a", "then a new stream starts");
}, "streaming decodes keep a partial sequence between calls");

test(() => {
  const cases = [
    ["utf8", "utf-8"], [" UTF-8\n", "utf-8"], ["unicode-1-1-utf-8", "utf-8"],
    ["latin1", "windows-1252"], ["ascii", "windows-1252"], ["iso-8859-2", "iso-8859-2"],
    ["utf-16", "utf-16le"], ["UTF-16BE", "utf-16be"], ["shift_jis", "shift_jis"],
    ["gbk", "gbk"], ["big5", "big5"], ["euc-kr", "euc-kr"], ["x-user-defined", "x-user-defined"],
  ];
  for (const [label, name] of cases) {
    assert_equals(new TextDecoder(label).encoding, name, label);
  }
  assert_equals(new TextDecoder("latin1").decode(bytes(0x80, 0xe9)), "€é");
  assert_equals(new TextDecoder("utf-16be").decode(bytes(0x00, 0x61, 0x20, 0xac)), "a€");
  assert_equals(new TextDecoder("shift_jis").decode(bytes(0x82, 0xa0)), "あ");
}, "labels name their encodings, which decode");

test(() => {
  for (const label of ["", "utf-7", "nonsense", "replacement", "iso-2022-kr", "hz-gb-2312"]) {
    assert_throws_js(RangeError, () => new TextDecoder(label), JSON.stringify(label));
  }
}, "an unknown label, or one of the replacement encoding, is a RangeError");

test(() => {
  const decoder = new TextDecoder();
  assert_throws_js(TypeError, () => decoder.decode("text"), "a string");
  assert_throws_js(TypeError, () => decoder.decode([0x61]), "an array");
  assert_throws_js(TypeError, () => decoder.decode({}), "an object");
}, "decode() takes a BufferSource only");
