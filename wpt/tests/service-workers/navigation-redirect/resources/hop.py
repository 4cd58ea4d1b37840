"""One hop of a navigation. With ?location=, a redirect there (?status=, default 302; ?policy=
adds a Referrer-Policy header to the redirect); without, a small HTML page. The query's first
name (?a, ?b, ?out) only puts the URL in (or out of) a service worker's scope."""


def main(request, response):
    location = request.GET.first(b"location", None)
    if location is None:
        return 200, [(b"Content-Type", b"text/html"), (b"Cache-Control", b"no-store")], \
            b"<!doctype html><title>the last hop</title>"
    headers = [(b"Location", location), (b"Cache-Control", b"no-store")]
    policy = request.GET.first(b"policy", None)
    if policy is not None:
        headers.append((b"Referrer-Policy", policy))
    return int(request.GET.first(b"status", b"302")), headers, b"redirecting"
