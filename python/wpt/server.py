"""The test server: wptserve with upstream wpt's hosts and ports, and the routes bgsync's tests
need.

Hosts and ports, as upstream wpt's own server (`wpt serve`) has them: the substitution config
(`{{host}}`, `{{domains[www]}}`, `{{hosts[alt][]}}`, `{{ports[https][1]}}`...) names
`web-platform.test`, the alternate host `not-web-platform.test` (`alt`), the subdomains `www`,
`www1`, `www2`, `天気の良い日` and `élève` (punycoded) of both, the not-subdomain `nonexistent`,
and two ports each for http, https, ws and wss. Every listener is on 127.0.0.1: the products
map those names there (`host_resolver_rules()`; bgsync's pref `net.host_rules`, Chromium's
`--host-resolver-rules`), and `nonexistent.*` to "not found". https uses a certificate made
for the run by `trustme`, for every one of those names plus localhost and 127.0.0.1; bgsync
trusts its CA through `net.extra_root_certificates`, Chromium through
`--ignore-certificate-errors-spki-list` (the certificate's key hash, as upstream's Chrome
runner does). The ws and wss ports are pywebsocket3 servers, as upstream's are, with the
handlers (`NAME_wsh.py` for `/NAME`) of the first test root that has `websockets/handlers/`,
else bgsync's own (python/wpt/web/websockets/handlers: `/echo`).

Which origin a test loads from (`TestServer.test_url`):
- `.https.` files and service-worker variants (`.any.serviceworker.html`), of either tree, from
  `https://web-platform.test:HTTPS0`, as upstream runs them (bgsync's own pass there in both
  products, as they did on http://127.0.0.1);
- the other upstream tests (from --wpt-root) from `http://web-platform.test:HTTP0`;
- the other tests of bgsync's own (wpt/tests) from `http://127.0.0.1:HTTP0`, as before:
  loopback is a secure context in both products, and bgsync's offline mode still lets loopback
  loads through. `{{host}}` there is `web-platform.test` all the same, so
  `get-host-info.sub.js`'s origins are cross-origin to such a page (`location.origin` is the
  page's own);
- tests that need an insecure context (below) from the insecure listener.

Routes, first match wins:
- /resources/testharnessreport.js   bgsync's resources/testharnessreport.js, with the run's
                                    --timeout-multiplier filled in
- /resources/testharness.js,
  /resources/idlharness.js          from the npm package wpt-runner (wpt/node_modules)
- /resources/WebIDLParser.js        wpt-runner's copy of webidl2.js
                                    (these four stay bgsync's even with --wpt-root)
- /third_party/idb/*, /third_party/idb-keyval/*
                                    the npm packages idb and idb-keyval, unmodified (tests of
                                    real client libraries load their UMD builds from here)
- everything else                   the first of these that has the path: bgsync's wpt/tests,
                                    an upstream checkout given with --wpt-root (its /common/,
                                    /resources/, /interfaces/ and tests), the spec IDL of the
                                    npm package @webref/idl at /interfaces/, then python/wpt/web
                                    (bgsync's own /common/ helpers); wrappers for
                                    .window.js/.any.js/.worker.js are generated (wrappers.py);
                                    .sub. files go through wptserve's substitution; .py files
                                    are wptserve Python handlers.

Tests that must run in an insecure context (`<meta name="bgsync-origin" content="insecure">`,
see testfiles.py) are loaded from a further listener with the same routes on a non-loopback
IPv4 address of this machine (`insecure_host`: http://ADDRESS:PORT is not potentially
trustworthy). The runner starts it only when such a test is selected; `non_loopback_address()`
finds the address.

Headers: wptserve's `.headers` files and `?pipe=` (header(), status(), trickle()...) work on
every static file of the test roots.
"""

import base64
import hashlib
import ipaddress
import logging
import os
import shutil
import socket
import ssl
import tempfile
import threading
from urllib.parse import unquote

from wptserve import handlers
from wptserve import request as wptserve_request
from wptserve import server as wptserve_server
from wptserve import stash as wptserve_stash
from wptserve.config import ConfigBuilder
from wptserve.utils import HTTPException, is_bad_port

from . import metadata, wrappers

HOST = "127.0.0.1"

