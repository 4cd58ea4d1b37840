// Claims every client in its scope when it activates.
"use strict";
self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});
