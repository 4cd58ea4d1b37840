"""A response for cross-origin tests. ?acao= sets Access-Control-Allow-Origin (none without
it); ?expose= sets Access-Control-Expose-Headers. Always carries X-Custom and Content-Language
headers. The body names the request's method and its Origin header.

?token=T records every request (method, Origin) in a temporary file; ?token=T&query=1 answers
the list of recorded requests as JSON and forgets them (for "was the request sent at all?")."""

import json
import os
import re
import tempfile


def record_path(token):
    safe = re.sub(rb"[^A-Za-z0-9-]", b"", token).decode()
    return os.path.join(tempfile.gettempdir(), f"bgsync-wpt-fetch-cors-{safe}.json")


def main(request, response):
    token = request.GET.first(b"token", None)
    if token is not None and request.GET.first(b"query", None) is not None:
        path = record_path(token)
        records = []
        if os.path.exists(path):
            with open(path) as f:
                records = json.load(f)
            os.remove(path)
        return [(b"Content-Type", b"application/json"), (b"Cache-Control", b"no-store")], \
            json.dumps(records)
    origin = request.headers.get(b"Origin")
    origin = origin.decode() if origin is not None else None
    if token is not None:
        path = record_path(token)
        records = []
        if os.path.exists(path):
            with open(path) as f:
                records = json.load(f)
        records.append({"method": request.method, "origin": origin})
        with open(path, "w") as f:
            json.dump(records, f)
    headers = [
        (b"Content-Type", b"text/plain"),
        (b"Cache-Control", b"no-store"),
        (b"Content-Language", b"en"),
        (b"X-Custom", b"secret"),
    ]
    acao = request.GET.first(b"acao", None)
    if acao is not None:
        headers.append((b"Access-Control-Allow-Origin", acao))
    expose = request.GET.first(b"expose", None)
    if expose is not None:
        headers.append((b"Access-Control-Expose-Headers", expose))
    return headers, json.dumps({"method": request.method, "origin": origin})
