"""The test server's routes (wptserve on 127.0.0.1)."""

import time
import urllib.error
import urllib.request

import pytest

from conftest import write_files
from wpt import server as server_module
from wpt.server import ServerError, TestServer


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
    assert text == f"<p>127.0.0.1:{server.port}</p>"
    _, _, text = fetch(server, "/dir/s.sub.window.html")
    assert "<title>127.0.0.1</title>" in text


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
        assert text == f"<p>127.0.0.1:{running.port}</p>"
        # wptserve has one substitution config per process: the primary origin's.
        with urllib.request.urlopen(origin + "/dir/s.sub.html", timeout=10) as response:
            assert response.read().decode() == f"<p>127.0.0.1:{running.port}</p>"
    assert running.insecure_origin() is None  # stopped


def test_non_loopback_address_is_not_loopback():
    address = server_module.non_loopback_address()
    assert address is None or not address.startswith("127.")
