// Enables navigation preload, and answers each navigation with what its preloadResponse was:
// {status, header (its X-Preload), body (its text, or "read failed: <error name>")}.
"use strict";

self.addEventListener("activate", (event) => {
  event.waitUntil(self.registration.navigationPreload.enable());
});

self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") {
    return;
  }
  event.respondWith((async () => {
    const preloaded = await event.preloadResponse;
    if (!preloaded) {
      return new Response("no preload response");
    }
    let body;
    try {
      body = await preloaded.text();
    } catch (error) {
      body = `read failed: ${error.name}`;
    }
    const seen = { status: preloaded.status, header: preloaded.headers.get("x-preload"), body };
    return new Response(JSON.stringify(seen), { headers: { "Content-Type": "text/plain" } });
  })());
});
