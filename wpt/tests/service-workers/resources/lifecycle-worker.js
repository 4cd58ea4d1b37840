// Records its lifecycle events; `install` and `activate` each extend their event by
// EXTEND_MS with waitUntil. Answers {requestId} with {requestId, log}.
"use strict";

const EXTEND_MS = 300;
const log = [];

function note(step) {
  const registration = self.registration;
  log.push({
    step,
    time: performance.now(),
    installing: registration.installing && registration.installing.state,
    waiting: registration.waiting && registration.waiting.state,
    active: registration.active && registration.active.state,
  });
}

function extend(event, name) {
  note(name);
  event.waitUntil(new Promise((resolve) => setTimeout(resolve, EXTEND_MS)).then(() => {
    note(name + "-extended");
  }));
}

self.addEventListener("install", (event) => extend(event, "install"));
self.addEventListener("activate", (event) => extend(event, "activate"));
self.addEventListener("message", (event) => {
  event.source.postMessage({ requestId: event.data.requestId, log });
});
