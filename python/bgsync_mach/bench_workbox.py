"""`./mach bench sync`, its last table: Workbox's replay of 100 queued requests from an engine
start, in bgsync and in headless Chromium.

Each run uses a fresh profile and two engine runs on it:
1. queue: the app page registers a worker written exactly as Workbox documents it (a
   `NetworkOnly` route with `BackgroundSyncPlugin`, the unmodified npm packages that
   `./mach bootstrap` installs in examples/node_modules), waits until it controls the page, and
   offline POSTs 100 messages, which Workbox keeps in its IndexedDB queue. bgsync runs it
   with `--offline`; in Chromium the page asks bench_chromium.js for
   `context.setOffline(true)` (`?driver=chromium`).
2. replay: a new engine process on the profile, online, with no page of the app (bgsync:
   about:blank; Chromium: a page outside the worker's scope). Measured: the time from
   spawning that process to this server receiving the 100th replayed request.
It asserts nothing.
"""

import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from . import paths, workbox

MESSAGES = 100
RUN_TIMEOUT_S = 60
REPLAY_TIMEOUT_S = 30

WORKER = """importScripts('/workbox/workbox-sw.js');
workbox.setConfig({modulePathPrefix: '/workbox/'});
workbox.core.clientsClaim();
workbox.routing.registerRoute(/\\/api\\/messages/,
  new workbox.strategies.NetworkOnly({plugins: [new workbox.backgroundSync.BackgroundSyncPlugin('outbox')]}),
  'POST');
"""

