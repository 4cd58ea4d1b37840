// The service worker of the background-sync tests. What its `sync` handler does is chosen by
// the script URL's query, so that every registration of a test has a fixed behaviour even when
// the worker is stopped and started again between attempts:
//   ?mode=succeed (default)  the event succeeds (waitUntil of the report below)
//   ?mode=hold               waitUntil a promise the page settles with {command: "release"}
//   ?mode=reject             waitUntil a promise that rejects
//   ?mode=throw              the handler throws (after waitUntil of the report)
//   ?mode=hang               waitUntil a promise that never settles (the event times out)
//
// Every `sync` event is reported at its start to every window client of the origin
// (clients.matchAll({includeUncontrolled: true}): test pages are not controlled) as
//   {type: "sync", scope, tag, lastChance, time, isSyncEvent, ...}
// where `time` is performance.timeOrigin + performance.now() at the handler's start.
//
// Messages from a page, {requestId, command, ...}, are answered with {requestId, ...}:
//   release {tag, outcome: "fulfill"|"reject"}  settles the held events of `tag`: {released: n}
//   register {tag}                     self.registration.sync.register(tag): {ok} or {error}
//   getTags                            self.registration.sync.getTags(): {tags} or {error}
//   events                             the reports of the events this worker instance saw
"use strict";

// self.location (WorkerLocation) is what a worker would normally read; bgsync's service-worker
// global does not have it yet, so fall back on the worker's own scriptURL: the background-sync
// tests should not fail on an unrelated missing interface.
const SCRIPT_URL = self.location ? self.location.href : self.serviceWorker.scriptURL;
const MODE = new URL(SCRIPT_URL).searchParams.get("mode") || "succeed";
const held = new Map();  // tag -> [{resolve, reject}]
const seen = [];

function errorInfo(error) {
  return { name: error && error.name, message: error && error.message,
           isDOMException: error instanceof DOMException };
}

async function tell(message) {
  const clients = await self.clients.matchAll({ includeUncontrolled: true, type: "window" });
  for (const client of clients) {
    client.postMessage(message);
  }
}

function hold(tag) {
  return new Promise((resolve, reject) => {
    if (!held.has(tag)) {
      held.set(tag, []);
    }
    held.get(tag).push({ resolve, reject });
  });
}

self.addEventListener("sync", (event) => {
  const report = {
    type: "sync",
    time: performance.timeOrigin + performance.now(),
    scope: self.registration.scope,
    mode: MODE,
    tag: event.tag,
    lastChance: event.lastChance,
    eventType: event.type,
    isTrusted: event.isTrusted,
    isSyncEvent: typeof SyncEvent === "function" && event instanceof SyncEvent,
  };
  seen.push(report);
  const told = tell(report);
  if (MODE === "hold") {
    event.waitUntil(told.then(() => hold(event.tag)));
  } else if (MODE === "reject") {
    event.waitUntil(told.then(() => Promise.reject(new Error("sync failing on purpose"))));
  } else if (MODE === "throw") {
    event.waitUntil(told);
    throw new Error("sync handler throwing on purpose");
  } else if (MODE === "hang") {
    event.waitUntil(told.then(() => new Promise(() => {})));
  } else {
    event.waitUntil(told);
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const answer = (reply) => event.source.postMessage(Object.assign({ requestId: data.requestId }, reply));
  const work = (async () => {
    if (data.command === "release") {
      const waiting = held.get(data.tag) || [];
      held.delete(data.tag);
      for (const { resolve, reject } of waiting) {
        if (data.outcome === "reject") {
          reject(new Error("released with a rejection"));
        } else {
          resolve();
        }
      }
      return { released: waiting.length };
    }
    if (data.command === "register") {
      try {
        await self.registration.sync.register(data.tag);
        return { ok: true };
      } catch (error) {
        return { error: errorInfo(error) };
      }
    }
    if (data.command === "getTags") {
      try {
        return { tags: await self.registration.sync.getTags() };
      } catch (error) {
        return { error: errorInfo(error) };
      }
    }
    if (data.command === "events") {
      return { events: seen };
    }
    return { error: { name: "unknown command " + data.command } };
  })();
  event.waitUntil(work.then(answer));
});
