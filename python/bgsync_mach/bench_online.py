"""`./mach bench online`: how fast pending sync registrations fire when the network comes back,
and how much memory pending registrations cost. bgsync only (Chromium's drain time is in
`./mach bench sync`, (c)). It measures; it asserts nothing.

The engine side is components/engine/examples/online_bench.rs (built with cargo, a debug build
like the other benches' bgsync), which prints `BENCH-*` lines:

- online: a page registers a service worker and 1000 sync tags while the engine is offline;
  then the network comes back. From the moment a subscriber of the network observer receives
  the online report, the times to the start of the first and of the last of the 1000 sync
  handlers (their first statement logs a line; the engine's console callback takes the time).
  Three ways back online:
  - override, worker running: `set_override(Some(Online))` (devtools' switch; no debounce);
  - override, worker stopped: the same, the worker started for the first event;
  - netns link up: the engine runs in a network namespace of its own (`ip netns exec`, needs
    root) whose only link, a veth to a second namespace, is down; this script brings it up
    (`ip link set up`), and the observer reports online once the kernel has the carrier and
    the change lasted net.network_debounce_ms (100 ms). The time from running `ip link set up`
    to the report is shown too. Where namespaces cannot be made, this row says why.
- rss: the resident set (VmRSS) of the engine's process with one page open, its service worker
  running idle and 10000 pending sync registrations (offline), next to the same with no
  registrations, and the process before the engine started.

Both use a temporary profile on disk (SQLite), as a browser would.
"""

import os
import re
import statistics
import subprocess
import sys
import threading
import time

from . import cargo, paths

BINARY_NAME = "online_bench"
RUN_TIMEOUT_S = 180
TAGS = 1000
RSS_REGISTRATIONS = 10000

ENGINE_LINK = "bgs-engine"
PEER_LINK = "bgs-peer"

ROWS = [
    ("override-warm", "override, worker running", ["--trigger", "override"]),
    ("override-cold", "override, worker stopped", ["--trigger", "override", "--cold"]),
    ("link", "netns link up, worker running", ["--trigger", "link"]),
]

_LINE = re.compile(r"^(BENCH-[A-Z-]+)((?: \S+)*)\s*$")


class BenchError(Exception):
    pass


def binary_path():
    return os.path.join(paths.cargo_target_dir(), "debug", "examples", BINARY_NAME)


def build():
    """`cargo build -p engine --example online_bench`; returns cargo's exit status."""
    return cargo.cargo(["build", "-p", "engine", "--example", BINARY_NAME])


def parse_lines(lines):
    """{NAME: [numbers]} of the BENCH-NAME lines; BenchError for BENCH-ERROR or a bad line."""
    values = {}
    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith("BENCH-ERROR"):
            raise BenchError(line[len("BENCH-ERROR"):].strip() or "(no message)")
        match = _LINE.match(line)
        if not match:
            continue
        try:
            values[match.group(1)] = [float(word) for word in match.group(2).split()]
        except ValueError:
            raise BenchError(f"unreadable line: {line[:200]}") from None
    return values


def online_values(values):
    """(first ms, last ms) of the BENCH-ONLINE line among parsed lines."""
    online = values.get("BENCH-ONLINE")
    if not online or len(online) != 3:
        raise BenchError("no BENCH-ONLINE line")
    first, last, count = online
    if count < TAGS:
        raise BenchError(f"only {int(count)} handlers started")
    return first, last


