// META: global=window,dedicatedworker,serviceworker
// META: title=Cache.add() and Cache.addAll(): fetch and store, all or nothing
// META: script=resources/helpers.js
"use strict";

const MISSING = "resources/this-file-does-not-exist.txt";

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  const result = await cache.add(url);
  assert_equals(result, undefined, "add() resolves with undefined");
  const response = await cache.match(url);
  assert_not_equals(response, undefined);
  assert_equals(response.status, 200);
  assert_equals(response.url, url);
  assert_equals(await response.text(), "the first resource");
}, "add() of a URL fetches it and stores the response");

cache_test(async (t, cache) => {
  await cache.add(new Request("resources/other.txt"));
  const keys = await cache.keys();
  assert_array_equals(urls_of(keys), [url_for("resources/other.txt")]);
  assert_equals(await (await cache.match(keys[0])).text(), "the second resource");
}, "add() of a Request fetches it and stores the response under its URL");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("put before"));
  await cache.add(url);
  assert_equals((await cache.keys()).length, 1, "still one entry");
  assert_equals(await (await cache.match(url)).text(), "the first resource");
}, "add() replaces an entry with the same URL");

cache_test(async (t, cache) => {
  await promise_rejects_js(t, TypeError, cache.add(MISSING));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
  assert_equals(await cache.match(MISSING), undefined);
}, "add() of a URL that answers 404 rejects with TypeError and stores nothing");

cache_test(async (t, cache) => {
  await promise_rejects_js(t, TypeError, cache.add("resources/simple.txt?pipe=status(500)"));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "add() of a URL that answers 500 rejects with TypeError and stores nothing");

cache_test(async (t, cache) => {
  const paths = ["resources/third.txt", "resources/simple.txt", "resources/other.txt"];
  const result = await cache.addAll(paths);
  assert_equals(result, undefined, "addAll() resolves with undefined");
  const keys = await cache.keys();
  assert_array_equals(urls_of(keys), paths.map(url_for), "the order of the argument");
  const bodies = await Promise.all(keys.map(async (key) => (await cache.match(key)).text()));
  assert_array_equals(bodies, ["the third resource", "the first resource", "the second resource"]);
}, "addAll() fetches and stores every request, in the order given");

cache_test(async (t, cache) => {
  await cache.addAll(["resources/simple.txt", new Request("resources/other.txt")]);
  assert_array_equals(urls_of(await cache.keys()),
                      [url_for("resources/simple.txt"), url_for("resources/other.txt")]);
}, "addAll() takes URL strings and Requests mixed");

cache_test(async (t, cache) => {
  assert_equals(await cache.addAll([]), undefined);
  assert_equals((await cache.keys()).length, 0);
}, "addAll() of an empty list resolves and stores nothing");

cache_test(async (t, cache) => {
  await promise_rejects_dom(t, "InvalidStateError",
                            cache.addAll(["resources/simple.txt", "resources/other.txt",
                                          "resources/simple.txt"]));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "addAll() with the same URL twice rejects with InvalidStateError and stores nothing");

cache_test(async (t, cache) => {
  const request = new Request("resources/simple.txt");
  await promise_rejects_dom(t, "InvalidStateError", cache.addAll([request, request]));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "addAll() with the same Request object twice rejects with InvalidStateError");

cache_test(async (t, cache) => {
  await promise_rejects_js(t, TypeError,
                           cache.addAll(["resources/simple.txt", MISSING, "resources/other.txt"]));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
  assert_equals(await cache.match("resources/simple.txt"), undefined,
                "the request that was fetched fine is not stored either");
}, "addAll() where one URL answers 404 rejects with TypeError and stores nothing");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("kept"));
  await promise_rejects_js(t, TypeError, cache.addAll([url, MISSING]));
  assert_equals((await cache.keys()).length, 1);
  assert_equals(await (await cache.match(url)).text(), "kept",
                "the existing entry is not replaced");
}, "a failed addAll() leaves existing entries as they were");
