// META: title=URL and URLSearchParams basics

test(() => {
  const url = new URL("../y/z.js?a=1&b=2#frag", "https://example.test/x/index.html");
  assert_equals(url.href, "https://example.test/y/z.js?a=1&b=2#frag");
  assert_equals(url.origin, "https://example.test");
  assert_equals(url.searchParams.get("b"), "2");
  url.searchParams.append("c", "3 4");
  assert_equals(url.search, "?a=1&b=2&c=3+4");
  assert_throws_js(TypeError, () => new URL("not a url"));
  assert_true(URL.canParse("https://a.test/"));
  assert_equals(URL.parse("nope"), null);
}, "URL parses relative to a base and keeps searchParams in sync");

test(() => {
  const params = new URLSearchParams([["a", "1"], ["b", "2"], ["a", "3"]]);
  assert_array_equals(params.getAll("a"), ["1", "3"]);
  params.set("a", "x");
  assert_equals(params.toString(), "a=x&b=2");
  params.sort();
  assert_array_equals([...params.keys()], ["a", "b"]);
  assert_equals(new URLSearchParams({ k: "v" }).toString(), "k=v");
  assert_equals(new URLSearchParams("?q=%20").get("q"), " ");
  assert_equals(params.size, 2);
}, "URLSearchParams from sequences, records and strings");
