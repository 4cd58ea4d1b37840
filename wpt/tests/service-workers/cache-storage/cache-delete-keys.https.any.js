// META: global=window,dedicatedworker,serviceworker
// META: title=Cache.keys() and Cache.delete()
// META: script=resources/helpers.js
"use strict";

cache_test(async (t, cache) => {
  const keys = await cache.keys();
  assert_true(Array.isArray(keys));
  assert_equals(keys.length, 0);
}, "keys() of a new cache resolves with an empty array");

cache_test(async (t, cache) => {
  const paths = ["resources/third.txt", "resources/simple.txt?z", "resources/other.txt",
                 "resources/simple.txt?a"];
  for (const path of paths) {
    await cache.put(url_for(path), new Response(path));
  }
  assert_array_equals(urls_of(await cache.keys()), paths.map(url_for));
}, "keys() lists the requests in the order they were stored");

cache_test(async (t, cache) => {
  await cache.put(new Request(url_for("resources/simple.txt"), { headers: { "X-Kept": "yes" } }),
                  new Response("body"));
  const [request] = await cache.keys();
  assert_true(request instanceof Request);
  assert_equals(request.url, url_for("resources/simple.txt"));
  assert_equals(request.method, "GET");
  assert_equals(request.headers.get("x-kept"), "yes", "the stored request keeps its headers");
}, "keys() resolves with Requests that have the stored URL, method and headers");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt?1"), new Response("1"));
  await cache.put(url_for("resources/other.txt"), new Response("2"));
  await cache.put(url_for("resources/simple.txt?2"), new Response("3"));
  assert_array_equals(urls_of(await cache.keys(url_for("resources/simple.txt?2"))),
                      [url_for("resources/simple.txt?2")], "an exact URL");
  assert_array_equals(
      urls_of(await cache.keys(url_for("resources/simple.txt"), { ignoreSearch: true })),
      [url_for("resources/simple.txt?1"), url_for("resources/simple.txt?2")], "ignoreSearch");
  assert_equals((await cache.keys(url_for("resources/third.txt"))).length, 0, "no match");
}, "keys() with a request lists only the matching requests");

cache_test(async (t, cache) => {
  const first = await cache.keys();
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  assert_equals(first.length, 0, "an earlier result does not change");
  const [a] = await cache.keys();
  const [b] = await cache.keys();
  assert_not_equals(a, b, "a new Request each time");
  assert_equals(a.url, b.url);
}, "keys() resolves with new Request objects each time");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("body"));
  await cache.put(url_for("resources/other.txt"), new Response("other"));
  assert_true(await cache.delete(url), "delete() of a stored request");
  assert_equals(await cache.match(url), undefined, "gone");
  assert_array_equals(urls_of(await cache.keys()), [url_for("resources/other.txt")],
                      "the other entry stays");
}, "delete() of a stored request resolves with true and removes only that entry");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  assert_false(await cache.delete(url_for("resources/other.txt")));
  assert_equals((await cache.keys()).length, 1, "nothing removed");
}, "delete() of a request the cache does not hold resolves with false");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt"), new Response("body"));
  assert_true(await cache.delete(new Request("resources/simple.txt")));
  assert_equals((await cache.keys()).length, 0);
}, "delete() takes a Request");

cache_test(async (t, cache) => {
  await cache.put(url_for("resources/simple.txt?1"), new Response("1"));
  await cache.put(url_for("resources/other.txt"), new Response("2"));
  await cache.put(url_for("resources/simple.txt?2"), new Response("3"));
  assert_false(await cache.delete(url_for("resources/simple.txt")), "no query: no match");
  assert_true(await cache.delete(url_for("resources/simple.txt"), { ignoreSearch: true }));
  assert_array_equals(urls_of(await cache.keys()), [url_for("resources/other.txt")]);
}, "delete() with ignoreSearch removes every entry with that URL whatever its query");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("body"));
  const post = new Request(url, { method: "POST", body: "x" });
  assert_false(await cache.delete(post), "without ignoreMethod");
  assert_equals((await cache.keys()).length, 1, "still there");
  assert_true(await cache.delete(post, { ignoreMethod: true }), "with ignoreMethod");
  assert_equals((await cache.keys()).length, 0);
}, "delete() of a POST request removes the GET entry only with ignoreMethod");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(new Request(url, { headers: { "X-Variant": "blue" } }),
                  new Response("blue", { headers: { Vary: "X-Variant" } }));
  const red = new Request(url, { headers: { "X-Variant": "red" } });
  assert_false(await cache.delete(red), "Vary does not match");
  assert_true(await cache.delete(red, { ignoreVary: true }), "with ignoreVary");
  assert_equals((await cache.keys()).length, 0);
}, "delete() follows Vary, unless ignoreVary");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("before"));
  await cache.delete(url);
  await cache.put(url, new Response("after"));
  assert_equals((await cache.keys()).length, 1);
  assert_equals(await (await cache.match(url)).text(), "after");
}, "a deleted request can be stored again");
