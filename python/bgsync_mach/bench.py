"""`./mach bench startup`: how fast a page starts, in bgsync and (if installed) in Chromium.

Each run is a fresh process with a fresh profile loading examples/bench/startup.html, whose
first inline script logs `BENCH-FIRST-SCRIPT <Date.now()>`. Two numbers per run:
- exit: wall time from spawning the process to its exit;
- first script: the logged Date.now() minus the wall-clock time of the spawn, i.e. from
  process start to the page's first script running.
Medians over the runs are reported with min and max. This measures; it asserts nothing.

Chromium runs headless with --dump-dom (so it exits once the page has loaded) and
--enable-logging=stderr --v=0, which prints console messages on stderr.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
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
