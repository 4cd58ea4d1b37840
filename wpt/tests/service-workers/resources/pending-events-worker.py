"""A service worker whose bytes differ on every fetch (so update() always finds a new one) and
that can be kept busy: "hold" extends its message event with waitUntil() until "release".
With ?skip it calls skipWaiting() at the top level of its script, before it installs."""

import uuid


BODY = """
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
let release;
const released = new Promise((resolve) => { release = resolve; });
self.addEventListener("message", (event) => {
  if (event.data.command === "hold") {
    event.waitUntil(released);
  } else if (event.data.command === "release") {
    release();
  }
  event.source.postMessage({ requestId: event.data.requestId, done: event.data.command });
});
"""


def main(request, response):
    headers = [(b"Content-Type", b"text/javascript"), (b"Cache-Control", b"no-store")]
    skip = "self.skipWaiting();\n" if b"skip" in request.GET else ""
    return headers, f"// version {uuid.uuid4()}\n{skip}{BODY}"
