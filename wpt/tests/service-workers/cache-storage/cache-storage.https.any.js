// META: global=window,dedicatedworker,serviceworker
// META: title=CacheStorage: caches.open(), has(), delete(), keys() and match()
// META: script=resources/helpers.js
"use strict";

promise_test(async (t) => {
  const name = unique_cache_name("open");
  t.add_cleanup(() => caches.delete(name));
  assert_false(await caches.has(name), "no cache of that name before open()");
  const cache = await caches.open(name);
  assert_true(cache instanceof Cache, "open() resolves with a Cache");
  assert_true(await caches.has(name), "has() sees the new cache");
}, "open() creates a cache that has() then reports");

promise_test(async (t) => {
  const name = unique_cache_name("reopen");
  t.add_cleanup(() => caches.delete(name));
  const first = await caches.open(name);
  await first.put(url_for("resources/simple.txt"), new Response("shared"));
  const second = await caches.open(name);
  const response = await second.match(url_for("resources/simple.txt"));
  assert_not_equals(response, undefined, "the entry put through the first Cache");
  assert_equals(await response.text(), "shared");
}, "open() of an existing name gives a Cache over the same entries");

promise_test(async (t) => {
  const name = unique_cache_name("delete");
  t.add_cleanup(() => caches.delete(name));
  await caches.open(name);
  assert_true(await caches.delete(name), "delete() of an existing cache");
  assert_false(await caches.has(name), "has() after delete()");
}, "delete() of an existing cache resolves with true and removes it");

promise_test(async () => {
  assert_false(await caches.delete(unique_cache_name("missing")));
}, "delete() of a cache that does not exist resolves with false");

promise_test(async (t) => {
  const names = [unique_cache_name("b"), unique_cache_name("a"), unique_cache_name("c")];
  for (const name of names) {
    t.add_cleanup(() => caches.delete(name));
    await caches.open(name);
  }
  const keys = await caches.keys();
  assert_array_equals(keys.filter((key) => names.includes(key)), names,
                      "the names in the order the caches were created, not sorted");
}, "keys() lists cache names in creation order");

promise_test(async (t) => {
  const names = [unique_cache_name("one"), unique_cache_name("two"), unique_cache_name("three")];
  for (const name of names) {
    t.add_cleanup(() => caches.delete(name));
    await caches.open(name);
  }
  await caches.delete(names[1]);
  const keys = await caches.keys();
  assert_array_equals(keys.filter((key) => names.includes(key)), [names[0], names[2]]);
}, "keys() no longer lists a deleted cache");

promise_test(async (t) => {
  const name = unique_cache_name("survivor");
  t.add_cleanup(() => caches.delete(name));
  const cache = await caches.open(name);
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("kept"));
  assert_true(await caches.delete(name));
  assert_false(await caches.has(name), "the name is gone");
  const response = await cache.match(url);
  assert_not_equals(response, undefined, "the entry still matches through the old Cache");
  assert_equals(await response.text(), "kept");
  await cache.put(url_for("resources/other.txt"), new Response("added later"));
  assert_equals((await cache.keys()).length, 2, "the old Cache still takes new entries");
  assert_false(await caches.has(name), "writing to it does not bring the name back");
}, "a Cache keeps working after caches.delete() removed its name");

promise_test(async (t) => {
  const name = unique_cache_name("recreated");
  t.add_cleanup(() => caches.delete(name));
  const url = url_for("resources/simple.txt");
  await (await caches.open(name)).put(url, new Response("old"));
  await caches.delete(name);
  const fresh = await caches.open(name);
  assert_equals(await fresh.match(url), undefined, "the new cache starts empty");
  assert_equals((await fresh.keys()).length, 0);
}, "open() after delete() of the same name gives a new, empty cache");

promise_test(async (t) => {
  const url = url_for(`resources/simple.txt?across=${Math.random()}`);
  const first = unique_cache_name("first");
  const second = unique_cache_name("second");
  t.add_cleanup(() => caches.delete(first));
  t.add_cleanup(() => caches.delete(second));
  const firstCache = await caches.open(first);
  const secondCache = await caches.open(second);
  // Put into the later cache first: the order of the caches decides, not of the puts.
  await secondCache.put(url, new Response("from the second cache"));
  await firstCache.put(url, new Response("from the first cache"));
  const response = await caches.match(url);
  assert_not_equals(response, undefined);
  assert_equals(await response.text(), "from the first cache");
}, "caches.match() looks in the caches in creation order");

promise_test(async (t) => {
  const url = url_for(`resources/simple.txt?later=${Math.random()}`);
  const first = unique_cache_name("empty");
  const second = unique_cache_name("holder");
  t.add_cleanup(() => caches.delete(first));
  t.add_cleanup(() => caches.delete(second));
  await caches.open(first);
  await (await caches.open(second)).put(url, new Response("in the second"));
  const response = await caches.match(url);
  assert_not_equals(response, undefined, "found in a later cache");
  assert_equals(await response.text(), "in the second");
}, "caches.match() finds an entry that only a later cache has");

promise_test(async (t) => {
  const url = url_for(`resources/simple.txt?named=${Math.random()}`);
  const first = unique_cache_name("first");
  const second = unique_cache_name("second");
  t.add_cleanup(() => caches.delete(first));
  t.add_cleanup(() => caches.delete(second));
  await (await caches.open(first)).put(url, new Response("first"));
  await (await caches.open(second)).put(url, new Response("second"));
  const response = await caches.match(url, { cacheName: second });
  assert_equals(await response.text(), "second");
}, "caches.match() with cacheName looks only in that cache");

promise_test(async (t) => {
  const url = url_for(`resources/simple.txt?unknown=${Math.random()}`);
  const name = unique_cache_name("present");
  t.add_cleanup(() => caches.delete(name));
  await (await caches.open(name)).put(url, new Response("here"));
  const missing = unique_cache_name("absent");
  assert_equals(await caches.match(url, { cacheName: missing }), undefined);
  assert_false(await caches.has(missing), "match() does not create the cache");
}, "caches.match() with the name of no cache resolves with undefined");

promise_test(async () => {
  const url = url_for(`resources/simple.txt?nowhere=${Math.random()}`);
  assert_equals(await caches.match(url), undefined);
}, "caches.match() of a request no cache holds resolves with undefined");
