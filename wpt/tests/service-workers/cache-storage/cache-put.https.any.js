// META: global=window,dedicatedworker,serviceworker
// META: title=Cache.put(): what it stores, what it refuses
// META: script=resources/helpers.js
// META: script=/common/get-host-info.sub.js
"use strict";

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  const result = await cache.put(url, new Response("stored by url"));
  assert_equals(result, undefined, "put() resolves with undefined");
  const response = await cache.match(url);
  assert_equals(await response.text(), "stored by url");
}, "put() with a URL string stores the response under that URL");

cache_test(async (t, cache) => {
  const request = new Request(url_for("resources/simple.txt"));
  await cache.put(request, new Response("stored by request"));
  const response = await cache.match(request.url);
  assert_equals(await response.text(), "stored by request");
  const keys = await cache.keys();
  assert_array_equals(urls_of(keys), [request.url]);
  assert_equals(keys[0].method, "GET");
}, "put() with a Request stores the response under its URL");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("first version"));
  await cache.put(url, new Response("second version"));
  const keys = await cache.keys();
  assert_equals(keys.length, 1, "still one entry");
  assert_equals(keys[0].url, url);
  assert_equals(await (await cache.match(url)).text(), "second version");
}, "put() for a URL the cache already holds replaces that entry");

cache_test(async (t, cache) => {
  const response = new Response("some body");
  await cache.put(url_for("resources/simple.txt"), response);
  assert_true(response.bodyUsed);
}, "put() reads the response's body (bodyUsed is true after)");

cache_test(async (t, cache) => {
  const body = "a body with a custom status";
  await cache.put(url_for("resources/simple.txt"), new Response(body, {
    status: 201,
    statusText: "Made Here",
    headers: { "Content-Type": "text/x-custom", "X-Extra": "extra value" },
  }));
  const response = await cache.match(url_for("resources/simple.txt"));
  assert_equals(response.type, "default");
  assert_equals(response.url, "", "a constructed response has no URL, even from a cache");
  assert_equals(response.status, 201);
  assert_equals(response.statusText, "Made Here");
  assert_true(response.ok);
  assert_equals(response.headers.get("content-type"), "text/x-custom");
  assert_equals(response.headers.get("x-extra"), "extra value");
  assert_equals(await response.text(), body);
}, "a constructed Response comes back with its type, url, status, statusText and headers");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  const fetched = await fetch(url);
  const contentType = fetched.headers.get("content-type");
  await cache.put(url, fetched);
  const response = await cache.match(url);
  assert_equals(response.type, "basic");
  assert_equals(response.url, url);
  assert_equals(response.status, 200);
  assert_equals(response.statusText, "OK");
  assert_equals(response.headers.get("content-type"), contentType);
  assert_equals(await response.text(), "the first resource");
}, "a fetched Response comes back with its type, url, status, statusText and headers");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
  await cache.put(url, new Response(bytes));
  const stored = new Uint8Array(await (await cache.match(url)).arrayBuffer());
  assert_array_equals(stored, bytes);
}, "a binary body comes back byte for byte");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response(""));
  const response = await cache.match(url);
  assert_not_equals(response, undefined);
  assert_equals(await response.text(), "");
}, "a response with an empty body can be stored");

cache_test(async (t, cache) => {
  const request = new Request(url_for("resources/simple.txt"), { method: "POST", body: "x" });
  await promise_rejects_js(t, TypeError, cache.put(request, new Response("no")));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "put() of a POST request rejects with TypeError");

cache_test(async (t, cache) => {
  await promise_rejects_js(t, TypeError,
                           cache.put("data:text/plain,hello", new Response("no")));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "put() of a data: URL rejects with TypeError");

cache_test(async (t, cache) => {
  const response = new Response("part", { status: 206 });
  await promise_rejects_js(t, TypeError, cache.put(url_for("resources/simple.txt"), response));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "put() of a response with status 206 rejects with TypeError");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt?pipe=status(206)");
  const fetched = await fetch(url);
  assert_equals(fetched.status, 206, "the server's answer");
  await promise_rejects_js(t, TypeError, cache.put(url, fetched));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "put() of a fetched 206 response rejects with TypeError");

cache_test(async (t, cache) => {
  const response = new Response("varies", { headers: { Vary: "*" } });
  await promise_rejects_js(t, TypeError, cache.put(url_for("resources/simple.txt"), response));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "put() of a response with Vary: * rejects with TypeError");

cache_test(async (t, cache) => {
  const response = new Response("varies", { headers: { Vary: "Accept-Language, *" } });
  await promise_rejects_js(t, TypeError, cache.put(url_for("resources/simple.txt"), response));
}, "put() of a response whose Vary list contains * rejects with TypeError");

cache_test(async (t, cache) => {
  const response = new Response("read already");
  await response.text();
  assert_true(response.bodyUsed);
  await promise_rejects_js(t, TypeError, cache.put(url_for("resources/simple.txt"), response));
  assert_equals((await cache.keys()).length, 0, "nothing stored");
}, "put() of a response whose body was already read rejects with TypeError");

cache_test(async (t, cache) => {
  const url = url_for("resources/simple.txt");
  await cache.put(url, new Response("original"));
  const used = new Response("replacement");
  await used.arrayBuffer();
  await promise_rejects_js(t, TypeError, cache.put(url, used));
  assert_equals(await (await cache.match(url)).text(), "original", "the entry is unchanged");
}, "a rejected put() leaves the entry it would have replaced");

cache_test(async (t, cache) => {
  const url = `${get_host_info().HTTPS_REMOTE_ORIGIN}/service-workers/cache-storage/resources/simple.txt`;
  const fetched = await fetch(url, { mode: "no-cors" });
  assert_equals(fetched.type, "opaque", "a cross-origin no-cors fetch");
  await cache.put(url, fetched);
  const response = await cache.match(url);
  assert_not_equals(response, undefined, "the opaque response is stored");
  assert_equals(response.type, "opaque");
  assert_equals(response.status, 0);
  assert_equals(response.statusText, "");
  assert_equals(response.url, "");
  assert_equals([...response.headers].length, 0, "no headers are visible");
  assert_equals(await response.text(), "", "no body is visible");
}, "an opaque response can be stored and matched, and still shows nothing");
