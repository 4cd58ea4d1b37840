# A module that statically imports `n` distinct leaf modules (leaf.py?i=0 .. n-1) and sums
# their default exports.


def main(request, response):
    n = int(request.GET.first(b"n", b"10"))
    lines = [f'import leaf{i} from "./leaf.py?i={i}";' for i in range(n)]
    total = " + ".join(f"leaf{i}" for i in range(n)) or "0"
    lines.append(f"export const sum = {total};")
    lines.append(f"export const count = {n};")
    headers = [(b"Content-Type", b"text/javascript")]
    return 200, headers, "\n".join(lines)
