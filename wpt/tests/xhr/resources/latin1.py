"""The bytes "caf\\xe9" (café in ISO-8859-1), with ?type= as Content-Type (default
text/plain;charset=iso-8859-1). Several Set-Cookie and X-Twice headers, to show which ones
XMLHttpRequest exposes and how it combines them."""


def main(request, response):
    content_type = request.GET.first(b"type", b"text/plain;charset=iso-8859-1")
    headers = [
        (b"Content-Type", content_type),
        (b"Cache-Control", b"no-store"),
        (b"Set-Cookie", b"a=1"),
        (b"X-Twice", b"one"),
        (b"X-Twice", b"two"),
    ]
    return headers, b"caf\xe9"