# Upstream wpt's names (tools/wpt's config.json): the browser host, the alternate ("alt")
# host, the subdomains of both and the subdomain that must not resolve.
BROWSER_HOST = "web-platform.test"
ALTERNATE_HOSTS = {"alt": "not-web-platform.test"}
SUBDOMAINS = ("www", "www1", "www2", "天気の良い日", "élève")
NOT_SUBDOMAINS = ("nonexistent",)
# Two ports per scheme, as upstream has (`{{ports[http][1]}}`...).
PORTS_PER_SCHEME = 2

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
    """Serves a path from the first mount that has it, generating test wrappers.

    A mount is (URL prefix, directory), or a bare directory for the prefix "/"."""

    def __init__(self, mounts):
        self.mounts = []
        for mount in mounts:
            prefix, directory = mount if isinstance(mount, tuple) else ("/", mount)
            self.mounts.append((prefix, os.path.realpath(directory)))
        self.file_handlers = {mount: handlers.FileHandler(base_path=mount[1], url_base=mount[0])
                              for mount in self.mounts}
        self.python_handlers = {
            mount: handlers.PythonScriptHandler(base_path=mount[1], url_base=mount[0])
            for mount in self.mounts}

    @property
    def roots(self):
        return [directory for _, directory in self.mounts]

    def _locate(self, url_path):
        """(mount, filesystem path) of `url_path` in the first mount that has it, or None."""
        if ".." in [part for part in url_path.split("/") if part]:
            return None
        for mount in self.mounts:
            prefix, directory = mount
            if not url_path.startswith(prefix):
                continue
            parts = [part for part in url_path[len(prefix):].split("/") if part]
            path = os.path.join(directory, *parts)
            if os.path.exists(path):
                return mount, path
        return None

    def find(self, url_path):
        """The filesystem path of `url_path` in the first mount that has it, or None."""
        found = self._locate(url_path)
        return found[1] if found else None

    def __call__(self, request, response):
        url_path = unquote(request.url_parts.path)
        if self.find(url_path) is None:
            kind = wrappers.kind_for_path(url_path)
            if kind is not None:
                return self._wrapper(request, response, url_path, kind)
        found = self._locate(url_path)
        if found is None:
            raise HTTPException(404)
        mount, path = found
        if path.endswith(".py"):
            return self.python_handlers[mount](request, response)
        if path.endswith(".asis"):
            return handlers.AsIsHandler(base_path=mount[1], url_base=mount[0])(request, response)
        return self.file_handlers[mount](request, response)

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


def punycode(subdomain):
    """A subdomain label as it appears in a host name (`élève` -> `xn--lve-6lad`)."""
    return subdomain.encode("idna").decode("ascii")


def host_resolver_rules(address=HOST):
    """Chromium's `--host-resolver-rules`, also bgsync's `net.host_rules`: both hosts and their
    subdomains go to `address`, except `nonexistent.*`, which must not resolve (upstream's
    Chrome runner maps it to ~NOTFOUND too)."""
    hosts = [BROWSER_HOST] + list(ALTERNATE_HOSTS.values())
    rules = [f"MAP {punycode(sub)}.{host} ~NOTFOUND" for host in hosts for sub in NOT_SUBDOMAINS]
    for host in hosts:
        rules += [f"MAP *.{host} {address}", f"MAP {host} {address}"]
    return ", ".join(rules)


def certificate_names():
    """The names the run's server certificate is for."""
    names = []
    for host in [BROWSER_HOST] + list(ALTERNATE_HOSTS.values()):
        # A wildcard covers one label: the subdomains are also listed by name.
        names += [host, f"*.{host}"] + [f"{punycode(sub)}.{host}" for sub in SUBDOMAINS]
    return names + ["localhost", HOST]


