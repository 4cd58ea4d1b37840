// META: global=window,dedicatedworker
// META: title=Blob URLs: URL.createObjectURL(), fetch(), workers and importScripts() from them
"use strict";

promise_test(async (t) => {
  const blob = new Blob(["hello ", "blob"], { type: "text/plain" });
  const url = URL.createObjectURL(blob);
  assert_true(url.startsWith("blob:" + self.origin + "/"), url);
  assert_regexp_match(url.slice(("blob:" + self.origin + "/").length),
                      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert_not_equals(URL.createObjectURL(blob), url, "a new URL each time");
  const response = await fetch(url);
  assert_equals(response.status, 200);
  assert_equals(response.headers.get("content-type"), "text/plain");
  assert_equals(response.headers.get("content-length"), "10");
  assert_equals(await response.text(), "hello blob");
  assert_equals(await (await fetch(url + "#fragment")).text(), "hello blob",
                "the fragment is ignored");
  URL.revokeObjectURL(url);
  await promise_rejects_js(t, TypeError, fetch(url), "a revoked URL is a network error");
}, "a blob URL fetches its blob until it is revoked");

promise_test(async (t) => {
  const url = URL.createObjectURL(new Blob(["x"]));
  t.add_cleanup(() => URL.revokeObjectURL(url));
  await promise_rejects_js(t, TypeError, fetch(url, { method: "POST", body: "y" }));
}, "a blob URL answers GET only");

promise_test(async (t) => {
  const source = "onmessage = (e) => postMessage('worker from a blob got ' + e.data);";
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  t.add_cleanup(() => URL.revokeObjectURL(url));
  const worker = new Worker(url);
  t.add_cleanup(() => worker.terminate());
  const answer = new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); });
  worker.postMessage("hi");
  assert_equals(await answer, "worker from a blob got hi");
}, "a dedicated worker runs from a blob URL");

test(() => {
  assert_equals(typeof URL.createObjectURL, "function");
  assert_equals(typeof URL.revokeObjectURL, "function");
  URL.revokeObjectURL("not a url at all");
  URL.revokeObjectURL("blob:https://other.example/00000000-0000-4000-8000-000000000000");
}, "revokeObjectURL() of what is not a blob URL of this origin does nothing");
