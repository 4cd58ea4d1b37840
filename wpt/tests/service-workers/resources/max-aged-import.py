"""An imported script that may be kept in the HTTP cache for ten minutes: its `importToken` is
new on every network answer."""

import uuid


def main(request, response):
    headers = [(b"Content-Type", b"text/javascript"), (b"Cache-Control", b"max-age=600")]
    return headers, f'const importToken = "{uuid.uuid4()}";\n'
