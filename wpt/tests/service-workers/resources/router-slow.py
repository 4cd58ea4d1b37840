"""A response that takes a second, for the static router's race tests."""

import time


def main(request, response):
    time.sleep(1)
    return [(b"Content-Type", b"text/plain"), (b"Cache-Control", b"no-store")], "from the network"
