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
3. /bench/sw/fetch.html (in the scope, so controlled from its load) times its own fetch()es:
   the median of SW_FETCH_COUNT answered by the worker's respondWith(new Response("x")), and
   of SW_FALLTHROUGH_COUNT the worker lets through to this server.
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
    """`median ms [min–max]`, with two decimals below a millisecond (0.04 and 0.01 differ)."""
    median = statistics.median(values)
    digits = 2 if median < 1 else 1
    return f"{median:8.{digits}f} ms  [{min(values):.{digits}f}–{max(values):.{digits}f}]"


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
SW_HELD_SCRIPT_S = 5    # how long the server holds registration B's script (the "held" row)
BENCH_CHROMIUM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_chromium.js")

_REPORT_SCRIPT = """
function report(line) { console.log(line); }
function finish() { report("BENCH-DONE"); if (typeof window.close === "function") window.close(); }
"""

SW_FETCH_COUNT = 1000       # fetches answered by respondWith(), for the median
SW_FALLTHROUGH_COUNT = 200  # fetches the worker lets through to the network

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
    "/bench/sw/held/worker.js": ("text/javascript", "// registration B: served late\n"),
    "/bench/sw/held.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sw: sync.register() of A while B's worker script is held by its server</title>
<script>""" + _REPORT_SCRIPT + """
(async () => {
  const registration = await navigator.serviceWorker.getRegistration("/bench/sw/");
  if (!registration || !registration.active) {
    throw new Error("no active registration for /bench/sw/ in this profile (not persisted?)");
  }
  // B's script is answered seconds later; its job waits meanwhile.
  const b = navigator.serviceWorker.register("/bench/sw/held/worker.js",
                                             { scope: "/bench/sw/held/" });
  await new Promise((resolve) => setTimeout(resolve, 100));
  // One sync.register() of A, as a page would make it while B loads.
  const started = performance.now();
  await registration.sync.register("held");
  report("BENCH-SW-HELD " + (performance.now() - started));
  await b;
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
    "/bench/sw/worker.js": ("text/javascript", """// A trivial service worker: answers every message,
// and the fetches whose URL has ?sw itself.
self.addEventListener("message", (event) => event.source.postMessage("pong"));
self.addEventListener("fetch", (event) => {
  if (new URL(event.request.url).searchParams.has("sw")) {
    event.respondWith(new Response("x"));
  }
});
"""),
    "/bench/sw/data": ("text/plain", "x"),
    "/bench/sw/fetch.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sw: a controlled page's fetch(), answered by the worker or the network</title>
<script>""" + _REPORT_SCRIPT + """
(async () => {
  if (!navigator.serviceWorker.controller) {
    throw new Error("the page is not controlled (no active registration for /bench/sw/?)");
  }
  async function median(count, url) {
    const times = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const response = await fetch(url);
      await response.text();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  }
  // Warm the worker (and the connection) first.
  await median(5, "data?sw");
  await median(5, "data");
  report("BENCH-SW-FETCH " + await median(""" + str(SW_FETCH_COUNT) + """, "data?sw"));
  report("BENCH-SW-FALLTHROUGH " + await median(""" + str(SW_FALLTHROUGH_COUNT) + """, "data"));
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
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
    ("held", "HELD", f"sync.register(), B held {SW_HELD_SCRIPT_S} s"),
    ("fetch", "FETCH", "fetch() -> respondWith()"),
    ("fallthrough", "FALLTHROUGH", "fetch() -> worker -> network"),
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
    """`files` ({path: (content type, text)}, default SW_FILES) over HTTP on 127.0.0.1, in a
    thread."""

    def __init__(self, files=None, delays=None):
        files = SW_FILES if files is None else files
        delays = {} if delays is None else delays

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                if path not in files:
                    self.send_error(404)
                    return
                time.sleep(delays.get(path, 0))
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
    lines, status, stderr, _spawned = _run_page_timed(command, timeout)
    return lines, status, stderr


def _run_page_timed(command, timeout):
    """_run_page, and the wall-clock time (epoch ms) just before the process was spawned."""
    spawned = time.time() * 1000
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
    return stdout.split("\n"), result.returncode, stderr, spawned


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
    """{"ready", "wake", "warm", "held", "fetch", "fallthrough": ms} of one fresh profile in
    `product`."""
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-sw-") as profile:
        values = _page_values(product, profile, server.url("/bench/sw/register.html"),
                              ["ready"])
        values.update(_page_values(product, profile, server.url("/bench/wake.html"),
                                   ["wake", "warm"]))
        values.update(_page_values(product, profile, server.url("/bench/sw/held.html"),
                                   ["held"]))
        values.update(_page_values(product, profile, server.url("/bench/sw/fetch.html"),
                                   ["fetch", "fallthrough"]))
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


def _bgsync_binary(binary):
    """(cargo's exit status, the binary to measure): `binary` as given, or a fresh build."""
    if binary is not None:
        return 0, binary
    return cargo.build(), paths.bgsync_binary()


def sw(runs=10, with_chromium=True, binary=None):
    """`./mach bench sw`; `binary` is a bgsync binary to use instead of building one."""
    status, binary = _bgsync_binary(binary)
    if status != 0:
        return status
    products = [bgsync_sw_product(binary)]
    if with_chromium:
        missing = chromium_sw_missing()
        if missing:
            print(f"bench: Chromium not measured: {missing}", file=sys.stderr)
        else:
            products.append(chromium_sw_product())
    rows, failed = [], False
    with _SwServer(SW_FILES, {"/bench/sw/held/worker.js": SW_HELD_SCRIPT_S}) as server:
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


# --- ./mach bench sync ----------------------------------------------------------------------
#
# Background Sync, in bgsync and (if installed) headless Chromium, on the pages of SYNC_FILES
# served by _SwServer. Each run of a product uses a fresh profile:
#
# 1. /bench/sync/main.html registers /bench/sync/worker.js (scope /bench/sync/main/) and
#    measures, in the page:
#    (a) register(): the round trip of 1000 sequential register() calls, each with a new tag
#        ("rt-0", "rt-1"...; online, so each also fires, with a handler that does nothing);
#        the median;
#    (b) register() -> `sync` handler start, over 100 sequential tags, each waited for before the
#        next: the handler's start time (performance.timeOrigin + performance.now() in the
#        worker) minus the time register() was called (the same in the page); the median. The
#        round trip to the page (the handler's Client.postMessage received) is printed too, as a
#        check of the cross-clock number;
#    (d) getTags(): the mean of 1000 sequential calls, with nothing registered (after (a) and
#        (b) have drained).
# 2. (c) 1000 tags registered offline, then online, in a running browser: the time until the
#    first and the last handler started. The page API cannot change the network; the embedder
#    switches it:
#    - bgsync: the online_bench example of `./mach bench online` (override row, worker
#      running): a page registers 1000 tags while the engine is offline by
#      Engine::set_network_override; then the override says online, and "online" is the
#      moment a subscriber of the network observer receives that report;
#    - Chromium: bench_chromium.js switches playwright's context.setOffline(true/false) when the
#      page logs `BENCH-CMD offline` / `BENCH-CMD online` (DevTools network emulation, which
#      Chromium's BackgroundSyncManager honours for the emulated service worker). "online" is
#      the page's clock just before it logs `BENCH-CMD online`, so the number includes the
#      trip of that command through the DevTools protocol.
# 3. (e) bgsync only, the restart path: `bgsync run --offline` on /bench/sync/offline.html
#    registers a worker (scope /bench/sync/offline/) and 1000 tags, checks that nothing fired,
#    and exits; then a second engine run, online, on the same profile loads
#    /bench/sync/drain.html, which asks the worker (started by the sync service at engine start)
#    for the start times of its handlers once it has seen 1000. "online" is the spawn of that
#    second process, so the number includes the engine's start; the first -> last span too.
#
# A product that fails a group (bgsync before SyncManager works, or without --offline) is
# reported with its reason for those numbers; everything else is still measured.

SYNC_RUN_TIMEOUT_S = 60
SYNC_TAGS = 1000          # (a) and (c)
SYNC_LATENCY_TAGS = 100   # (b)
SYNC_GETTAGS_CALLS = 1000  # (d)
SYNC_HELD_SCRIPT_S = 5     # (f): how long the server holds registration B's script

_SYNC_COMMON = _REPORT_SCRIPT + """
function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
function now() { return performance.timeOrigin + performance.now(); }
function delay(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
// Fails after `ms` (a pending timer also keeps bgsync's page alive while it waits).
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(what + ": nothing after " + ms + " ms")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const listeners = new Set();
function onWorkerMessage(listener) { listeners.add(listener); }
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.onmessage = (event) => {
    for (const listener of Array.from(listeners)) listener(event.data, now());
  };
}
let nextRequest = 1;
function ask(worker, message, ms = 30000) {
  const requestId = nextRequest++;
  const reply = new Promise((resolve) => {
    const listener = (data) => {
      if (data && data.requestId === requestId) { listeners.delete(listener); resolve(data); }
    };
    onWorkerMessage(listener);
  });
  worker.postMessage(Object.assign({ requestId }, message));
  return within(ms, reply, "the worker's answer to " + message.command);
}
async function activeRegistration(scope) {
  if (!("serviceWorker" in navigator)) throw new Error("navigator.serviceWorker is missing");
  const registration = await navigator.serviceWorker.register("/bench/sync/worker.js", { scope });
  if (!registration.sync) throw new Error("ServiceWorkerRegistration.sync is missing");
  const worker = registration.installing || registration.waiting || registration.active;
  if (worker.state !== "activated") {
    await within(10000, new Promise((resolve) => worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve();
    })), "activation");
  }
  return registration;
}
// Resolves once getTags() is empty (every event done).
async function drained(registration, ms = 30000) {
  const deadline = performance.now() + ms;
  for (;;) {
    const tags = await registration.sync.getTags();
    if (tags.length === 0) return;
    if (performance.now() > deadline) {
      throw new Error(tags.length + " tags still registered after " + ms + " ms");
    }
    await delay(5);
  }
}
// For Chromium's driver (bench_chromium.js): log BENCH-CMD NAME, resolve when it is done.
const resumes = {};
window.benchResume = (name) => { if (resumes[name]) resumes[name](); };
function command(name) {
  const done = new Promise((resolve) => { resumes[name] = resolve; });
  report("BENCH-CMD " + name);
  return within(10000, done, "the driver's " + name);
}
"""

SYNC_FILES = {
    "/bench/sync/worker.js": ("text/javascript", """// The worker of ./mach bench sync.
// Every `sync` handler records its start (performance.timeOrigin + performance.now()) and does
// nothing else, except for "latency-*" tags: it also posts {tag, time} to every window client.
// Messages {requestId, command: "wait", count, ms}: answered with {count, first, last} (start
// times) once `count` handlers have started, or after `ms`.
"use strict";
const starts = [];
const waiting = new Set();
self.addEventListener("sync", (event) => {
  const time = performance.timeOrigin + performance.now();
  starts.push(time);
  for (const check of Array.from(waiting)) check();
  if (event.tag.startsWith("latency-")) {
    event.waitUntil(self.clients.matchAll({ includeUncontrolled: true, type: "window" })
      .then((clients) => clients.forEach((c) => c.postMessage({ tag: event.tag, time }))));
  }
});
self.addEventListener("message", (event) => {
  const data = event.data || {};
  const answer = () => event.source.postMessage({
    requestId: data.requestId, count: starts.length,
    first: starts.length ? Math.min(...starts) : null,
    last: starts.length ? Math.max(...starts) : null });
  if (data.command === "stats") {
    answer();
    return;
  }
  event.waitUntil(new Promise((resolve) => {
    let timer;
    const check = () => {
      if (starts.length >= data.count) {
        waiting.delete(check);
        clearTimeout(timer);
        answer();
        resolve();
      }
    };
    timer = setTimeout(() => { waiting.delete(check); answer(); resolve(); }, data.ms || 30000);
    waiting.add(check);
    check();
  }));
});
"""),
    "/bench/sync/held/worker.js": ("text/javascript", "// registration B: served late\n"),
    "/bench/sync/held.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sync: register() of A while B's worker script is held by its server</title>
<script>""" + _SYNC_COMMON + """
(async () => {
  const registration = await activeRegistration("/bench/sync/main/");
  // B's script is answered seconds later; its job waits meanwhile.
  const b = navigator.serviceWorker.register("/bench/sync/held/worker.js",
                                             { scope: "/bench/sync/held/" });
  await delay(100);
  // One register() of A, as a page would make it while B loads.
  const started = performance.now();
  await registration.sync.register("held");
  report("BENCH-SYNC-HELD " + (performance.now() - started));
  await within(30000, b, "registration B");
  await drained(registration);
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
    "/bench/sync/main.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sync: register(), register -> sync handler, getTags()</title>
<script>""" + _SYNC_COMMON + f"""
const TAGS = {SYNC_TAGS}, LATENCY_TAGS = {SYNC_LATENCY_TAGS}, GETTAGS_CALLS = {SYNC_GETTAGS_CALLS};
""" + """
(async () => {
  const registration = await activeRegistration("/bench/sync/main/");
  const sync = registration.sync;

  const roundTrips = [];
  for (let i = 0; i < TAGS; i++) {
    const started = performance.now();
    await sync.register("rt-" + i);
    roundTrips.push(performance.now() - started);
  }
  report("BENCH-SYNC-REGISTER " + median(roundTrips));
  await drained(registration);

  const latencies = [], messages = [];
  for (let i = 0; i < LATENCY_TAGS; i++) {
    const tag = "latency-" + i;
    const handled = new Promise((resolve) => {
      const listener = (data, received) => {
        if (data && data.tag === tag) { listeners.delete(listener); resolve([data.time, received]); }
      };
      onWorkerMessage(listener);
    });
    const called = now();
    await sync.register(tag);
    const [start, received] = await within(10000, handled, "the sync event of " + tag);
    latencies.push(start - called);
    messages.push(received - called);
  }
  report("BENCH-SYNC-LATENCY " + median(latencies));
  report("BENCH-SYNC-LATENCY-MESSAGE " + median(messages));
  await drained(registration);

  const started = performance.now();
  for (let i = 0; i < GETTAGS_CALLS; i++) {
    await sync.getTags();
  }
  report("BENCH-SYNC-GETTAGS " + (performance.now() - started) / GETTAGS_CALLS);
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
    "/bench/sync/offline.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sync: register 1000 tags offline</title>
<script>""" + _SYNC_COMMON + f"""
const TAGS = {SYNC_TAGS};
""" + """
// ?driver=chromium: the page asks bench_chromium.js to go offline, and online at the end.
// Otherwise the engine runs offline (bgsync run --offline) and drain.html measures.
const chromium = new URLSearchParams(location.search).get("driver") === "chromium";
(async () => {
  const registration = await activeRegistration("/bench/sync/offline/");
  if (chromium) await command("offline");
  for (let i = 0; i < TAGS; i++) {
    await registration.sync.register("offline-" + i);
  }
  const tags = await registration.sync.getTags();
  if (tags.length !== TAGS) throw new Error("getTags() lists " + tags.length + " tags, not " + TAGS);
  await delay(200);
  const before = await ask(registration.active, { command: "stats" });
  if (before.count !== 0) {
    throw new Error(before.count + " sync events fired while offline");
  }
  if (!chromium) {
    report("BENCH-SYNC-OFFLINE-READY " + TAGS);
    return;
  }
  const online = now();
  report("BENCH-CMD online");
  const after = await ask(registration.active, { command: "wait", count: TAGS, ms: 30000 }, 35000);
  if (after.count < TAGS) throw new Error("only " + after.count + " sync events in 30 s online");
  report("BENCH-SYNC-DRAIN " + (after.last - online) + " " + (after.first - online));
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
    "/bench/sync/drain.html": ("text/html; charset=utf-8", """<!doctype html>
<meta charset="utf-8">
<title>bench sync: the offline registrations fire</title>
<script>""" + _SYNC_COMMON + f"""
const TAGS = {SYNC_TAGS};
""" + """
(async () => {
  if (!("serviceWorker" in navigator)) throw new Error("navigator.serviceWorker is missing");
  const registration = await navigator.serviceWorker.getRegistration("/bench/sync/offline/");
  if (!registration || !registration.active) {
    throw new Error("no active registration for /bench/sync/offline/ in this profile");
  }
  const after = await ask(registration.active, { command: "wait", count: TAGS, ms: 30000 }, 35000);
  if (after.count < TAGS) throw new Error("only " + after.count + " sync events in 30 s online");
  report("BENCH-SYNC-DRAIN-ABS " + after.first + " " + after.last);
})().catch((error) => report("BENCH-ERROR " + error)).finally(finish);
</script>
"""),
}

# Metrics: (key, title, unit note).
SYNC_METRICS = [
    ("register", f"(a) register() round trip, median of {SYNC_TAGS} (distinct tags)"),
    ("latency", f"(b) register() call -> sync handler start, median of {SYNC_LATENCY_TAGS}"),
    ("latency_message", "    (b') ... -> the handler's postMessage in the page"),
    ("drain", f"(c) online -> start of the last of {SYNC_TAGS} offline tags"),
    ("drain_first", "    (c') online -> start of the first"),
    ("restart_drain", "(e) engine restarted online -> the last (start incl.)"),
    ("restart_span", "    (e') its first -> last handler start"),
    ("gettags", f"(d) getTags() mean of {SYNC_GETTAGS_CALLS} (none registered)"),
    ("held", f"(f) register() of A while B's script is held {SYNC_HELD_SCRIPT_S} s"),
]
SYNC_GROUPS = {"main": ["register", "latency", "latency_message", "gettags"],
               "offline": ["drain", "drain_first"],
               "restart": ["restart_drain", "restart_span"],
               "held": ["held"]}
_SYNC_LINE = re.compile(r"^BENCH-SYNC-([A-Z-]+)((?: \S+)*)\s*$")


def parse_sync_lines(lines):
    """(values, errors, done, numbers) from an engine's console lines: values maps metric
    keys to milliseconds (REGISTER, LATENCY, LATENCY-MESSAGE, GETTAGS, and DRAIN "last first");
    numbers maps the other BENCH-SYNC-NAME lines (OFFLINE-READY, DRAIN-ABS) to their numbers."""
    single = {"REGISTER": "register", "LATENCY": "latency",
              "LATENCY-MESSAGE": "latency_message", "GETTAGS": "gettags", "HELD": "held"}
    values, errors, done, numbers = {}, [], False, {}
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith("BENCH-ERROR"):
            errors.append(line[len("BENCH-ERROR"):].strip() or "(no message)")
        elif line.startswith("BENCH-DONE"):
            done = True
        elif line.startswith("BENCH-SYNC-"):
            match = _SYNC_LINE.match(line)
            try:
                name = match.group(1)
                parsed = [float(word) for word in match.group(2).split()]
            except (AttributeError, ValueError):
                errors.append(f"unreadable line: {line[:200]}")
                continue
            if not parsed or any(value != value for value in parsed):
                errors.append(f"unreadable line: {line[:200]}")
            elif name in single and len(parsed) == 1 and parsed[0] >= 0:
                values[single[name]] = parsed[0]
            elif name == "DRAIN" and len(parsed) == 2:
                values["drain"], values["drain_first"] = parsed
            elif name in single or name == "DRAIN":
                errors.append(f"unreadable line: {line[:200]}")
            else:
                numbers[name] = parsed
    return values, errors, done, numbers


class SyncProduct:
    """How to run the sync bench pages in one product: command(profile, url, offline) -> argv.
    `offline_in_page`: the offline measurement is one page run driven by the browser driver
    (Chromium); otherwise (bgsync) it is the embedder's switch in `online_bench` (the binary of
    `./mach bench online`), and the engine-restart group runs too."""

    def __init__(self, name, command, offline_in_page, online_bench=None):
        self.name = name
        self.command = command
        self.offline_in_page = offline_in_page
        self.online_bench = online_bench


def bgsync_sync_product(binary, online_bench=None):
    def command(profile, url, offline=False):
        return ([binary, "run", "--timeout", str(SYNC_RUN_TIMEOUT_S), "--profile", profile]
                + (["--offline"] if offline else []) + [url])
    return SyncProduct("bgsync", command, offline_in_page=False, online_bench=online_bench)


def chromium_sync_product():
    def command(profile, url, offline=False):
        return ["node", BENCH_CHROMIUM, paths.CHROMIUM, paths.NODE_MODULES, profile, url,
                str(SYNC_RUN_TIMEOUT_S * 1000)]
    return SyncProduct("chromium", command, offline_in_page=True)


def _sync_page(product, profile, url, offline=False):
    """(values, numbers, spawn time in epoch ms) of one page run; BenchError on failure."""
    lines, status, stderr, spawned = _run_page_timed(product.command(profile, url, offline),
                                                    SYNC_RUN_TIMEOUT_S)
    values, errors, done, numbers = parse_sync_lines(lines)
    page = url.split("/", 3)[-1]
    how = f"exit status {status}, " + ("finished" if done else "ended before the page finished")
    if errors:
        raise BenchError(f"/{page}: " + "; ".join(errors) + f" ({how})")
    if not done and not values and not numbers:
        tail = "\n".join(line for line in (lines + stderr.split("\n"))[-15:] if line.strip())
        raise BenchError(f"/{page}: no measurement ({how}); output:\n{tail}")
    return values, numbers, spawned


def _require(values, keys, page, what="measurement"):
    missing = [key for key in keys if key not in values]
    if missing:
        raise BenchError(f"{page}: no {', '.join(missing)} {what}")


def measure_sync_main(product, server):
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-sync-") as profile:
        values, _, _ = _sync_page(product, profile, server.url("/bench/sync/main.html"))
    _require(values, SYNC_GROUPS["main"], "/bench/sync/main.html")
    return values


def measure_sync_held(product, server):
    """(f): the register() round trip while another registration's script fetch is held."""
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-sync-") as profile:
        values, _, _ = _sync_page(product, profile, server.url("/bench/sync/held.html"))
    _require(values, SYNC_GROUPS["held"], "/bench/sync/held.html")
    return values


def measure_sync_offline(product, server):
    """(c): the embedder switches a running browser back online (Chromium: DevTools network
    emulation; bgsync: Engine::set_network_override, ./mach bench online's override row)."""
    if product.offline_in_page:
        with tempfile.TemporaryDirectory(prefix="bgsync-bench-sync-") as profile:
            values, _, _ = _sync_page(product, profile,
                                      server.url("/bench/sync/offline.html?driver=chromium"))
        _require(values, SYNC_GROUPS["offline"], "/bench/sync/offline.html")
        return values
    if product.online_bench is None:
        raise BenchError("no online_bench binary")
    from . import bench_online
    try:
        measured = bench_online.measure_online(product.online_bench, ["--trigger", "override"])
    except bench_online.BenchError as error:
        raise BenchError(f"online_bench: {error}") from None
    return {"drain": measured["last"], "drain_first": measured["first"]}


def measure_sync_restart(product, server):
    """(e), bgsync only: registered by an engine run with --offline, fired by the next run."""
    if product.offline_in_page:
        return {}
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-sync-") as profile:
        _, numbers, _ = _sync_page(product, profile, server.url("/bench/sync/offline.html"),
                                   offline=True)
        if "OFFLINE-READY" not in numbers:
            raise BenchError("/bench/sync/offline.html (engine run with --offline): the page "
                             "did not get to BENCH-SYNC-OFFLINE-READY")
        _, numbers, spawned = _sync_page(product, profile, server.url("/bench/sync/drain.html"))
        if "DRAIN-ABS" not in numbers or len(numbers["DRAIN-ABS"]) != 2:
            raise BenchError("/bench/sync/drain.html: no BENCH-SYNC-DRAIN-ABS line")
        first, last = numbers["DRAIN-ABS"]
        return {"restart_drain": last - spawned, "restart_span": last - first}


def _fmt_ms(value):
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def sync_summary(rows, runs):
    """The report's lines: rows is [(product, {metric: [ms...] or an error str})]."""
    names = [name for name, _ in rows]
    lines = [f"sync: {runs} runs each; per metric, the median over the runs [min–max], in ms",
             f"{'':60}" + "".join(f"{name:<26}" for name in names)
             + ("bgsync/chromium" if {"bgsync", "chromium"} <= set(names) else "")]
    for key, title in SYNC_METRICS:
        cells, medians = [], {}
        for name, result in rows:
            value = result.get(key)
            if isinstance(value, str):
                first = value.splitlines()[0] if value else ""
                cells.append(f"{'failed (see above)':<26}" if len(first) > 24
                             else f"{'failed: ' + first:<26}")
            elif value:
                medians[name] = statistics.median(value)
                cell = (f"{_fmt_ms(medians[name])} [{_fmt_ms(min(value))}–"
                        f"{_fmt_ms(max(value))}]")
                cells.append(f"{cell:<26}")
            else:
                cells.append(f"{'-':<26}")
        ratio = ""
        if "bgsync" in medians and medians.get("chromium"):
            ratio = f"{medians['bgsync'] / medians['chromium']:.2f}x"
        lines.append(f"{title:<60}" + "".join(cells) + ratio)
    lines.append("(b) compares performance.timeOrigin + now() of the page and the worker. (c) "
                 "online is, in bgsync, the network observer's report of the embedder's "
                 "Engine::set_network_override(Online) (the worker running), in Chromium, the "
                 "page's clock before it asks the driver for context.setOffline(false) "
                 "(DevTools network emulation). (e) bgsync only: online is the spawn of a "
                 "second engine on the profile")
    return lines


def sync(runs=5, with_chromium=True, binary=None):
    """`./mach bench sync`; `binary` is a bgsync binary to use instead of building one."""
    status, binary = _bgsync_binary(binary)
    if status != 0:
        return status
    from . import bench_online
    status = bench_online.build()
    if status != 0:
        return status
    products = [bgsync_sync_product(binary, bench_online.binary_path())]
    if with_chromium:
        missing = chromium_sw_missing()
        if missing:
            print(f"bench: Chromium not measured: {missing}", file=sys.stderr)
        else:
            products.append(chromium_sync_product())
    groups = [("main", measure_sync_main), ("offline", measure_sync_offline),
              ("restart", measure_sync_restart), ("held", measure_sync_held)]
    rows, failed = [], False
    delays = {"/bench/sync/held/worker.js": SYNC_HELD_SCRIPT_S}
    with _SwServer(SYNC_FILES, delays) as server:
        for product in products:
            result = {key: [] for key, _ in SYNC_METRICS}
            broken = {}
            for index in range(runs):
                print(f"\r{product.name}: run {index + 1}/{runs}", end="", file=sys.stderr,
                      flush=True)
                for group, measure_group in groups:
                    if group in broken:
                        continue
                    try:
                        values = measure_group(product, server)
                    except BenchError as error:
                        broken[group] = str(error)
                        print(f"\nbench: {product.name}: {error}", file=sys.stderr)
                        continue
                    for key, value in values.items():
                        result[key].append(value)
            print(file=sys.stderr)
            for group, error in broken.items():
                failed = True
                for key in SYNC_GROUPS[group]:
                    result[key] = error
            rows.append((product.name, result))
    for line in sync_summary(rows, runs):
        print(line)
    from . import bench_workbox
    workbox_products = [bench_workbox.bgsync_product(binary)]
    if any(product.name == "chromium" for product in products):
        workbox_products.append(bench_workbox.chromium_product())
    if bench_workbox.run(workbox_products, runs) != 0:
        failed = True
    return 1 if failed else 0
