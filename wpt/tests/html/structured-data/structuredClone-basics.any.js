// META: title=structuredClone: the types bgsync serializes, and DataCloneError for the rest

test(() => {
  const source = {
    n: 1.5, s: "text \u00e9", b: true, nil: null, undef: undefined, big: 10n,
    list: [1, [2, 3]], date: new Date(86400000), re: /a+b/gi,
    map: new Map([["k", { v: 1 }]]), set: new Set([1, "two"]),
    bytes: new Uint8Array([1, 2, 255]), buffer: new ArrayBuffer(4),
  };
  const copy = structuredClone(source);
  assert_not_equals(copy, source);
  assert_equals(copy.n, 1.5);
  assert_equals(copy.s, "text \u00e9");
  assert_true(copy.b);
  assert_equals(copy.nil, null);
  assert_true("undef" in copy && copy.undef === undefined);
  assert_equals(copy.big, 10n);
  assert_array_equals(copy.list[1], [2, 3]);
  assert_true(copy.date instanceof Date);
  assert_equals(copy.date.getTime(), 86400000);
  assert_equals(copy.re.source, "a+b");
  assert_equals(copy.re.flags, "gi");
  assert_equals(copy.map.get("k").v, 1);
  assert_true(copy.set.has("two"));
  assert_array_equals(Array.from(copy.bytes), [1, 2, 255]);
  assert_equals(copy.buffer.byteLength, 4);
}, "values, containers, dates, regexps, maps, sets and buffers are cloned");

test(() => {
  const cyclic = { name: "root" };
  cyclic.self = cyclic;
  const copy = structuredClone(cyclic);
  assert_equals(copy.self, copy);
}, "cycles are preserved");

test(() => {
  assert_throws_dom("DataCloneError", () => structuredClone(() => 1));
  assert_throws_dom("DataCloneError", () => structuredClone({ f() {} }));
  assert_throws_dom("DataCloneError", () => structuredClone(Symbol("s")));
}, "functions and symbols throw DataCloneError");
