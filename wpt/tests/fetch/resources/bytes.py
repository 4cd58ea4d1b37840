"""Every byte value from 0 to 255, in order, as application/octet-stream."""


def main(request, response):
    return [(b"Content-Type", b"application/octet-stream")], bytes(range(256))
