"""`./mach bench load`: many requests at once, and many registrations (bgsync only).

Each measurement is a fresh `bgsync run --offline` on a fresh profile, pages served from
127.0.0.1 by a server in this process:

(a) a page with 2,000 `registration.sync.register()` calls in flight at once: the time until all
    settled (and so calls per second), the engine process's peak open file descriptors (sampled
    every 2 ms from /proc) and its peak RSS (the kernel's maxrss of the process).
(b) the same with 2,000 `getTags()` in flight, each answering 2,000 tags.
(c) a page that registers 10,000, then 20,000 tags (500 in flight at a time): the time from its
    last `register()` settling (the page is then idle) to the process's exit, and the peak RSS.

Offline, so no tag fires. The median over the runs, [min-max].
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from . import bench

_SW = "self.addEventListener('sync', event => {});\n"

_INFLIGHT = """<!doctype html>
<script>
const calls = 2000;
const kind = location.search.slice(1);
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(async registration => {
    if (kind === 'getTags') {
      for (let i = 0; i < calls; i += 500) {
        await Promise.all(Array.from({length: 500}, (_, j) => registration.sync.register('t-' + (i + j))));
      }
    }
    const start = performance.now();
    const settled = await Promise.allSettled(Array.from({length: calls}, (_, i) =>
      kind === 'getTags' ? registration.sync.getTags() : registration.sync.register('p-' + i)));
    const ms = performance.now() - start;
    const ok = settled.filter(r => r.status === 'fulfilled').length;
    console.log('BENCH-LOAD ' + ok + ' ' + ms);
  })
  .catch(error => console.log('BENCH-ERROR ' + error));
</script>
"""

_MANY = """<!doctype html>
<script>
const n = Number(location.search.slice(1));
navigator.serviceWorker.register('sw.js', {scope: './'})
  .then(() => navigator.serviceWorker.ready)
  .then(async registration => {
    for (let i = 0; i < n; i += 500) {
      await Promise.all(Array.from({length: Math.min(500, n - i)},
        (_, j) => registration.sync.register('t-' + (i + j))));
    }
    console.log('BENCH-IDLE ' + (performance.timeOrigin + performance.now()));
  })
  .catch(error => console.log('BENCH-ERROR ' + error));
</script>
"""

FILES = {
    "/load/sw.js": ("text/javascript", _SW),
    "/load/inflight.html": ("text/html; charset=utf-8", _INFLIGHT),
    "/load/many.html": ("text/html; charset=utf-8", _MANY),
}

CALLS = 2000


def _run(binary, url):
    """One run: (console lines, exit time in epoch ms, peak fds, peak RSS in MB)."""
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-") as profile:
        command = [binary, "run", "--offline", "--timeout", "300", "--profile", profile, url]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL, text=True)
        peak_fds = [0]

        def sample():
            while process.returncode is None:
                try:
                    peak_fds[0] = max(peak_fds[0], len(os.listdir(f"/proc/{process.pid}/fd")))
                except OSError:
                    return
                time.sleep(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        exited = time.time() * 1000
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        if process.returncode != 0:
            raise bench.BenchError(f"bgsync exited {process.returncode}: {output[-300:]}")
        return output.splitlines(), exited, peak_fds[0], usage.ru_maxrss / 1024


def _value(lines, prefix):
    for line in lines:
        if line.startswith("BENCH-ERROR"):
            raise bench.BenchError(line)
        if line.startswith(prefix):
            return [float(part) for part in line[len(prefix):].split()]
    raise bench.BenchError(f"no {prefix.strip()} line in {lines[-5:]}")


def _fmt(values, digits=1):
    if not values:
        return "-"
    return (f"{statistics.median(values):.{digits}f} "
            f"[{min(values):.{digits}f}-{max(values):.{digits}f}]")


def load(runs=3, binary=None):
    """`./mach bench load`; `binary` is a bgsync binary to use instead of building one."""
    status, binary = bench._bgsync_binary(binary)  # noqa: SLF001 (the package's own helper)
    if status != 0:
        return status
    rows = {}

    def add(name, value):
        rows.setdefault(name, []).append(value)

    with bench._SwServer(FILES) as server:  # noqa: SLF001
        for index in range(runs):
            print(f"\rbgsync: run {index + 1}/{runs}", end="", file=sys.stderr, flush=True)
            for kind in ("register", "getTags"):
                lines, _exited, fds, rss = _run(binary, server.url(f"/load/inflight.html?{kind}"))
                ok, ms = _value(lines, "BENCH-LOAD ")
                if ok != CALLS:
                    raise bench.BenchError(f"{kind}: {ok:.0f} of {CALLS} calls succeeded")
                add(f"{kind} ms", ms)
                add(f"{kind} calls/s", CALLS / ms * 1000)
                add(f"{kind} fds", fds)
                add(f"{kind} rss", rss)
            for count in (10000, 20000):
                lines, exited, _fds, rss = _run(binary, server.url(f"/load/many.html?{count}"))
                (idle,) = _value(lines, "BENCH-IDLE ")
                add(f"{count} exit", exited - idle)
                add(f"{count} rss", rss)
    print(file=sys.stderr)
    print(f"load: {runs} runs; the median over the runs [min-max]")
    for kind in ("register", "getTags"):
        what = "register()" if kind == "register" else "getTags() (2,000 tags each)"
        print(f"({'a' if kind == 'register' else 'b'}) {CALLS} {what} in flight at once")
        print(f"    all settled, ms        {_fmt(rows[f'{kind} ms'])}")
        print(f"    calls per second       {_fmt(rows[f'{kind} calls/s'], 0)}")
        print(f"    peak open fds          {_fmt(rows[f'{kind} fds'], 0)}")
        print(f"    peak RSS, MB           {_fmt(rows[f'{kind} rss'])}")
    print("(c) registrations stored (500 in flight at a time)")
    for count in (10000, 20000):
        print(f"    {count}: page idle -> exit, ms  {_fmt(rows[f'{count} exit'])}; "
              f"peak RSS, MB {_fmt(rows[f'{count} rss'])}")
    return 0
