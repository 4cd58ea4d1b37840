"""Redirects to ?location= with ?status= (default 302). ?acao= adds
Access-Control-Allow-Origin to the redirect response itself."""


def main(request, response):
    status = int(request.GET.first(b"status", b"302"))
    location = request.GET.first(b"location")
    headers = [(b"Location", location), (b"Cache-Control", b"no-store")]
    acao = request.GET.first(b"acao", None)
    if acao is not None:
        headers.append((b"Access-Control-Allow-Origin", acao))
    return status, headers, b"redirecting"
