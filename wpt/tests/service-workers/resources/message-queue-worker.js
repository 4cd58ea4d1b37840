// When activated, posts {sentAt} to every window client of its origin, controlled or not.
"use strict";
self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.matchAll({ includeUncontrolled: true, type: "window" })
    .then((clients) => {
      for (const client of clients) {
        client.postMessage({ sentAt: Date.now(), url: client.url });
      }
    }));
});
