// Helpers shared by the tests under /service-workers/ (a page-side file: load it with
// <script src="resources/helpers.js">).
//
// Scopes: every test file uses its own scope (SCOPE_BASE + the file's name, or the page's own
// URL when the page must be inside the scope), so registrations never collide even when tests
// share a profile or a browser.

"use strict";

// Service workers in this directory may control /service-workers/resources/scope/...; a wider
// scope (the test pages themselves) needs the Service-Worker-Allowed header.
const SCOPE_BASE = "resources/scope/";

// `script` with a Service-Worker-Allowed header added by wptserve's `header` pipe.
function allow_scope(script, allowed = "/service-workers/") {
  const separator = script.includes("?") ? "&" : "?";
  return `${script}${separator}pipe=header(Service-Worker-Allowed,${allowed})`;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Resolves when `worker` reaches `state` (at once if it is already there). Rejects if it
// becomes redundant first, unless `state` is "redundant". `t` (the test, for step_func) may
// be null.
function wait_for_state(t, worker, state) {
  const step_func = t ? (f) => t.step_func(f) : (f) => f;
  if (!worker || worker.state === undefined) {
    return Promise.reject(new Error(`wait_for_state: ${worker} is not a ServiceWorker`));
  }
  if (worker.state === state) {
    return Promise.resolve(state);
  }
  return new Promise((resolve, reject) => {
    const listener = step_func(() => {
      if (worker.state === state) {
        worker.removeEventListener("statechange", listener);
        resolve(state);
      } else if (worker.state === "redundant") {
        worker.removeEventListener("statechange", listener);
        reject(new Error(`the worker became redundant while waiting for "${state}"`));
      }
    });
    worker.addEventListener("statechange", listener);
  });
}

// Registers `script` for `scope`, unregisters it when the test ends, and waits for the new
// worker to be activated. Returns the registration.
async function register_and_activate(t, script, scope) {
  const registration = await navigator.serviceWorker.register(script, { scope });
  t.add_cleanup(() => registration.unregister());
  const worker = registration.installing || registration.waiting || registration.active;
  await wait_for_state(t, worker, "activated");
  return registration;
}

// The first event named `type` at `target`. (If `target` is missing the promise rejects,
// marked as handled: awaiting it still throws, but an unawaited one is not a harness error.)
function next_event(target, type) {
  const event = new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
  event.catch(() => {});
  return event;
}

// Request/reply with a service worker: posts {requestId, ...message} to `worker` and resolves
// with the MessageEvent (at navigator.serviceWorker) whose data carries the same requestId.
// The workers in resources/ answer with e.source.postMessage({requestId, ...}).
let next_request_id = 1;
function ask(worker, message = {}) {
  const requestId = next_request_id++;
  const container = navigator.serviceWorker;
  const reply = new Promise((resolve) => {
    container.addEventListener("message", function listener(event) {
      if (event.data && event.data.requestId === requestId) {
        container.removeEventListener("message", listener);
        resolve(event);
      }
    });
  });
  // addEventListener alone leaves the client message queue disabled until the document has
  // loaded; the first test of a file starts while it is still loading.
  container.startMessages();
  worker.postMessage(Object.assign({ requestId }, message));
  return reply;
}

// Rejects after `ms` with a message naming `what`: for waits that must end with a clear failure
// well before the harness timeout.
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  const result = Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  result.catch(() => {});  // handled by whoever awaits it; never a harness error by itself
  return result;
}

// Inserts an iframe of `url` and resolves with it once it has loaded; it is removed when test
// `t` ends.
function with_iframe(t, url) {
  return new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.src = url;
    frame.onload = () => resolve(frame);
    document.body.appendChild(frame);
    t.add_cleanup(() => frame.remove());
  });
}
