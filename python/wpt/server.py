"""The test server: wptserve on 127.0.0.1 with the routes bgsync's tests need.

Routes, first match wins:
- /resources/testharnessreport.js   bgsync's resources/testharnessreport.js, with the run's
                                    --timeout-multiplier filled in
- /resources/testharness.js,
  /resources/idlharness.js          from the npm package wpt-runner (wpt/node_modules)
- /resources/WebIDLParser.js        wpt-runner's copy of webidl2.js
- /interfaces/*.idl                 the spec IDL of the npm package @webref/idl
- /third_party/idb/*, /third_party/idb-keyval/*
                                    the npm packages idb and idb-keyval, unmodified (tests of
                                    real client libraries load their UMD builds from here)
- everything else                   the first of the test roots that has the path (bgsync's
                                    wpt/tests, then an upstream checkout given with
                                    --wpt-root), then python/wpt/web (our own /common/
                                    helpers); wrappers for .window.js/.any.js/.worker.js are
                                    generated (wrappers.py); .sub. files go through wptserve's
                                    substitution; .py files are wptserve Python handlers.

The origin is http://127.0.0.1:PORT: a secure context in bgsync and in Chromium (loopback), so
`.https.` tests are served over plain http.

Tests that must run in an insecure context (`<meta name="bgsync-origin" content="insecure">`,
see testfiles.py) are loaded from a second listener with the same routes on a non-loopback
IPv4 address of this machine (`insecure_host`: http://ADDRESS:PORT2 is not potentially
trustworthy). The runner starts it only when such a test is selected; `non_loopback_address()`
finds the address. Substitutions (`{{host}}`, `{{ports[http][0]}}`, get-host-info.sub.js) name
the primary origin on both listeners: wptserve has one substitution config per process.

Headers: wptserve's `.headers` files and `?pipe=` (header(), status(), trickle()...) work on
every static file of the test roots.
"""

import ipaddress
import logging
import os
import socket
import threading
from urllib.parse import unquote

from wptserve import handlers
from wptserve import request as wptserve_request
from wptserve import server as wptserve_server
from wptserve.utils import HTTPException, is_bad_port

from . import metadata, wrappers

HOST = "127.0.0.1"
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(PYTHON_DIR)
OWN_WEB_ROOT = os.path.join(PYTHON_DIR, "wpt", "web")


class ServerError(Exception):
    """The server could not start (port in use, harness files missing...)."""


def harness_paths(repo_root=REPO_ROOT):
    """Files the fixed routes serve, by URL path; checked to exist before the server starts."""
    node_modules = os.path.join(repo_root, "wpt", "node_modules")
    testharness_dir = os.path.join(node_modules, "wpt-runner", "testharness")
    return {
        "/resources/testharnessreport.js": os.path.join(repo_root, "resources", "testharnessreport.js"),
        "/resources/testharness.js": os.path.join(testharness_dir, "testharness.js"),
        "/resources/idlharness.js": os.path.join(testharness_dir, "idlharness.js"),
        "/resources/WebIDLParser.js": os.path.join(testharness_dir, "webidl2.js"),
        "/interfaces/": os.path.join(node_modules, "@webref", "idl"),
        "/third_party/idb/": os.path.join(node_modules, "idb"),
        "/third_party/idb-keyval/": os.path.join(node_modules, "idb-keyval"),
    }


class _SingleFileHandler:
    """Serves one file for one route, through wptserve's FileHandler (headers, ranges)."""

    def __init__(self, path):
        self.directory, self.name = os.path.split(path)
        self.inner = handlers.FileHandler(base_path=self.directory)

    def __call__(self, request, response):
        # FileHandler maps the request path onto its base path: point it at our one file.
        request.url_parts = request.url_parts._replace(path="/" + self.name)
        return self.inner(request, response)


class _ReportScriptHandler:
    """Serves testharnessreport.js with the run's timeout multiplier filled in."""

    LINE = "var timeoutMultiplier = 1;"

    def __init__(self, path, timeout_multiplier):
        self.path = path
        self.timeout_multiplier = timeout_multiplier

    def __call__(self, request, response):
        with open(self.path, encoding="utf-8") as f:
            text = f.read()
        text = text.replace(self.LINE, f"var timeoutMultiplier = {self.timeout_multiplier:g};")
        response.headers.set("Content-Type", "text/javascript")
        response.headers.set("Cache-Control", "no-store")
        response.content = text


