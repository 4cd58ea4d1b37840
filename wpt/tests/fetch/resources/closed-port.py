"""A TCP port on 127.0.0.1 that nothing listens on (bound, then closed at once), as text."""

import socket


def main(request, response):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return [(b"Content-Type", b"text/plain"), (b"Cache-Control", b"no-store")], str(port)
