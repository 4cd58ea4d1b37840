"""Answers "slow" after ?ms= milliseconds (default 2000)."""

import time


def main(request, response):
    time.sleep(int(request.GET.first(b"ms", b"2000")) / 1000)
    return [(b"Content-Type", b"text/plain"), (b"Cache-Control", b"no-store")], b"slow"
