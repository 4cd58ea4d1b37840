// META: global=window,dedicatedworker
// Runs as /infrastructure/any-global.any.html (window); the dedicated-worker variant
// /infrastructure/any-global.any.worker.html runs with --global dedicatedworker.
"use strict";

test(() => {
  assert_equals(typeof GLOBAL, "object");
  assert_equals(GLOBAL.isWindow(), typeof document === "object");
  assert_equals(GLOBAL.isWorker(), typeof document !== "object");
}, "the wrapper defines GLOBAL for the global the test runs in");

async_test((t) => {
  Promise.resolve().then(t.step_func(() => {
    setTimeout(t.step_func_done(), 0);
  }));
}, "microtasks and timers run");
