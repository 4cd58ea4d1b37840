"""`./mach bench startup`: how fast a page starts, in bgsync and (if installed) in Chromium.

Each run is a fresh process with a fresh profile loading examples/bench/startup.html, whose
first inline script logs `BENCH-FIRST-SCRIPT <Date.now()>`. Two numbers per run:
- exit: wall time from spawning the process to its exit;
- first script: the logged Date.now() minus the wall-clock time of the spawn, i.e. from
  process start to the page's first script running.
Medians over the runs are reported with min and max. This measures; it asserts nothing.

Chromium runs headless with --dump-dom (so it exits once the page has loaded) and
--enable-logging=stderr --v=0, which prints console messages on stderr.

`./mach bench sw`: service workers, in bgsync and (if installed) in headless Chromium. A small
HTTP server on 127.0.0.1 (this process, standard library) serves the pages in SW_FILES. Each run
uses a fresh profile directory and two engine runs on it:
1. /bench/sw/register.html registers a trivial worker for its own directory and logs the time
   from calling register() to `navigator.serviceWorker.ready` resolving (performance.now());
2. a new engine process on the same profile loads /bench/wake.html (outside the worker's
   scope), finds the registration with getRegistration() and logs, measured in the page, the
   round trip of a postMessage to the stopped worker and the worker's reply through
   Client.postMessage: the cold wake (start the worker, run its message handler, reply),
   then a second round trip to the now running worker (warm), for comparison.
The engine restart is what stops the worker: bgsync starts a stored worker only on demand, and
Chromium (python/bgsync_mach/bench_chromium.js, playwright-core with a persistent
--user-data-dir) starts with none running. Pages report `BENCH-*` console lines
(parse_sw_lines). A product that fails (bgsync before it implements service workers) is
reported with its reason; the other is still measured.
"""

import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from . import cargo, paths

PAGE = os.path.join(paths.REPO_ROOT, "examples", "bench", "startup.html")
_FIRST_SCRIPT = re.compile(r"BENCH-FIRST-SCRIPT (\d+)")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--enable-logging=stderr",
                  "--v=0", "--dump-dom"]


class BenchError(Exception):
    pass


def bgsync_command(profile, binary=None):
    return [binary or paths.bgsync_binary(), "run", "--profile", profile, PAGE]


def chromium_command(profile):
    return [paths.CHROMIUM] + CHROMIUM_FLAGS + [f"--user-data-dir={profile}",
                                                "file://" + PAGE]


def measure_once(make_command, timeout=120):
    """(exit ms, first-script ms) of one run."""
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-") as profile:
        command = make_command(profile)
        spawn_wall = time.time()
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        exit_ms = (time.perf_counter() - started) * 1000
    output = (result.stdout + result.stderr).decode("utf-8", errors="replace")
    if result.returncode != 0:
        raise BenchError(f"{command[0]} exited with status {result.returncode}:\n{output[-2000:]}")
    match = _FIRST_SCRIPT.search(output)
    if not match:
        raise BenchError(f"{command[0]} printed no BENCH-FIRST-SCRIPT line:\n{output[-2000:]}")
    return exit_ms, int(match.group(1)) - spawn_wall * 1000


def _stats(values):
    return f"{statistics.median(values):8.1f} ms  [{min(values):.1f}–{max(values):.1f}]"


