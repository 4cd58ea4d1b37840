// Answers every request in its scope with a JSON description of event.request, as the worker
// sees it: what fetch added (Accept), the referrer fetch determined, and the members it shows
// (cache, integrity, keepalive, the navigation flags, the body).
"use strict";

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  event.respondWith((async () => {
    const details = {
      url: request.url,
      method: request.method,
      mode: request.mode,
      destination: request.destination,
      accept: request.headers.get("accept"),
      referrer: request.referrer,
      referrerPolicy: request.referrerPolicy,
      cache: request.cache,
      integrity: request.integrity,
      keepalive: request.keepalive,
      isReloadNavigation: request.isReloadNavigation,
      isHistoryNavigation: request.isHistoryNavigation,
      body: request.method === "GET" ? null : await request.text(),
    };
    const json = JSON.stringify(details);
    if (request.mode === "navigate") {
      // A frame's document shows the JSON as its body's text.
      return new Response(`<!doctype html><body>${json.replace(/</g, "\\u003c")}`,
                          { headers: { "Content-Type": "text/html" } });
    }
    return new Response(json, { headers: { "Content-Type": "application/json" } });
  })());
});
