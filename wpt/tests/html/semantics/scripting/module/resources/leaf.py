# A leaf module whose default export is its number; it counts its own evaluations.


def main(request, response):
    i = int(request.GET.first(b"i", b"0"))
    body = f"globalThis.leafEvaluations = (globalThis.leafEvaluations || 0) + 1;\nexport default {i};\n"
    headers = [(b"Content-Type", b"text/javascript")]
    return 200, headers, body
