"""A PNG of ?w= by ?h= pixels (default 3x2), all green, made here so that a browser decodes it.
?status= sets the HTTP status (default 200), ?type= the Content-Type (default image/png),
?body=text sends "not an image" instead, ?acao=1 adds Access-Control-Allow-Origin: *, and
?delay= (seconds) waits before answering."""

import struct
import time
import zlib


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height):
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00\xff\x00" * width
    pixels = zlib.compress(row * height)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def main(request, response):
    width = int(request.GET.first(b"w", b"3"))
    height = int(request.GET.first(b"h", b"2"))
    status = int(request.GET.first(b"status", b"200"))
    content_type = request.GET.first(b"type", b"image/png")
    delay = float(request.GET.first(b"delay", b"0"))
    if delay:
        time.sleep(delay)
    headers = [(b"Content-Type", content_type), (b"Cache-Control", b"no-store")]
    if request.GET.first(b"acao", b"") == b"1":
        headers.append((b"Access-Control-Allow-Origin", b"*"))
    if request.GET.first(b"body", b"") == b"text":
        return status, headers, b"not an image"
    return status, headers, png(width, height)
