// META: global=window,dedicatedworker,serviceworker
// META: title=Cache.match() and Cache.matchAll(): URL, query, method and Vary matching
// META: script=resources/helpers.js
"use strict";

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  assert_equals(await cache.match(url_for("resources/other.txt")), undefined);
}, "match() of a URL the cache does not hold resolves with undefined");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  const byString = await cache.match("resources/simple.txt");
  const byRequest = await cache.match(new Request("resources/simple.txt"));
  assert_equals(await byString.text(), "body", "a relative URL string");
  assert_equals(await byRequest.text(), "body", "a Request");
}, "match() takes a URL string or a Request");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt#stored-fragment"), new Response("body"));
  const response = await cache.match(url_for("resources/simple.txt#another-fragment"));
  assert_not_equals(response, undefined, "fragments differ: still a match");
  assert_equals(await response.text(), "body");
  assert_equals(await (await cache.match(url_for("resources/simple.txt"))).text(), "body",
                "no fragment: still a match");
}, "match() ignores URL fragments");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt?a=1"), new Response("with a query"));
  assert_equals(await cache.match(url_for("resources/simple.txt?a=2")), undefined,
                "another query");
  assert_equals(await cache.match(url_for("resources/simple.txt")), undefined, "no query");
}, "match() without ignoreSearch compares the query");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt?a=1"), new Response("with a query"));
  const other = await cache.match(url_for("resources/simple.txt?b=2"), { ignoreSearch: true });
  assert_equals(await other.text(), "with a query", "another query");
  const none = await cache.match(url_for("resources/simple.txt"), { ignoreSearch: true });
  assert_equals(await none.text(), "with a query", "no query");
}, "match() with ignoreSearch ignores the query of both URLs");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt?first"), new Response("first"));
  await cache.put(url_for("resources/simple.txt?second"), new Response("second"));
  const response = await cache.match(url_for("resources/simple.txt"), { ignoreSearch: true });
  assert_equals(await response.text(), "first");
}, "match() with several matches resolves with the first stored");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  const post = new Request(url_for("resources/simple.txt"), { method: "POST", body: "x" });
  assert_equals(await cache.match(post), undefined);
}, "match() of a POST request resolves with undefined");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  const post = new Request(url_for("resources/simple.txt"), { method: "POST", body: "x" });
  const response = await cache.match(post, { ignoreMethod: true });
  assert_not_equals(response, undefined);
  assert_equals(await response.text(), "body");
}, "match() of a POST request with ignoreMethod finds the GET entry");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("body"));
  const first = await cache.match(url);
  const second = await cache.match(url);
  assert_not_equals(first, second, "a new Response each time");
  assert_equals(await first.text(), "body");
  assert_true(first.bodyUsed);
  assert_false(second.bodyUsed, "reading one does not use the other");
  assert_equals(await second.text(), "body");
}, "match() resolves with a new Response each time, with the same body");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(new Request(url, { headers: { "X-Variant": "blue" } }),
                  new Response("blue body", { headers: { Vary: "X-Variant" } }));
  const same = await cache.match(new Request(url, { headers: { "X-Variant": "blue" } }));
  assert_not_equals(same, undefined);
  assert_equals(await same.text(), "blue body");
}, "match() with the same value of a header named by Vary finds the entry");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(new Request(url, { headers: { "X-Variant": "blue" } }),
                  new Response("blue body", { headers: { Vary: "X-Variant" } }));
  assert_equals(await cache.match(new Request(url, { headers: { "X-Variant": "red" } })),
                undefined, "another value");
  assert_equals(await cache.match(url), undefined, "no such header in the request");
}, "match() with another value, or no value, of a header named by Vary finds nothing");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("plain body", { headers: { Vary: "X-Variant" } }));
  assert_equals(await (await cache.match(url)).text(), "plain body",
                "neither request has the header");
  assert_equals(await cache.match(new Request(url, { headers: { "X-Variant": "blue" } })),
                undefined, "only the new request has it");
}, "a header named by Vary and absent from the stored request matches only its absence");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(new Request(url, { headers: { "X-Variant": "blue" } }),
                  new Response("blue body", { headers: { Vary: "X-Variant" } }));
  const response = await cache.match(new Request(url, { headers: { "X-Variant": "red" } }),
                                     { ignoreVary: true });
  assert_not_equals(response, undefined);
  assert_equals(await response.text(), "blue body");
}, "match() with ignoreVary ignores the Vary header");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(new Request(url, { headers: { "X-Variant": "blue", "X-Other": "one" } }),
                  new Response("body", { headers: { Vary: "X-Other" } }));
  const response = await cache.match(
      new Request(url, { headers: { "X-Variant": "red", "X-Other": "one" } }));
  assert_not_equals(response, undefined, "X-Variant differs, but Vary does not name it");
}, "match() compares only the request headers that Vary names");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt?1"), new Response("one"));
  await cache.put(url_for("resources/other.txt"), new Response("other"));
  await cache.put(url_for("resources/simple.txt?2"), new Response("two"));
  const responses = await cache.matchAll(url_for("resources/simple.txt"), { ignoreSearch: true });
  const bodies = await Promise.all(responses.map((response) => response.text()));
  assert_array_equals(bodies, ["one", "two"]);
}, "matchAll() resolves with every match, in the order stored");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/third.txt"), new Response("3"));
  await cache.put(url_for("resources/simple.txt"), new Response("1"));
  await cache.put(url_for("resources/other.txt"), new Response("2"));
  const responses = await cache.matchAll();
  const bodies = await Promise.all(responses.map((response) => response.text()));
  assert_array_equals(bodies, ["3", "1", "2"]);
}, "matchAll() without a request resolves with every response, in the order stored");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("1"));
  const responses = await cache.matchAll(url_for("resources/other.txt"));
  assert_true(Array.isArray(responses));
  assert_equals(responses.length, 0);
}, "matchAll() with no match resolves with an empty array");
