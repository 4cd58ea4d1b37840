"""The test server: its routes, upstream wpt's hosts and ports, and its https certificate."""

import base64
import hashlib
import os
import socket
import ssl
import time
import urllib.error
import urllib.request

import pytest

from conftest import write_files
from wpt import server as server_module
from wpt.server import ServerError, TestServer
from wpt.testfiles import WptTest


def fetch(server, path):
    try:
        with urllib.request.urlopen(server.url(path), timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, None, ""


@pytest.fixture
def roots(tmp_path):
    ours = write_files(tmp_path / "ours", {
        "dir/t.any.js": "// META: global=window\ntest(() => {});\n",
        "dir/w.window.js": "// META: script=helper.js\n",
        "dir/s.sub.html": "<p>{{host}}:{{ports[http][0]}}</p>",
        "dir/s.sub.window.js": "// META: title={{host}}\n",
        "dir/handler.py": "def main(request, response):\n    return 'from python ' + request.GET.first(b'x').decode()\n",
        "dir/shadowed.txt": "ours",
        "dir/with-header.html": "<p>",
        "dir/with-header.html.headers": "X-Test: yes\n",
        "dir/worker.js": "// a worker\n",
        "dir/tuple.py": "def main(request, response):\n"
                        "    return [(b'Content-Type', b'text/javascript')], '// v1'\n",
        "dir/counter.py": "def main(request, response):\n"
                          "    key = request.GET.first(b'key')\n"
                          "    count = (request.server.stash.take(key) or 0) + 1\n"
                          "    request.server.stash.put(key, count)\n"
                          "    return str(count)\n",
    })
    upstream = write_files(tmp_path / "upstream", {
        "dir/shadowed.txt": "upstream",
        "dir/upstream.txt": "upstream only",
        "common/utils.js": "// upstream utils",
    })
    return ours, upstream


@pytest.fixture
def server(roots):
    with TestServer(list(roots), timeout_multiplier=2.5) as running:
        yield running


def test_harness_routes(server):
    status, _, text = fetch(server, "/resources/testharness.js")
    assert status == 200 and "add_result_callback" in text
    status, _, text = fetch(server, "/resources/idlharness.js")
    assert status == 200 and "IdlArray" in text
    status, _, text = fetch(server, "/resources/WebIDLParser.js")
    assert status == 200 and "WebIDL2" in text
    status, _, text = fetch(server, "/interfaces/background-sync.idl")
    assert status == 200 and "interface SyncManager" in text
    assert fetch(server, "/interfaces/no-such-spec.idl")[0] == 404


def test_testharnessreport_gets_the_timeout_multiplier(server):
    status, content_type, text = fetch(server, "/resources/testharnessreport.js")
    assert status == 200 and content_type == "text/javascript"
    assert "var timeoutMultiplier = 2.5;" in text
    assert "WPT-HARNESS" in text


def test_generated_wrappers(server):
    status, content_type, text = fetch(server, "/dir/t.any.html")
    assert status == 200 and content_type == "text/html"
    assert '<script src="/dir/t.any.js"></script>' in text
    # global=window: there is no worker variant.
    assert fetch(server, "/dir/t.any.worker.html")[0] == 404
    status, _, text = fetch(server, "/dir/w.window.html")
    assert '<script src="helper.js"></script>' in text
    assert fetch(server, "/dir/missing.window.html")[0] == 404


def test_sub_files_are_substituted(server):
    _, _, text = fetch(server, "/dir/s.sub.html")
    assert text == f"<p>web-platform.test:{server.port}</p>"
    _, _, text = fetch(server, "/dir/s.sub.window.html")
    assert "<title>web-platform.test</title>" in text


def test_python_handlers_and_headers_files(server):
    assert fetch(server, "/dir/handler.py?x=1")[2] == "from python 1"
    with urllib.request.urlopen(server.url("/dir/with-header.html")) as response:
        assert response.headers["X-Test"] == "yes"


def test_roots_stack_in_order_then_our_common(server, tmp_path):
    assert fetch(server, "/dir/shadowed.txt")[2] == "ours"
    assert fetch(server, "/dir/upstream.txt")[2] == "upstream only"
    assert fetch(server, "/common/utils.js")[2] == "// upstream utils"
    with TestServer([str(tmp_path / "ours")]) as alone:
        status, _, text = fetch(alone, "/common/utils.js")
        assert status == 200 and "function token()" in text
        _, _, text = fetch(alone, "/common/get-host-info.sub.js")
        assert f'var HTTP_PORT = "{alone.port}";' in text


def test_no_escape_from_the_roots(server):
    assert fetch(server, "/dir/../../../../etc/passwd")[0] in (400, 404)
    assert fetch(server, "/%2e%2e/%2e%2e/etc/passwd")[0] in (400, 404)


def test_missing_harness_files_are_a_clear_error(tmp_path):
    with pytest.raises(ServerError, match="run ./mach bootstrap"):
        TestServer([str(tmp_path)], repo_root=str(tmp_path))


def test_pipes_set_headers_and_delay_responses(server):
    """The service-worker tests rely on wptserve's pipes for MIME types, Service-Worker-Allowed
    and parser-blocking slow scripts."""
    url = server.url("/dir/worker.js?pipe=header(Service-Worker-Allowed,/dir/)"
                     "|header(Content-Type,text/plain)")
    with urllib.request.urlopen(url) as response:
        assert response.headers["Service-Worker-Allowed"] == "/dir/"
        assert response.headers["Content-Type"] == "text/plain"
    with urllib.request.urlopen(server.url("/dir/worker.js")) as response:
        assert response.headers["Content-Type"] in ("text/javascript", "application/javascript")
    started = time.monotonic()
    with urllib.request.urlopen(server.url("/dir/worker.js?pipe=trickle(d0.3)")) as response:
        assert response.read() == b"// a worker\n"
    assert time.monotonic() - started >= 0.3
    assert fetch(server, "/dir/tuple.py") == (200, "text/javascript", "// v1")


def test_python_handlers_keep_state_in_the_stash(server):
    """Upstream's handlers count requests in wptserve's stash (update-registration-with-type.py,
    update-max-aged-worker.py...): it needs a stash server."""
    key = "0f6c0e8e-5a8b-4d8e-9b1e-4c1b8e7a2d11"
    assert fetch(server, f"/dir/counter.py?key={key}")[2] == "1"
    assert fetch(server, f"/dir/counter.py?key={key}")[2] == "2"


def test_url_of_an_insecure_test_needs_the_insecure_listener(server):
    assert server.insecure_origin() is None
    with pytest.raises(ServerError, match="needs an insecure origin"):
        server.url("/dir/x.html", insecure=True)


def test_insecure_listener_serves_the_same_routes(roots):
    address = server_module.non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with TestServer(list(roots), insecure_host=address) as running:
        origin = running.insecure_origin()
        assert origin.startswith(f"http://{address}:")
        assert running.url("/dir/shadowed.txt", insecure=True) == origin + "/dir/shadowed.txt"
        with urllib.request.urlopen(origin + "/dir/shadowed.txt", timeout=10) as response:
            assert response.read() == b"ours"
        _, _, text = fetch(running, "/dir/s.sub.html")
        assert text == f"<p>web-platform.test:{running.port}</p>"
        # wptserve has one substitution config per process: the run's, on every listener.
        with urllib.request.urlopen(origin + "/dir/s.sub.html", timeout=10) as response:
            assert response.read().decode() == f"<p>web-platform.test:{running.port}</p>"
    assert running.insecure_origin() is None  # stopped


def test_non_loopback_address_is_not_loopback():
    address = server_module.non_loopback_address()
    assert address is None or not address.startswith("127.")


# Upstream wpt's hosts and ports (server.py's module docstring).

def substitute(server, text):
    """What wptserve's substitution makes of `text`, through a .sub. file of the server."""
    with open(os.path.join(server.roots[0], "sub-probe.sub.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    return fetch(server, "/sub-probe.sub.txt")[2]


def test_config_has_upstreams_hosts(server):
    config = server.config
    assert config.browser_host == "web-platform.test"
    assert config.alternate_hosts == {"alt": "not-web-platform.test"}
    assert config.domains[""]["www1"] == "www1.web-platform.test"
    assert config.domains["alt"]["élève"] == "xn--lve-6lad.not-web-platform.test"
    assert config.domains[""]["天気の良い日"] == "xn--n8j6ds53lwwkrqhv28a.web-platform.test"
    assert config.not_domains[""] == {"nonexistent": "nonexistent.web-platform.test"}
    assert len(config.domains_set) == 12  # 2 hosts x (itself + 5 subdomains)


def test_two_distinct_ports_per_scheme(server):
    ports = server.ports()
    assert sorted(ports) == ["http", "https", "ws", "wss"]
    every = [port for scheme in ports.values() for port in scheme]
    assert all(len(ports[scheme]) == 2 for scheme in ports)
    assert len(set(every)) == 8
    assert ports["http"][0] == server.port
    assert dict(server.config.ports) == ports


def test_substitutions(server):
    ports = server.ports()
    text = substitute(server, "|".join([
        "{{host}}", "{{domains[www]}}", "{{domains[élève]}}", "{{hosts[alt][]}}",
        "{{hosts[alt][www]}}", "{{ports[http][1]}}", "{{ports[https][0]}}", "{{ports[wss][0]}}",
        "{{ports[ws][1]}}", "{{domains[nonexistent]}}"]))
    assert text.split("|") == [
        "web-platform.test", "www.web-platform.test", "xn--lve-6lad.web-platform.test",
        "not-web-platform.test", "www.not-web-platform.test", str(ports["http"][1]),
        str(ports["https"][0]), str(ports["wss"][0]), str(ports["ws"][1]),
        "nonexistent.web-platform.test"]


def test_own_get_host_info_uses_upstreams_origins(server):
    _, _, text = fetch(server, "/common/get-host-info.sub.js")
    ports = server.ports()
    assert f'var HTTPS_PORT2 = "{ports["https"][1]}";' in text
    assert 'var ORIGINAL_HOST = "web-platform.test";' in text
    assert '"not-web-platform.test";' in text


def open_https(server, host, path, port_index=0, cafile=None):
    """GETs https://host:PORT/path, connecting to 127.0.0.1 (the products' host rules) and
    checking the certificate for `host` against the run's CA."""
    port = server.ports()["https"][port_index]
    context = ssl.create_default_context(cafile=cafile or server.certificates.ca_path)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                        "Connection: close\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("host", ["web-platform.test", "www2.web-platform.test",
                                  "xn--lve-6lad.not-web-platform.test", "localhost"])
def test_https_listeners_serve_with_the_runs_certificate(server, host):
    for index in (0, 1):
        reply = open_https(server, host, "/dir/shadowed.txt", index)
        assert reply.startswith("HTTP/1.1 200") and reply.endswith("ours")


def test_https_certificate_is_checked(server, tmp_path):
    # Another CA does not vouch for the run's certificate.
    import trustme
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(ssl.SSLCertVerificationError):
        open_https(server, "web-platform.test", "/", cafile=str(other))
    # Nor does the run's CA vouch for a name outside the certificate.
    with pytest.raises(ssl.SSLCertVerificationError):
        open_https(server, "example.com", "/")


def test_https_substitution_sees_https(server):
    with open(os.path.join(server.roots[0], "scheme.sub.txt"), "w") as f:
        f.write("{{location[scheme]}}")
    assert open_https(server, "web-platform.test", "/scheme.sub.txt").endswith("https")


def websocket_echo(port, host, cafile=None):
    """Opens ws(s)://host:port/echo on 127.0.0.1, sends one text frame, returns the echo."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    if cafile:
        raw = ssl.create_default_context(cafile=cafile).wrap_socket(raw, server_hostname=host)
    with raw:
        key = base64.b64encode(os.urandom(16)).decode()
        raw.sendall(f"GET /echo HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += raw.recv(4096)
        head, rest = reply.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101")
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        assert b"Sec-WebSocket-Accept: " + accept in head
        # One masked text frame (a client must mask), answered unmasked.
        payload, mask = b"hello", os.urandom(4)
        raw.sendall(bytes([0x81, 0x80 | len(payload)]) + mask
                    + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        while len(rest) < 2 + len(payload):
            rest += raw.recv(4096)
        assert rest[:2] == bytes([0x81, len(payload)])
        return rest[2:2 + len(payload)]


def test_ws_and_wss_ports_echo(server):
    for port in server.ports()["ws"]:
        assert websocket_echo(port, "web-platform.test") == b"hello"
    for port in server.ports()["wss"]:
        assert websocket_echo(port, "www.web-platform.test",
                              server.certificates.ca_path) == b"hello"


def test_websocket_handlers_come_from_the_first_root_that_has_them(tmp_path):
    upstream = write_files(tmp_path / "upstream", {"websockets/handlers/x_wsh.py": ""})
    ours = write_files(tmp_path / "ours", {"dir/a.html": ""})
    assert server_module.websocket_handlers([ours, upstream]) == os.path.join(
        upstream, "websockets", "handlers")
    assert server_module.websocket_handlers([ours]) == os.path.join(
        server_module.OWN_WEB_ROOT, "websockets", "handlers")


def test_product_flags(server):
    rules = server_module.host_resolver_rules()
    assert rules.startswith("MAP nonexistent.web-platform.test ~NOTFOUND, "
                            "MAP nonexistent.not-web-platform.test ~NOTFOUND, ")
    assert "MAP *.web-platform.test 127.0.0.1, MAP web-platform.test 127.0.0.1" in rules
    assert "MAP *.not-web-platform.test 127.0.0.1, MAP not-web-platform.test 127.0.0.1" in rules
    assert server.bgsync_prefs() == [
        f"net.host_rules={rules}",
        f"net.extra_root_certificates={server.certificates.ca_path}"]
    with open(server.certificates.ca_path) as f:
        assert f.read().startswith("-----BEGIN CERTIFICATE-----")
    # Chromium: the same rules, and the base64 SHA-256 of the certificate's public key info.
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    with open(server.certificates.cert_path, "rb") as f:
        key = x509.load_pem_x509_certificate(f.read()).public_key()
    spki = key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    assert server.chromium_args() == [f"--host-resolver-rules={rules}",
                                      f"--ignore-certificate-errors-spki-list={digest}"]


def test_certificate_names():
    names = server_module.certificate_names()
    for name in ["web-platform.test", "*.web-platform.test", "not-web-platform.test",
                 "*.not-web-platform.test", "xn--lve-6lad.web-platform.test",
                 "xn--n8j6ds53lwwkrqhv28a.not-web-platform.test", "localhost", "127.0.0.1"]:
        assert name in names


def test_certificates_are_removed_when_the_server_stops(roots):
    with TestServer(list(roots)) as running:
        ca_path = running.certificates.ca_path
        assert os.path.exists(ca_path)
    assert not os.path.exists(ca_path)


def _test(root, source, global_type="window", insecure=False):
    test_id = "/" + source
    return WptTest(test_id, "testharness", source, str(root), global_type=global_type,
                   insecure_origin=insecure)


def test_which_origin_each_test_loads_from(server, roots):
    ours, upstream = roots
    http, https = server.ports()["http"][0], server.ports()["https"][0]
    # bgsync's own: 127.0.0.1 over http, except .https. and service-worker variants.
    assert server.test_url(_test(ours, "dir/a.html")) == f"http://127.0.0.1:{http}/dir/a.html"
    assert (server.test_url(_test(ours, "dir/a.https.html"))
            == f"https://web-platform.test:{https}/dir/a.https.html")
    assert (server.test_url(_test(ours, "dir/t.any.serviceworker.html", "serviceworker"))
            == f"https://web-platform.test:{https}/dir/t.any.serviceworker.html")
    # Upstream's: web-platform.test, https for .https.
    assert (server.test_url(_test(upstream, "dir/a.html"))
            == f"http://web-platform.test:{http}/dir/a.html")
    assert (server.test_url(_test(upstream, "dir/b.https.any.html"))
            == f"https://web-platform.test:{https}/dir/b.https.any.html")
    # An insecure-origin test needs the insecure listener, whatever its tree.
    with pytest.raises(ServerError, match="needs an insecure origin"):
        server.test_url(_test(ours, "dir/a.html", insecure=True))


# Route precedence with an upstream checkout (--wpt-root).

@pytest.fixture
def upstream_server(tmp_path):
    ours = write_files(tmp_path / "ours", {"dir/own.txt": "ours"})
    upstream = write_files(tmp_path / "upstream", {
        "common/get-host-info.sub.js": "// upstream {{host}}",
        "common/only-upstream.js": "// upstream common",
        "resources/testharness.js": "// upstream testharness",
        "resources/testharnessreport.js": "// upstream report",
        "resources/idlharness.js": "// upstream idlharness",
        "resources/WebIDLParser.js": "// upstream parser",
        "resources/testdriver.js": "// upstream testdriver",
        "interfaces/background-sync.idl": "// upstream idl",
        "dir/own.txt": "upstream",
    })
    with TestServer([str(ours), str(upstream)]) as running:
        yield running


def test_upstream_common_resources_and_interfaces_win(upstream_server):
    assert (fetch(upstream_server, "/common/get-host-info.sub.js")[2]
            == "// upstream web-platform.test")
    assert fetch(upstream_server, "/common/only-upstream.js")[2] == "// upstream common"
    assert fetch(upstream_server, "/resources/testdriver.js")[2] == "// upstream testdriver"
    assert fetch(upstream_server, "/interfaces/background-sync.idl")[2] == "// upstream idl"
    # What upstream lacks still comes from the runner's copies.
    assert "interface" in fetch(upstream_server, "/interfaces/push-api.idl")[2]
    assert fetch(upstream_server, "/common/utils.js")[0] == 200


def test_harness_files_stay_ours_with_an_upstream_root(upstream_server):
    assert "add_result_callback" in fetch(upstream_server, "/resources/testharness.js")[2]
    assert "WPT-HARNESS" in fetch(upstream_server, "/resources/testharnessreport.js")[2]
    assert "IdlArray" in fetch(upstream_server, "/resources/idlharness.js")[2]
    assert "WebIDL2" in fetch(upstream_server, "/resources/WebIDLParser.js")[2]


def test_own_tests_shadow_upstreams(upstream_server):
    assert fetch(upstream_server, "/dir/own.txt")[2] == "ours"