def _run(command, on_line=None, timeout=RUN_TIMEOUT_S):
    """Runs `command`; returns its stdout lines. `on_line(line)` sees each as it comes."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    stderr = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)
    reader.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if on_line:
                on_line(line.strip())
        status = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(5)
    values = parse_lines(lines)
    if status != 0:
        tail = "\n".join((lines + "".join(stderr).splitlines())[-15:])
        raise BenchError(f"{os.path.basename(command[0])} exited with status {status}:\n{tail}")
    return values


def _ip(*args):
    result = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"ip {' '.join(args)}: {result.stderr.strip()}")


class Namespaces:
    """The engine's network namespace, whose only link (a veth to a peer namespace) is down;
    both deleted on exit, also after a failure."""

    def __init__(self):
        tag = f"{os.getpid()}-{int(time.time() * 1000) % 100000}"
        self.engine = f"bgsync-bench-{tag}-engine"
        self.peer = f"bgsync-bench-{tag}-peer"
        self.made = []

    def __enter__(self):
        try:
            for name in (self.engine, self.peer):
                _ip("netns", "add", name)
                self.made.append(name)
            _ip("-n", self.engine, "link", "set", "lo", "up")
            _ip("-n", self.peer, "link", "set", "lo", "up")
            _ip("-n", self.peer, "link", "add", PEER_LINK, "type", "veth", "peer", "name",
                ENGINE_LINK, "netns", self.engine)
            _ip("-n", self.peer, "addr", "add", "192.0.2.1/24", "dev", PEER_LINK)
            _ip("-n", self.peer, "link", "set", PEER_LINK, "up")
            _ip("-n", self.engine, "addr", "add", "192.0.2.2/24", "dev", ENGINE_LINK)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for name in reversed(self.made):
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
        self.made = []


def netns_missing():
    """Why the netns row cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return "not Linux"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "needs root (ip netns)"
    try:
        subprocess.run(["ip", "-V"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        return f"no usable `ip`: {error}"
    return None


def measure_online(binary, row_args):
    """{first, last[, report]} in ms of one run."""
    if "link" not in row_args:
        first, last = online_values(_run([binary, "online"] + row_args))
        return {"first": first, "last": last}
    with Namespaces() as namespaces:
        link_up = {}

        def on_line(line):
            if line == "BENCH-ONLINE-WAITING":
                link_up["at"] = time.time() * 1000
                _ip("-n", namespaces.engine, "link", "set", ENGINE_LINK, "up")

        values = _run(["ip", "netns", "exec", namespaces.engine, binary, "online"] + row_args,
                      on_line=on_line)
    first, last = online_values(values)
    result = {"first": first, "last": last}
    reported = values.get("BENCH-ONLINE-REPORT-EPOCH-MS")
    if reported and "at" in link_up:
        result["report"] = reported[0] - link_up["at"]
    return result


def measure_rss(binary):
    values = _run([binary, "rss", "--registrations", str(RSS_REGISTRATIONS)])
    rss = values.get("BENCH-RSS")
    if not rss or len(rss) != 4:
        raise BenchError("no BENCH-RSS line")
    before, without, with_registrations, listed = rss
    return {"before": before, "without": without, "with": with_registrations, "listed": listed}


def _cell(values):
    if isinstance(values, str):
        first = values.splitlines()[0] if values else ""
        return first if first.startswith("not measured") else f"failed: {first[:40]}"
    if not values:
        return "-"
    median = statistics.median(values)
    return f"{median:.1f} [{min(values):.1f}–{max(values):.1f}]"


def summary(rows, rss, runs):
    """The report's lines. rows: [(title, {"first": [...], "last": [...], "report": [...]} or
    an error str)]; rss: measure_rss's dict or an error str."""
    lines = [f"online: {TAGS} pending sync registrations, {runs} runs; ms from the network "
             "observer's online report, median [min–max]",
             f"{'':34}{'first handler start':<26}{'last handler start':<26}"]
    notes = []
    for title, result in rows:
        if isinstance(result, str):
            lines.append(f"{title:<34}{_cell(result)}")
            if not result.startswith("not measured") and (len(result) > 40 or "\n" in result):
                notes.append(f"  {title}: {result}")
            continue
        lines.append(f"{title:<34}{_cell(result['first']):<26}{_cell(result['last']):<26}")
        if result.get("report"):
            notes.append(f"  {title}: `ip link set up` -> online report {_cell(result['report'])}"
                         " ms (kernel carrier + net.network_debounce_ms)")
    lines.extend(notes)
    if isinstance(rss, str):
        lines.append(f"rss: failed: {rss}")
    else:
        mib = 1024.0
        added = rss["with"] - rss["without"]
        per = added * 1024 / rss["listed"] if rss["listed"] else 0
        lines.append("rss (VmRSS): engine + one page + one idle worker: "
                     f"{rss['without'] / mib:.1f} MiB; with {int(rss['listed'])} pending sync registrations: "
                     f"{rss['with'] / mib:.1f} MiB (+{added / mib:.1f} MiB, {per:.0f} bytes each);"
                     f" the process before the engine: {rss['before'] / mib:.1f} MiB")
    return lines


def online(runs=5, binary=None):
    """`./mach bench online`; `binary`: an online_bench binary to use instead of building one."""
    if binary is None:
        status = build()
        if status != 0:
            return status
        binary = binary_path()
    missing = netns_missing()
    rows = []
    for key, title, args in ROWS:
        if key == "link" and missing:
            rows.append((title, f"not measured: {missing}"))
            continue
        result = {"first": [], "last": [], "report": []}
        try:
            for index in range(runs):
                print(f"\r{title}: run {index + 1}/{runs}", end="", file=sys.stderr, flush=True)
                for name, value in measure_online(binary, args).items():
                    result[name].append(value)
            rows.append((title, result))
        except (BenchError, OSError) as error:
            rows.append((title, str(error)))
        print(file=sys.stderr)
    print("rss: registering", RSS_REGISTRATIONS, "tags", file=sys.stderr, flush=True)
    try:
        rss = measure_rss(binary)
    except (BenchError, OSError) as error:
        rss = str(error)
    for line in summary(rows, rss, runs):
        print(line)
    failed = isinstance(rss, str) or any(isinstance(result, str)
                                         and not result.startswith("not measured")
                                         for _, result in rows)
    return 1 if failed else 0
