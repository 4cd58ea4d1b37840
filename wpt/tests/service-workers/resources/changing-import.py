"""A classic script whose bytes differ on every fetch, for importScripts()."""

import uuid


def main(request, response):
    headers = [(b"Content-Type", b"text/javascript"), (b"Cache-Control", b"no-store")]
    return headers, f"// version {uuid.uuid4()}\n"
