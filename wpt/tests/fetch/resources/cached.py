"""A response for the HTTP cache tests: its JSON body has a new `token` on every network
answer, and `seen`, the request's Cache-Control, Pragma and If-None-Match.

?cc=VALUE gives it that Cache-Control; ?etag=1 an ETag, and a request for that ETag gets a
304 whose X-Revalidated header the cache merges into what it stored; ?vary=NAME a Vary;
?lm=1 a Last-Modified ten days ago (so a heuristic freshness of a day)."""

import json
import time
import uuid

ETAG = b'"v1"'


def main(request, response):
    headers = [(b"Content-Type", b"application/json")]
    cache_control = request.GET.first(b"cc", None)
    if cache_control is not None:
        headers.append((b"Cache-Control", cache_control))
    if b"etag" in request.GET:
        headers.append((b"ETag", ETAG))
    vary = request.GET.first(b"vary", None)
    if vary is not None:
        headers.append((b"Vary", vary))
    if b"lm" in request.GET:
        ten_days_ago = time.gmtime(time.time() - 10 * 86400)
        headers.append(
            (b"Last-Modified", time.strftime("%a, %d %b %Y %H:%M:%S GMT", ten_days_ago).encode())
        )
    if b"etag" in request.GET and request.headers.get(b"If-None-Match") == ETAG:
        return 304, headers + [(b"X-Revalidated", b"yes")], b""

    def seen(name):
        value = request.headers.get(name)
        return value.decode() if value is not None else None

    body = {
        "token": str(uuid.uuid4()),
        "seen": {
            "cache-control": seen(b"Cache-Control"),
            "pragma": seen(b"Pragma"),
            "if-none-match": seen(b"If-None-Match"),
        },
    }
    return headers, json.dumps(body)