class Certificates:
    """A CA and a server certificate made for one run by `trustme`, written to `directory`:
    `ca.pem` (what bgsync trusts), `server.pem` and `server.key` (what the https listeners
    use)."""

    def __init__(self, directory):
        try:
            import trustme
            from cryptography import x509
            from cryptography.hazmat.primitives import serialization
        except ImportError as error:
            raise ServerError(f"{error.name} is not installed (run ./mach bootstrap)") from None

        ca = trustme.CA(organization_name="bgsync WPT runner")
        leaf = ca.issue_cert(*certificate_names(), organization_name="bgsync WPT runner")
        self.ca_path = os.path.join(directory, "ca.pem")
        self.cert_path = os.path.join(directory, "server.pem")
        self.key_path = os.path.join(directory, "server.key")
        ca.cert_pem.write_to_path(self.ca_path)
        leaf.private_key_pem.write_to_path(self.key_path)
        with open(self.cert_path, "wb") as f:
            for pem in leaf.cert_chain_pems:
                f.write(pem.bytes())
        # The base64 SHA-256 of the server certificate's SubjectPublicKeyInfo: what Chromium's
        # --ignore-certificate-errors-spki-list takes.
        certificate = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
        spki = certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.spki_sha256 = base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


def build_config(ports, certificates, doc_root):
    """wptserve's config (request.Server.config, what substitutions read): upstream's hosts with
    `ports` ({"http": [p0, p1], "https": [...], ...}) and the run's certificate."""
    builder = ConfigBuilder(
        logging.getLogger("wptserve"),
        subdomains=set(SUBDOMAINS),
        not_subdomains=set(NOT_SUBDOMAINS),
        browser_host=BROWSER_HOST,
        alternate_hosts=dict(ALTERNATE_HOSTS),
        server_host=HOST,
        doc_root=doc_root,
        ports={scheme: list(scheme_ports) for scheme, scheme_ports in ports.items()},
        # wptserve lists https and wss ports only with ssl configured.
        ssl={"type": "pregenerated",
             "encrypt_after_connect": False,
             "pregenerated": {"host_key_path": certificates.key_path,
                              "host_cert_path": certificates.cert_path}},
    )
    # The pregenerated environment holds nothing to release: the config outlives the block.
    with builder as config:
        return config


def build_routes(roots, repo_root=REPO_ROOT, timeout_multiplier=1.0):
    fixed = harness_paths(repo_root)
    missing = [path for path in fixed.values() if not os.path.exists(path)]
    if missing:
        raise ServerError("harness files are missing (run ./mach bootstrap): " + ", ".join(missing))
    report_url = "/resources/testharnessreport.js"
    routes = [("GET", report_url, _ReportScriptHandler(fixed[report_url], timeout_multiplier))]
    routes += [("GET", url, _SingleFileHandler(path)) for url, path in fixed.items()
               if not url.endswith("/") and url != report_url]
    for package in ("/third_party/idb/", "/third_party/idb-keyval/"):
        routes.append(("GET", package + "*",
                       handlers.FileHandler(base_path=fixed[package], url_base=package)))
    # The test roots first (an upstream checkout's /interfaces/ and /common/ included), then
    # webref's IDL and bgsync's own /common/ helpers for what they do not have.
    mounts = [("/", root) for root in roots]
    mounts += [("/interfaces/", fixed["/interfaces/"]), ("/", OWN_WEB_ROOT)]
    routes.append(("*", "*", OverlayHandler(mounts)))
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


def _listen(host, port, roots, routes, certificates=None):
    """A started-to-be WebTestHttpd on host:port (0: any free port but the Fetch standard's
    blocked ones); https with `certificates`."""
    tls = {}
    if certificates is not None:
        tls = {"use_ssl": True, "key_file": certificates.key_path,
               "certificate": certificates.cert_path}
    for _ in range(20):
        try:
            # config=None: wptserve installs a default config, replaced by the run's once every
            # listener is up (TestServer.start).
            httpd = wptserve_server.WebTestHttpd(host=host, port=port, doc_root=roots[0],
                                                 routes=routes, config=None, **tls)
        except OSError as error:
            raise ServerError(
                f"cannot listen on {host}:{port}: {error.strerror or error}; "
                "the port is in use: pass --port 0 (any free port) or another port") from error
        if port or not is_bad_port(httpd.port):
            return httpd
        httpd.httpd.server_close()
    return httpd


def websocket_handlers(roots):
    """The pywebsocket3 handlers directory: the first test root's `websockets/handlers/` (an
    upstream checkout's), else bgsync's own."""
    for root in list(roots) + [OWN_WEB_ROOT]:
        path = os.path.join(root, "websockets", "handlers")
        if os.path.isdir(path):
            return path
    return os.path.join(OWN_WEB_ROOT, "websockets", "handlers")


