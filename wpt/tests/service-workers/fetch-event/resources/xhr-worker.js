// For XMLHttpRequests of its clients: a request whose URL has `?echo` is answered with a JSON
// description of event.request, one with `?error` with a network error, and any other goes
// to the network (no respondWith). Navigations in its scope get an empty document.
"use strict";

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const search = new URL(request.url).search;
  if (request.mode === "navigate") {
    event.respondWith(new Response("<!doctype html><title>controlled</title>",
                                   { headers: { "Content-Type": "text/html" } }));
  } else if (search === "?echo") {
    event.respondWith((async () => {
      const details = {
        url: request.url,
        method: request.method,
        mode: request.mode,
        credentials: request.credentials,
        destination: request.destination,
        contentType: request.headers.get("content-type"),
        test: request.headers.get("x-test"),
        accept: request.headers.get("accept"),
        body: request.method === "GET" ? null : await request.text(),
      };
      return new Response(JSON.stringify(details),
                          { headers: { "Content-Type": "application/json", "X-From": "worker" } });
    })());
  } else if (search === "?error") {
    event.respondWith(Response.error());
  }
});
