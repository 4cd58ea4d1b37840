// Records the navigation requests it sees (URL and resultingClientId) and answers some:
//   ?sw=gen&url=U     Response.redirect(U)
//   ?sw=manual        fetch(event.request): an opaque-redirect when the network redirects
//   ?sw=cache         the same, passed through Cache Storage first
//   ?sw=follow        fetch(url, {redirect: "follow"}) handed to a subresource request
//   ?sw=fetch&url=U   fetch(U) (a CORS request, its redirects followed)
// and falls back to the network otherwise. {command: "seen"} answers with what it recorded and
// forgets it.
"use strict";

let seen = [];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.mode === "navigate") {
    seen.push({ url: event.request.url, resultingClientId: event.resultingClientId });
  }
  const sw = url.searchParams.get("sw");
  if (sw === "gen") {
    event.respondWith(Response.redirect(url.searchParams.get("url")));
  } else if (sw === "manual") {
    event.respondWith(fetch(event.request));
  } else if (sw === "cache") {
    event.respondWith((async () => {
      const cache = await caches.open("navigation-redirect");
      await cache.put(event.request.url, await fetch(event.request));
      const stored = await cache.match(event.request.url);
      await caches.delete("navigation-redirect");
      return stored;
    })());
  } else if (sw === "fetch") {
    event.respondWith(fetch(url.searchParams.get("url")));
  } else if (sw === "opaque-redirect-to-subresource") {
    // A subresource request (redirect mode "follow") answered with an opaque-redirect.
    event.respondWith(fetch(url.searchParams.get("url"), { redirect: "manual" }));
  }
});

self.addEventListener("message", (event) => {
  if (event.data.command === "seen") {
    event.source.postMessage({ requestId: event.data.requestId, seen });
    seen = [];
  }
});
