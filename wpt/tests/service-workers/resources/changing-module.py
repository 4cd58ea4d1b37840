"""A script whose bytes differ on every fetch (a module, or a script for importScripts()), so
every update check finds the worker that imports it changed."""

import uuid


def main(request, response):
    headers = [(b"Content-Type", b"text/javascript"), (b"Cache-Control", b"no-store")]
    return headers, f"// version {uuid.uuid4()}\nexport {{}};\n"
