// Answers .../intercept-me itself; lists the worker clients it controls when asked.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  if (event.request.url.endsWith("/intercept-me")) {
    event.respondWith(new Response("from the service worker, for a " +
                                   event.request.destination + " request"));
  }
});
self.addEventListener("message", (event) => {
  event.waitUntil(self.clients.matchAll({ type: "worker" }).then((clients) => {
    event.source.postMessage({ workers: clients.map((client) => client.url) });
  }));
});
