// Calls skipWaiting() while installing; reports what it returned to any client that asks.
"use strict";
let skipResult = "not called";
self.addEventListener("install", (event) => {
  const promise = self.skipWaiting();
  skipResult = promise instanceof Promise ? "a promise" : String(promise);
  event.waitUntil(promise.then((value) => {
    skipResult += value === undefined ? ", resolved with undefined" : `, resolved with ${value}`;
  }));
});
self.addEventListener("message", (event) => {
  event.source.postMessage({ requestId: event.data.requestId, skipResult });
});
