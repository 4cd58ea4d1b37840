"""A document whose body's text is the request as JSON: method, query, Content-Type and body."""

import json


def main(request, response):
    shown = {
        "method": request.method,
        "query": request.url_parts.query,
        "contentType": request.headers.get(b"Content-Type", b"").decode(),
        "body": (request.body or b"").decode("utf-8", "replace"),
    }
    text = json.dumps(shown).replace("<", "\\u003c")
    return [(b"Content-Type", b"text/html"), (b"Cache-Control", b"no-store")], \
        f"<!doctype html><body>{text}"
