"""Answers which scheme, host and port the request reached, as JSON, to any origin (CORS)."""

import json


def main(request, response):
    response.headers.set(b"Access-Control-Allow-Origin", b"*")
    response.headers.set(b"Content-Type", b"application/json")
    response.headers.set(b"Cache-Control", b"no-store")
    return json.dumps({
        "scheme": request.url_parts.scheme,
        "host": request.headers.get(b"host", b"").decode("latin-1"),
        "port": request.url_parts.port,
    })
