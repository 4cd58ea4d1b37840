"""Responds with ?code= and the reason phrase ?text= (default: none), with a body."""


def main(request, response):
    code = int(request.GET.first(b"code", b"200"))
    text = request.GET.first(b"text", b"")
    return (code, text), [(b"Content-Type", b"text/plain")], b"status body"
