"""Event streams for the EventSource tests, by ?mode=:

slow: "data: one", then two seconds later "data: two", then the end.
reconnect: on a request without Last-Event-ID, "retry: 100", "id: 5", "data: first", then the
  end; on one with it, an event whose data is "last-event-id=" and the header's value.
status: a 404 of type text/event-stream.
type: a 200 of type text/plain.
echo: one event whose data is the request's Accept, Cache-Control and Pragma, then the end.
"""

import time


def main(request, response):
    mode = request.GET.first(b"mode", b"")
    if mode == b"status":
        return 404, [(b"Content-Type", b"text/event-stream")], b"data: no\n\n"
    if mode == b"type":
        return 200, [(b"Content-Type", b"text/plain")], b"data: no\n\n"
    headers = [(b"Content-Type", b"text/event-stream"), (b"Cache-Control", b"no-store")]
    if mode == b"echo":
        def value(name):
            found = request.headers.get(name)
            return found.decode() if found is not None else "(none)"
        body = f"data: {value(b'Accept')} | {value(b'Cache-Control')} | {value(b'Pragma')}\n\n"
        return headers, body
    if mode == b"reconnect":
        last = request.headers.get(b"Last-Event-ID")
        if last is None:
            return headers, b"retry: 100\nid: 5\ndata: first\n\n"
        return headers, b"data: last-event-id=" + last + b"\n\n"
    # slow
    response.add_required_headers = False
    response.writer.write_status(200)
    for name, value in headers:
        response.writer.write_header(name, value)
    response.writer.write_header(b"Connection", b"close")
    response.writer.end_headers()
    response.writer.write(b"data: one\n\n")
    time.sleep(2)
    response.writer.write(b"data: two\n\n")