QUEUE_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>bench sync: Workbox queues messages offline</title>
<script>
const chromium = new URL(location.href).searchParams.get("driver") === "chromium";
let resume;
window.benchResume = () => resume && resume();
const command = (name) => new Promise((r) => { resume = r; console.log("BENCH-CMD " + name); });
(async () => {
  await navigator.serviceWorker.register("sw.js", { scope: "./" });
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r));
  }
  if (chromium) await command("offline");
  let queued = 0;
  for (let i = 0; i < MESSAGES; i++) {
    try {
      await fetch("/api/messages", { method: "POST", headers: { "Content-Type": "application/json" },
                                     body: JSON.stringify({ id: i, text: "message " + i }) });
    } catch (error) {
      queued++;
    }
  }
  console.log("BENCH-QUEUED " + queued);
})().catch((error) => console.log("BENCH-ERROR " + error)).finally(() => {
  console.log("BENCH-DONE");
  window.close();
});
</script>
""".replace("MESSAGES", str(MESSAGES))

OTHER_PAGE = "<!doctype html><title>bench sync: no page of the app</title>"


class BenchError(Exception):
    pass


class WorkboxServer:
    """The app (its page, Workbox's worker, Workbox's files) and `POST /api/messages`, which
    records when each request arrived."""

    def __init__(self, node_modules=None):
        self.files = {
            "/app/queue.html": ("text/html; charset=utf-8", QUEUE_PAGE.encode()),
            "/app/sw.js": ("text/javascript", WORKER.encode()),
            "/other.html": ("text/html; charset=utf-8", OTHER_PAGE.encode()),
        }
        try:
            for url_path, body in workbox.read_files(node_modules).items():
                self.files[url_path] = ("text/javascript", body)
        except OSError as error:
            raise BenchError(str(error)) from None
        self.arrivals = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                if path not in server.files:
                    self.send_error(404)
                    return
                content_type, body = server.files[path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                if self.path.split("?", 1)[0] != "/api/messages":
                    self.send_error(404)
                    return
                with server.lock:
                    server.arrivals.append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def received(self):
        with self.lock:
            return list(self.arrivals)

    def clear(self):
        with self.lock:
            self.arrivals.clear()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class Product:
    """How to run the two steps in one product: queue(profile, url) and replay(profile, url)
    return argv."""

    def __init__(self, name, queue, replay, queue_query="", replay_path="/other.html"):
        self.name = name
        self.queue = queue
        self.replay = replay
        self.queue_query = queue_query
        self.replay_path = replay_path


def bgsync_product(binary):
    def queue(profile, url):
        return [binary, "run", "--offline", "--timeout", str(RUN_TIMEOUT_S), "--profile",
                profile, url]

    def replay(profile, _url):
        return [binary, "run", "--online", "--timeout", str(RUN_TIMEOUT_S), "--profile",
                profile, "about:blank"]

    return Product("bgsync", queue, replay)


def chromium_product():
    def command(profile, url):
        return ["node", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "bench_chromium.js"),
                paths.CHROMIUM, paths.NODE_MODULES, profile, url, str(RUN_TIMEOUT_S * 1000)]

    return Product("chromium", command, command, queue_query="?driver=chromium")


def measure_once(product, server):
    """Milliseconds from spawning the replaying engine to the 100th request's arrival."""
    profile = tempfile.mkdtemp(prefix="bgsync-bench-workbox-")
    try:
        url = server.url("/app/queue.html" + product.queue_query)
        try:
            queued = subprocess.run(product.queue(profile, url), capture_output=True, text=True,
                                    timeout=RUN_TIMEOUT_S + 10)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise BenchError(f"the queueing run failed: {error}")
        if f"BENCH-QUEUED {MESSAGES}" not in queued.stdout:
            tail = (queued.stdout + queued.stderr).strip().splitlines()[-5:]
            raise BenchError("the page did not queue every message: " + " | ".join(tail))
        server.clear()
        started = time.monotonic()
        process = subprocess.Popen(product.replay(profile, server.url(product.replay_path)),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.monotonic() - started < REPLAY_TIMEOUT_S:
                arrivals = server.received()
                if len(arrivals) >= MESSAGES:
                    return (arrivals[MESSAGES - 1] - started) * 1000
                time.sleep(0.002)
            raise BenchError(f"only {len(server.received())} of {MESSAGES} requests were "
                             f"replayed in {REPLAY_TIMEOUT_S} s")
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def summary(rows, runs):
    """The table's lines: rows is [(product name, [ms...] or an error str)]."""
    title = f"Workbox: engine start -> the {MESSAGES}th queued request replayed"
    lines = [f"{title:<60}" + "".join(f"{name:<26}" for name, _ in rows)]
    cells, medians = [], {}
    for name, result in rows:
        if isinstance(result, str):
            cells.append(f"{'failed: ' + result.splitlines()[0][:18]:<26}")
        elif result:
            medians[name] = statistics.median(result)
            cells.append(f"{medians[name]:.1f} [{min(result):.1f}–{max(result):.1f}]".ljust(26))
        else:
            cells.append(f"{'-':<26}")
    ratio = ""
    if medians.get("bgsync") and medians.get("chromium"):
        ratio = f"{medians['bgsync'] / medians['chromium']:.2f}x"
    lines.append(f"{f'({runs} runs, median [min–max] ms)':<60}" + "".join(cells) + ratio)
    return lines


def run(products, runs):
    """Measures `products` `runs` times each and prints the table; returns 0, or 1 if a product
    failed."""
    rows, failed = [], False
    try:
        server = WorkboxServer()
    except BenchError as error:
        print(f"bench: Workbox not measured: {error}", file=sys.stderr)
        return 1
    with server:
        for product in products:
            values = []
            try:
                for index in range(runs):
                    print(f"\r{product.name}: Workbox run {index + 1}/{runs}", end="",
                          file=sys.stderr, flush=True)
                    values.append(measure_once(product, server))
                print(file=sys.stderr)
                rows.append((product.name, values))
            except BenchError as error:
                print(f"\nbench: {product.name}: {error}", file=sys.stderr)
                rows.append((product.name, str(error)))
                failed = True
    for line in summary(rows, runs):
        print(line)
    return 1 if failed else 0