def measure(name, make_command, runs):
    exits, firsts = [], []
    for index in range(runs):
        exit_ms, first_ms = measure_once(make_command)
        exits.append(exit_ms)
        firsts.append(first_ms)
        print(f"\r{name}: run {index + 1}/{runs}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return exits, firsts


def startup(runs=20, with_chromium=True, binary=None):
    """Measures; `binary` is a bgsync binary to use instead of building one."""
    if binary is None:
        status = cargo.build()
        if status != 0:
            return status
    products = [("bgsync", lambda profile: bgsync_command(profile, binary))]
    if with_chromium and os.path.exists(paths.CHROMIUM):
        products.append(("chromium", chromium_command))
    elif with_chromium:
        print(f"bench: {paths.CHROMIUM} not found: measuring bgsync only "
              "(./mach bootstrap --chromium installs it)", file=sys.stderr)
    rows = []
    for name, make_command in products:
        try:
            rows.append((name,) + measure(name, make_command, runs))
        except (BenchError, subprocess.TimeoutExpired) as error:
            print(f"bench: {name}: {error}", file=sys.stderr)
            return 1
    print(f"startup: {os.path.relpath(PAGE, paths.REPO_ROOT)}, {runs} runs each, "
          "median [min–max]")
    print(f"{'':10}{'process start to exit':<34}{'process start to first script'}")
    for name, exits, firsts in rows:
        print(f"{name:<10}{_stats(exits):<34}{_stats(firsts)}")
    return 0


# --- ./mach bench sw ------------------------------------------------------------------------

SW_RUN_TIMEOUT_S = 30
BENCH_CHROMIUM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_chromium.js")

_REPORT_SCRIPT = """
function report(line) { console.log(line); }
function finish() { report("BENCH-DONE"); if (typeof window.close === "function") window.close(); }
"""

SW_FILES = {
    "/bench/sw/register.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sw: register() to ready</title>
<script>""" + _REPORT_SCRIPT + """
(async () => {
  if (!("serviceWorker" in navigator)) {
    throw new Error("navigator.serviceWorker is missing");
  }
  const started = performance.now();
  await navigator.serviceWorker.register("worker.js", { scope: "./" });
  const registration = await navigator.serviceWorker.ready;
  report("BENCH-SW-READY " + (performance.now() - started));
  // The wake run needs an activated worker in the profile.
  const worker = registration.active;
  if (worker.state !== "activated") {
    await new Promise((resolve) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve();
    }));
  }
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
    "/bench/sw/worker.js": ("text/javascript", """// A trivial service worker: answers every message.
self.addEventListener("message", (event) => event.source.postMessage("pong"));
"""),
    "/bench/wake.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sw: wake a stopped worker</title>
<script>""" + _REPORT_SCRIPT + """
(async () => {
  if (!("serviceWorker" in navigator)) {
    throw new Error("navigator.serviceWorker is missing");
  }
  const registration = await navigator.serviceWorker.getRegistration("/bench/sw/");
  if (!registration || !registration.active) {
    throw new Error("no active registration for /bench/sw/ in this profile (not persisted?)");
  }
  const worker = registration.active;
  function roundTrip() {
    return new Promise((resolve) => {
      const started = performance.now();
      navigator.serviceWorker.onmessage = () => resolve(performance.now() - started);
      worker.postMessage("ping");
    });
  }
  report("BENCH-SW-WAKE " + await roundTrip());
  report("BENCH-SW-WARM " + await roundTrip());
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
}

# Metrics, as (key, BENCH-SW line name, column title).
SW_METRICS = [
    ("ready", "READY", "register() -> ready"),
    ("wake", "WAKE", "cold wake round trip"),
    ("warm", "WARM", "warm round trip"),
]
_SW_LINE = re.compile(r"^BENCH-SW-([A-Z]+) (\S+)\s*$")


def parse_sw_lines(lines):
    """(values, errors, done) from an engine's console lines: values maps "ready"/"wake"/
    "warm" to milliseconds; errors are the pages' BENCH-ERROR messages and unreadable lines;
    done tells whether the page got to BENCH-DONE."""
    names = {name: key for key, name, _ in SW_METRICS}
    values, errors, done = {}, [], False
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith("BENCH-ERROR"):
            errors.append(line[len("BENCH-ERROR"):].strip() or "(no message)")
        elif line.startswith("BENCH-DONE"):
            done = True
        elif line.startswith("BENCH-SW-"):
            match = _SW_LINE.match(line)
            key = names.get(match.group(1)) if match else None
            try:
                value = float(match.group(2)) if key else None
            except ValueError:
                value = None
            if value is None or value != value or value < 0:
                errors.append(f"unreadable line: {line[:200]}")
            else:
                values[key] = value
    return values, errors, done


class _SwServer:
    """SW_FILES over HTTP on 127.0.0.1, in a thread."""

    def __init__(self):
        files = SW_FILES

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                if path not in files:
                    self.send_error(404)
                    return
                content_type, text = files[path]
                body = text.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _run_page(command, timeout):
    """The console lines of one engine run; BenchError when it cannot be run."""
    try:
        result = subprocess.run(command, capture_output=True, stdin=subprocess.DEVNULL,
                                timeout=timeout + 15)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{os.path.basename(command[0])} did not exit within "
                         f"{timeout + 15} s") from None
    except OSError as error:
        raise BenchError(f"cannot run {command[0]}: {error}") from None
    stdout = result.stdout.decode("utf-8", errors="replace")
    stderr = result.stderr.decode("utf-8", errors="replace")
    return stdout.split("\n"), result.returncode, stderr


class SwProduct:
    """How to run a bench page in one product with a given profile directory."""

    def __init__(self, name, command):
        self.name = name
        self.command = command  # (profile, url) -> argv


def bgsync_sw_product(binary):
    return SwProduct("bgsync", lambda profile, url: [
        binary, "run", "--timeout", str(SW_RUN_TIMEOUT_S), "--profile", profile, url])


def chromium_sw_product():
    return SwProduct("chromium", lambda profile, url: [
        "node", BENCH_CHROMIUM, paths.CHROMIUM, paths.NODE_MODULES, profile, url,
        str(SW_RUN_TIMEOUT_S * 1000)])


def chromium_sw_missing():
    """Why headless Chromium cannot be measured, or None when it can."""
    if not os.path.exists(paths.CHROMIUM):
        return f"{paths.CHROMIUM} not found (./mach bootstrap --chromium installs it)"
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not os.path.isdir(os.path.join(paths.NODE_MODULES, "playwright-core")):
        return "wpt/node_modules/playwright-core is missing (./mach bootstrap)"
    return None


def _page_values(product, profile, url, wanted):
    lines, status, stderr = _run_page(product.command(profile, url), SW_RUN_TIMEOUT_S)
    values, errors, done = parse_sw_lines(lines)
    page = url.split("/", 3)[-1]
    if errors:
        raise BenchError(f"/{page}: " + "; ".join(errors))
    missing = [key for key in wanted if key not in values]
    if missing:
        tail = "\n".join(line for line in (lines + stderr.split("\n"))[-15:] if line.strip())
        how = "ended before the page finished" if not done else "finished"
        raise BenchError(f"/{page}: no {', '.join(missing)} measurement (exit status "
                         f"{status}, {how}); output:\n{tail}")
    return values


def measure_sw_once(product, server):
    """{"ready": ms, "wake": ms, "warm": ms} of one fresh profile in `product`."""
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-sw-") as profile:
        values = _page_values(product, profile, server.url("/bench/sw/register.html"),
                              ["ready"])
        values.update(_page_values(product, profile, server.url("/bench/wake.html"),
                                   ["wake", "warm"]))
    return values


def sw_summary(rows, runs):
    """The report's lines: rows is [(product name, {metric: [ms...]} or an error str)]."""
    lines = [f"sw: {runs} runs each, median [min–max]; the wake times are round trips: "
             "page postMessage -> worker's message handler -> Client.postMessage -> page"]
    lines.append(f"{'':10}" + "".join(f"{title:<34}" for _, _, title in SW_METRICS))
    medians = {}
    for name, result in rows:
        if isinstance(result, str):
            lines.append(f"{name:<10}failed: {result.splitlines()[0] if result else ''}")
            continue
        medians[name] = {key: statistics.median(values) for key, values in result.items()}
        lines.append(f"{name:<10}" + "".join(f"{_stats(result[key]):<34}"
                                             for key, _, _ in SW_METRICS))
    if "bgsync" in medians and "chromium" in medians:
        ratios = []
        for key, _, _ in SW_METRICS:
            theirs = medians["chromium"][key]
            ratios.append(f"{medians['bgsync'][key] / theirs:.2f}x" if theirs > 0 else "-")
        lines.append(f"{'ratio':<10}" + "".join(f"{'bgsync/chromium ' + r:<34}" for r in ratios))
    return lines


def sw(runs=10, with_chromium=True, binary=None):
    """`./mach bench sw`; `binary` is a bgsync binary to use instead of building one."""
    if binary is None:
        status = cargo.build()
        if status != 0:
            return status
        binary = paths.bgsync_binary()
    products = [bgsync_sw_product(binary)]
    if with_chromium:
        missing = chromium_sw_missing()
        if missing:
            print(f"bench: Chromium not measured: {missing}", file=sys.stderr)
        else:
            products.append(chromium_sw_product())
    rows, failed = [], False
    with _SwServer() as server:
        for product in products:
            collected = {key: [] for key, _, _ in SW_METRICS}
            try:
                for index in range(runs):
                    print(f"\r{product.name}: run {index + 1}/{runs}", end="", file=sys.stderr,
                          flush=True)
                    for key, value in measure_sw_once(product, server).items():
                        collected[key].append(value)
                print(file=sys.stderr)
                rows.append((product.name, collected))
            except BenchError as error:
                print(file=sys.stderr)
                print(f"bench: {product.name}: {error}", file=sys.stderr)
                rows.append((product.name, str(error)))
                failed = True
    for line in sw_summary(rows, runs):
        print(line)
    return 1 if failed else 0