class OverlayHandler:
    """Serves a path from the first root that has it, generating test wrappers."""

    def __init__(self, roots):
        self.roots = [os.path.realpath(root) for root in roots]
        self.file_handlers = {root: handlers.FileHandler(base_path=root) for root in self.roots}
        self.python_handlers = {root: handlers.PythonScriptHandler(base_path=root)
                                for root in self.roots}

    def find(self, url_path):
        """The filesystem path of `url_path` in the first root that has it, or None."""
        parts = [part for part in url_path.split("/") if part]
        if ".." in parts:
            return None
        for root in self.roots:
            path = os.path.join(root, *parts)
            if os.path.exists(path):
                return path
        return None

    def __call__(self, request, response):
        url_path = unquote(request.url_parts.path)
        if self.find(url_path) is None:
            kind = wrappers.kind_for_path(url_path)
            if kind is not None:
                return self._wrapper(request, response, url_path, kind)
        path = self.find(url_path)
        if path is None:
            raise HTTPException(404)
        root = next(root for root in self.roots if path == root or path.startswith(root + os.sep))
        if path.endswith(".py"):
            return self.python_handlers[root](request, response)
        if path.endswith(".asis"):
            return handlers.AsIsHandler(base_path=root)(request, response)
        return self.file_handlers[root](request, response)

    def _wrapper(self, request, response, url_path, kind):
        source_url = wrappers.source_path(url_path, kind)
        source = self.find(source_url)
        if source is None:
            raise HTTPException(404)
        with open(source, "rb") as f:
            meta = metadata.read_script_metadata(f.read().decode("utf-8", errors="replace"))
        if not wrappers.is_exposed(kind, meta):
            raise HTTPException(404, f"{source_url} does not run in a {kind.global_type}")
        query = "?" + request.url_parts.query if request.url_parts.query else ""
        content_type, text = wrappers.render(url_path, query, meta)
        for name, value in handlers.load_headers(request, source):
            response.headers.set(name, value)
        response.headers.set("Content-Type", content_type)
        response.content = text
        # `.sub.` in the source name: wptserve's substitution applies to the wrapper as well.
        return handlers.wrap_pipeline(source, request, response)


def build_routes(roots, repo_root=REPO_ROOT, timeout_multiplier=1.0):
    fixed = harness_paths(repo_root)
    missing = [path for path in fixed.values() if not os.path.exists(path)]
    if missing:
        raise ServerError("harness files are missing (run ./mach bootstrap): " + ", ".join(missing))
    report_url = "/resources/testharnessreport.js"
    routes = [("GET", report_url, _ReportScriptHandler(fixed[report_url], timeout_multiplier))]
    routes += [("GET", url, _SingleFileHandler(path)) for url, path in fixed.items()
               if not url.endswith("/") and url != report_url]
    routes.append(("GET", "/interfaces/*.idl",
                   handlers.FileHandler(base_path=fixed["/interfaces/"], url_base="/interfaces/")))
    for package in ("/third_party/idb/", "/third_party/idb-keyval/"):
        routes.append(("GET", package + "*",
                       handlers.FileHandler(base_path=fixed[package], url_base=package)))
    routes.append(("*", "*", OverlayHandler(list(roots) + [OWN_WEB_ROOT])))
    return routes


def non_loopback_address():
    """An IPv4 address of this machine that is not loopback (so `http:` on it is not a secure
    context), or None. Asks the routing table through a UDP socket; nothing is sent."""
    for probe in ("192.0.2.1", "10.255.255.255", "8.8.8.8"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        try:
            parsed = ipaddress.IPv4Address(address)
        except ValueError:
            continue
        if not (parsed.is_loopback or parsed.is_unspecified):
            return address
    return None


def _listen(host, port, roots, routes):
    """A started-to-be WebTestHttpd on host:port (0: any free port but the Fetch standard's
    blocked ones)."""
    for _ in range(20):
        try:
            httpd = wptserve_server.WebTestHttpd(host=host, port=port, doc_root=roots[0],
                                                 routes=routes, config=None)
        except OSError as error:
            raise ServerError(
                f"cannot listen on {host}:{port}: {error.strerror or error}; "
                "the port is in use: pass --port 0 (any free port) or another port") from error
        if port or not is_bad_port(httpd.port):
            return httpd
        httpd.httpd.server_close()
    return httpd


class TestServer:
    """wptserve on 127.0.0.1, in a thread of this process.

    `port=0` takes any free port (never one of the Fetch standard's blocked ports); a given
    port that is in use is an error that says so. With `insecure_host` (an address of this
    machine that is not loopback), the same routes are also served on a free port there.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, roots, port=0, repo_root=REPO_ROOT, timeout_multiplier=1.0,
                 insecure_host=None):
        self.roots = list(roots)
        self.routes = build_routes(self.roots, repo_root, timeout_multiplier)
        self.requested_port = port
        self.insecure_host = insecure_host
        self.httpd = None
        self.insecure_httpd = None

    @property
    def port(self):
        return self.httpd.port

    def origin(self):
        return f"http://{HOST}:{self.port}"

    def insecure_origin(self):
        """http://ADDRESS:PORT of the insecure listener, or None without one."""
        if self.insecure_httpd is None:
            return None
        return f"http://{self.insecure_host}:{self.insecure_httpd.port}"

    def url(self, test_id, insecure=False):
        if insecure:
            if self.insecure_httpd is None:
                raise ServerError(f"{test_id} needs an insecure origin: the server has none")
            return self.insecure_origin() + test_id
        return self.origin() + test_id

    def start(self):
        logging.getLogger().setLevel(logging.WARNING)
        self.httpd = _listen(HOST, self.requested_port, self.roots, self.routes)
        self.httpd.start()
        if self.insecure_host:
            # wptserve keeps one substitution config per process (request.Server.config),
            # which each new listener overwrites: keep the primary's, so `{{host}}` and
            # `{{ports[http][0]}}` always name http://127.0.0.1:PORT.
            config = wptserve_request.Server.config
            try:
                self.insecure_httpd = _listen(self.insecure_host, 0, self.roots, self.routes)
            except ServerError:
                self.stop()
                raise
            finally:
                wptserve_request.Server.config = config
            self.insecure_httpd.start()
        return self

    def stop(self):
        for name in ("httpd", "insecure_httpd"):
            httpd = getattr(self, name)
            if httpd is not None:
                httpd.stop()
                setattr(self, name, None)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def serve_forever(self):
        """Keeps serving until interrupted (`./mach test-wpt --serve`)."""
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
