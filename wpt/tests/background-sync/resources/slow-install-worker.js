// A service worker whose install event lasts until a page posts "finish-install" to it (or
// 2 s have passed: long enough for the tests, short enough for a test's cleanup in an engine
// that does not deliver the message), so tests can act while the registration has only an
// installing worker.
"use strict";

let finish;
const finished = new Promise((resolve) => { finish = resolve; });
setTimeout(() => finish(), 2000);

self.addEventListener("install", (event) => event.waitUntil(finished));
self.addEventListener("message", (event) => {
  if (event.data === "finish-install") {
    finish();
  }
});
