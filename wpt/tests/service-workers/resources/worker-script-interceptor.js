// Answers the script request of a dedicated worker (destination "worker") in its scope with a
// script that posts what the request looked like; ?status=N answers with that status instead,
// ?mime=T with that Content-Type.
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.destination !== "worker") {
    return;
  }
  const status = new URL(request.url).searchParams.get("status");
  if (status) {
    event.respondWith(new Response("", { status: Number(status) }));
    return;
  }
  const seen = JSON.stringify({ destination: request.destination, mode: request.mode, url: request.url,
                                accept: request.headers.get("accept") });
  const mime = new URL(request.url).searchParams.get("mime") || "text/javascript";
  event.respondWith(new Response(`postMessage(${seen});`, { headers: { "Content-Type": mime } }));
});