class _WebSocketListener:
    """A pywebsocket3 server on a free port of `host` (not a blocked one), wss with
    `certificates`; run in a thread as upstream's `wpt serve` does."""

    def __init__(self, host, handlers, certificates=None):
        from pywebsocket3 import standalone

        args = ["-H", host, "-p", "0", "-d", handlers, "-w", handlers]
        for _ in range(20):
            options, _ = standalone._parse_args_and_config(args)
            # No CGI: only the handlers' own files run.
            options.cgi_directories = []
            options.is_executable_method = None
            self.server = standalone.WebSocketServer(options)
            self.port = self.server._sockets[0][0].getsockname()[1]
            if not is_bad_port(self.port):
                break
            self.server.server_close()
        if certificates is not None:
            # TLS on the listening sockets, as pywebsocket3's --tls does, but through an
            # SSLContext: its --tls calls ssl.wrap_socket(), which Python 3.12 removed.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificates.cert_path, certificates.key_path)
            self.server._sockets = [(context.wrap_socket(sock, server_side=True), info)
                                    for sock, info in self.server._sockets]
        self.thread = None

    def start(self):
        # A short poll: stop() waits for the loop to notice.
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(5)
            self.thread = None
        self.server.server_close()


class TestServer:
    """wptserve on 127.0.0.1, in threads of this process: two http and two https listeners, two
    pywebsocket3 servers each for ws and wss, and upstream wpt's substitution config.

    `port=0` takes any free port for the first http listener (never one of the Fetch
    standard's blocked ports); a given port that is in use is an error that says so. The other
    ports are always free ones. With `insecure_host` (an address of this machine that is not
    loopback), the same routes are also served on a free port there.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, roots, port=0, repo_root=REPO_ROOT, timeout_multiplier=1.0,
                 insecure_host=None, own_roots=None):
        self.roots = list(roots)
        # The roots whose tests load from the loopback origin (bgsync's own); by default the
        # first one. The others are upstream checkouts, loaded as upstream runs them.
        self.own_roots = [os.path.realpath(root) for root in (own_roots or self.roots[:1])]
        self.routes = build_routes(self.roots, repo_root, timeout_multiplier)
        self.requested_port = port
        self.insecure_host = insecure_host
        self.httpd = None
        self.listeners = {}  # scheme -> [WebTestHttpd] (http, https)
        self.websockets = {}  # scheme -> [_WebSocketListener] (ws, wss)
        self.insecure_httpd = None
        self.certificates = None
        self.config = None
        self._cert_dir = None
        self._stash = None

    @property
    def port(self):
        return self.httpd.port

    def ports(self):
        """{"http": [p0, p1], "https": [...], "ws": [...], "wss": [...]}"""
        ports = {scheme: [httpd.port for httpd in httpds]
                 for scheme, httpds in self.listeners.items()}
        ports.update({scheme: [listener.port for listener in listeners]
                      for scheme, listeners in self.websockets.items()})
        return ports

    def origin(self):
        """bgsync's own tests' origin: http://127.0.0.1:HTTP0."""
        return f"http://{HOST}:{self.port}"

    def wpt_origin(self, https=False):
        """Upstream's origin: http://web-platform.test:HTTP0 or https://web-platform.test:HTTPS0."""
        if https:
            return f"https://{BROWSER_HOST}:{self.listeners['https'][0].port}"
        return f"http://{BROWSER_HOST}:{self.port}"

    def insecure_origin(self):
        """http://ADDRESS:PORT of the insecure listener, or None without one."""
        if self.insecure_httpd is None:
            return None
        return f"http://{self.insecure_host}:{self.insecure_httpd.port}"

    def url(self, test_id, insecure=False):
        """The URL of `test_id` on the loopback origin (or the insecure one)."""
        if insecure:
            if self.insecure_httpd is None:
                raise ServerError(f"{test_id} needs an insecure origin: the server has none")
            return self.insecure_origin() + test_id
        return self.origin() + test_id

    def is_own(self, test):
        root = os.path.realpath(test.root)
        return any(root == own or root.startswith(own + os.sep) for own in self.own_roots)

    def test_url(self, test):
        """Where `test` (a testfiles.WptTest) is loaded from: see the module's docstring."""
        if test.insecure_origin:
            return self.url(test.id, insecure=True)
        if needs_https(test):
            return self.wpt_origin(https=True) + test.id
        if self.is_own(test):
            return self.url(test.id)
        return self.wpt_origin() + test.id

    def bgsync_prefs(self):
        """The prefs bgsync needs to reach the hosts and trust the certificate."""
        return [f"net.host_rules={host_resolver_rules()}",
                f"net.extra_root_certificates={self.certificates.ca_path}"]

    def chromium_args(self):
        """The same for Chromium, as upstream's Chrome runner passes them."""
        return [f"--host-resolver-rules={host_resolver_rules()}",
                f"--ignore-certificate-errors-spki-list={self.certificates.spki_sha256}"]

    def start(self):
        logging.getLogger().setLevel(logging.WARNING)
        self._cert_dir = tempfile.mkdtemp(prefix="bgsync-wpt-certs-")
        try:
            # wptserve's stash (request.server.stash), which upstream's Python handlers keep
            # state across requests in: a manager process on loopback, as `wpt serve` runs.
            self._stash = wptserve_stash.StashServer(address=(HOST, 0))
            self._stash.__enter__()
            self.certificates = Certificates(self._cert_dir)
            self.httpd = _listen(HOST, self.requested_port, self.roots, self.routes)
            self.listeners["http"] = [self.httpd]
            for _ in range(PORTS_PER_SCHEME - 1):
                self.listeners["http"].append(_listen(HOST, 0, self.roots, self.routes))
            self.listeners["https"] = [_listen(HOST, 0, self.roots, self.routes,
                                               self.certificates)
                                       for _ in range(PORTS_PER_SCHEME)]
            handlers = websocket_handlers(self.roots)
            self.websockets["ws"] = [_WebSocketListener(HOST, handlers)
                                     for _ in range(PORTS_PER_SCHEME)]
            self.websockets["wss"] = [_WebSocketListener(HOST, handlers, self.certificates)
                                      for _ in range(PORTS_PER_SCHEME)]
            if self.insecure_host:
                self.insecure_httpd = _listen(self.insecure_host, 0, self.roots, self.routes)
            # wptserve keeps one substitution config per process (request.Server.config),
            # which each new listener overwrote with a default one: set the run's now.
            self.config = build_config(self.ports(), self.certificates, self.roots[0])
            wptserve_request.Server.config = self.config
        except Exception:
            self.stop()
            raise
        for httpds in self.listeners.values():
            for httpd in httpds:
                httpd.start()
        for listeners in self.websockets.values():
            for listener in listeners:
                listener.start()
        if self.insecure_httpd is not None:
            self.insecure_httpd.start()
        return self

    def stop(self):
        # Each listener's serve loop notices a shutdown only at its next poll (half a second
        # for wptserve's): they are stopped together, not one after the other.
        def stop_httpd(httpd):
            if httpd.started:
                httpd.stop()
            else:
                httpd.httpd.server_close()

        stops = [lambda httpd=httpd: stop_httpd(httpd)
                 for httpds in self.listeners.values() for httpd in httpds]
        stops += [listener.stop for listeners in self.websockets.values()
                  for listener in listeners]
        if self.insecure_httpd is not None:
            stops.append(lambda httpd=self.insecure_httpd: stop_httpd(httpd))
        threads = [threading.Thread(target=stop, daemon=True) for stop in stops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.listeners = {}
        self.websockets = {}
        self.insecure_httpd = None
        self.httpd = None
        if self._stash is not None:
            self._stash.__exit__(None, None, None)
            self._stash = None
        if self._cert_dir is not None:
            shutil.rmtree(self._cert_dir, ignore_errors=True)
            self._cert_dir = None

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


def needs_https(test):
    """Whether upstream runs `test` over https: a `.https.` file, or a service-worker variant
    (wpt's manifest marks those https)."""
    name = test.source.rsplit("/", 1)[-1]
    return ".https." in name or test.global_type == "serviceworker"
