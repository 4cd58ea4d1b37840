"""The navigation preload target: "preloaded" with an X-Preload header echoing the request's
Service-Worker-Navigation-Preload; with ?broken, a body in broken chunked encoding after the
head."""

import time


def main(request, response):
    preload = request.headers.get(b"Service-Worker-Navigation-Preload", b"(none)")
    if b"broken" not in request.GET:
        return 200, [(b"Content-Type", b"text/plain"), (b"X-Preload", preload),
                     (b"Cache-Control", b"no-store")], b"preloaded"
    response.add_required_headers = False
    response.writer.write_status(200)
    response.writer.write_header(b"Content-Type", b"text/plain")
    response.writer.write_header(b"X-Preload", preload)
    response.writer.write_header(b"Transfer-Encoding", b"chunked")
    response.writer.end_headers()
    response.writer.write(b"5\r\nhello\r\n")
    time.sleep(0.05)
    # A chunk size that is not hexadecimal: not chunked encoding any more.
    response.writer.write(b"zz\r\nbroken\r\n0\r\n\r\n")
