"""pywebsocket3 handler for /echo: sends every message back as it came (upstream wpt has the
same handler at websockets/handlers/echo_wsh.py; with --wpt-root, upstream's handlers serve)."""


def web_socket_do_extra_handshake(request):
    pass


def web_socket_transfer_data(request):
    while True:
        message = request.ws_stream.receive_message()
        if message is None:
            return
        request.ws_stream.send_message(message, binary=isinstance(message, bytes))
