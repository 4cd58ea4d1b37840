// A worker with static routing rules (InstallEvent.addRoutes), for static-router.https.html.
// Its fetch handler answers "from the fetch handler" (after `?delay=ms`), and a navigation
// with a small page.
"use strict";
const DIR = "/service-workers/resources/";
const SCOPE = DIR + "scope/router/";

const RULES = [
  { condition: { urlPattern: DIR + "router-data.txt?race*" },
    source: "race-network-and-fetch-handler" },
  { condition: { urlPattern: DIR + "router-data.txt?via=handler" }, source: "fetch-event" },
  { condition: { urlPattern: DIR + "router-data.txt" }, source: "network" },
  { condition: { urlPattern: SCOPE + "cached.txt" }, source: "cache" },
  { condition: { urlPattern: SCOPE + "not-cached.txt" }, source: { cacheName: "router" } },
  { condition: { urlPattern: SCOPE + "in-other-cache.txt" }, source: { cacheName: "other" } },
  { condition: { urlPattern: SCOPE + "post", requestMethod: "post" }, source: "network" },
  { condition: { or: [{ urlPattern: SCOPE + "or-a" }, { urlPattern: SCOPE + "or-b" }] },
    source: "network" },
  { condition: { urlPattern: SCOPE + "running-*", runningStatus: "running" }, source: "network" },
  { condition: { urlPattern: SCOPE + "race-*" }, source: "race-network-and-fetch-handler" },
  { condition: { urlPattern: DIR + "router-slow.py" }, source: "race-network-and-fetch-handler" },
  { condition: { not: { urlPattern: SCOPE + "*" } }, source: "network" },
];

// What the worker saw of addRoutes(), for the page to ask.
const seen = {};
let addRoutesLater;

async function outcome(promise) {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error.name;
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open("router");
    await cache.put(SCOPE + "cached.txt", new Response("from the cache"));
    await cache.put(SCOPE + "in-other-cache.txt", new Response("from the router cache"));
  })());
  addRoutesLater = event.addRoutes.bind(event);
  seen.install = {};
  const checks = seen.install;
  event.waitUntil((async () => {
    checks.rules = await outcome(event.addRoutes(RULES));
    checks.regexpGroup = await outcome(event.addRoutes(
        { condition: { urlPattern: "/(\\d+)" }, source: "network" }));
    checks.emptyCondition = await outcome(event.addRoutes({ condition: {}, source: "network" }));
    checks.orWithOthers = await outcome(event.addRoutes({
      condition: { or: [{ urlPattern: "/a" }], requestMethod: "GET" }, source: "network" }));
    checks.forbiddenMethod = await outcome(event.addRoutes(
        { condition: { requestMethod: "TRACE" }, source: "network" }));
    // A conversion error of a promise-returning operation is a rejection (Web IDL).
    checks.badSource = await outcome(
        event.addRoutes({ condition: { urlPattern: "/a" }, source: "nowhere" }));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    seen.afterInstall = await outcome(
        addRoutesLater({ condition: { urlPattern: "/late" }, source: "network" }));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const delay = Number(url.searchParams.get("delay") || 0);
  if (event.request.mode === "navigate") {
    event.respondWith(new Response("<!doctype html><title>routed frame</title>",
                                   { headers: { "Content-Type": "text/html" } }));
    return;
  }
  event.respondWith(new Promise((resolve) => setTimeout(resolve, delay))
      .then(() => new Response("from the fetch handler")));
});

self.addEventListener("message", (event) => {
  event.source.postMessage(Object.assign({ requestId: event.data.requestId }, seen));
});
