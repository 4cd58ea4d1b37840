// Tries ExtendableEvent.waitUntil() at different moments of a message event and answers
// {requestId, result}: "ok" when waitUntil() did not throw, else the exception's name.
"use strict";

function attempt(event, promise = Promise.resolve()) {
  try {
    event.waitUntil(promise);
    return "ok";
  } catch (error) {
    return error.name;
  }
}

function later(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const scenarios = {
  // While the event is being dispatched.
  "during dispatch": (event) => attempt(event),
  // In a later task, with no extension: the event is no longer active.
  "later task, no extension": (event) => later(0).then(() => attempt(event)),
  // In a later task, while an earlier extension is still pending.
  "later task, extension pending": (event) => {
    event.waitUntil(later(300));
    return later(0).then(() => attempt(event));
  },
  // In a reaction to the pending extension promise itself, queued before its count drops.
  "reaction to the extension": (event) => {
    const extension = later(50);
    event.waitUntil(extension);
    return extension.then(() => attempt(event));
  },
  // Once every extension has settled, in a later task.
  "after the extensions settled": (event) => {
    event.waitUntil(later(20));
    return later(200).then(() => attempt(event));
  },
  // After a rejected extension too.
  "after a rejected extension": (event) => {
    event.waitUntil(Promise.reject(new Error("rejected on purpose")));
    return later(100).then(() => attempt(event));
  },
  // An event made by script is not trusted: waitUntil() on it throws.
  "constructed event": () => attempt(new ExtendableEvent("test")),
};

self.addEventListener("message", (event) => {
  const { requestId, scenario } = event.data;
  const source = event.source;
  const run = scenarios[scenario];
  Promise.resolve(run ? run(event) : `unknown scenario ${scenario}`).then((result) => {
    source.postMessage({ requestId, result });
  });
});
