// META: global=dedicatedworker
// META: title=DedicatedWorkerGlobalScope as a worker sees it
"use strict";

test(() => {
  assert_true(self instanceof DedicatedWorkerGlobalScope);
  assert_true(self instanceof WorkerGlobalScope);
  assert_equals(Object.getPrototypeOf(DedicatedWorkerGlobalScope.prototype),
                WorkerGlobalScope.prototype);
  for (const name of ["postMessage", "close", "importScripts"]) {
    assert_equals(typeof self[name], "function", name);
  }
  assert_equals(typeof self.name, "string");
  assert_true("onmessage" in self);
  assert_true("onmessageerror" in self);
  assert_equals(self.self, self);
}, "the global of a dedicated worker");

test(() => {
  assert_equals(typeof Worker, "function", "workers can start workers");
  assert_false("ServiceWorkerGlobalScope" in self);
  assert_false("Window" in self);
  assert_false("document" in self);
  assert_equals(typeof IDBFactory, "function");
  assert_equals(typeof MessageChannel, "function");
}, "what a dedicated worker exposes and does not");

test(() => {
  assert_equals(location.href, new URL(location.pathname, location.origin).href + location.search);
  assert_true(location.pathname.endsWith(".any.worker.js"));
  assert_equals(typeof navigator.userAgent, "string");
  assert_equals(typeof navigator.onLine, "boolean");
}, "location and navigator");
