"""A service worker script that may be kept in the HTTP cache for ten minutes: its `mainToken`
is new on every network answer. It imports max-aged-import.py (same ?u=), and answers a
client's {requestId} with both tokens."""

import uuid


def main(request, response):
    unique = request.GET.first(b"u", b"").decode()
    headers = [(b"Content-Type", b"text/javascript"), (b"Cache-Control", b"max-age=600")]
    body = f"""
const mainToken = "{uuid.uuid4()}";
importScripts("max-aged-import.py?u={unique}");
self.addEventListener("message", (event) => {{
  event.source.postMessage({{requestId: event.data.requestId, mainToken, importToken}});
}});
"""
    return headers, body
