"""A service worker script whose bytes differ on every fetch, so every update check finds a new
version. With `?respond`, it answers every fetch event with a page of its own."""

import uuid

RESPOND = """
self.addEventListener("fetch", (event) => {
  event.respondWith(new Response("<!doctype html><p>from the worker</p>",
                                 {headers: {"Content-Type": "text/html"}}));
});
"""


def main(request, response):
    headers = [(b"Content-Type", b"text/javascript"), (b"Cache-Control", b"no-store")]
    body = f"// version {uuid.uuid4()}\n"
    if b"respond" in request.GET:
        body += RESPOND
    return headers, body
