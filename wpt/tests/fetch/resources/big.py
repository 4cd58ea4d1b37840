"""?size= bytes of "x". ?mode=length (default) announces them with Content-Length;
?mode=chunked streams them with chunked transfer encoding and no length."""


def main(request, response):
    size = int(request.GET.first(b"size"))
    mode = request.GET.first(b"mode", b"length")
    writer = response.writer
    writer.write_status(200)
    writer.write_header(b"Content-Type", b"text/plain")
    writer.write_header(b"Cache-Control", b"no-store")
    if mode == b"chunked":
        writer.write_header(b"Transfer-Encoding", b"chunked")
        writer.end_headers()
        remaining = size
        while remaining > 0:
            n = min(remaining, 4096)
            if not writer.write(b"%x\r\n" % n + b"x" * n + b"\r\n"):
                return
            remaining -= n
        writer.write(b"0\r\n\r\n")
    else:
        writer.write_header(b"Content-Length", str(size).encode())
        writer.end_headers()
        remaining = size
        while remaining > 0:
            n = min(remaining, 65536)
            if not writer.write(b"x" * n):
                return
            remaining -= n
