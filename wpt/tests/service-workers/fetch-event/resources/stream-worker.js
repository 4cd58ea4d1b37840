// Answers fetch events with stream bodies; the request URL's last path segment picks how.
// A navigation gets a small page, so a frame in scope is a controlled client.
"use strict";
const encoder = new TextEncoder();

// A stream of `parts` as bytes, each after a timer: the body is still coming when
// respondWith()'s promise settles.
function slow_stream(parts) {
  return new ReadableStream({
    async start(controller) {
      for (const part of parts) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.enqueue(encoder.encode(part));
      }
      controller.close();
    },
  });
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const name = url.pathname.split("/").pop();
  switch (name) {
    case "page.html":
      event.respondWith(new Response("<!doctype html><title>controlled</title>",
                                     { headers: { "Content-Type": "text/html" } }));
      break;
    case "stream":
      event.respondWith(new Response(slow_stream(["one ", "two ", "three"]),
                                     { headers: { "X-Stream": "yes" } }));
      break;
    case "relay":
      // A network response's body read chunk by chunk into a new stream (as a worker that
      // rewrites a response would).
      event.respondWith((async () => {
        const network = await fetch("fetch-target.txt");
        const reader = network.body.getReader();
        return new Response(new ReadableStream({
          async start(controller) {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              controller.enqueue(value);
            }
            controller.close();
          },
        }));
      })());
      break;
    case "request-body":
      // The page's request body, read through event.request.body.
      event.respondWith((async () => {
        const reader = event.request.body.getReader();
        const decoder = new TextDecoder();
        let text = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        return new Response(`${event.request.method} ${text}`);
      })());
      break;
    case "not-bytes":
      event.respondWith(new Response(new ReadableStream({
        start(controller) { controller.enqueue("a string"); controller.close(); },
      })));
      break;
    case "errors":
      event.respondWith(new Response(new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode("partial"));
          setTimeout(() => controller.error(new Error("broke off")), 5);
        },
      })));
      break;
    case "cached":
      // A stream body put in the cache comes back as bytes.
      event.respondWith((async () => {
        const cache = await caches.open("stream-bodies");
        await cache.put("/stream-bodies/entry", new Response(slow_stream(["cac", "hed"])));
        const stored = await cache.match("/stream-bodies/entry");
        await caches.delete("stream-bodies");
        return stored;
      })());
      break;
  }
});
