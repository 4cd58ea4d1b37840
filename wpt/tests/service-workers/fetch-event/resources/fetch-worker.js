// A fetch handler whose behaviour the request's `sw` query parameter picks; it claims the
// pages in its scope when it activates. Answers {requestId, ...} to messages asking what it
// recorded.
"use strict";
const recorded = {};

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

// A promise rejected with nobody watching it, such as `event.handled` after a network error.
self.addEventListener("unhandledrejection", (event) => {
  recorded.unhandled = (recorded.unhandled || []).concat(String(event.reason));
});

// The Response the "reuse" case answered with.
let kept = null;

self.addEventListener("message", (event) => {
  if (kept) recorded.keptBodyUsed = kept.bodyUsed;
  event.source.postMessage({ requestId: event.data.requestId, recorded });
});

self.addEventListener("fetch", (event) => {
  const mode = new URL(event.request.url).searchParams.get("sw");
  switch (mode) {
    case "respond":
      event.respondWith(new Response("from the worker", {
        status: 201, statusText: "Made", headers: { "X-From": "worker" },
      }));
      break;
    case "echo":
      event.respondWith((async () => {
        const request = event.request;
        return new Response(JSON.stringify({
          method: request.method,
          url: request.url,
          body: await request.text(),
          header: request.headers.get("x-test"),
          mode: request.mode,
          credentials: request.credentials,
          destination: request.destination,
          clientId: typeof event.clientId,
          clientIdEmpty: event.clientId === "",
          resultingClientId: event.resultingClientId,
          isFetchEvent: event instanceof FetchEvent,
          cancelable: event.cancelable,
          bubbles: event.bubbles,
          preload: await event.preloadResponse,
        }));
      })());
      break;
    case "async":
      event.respondWith(new Promise((resolve) => {
        setTimeout(() => resolve(new Response("after a while")), 50);
      }));
      break;
    case "reject":
      event.respondWith(Promise.reject(new Error("rejected on purpose")));
      break;
    case "not-a-response":
      event.respondWith(Promise.resolve({ status: 200 }));
      break;
    case "error":
      event.respondWith(Response.error());
      break;
    case "used-body": {
      const response = new Response("used");
      response.text();
      event.respondWith(response);
      break;
    }
    case "reuse":
      // The same Response for every request: respondWith() reads its body, so only the first
      // gets it.
      kept = kept || new Response("once");
      event.respondWith(kept);
      break;
    case "twice": {
      let answer;
      event.respondWith(new Promise((resolve) => { answer = resolve; }));
      try {
        event.respondWith(new Response("second"));
        answer(new Response("no exception"));
      } catch (e) {
        answer(new Response(e.name));
      }
      break;
    }
    case "late":
      setTimeout(() => {
        try {
          event.respondWith(new Response("late"));
          recorded.late = "no exception";
        } catch (e) {
          recorded.late = e.name;
        }
      }, 0);
      break;
    case "throw":
      throw new Error("a fetch handler that throws");
    case "handled":
      event.respondWith(new Response("handled"));
      event.handled.then(() => { recorded.handled = "fulfilled"; },
                         (e) => { recorded.handled = e.name; });
      break;
    case "handled-fallback":
      event.handled.then(() => { recorded.handledFallback = "fulfilled"; },
                         (e) => { recorded.handledFallback = e.name; });
      break;
    case "opaque": {
      // Another origin's response, fetched no-cors: opaque.
      const remote = new URL(event.request.url).searchParams.get("remote");
      event.respondWith(fetch(remote, { mode: "no-cors" }));
      break;
    }
    case "script":
      recorded.script = { destination: event.request.destination, mode: event.request.mode };
      event.respondWith(new Response("window.fromTheWorker = 42;", {
        headers: { "Content-Type": "text/javascript" },
      }));
      break;
    case "passthrough":
      // The most common fetch handler there is: the request as it is, to the network. For
      // another origin's script (no-cors), the answer is opaque.
      event.respondWith(fetch(event.request));
      break;
    case "own-fetch":
      // The worker's own fetch() goes to the network, not back to this handler.
      event.respondWith(fetch(event.request.url.replace("sw=own-fetch", "sw=respond")));
      break;
    default:
      // No respondWith(): the page's request goes to the network.
      break;
  }
});
