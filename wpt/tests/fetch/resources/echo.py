"""Echoes the request as JSON: method, body (as Latin-1 text and as hex), Content-Type, and the
headers named in ?headers=a,b (several lines of one name joined with ", ", which is what they
mean in HTTP). Cross-origin use: ?acao=* (or an origin) adds
Access-Control-Allow-Origin."""

import json


def main(request, response):
    body = request.body or b""
    names = request.GET.first(b"headers", b"").decode().split(",")

    def header(name):
        # The raw message keeps every line of a name (wptserve's request.headers keeps one).
        values = request.raw_headers.get_all(name.decode()) or []
        return ", ".join(value.strip() for value in values) if values else None

    content_type = header(b"Content-Type")
    result = {
        "method": request.method,
        "body": body.decode("latin-1"),
        "hex": body.hex(),
        "contentType": content_type,
        "headers": {},
    }
    for name in names:
        if name:
            result["headers"][name.lower()] = header(name.encode())
    headers = [(b"Content-Type", b"application/json"), (b"Cache-Control", b"no-store")]
    acao = request.GET.first(b"acao", None)
    if acao is not None:
        headers.append((b"Access-Control-Allow-Origin", acao))
    return headers, json.dumps(result)
