// Its install event waits until the worker gets the message "finish install", so that a test
// can look at a registration that has an installing worker and no active one.
"use strict";

let finish_install;
self.addEventListener("install", (event) => {
  event.waitUntil(new Promise((resolve) => { finish_install = resolve; }));
});

self.addEventListener("message", (event) => {
  if (event.data === "finish install" && finish_install) {
    finish_install();
  }
});
