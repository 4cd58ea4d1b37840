"""`./mach bench idb`: IndexedDB, the same page in bgsync and (if installed) headless Chromium.

Each run is a fresh profile and one engine run of /idb/bench.html, served from 127.0.0.1 by a
server in this process. The page measures with performance.now(), on 10,000 records shaped like
outbox entries ({room, text, createdAt, attempts, body of 200 characters}) in a store with a
key generator and a `room` index (10 rooms):
- open: `indexedDB.open()` of a new database with its upgrade (store and index), to success;
- add: 10,000 `add()` in one readwrite transaction, to `complete`;
- get: 10,000 `get()` in one readonly transaction, to `complete`;
- index getAll: `index('room').getAll(room)` of 1,000 records;
- cursor: a cursor over the 10,000 records, to its end;
- tx relaxed / tx strict: one small readwrite transaction per message (default durability, then
  `durability: "strict"`), each awaited to `complete`; the mean of 200, per transaction.
Then, bgsync only, the memory of an engine holding a 100 MB database: one run fills a profile
with 100 MB (1,000 values of 100 KB), a second engine on that profile opens the database and
counts and reads records; its peak RSS (the kernel's maxrss) is reported.

The median over the runs, [min-max], and the ratio bgsync/chromium. It asserts nothing.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

from . import bench

_PAGE = """<!doctype html>
<script>
const N = 10000;
const log = (name, ms) => console.log('BENCH-IDB-' + name + ' ' + ms);
const done = tx => new Promise((resolve, reject) => {
  tx.oncomplete = resolve;
  tx.onabort = () => reject(tx.error);
});
const body = 'x'.repeat(200);
(async () => {
  let start = performance.now();
  const open = indexedDB.open('bench-' + Math.random(), 1);
  open.onupgradeneeded = () => open.result
    .createObjectStore('outbox', {keyPath: 'id', autoIncrement: true})
    .createIndex('room', 'room');
  const db = await new Promise((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  log('open', performance.now() - start);

  start = performance.now();
  let tx = db.transaction('outbox', 'readwrite');
  let store = tx.objectStore('outbox');
  for (let i = 0; i < N; i++) {
    store.add({room: 'room-' + (i % 10), text: 'message ' + i, createdAt: Date.now(), attempts: 0, body});
  }
  await done(tx);
  log('add', performance.now() - start);

  start = performance.now();
  tx = db.transaction('outbox');
  store = tx.objectStore('outbox');
  let found = 0;
  for (let i = 1; i <= N; i++) store.get(i).onsuccess = event => { if (event.target.result) found++; };
  await done(tx);
  if (found !== N) throw new Error('get found ' + found);
  log('get', performance.now() - start);

  start = performance.now();
  tx = db.transaction('outbox');
  const all = tx.objectStore('outbox').index('room').getAll('room-3');
  await done(tx);
  if (all.result.length !== N / 10) throw new Error('getAll found ' + all.result.length);
  log('getall', performance.now() - start);

  start = performance.now();
  tx = db.transaction('outbox');
  let seen = 0;
  const cursor = tx.objectStore('outbox').openCursor();
  cursor.onsuccess = () => { if (cursor.result) { seen++; cursor.result.continue(); } };
  await done(tx);
  if (seen !== N) throw new Error('cursor saw ' + seen);
  log('cursor', performance.now() - start);

  for (const durability of ['default', 'strict']) {
    const rounds = 200;
    start = performance.now();
    for (let i = 0; i < rounds; i++) {
      tx = db.transaction('outbox', 'readwrite', {durability});
      tx.objectStore('outbox').add({room: 'room-0', text: 'one', createdAt: Date.now(), attempts: 0});
      await done(tx);
    }
    log(durability === 'strict' ? 'txstrict' : 'txrelaxed', (performance.now() - start) / rounds);
  }
  db.close();
  console.log('BENCH-DONE');
})().catch(error => console.log('BENCH-ERROR ' + error));
</script>
"""

_FILL = """<!doctype html>
<script>
const mode = location.search.slice(1);
(async () => {
  const open = indexedDB.open('big', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('blobs');
  const db = await new Promise((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  if (mode === 'fill') {
    const value = 'y'.repeat(100 * 1024);
    for (let batch = 0; batch < 10; batch++) {
      const tx = db.transaction('blobs', 'readwrite');
      for (let i = 0; i < 100; i++) tx.objectStore('blobs').put(value + batch + ':' + i, batch * 100 + i);
      await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
    }
  }
  const tx = db.transaction('blobs');
  const count = tx.objectStore('blobs').count();
  const some = tx.objectStore('blobs').getAll(IDBKeyRange.bound(500, 509));
  await new Promise(resolve => tx.oncomplete = resolve);
  console.log('BENCH-IDB-count ' + count.result + ' ' + some.result.length);
  console.log('BENCH-DONE');
})().catch(error => console.log('BENCH-ERROR ' + error));
</script>
"""

FILES = {
    "/idb/bench.html": ("text/html; charset=utf-8", _PAGE),
    "/idb/fill.html": ("text/html; charset=utf-8", _FILL),
}

METRICS = [
    ("open", "open+upgrade"),
    ("add", "10k add, 1 tx"),
    ("get", "10k get"),
    ("getall", "index getAll 1k"),
    ("cursor", "cursor 10k"),
    ("txrelaxed", "1 tx/msg (default)"),
    ("txstrict", "1 tx/msg (strict)"),
]

RUN_TIMEOUT_S = 120


def parse_lines(lines):
    """({metric: ms}, [errors], done) from a run's console lines."""
    values, errors, done = {}, [], False
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith("BENCH-ERROR"):
            errors.append(line[len("BENCH-ERROR"):].strip() or "(no message)")
        elif line.startswith("BENCH-DONE"):
            done = True
        elif line.startswith("BENCH-IDB-"):
            name, _, rest = line[len("BENCH-IDB-"):].partition(" ")
            try:
                values[name] = float(rest.split()[0])
            except (ValueError, IndexError):
                errors.append(f"unreadable line: {line[:200]}")
    return values, errors, done


def _run(product, profile, url):
    lines, status, stderr = bench._run_page(product.command(profile, url), RUN_TIMEOUT_S)
    values, errors, done = parse_lines(lines)
    if errors or not done:
        tail = "\n".join(line for line in (lines + stderr.split("\n"))[-10:] if line.strip())
        raise bench.BenchError("; ".join(errors) or f"the page did not finish (exit {status}):\n{tail}")
    return values


def _peak_rss_kb(command):
    """Runs `command`; (its console lines, the process's peak RSS in KiB)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    stdout = process.stdout.read().decode("utf-8", errors="replace")
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return stdout.split("\n"), usage.ru_maxrss


def _held_database_rss(binary, server):
    """Peak RSS (MiB) of a bgsync engine opening a 100 MB database, and the file's size."""
    with tempfile.TemporaryDirectory(prefix="bgsync-bench-idb-") as profile:
        product = bench.bgsync_sw_product(binary)
        _run(product, profile, server.url("/idb/fill.html?fill"))
        size = sum(os.path.getsize(os.path.join(directory, name))
                   for directory, _, names in os.walk(os.path.join(profile, "indexeddb"))
                   for name in names)
        lines, rss_kb = _peak_rss_kb(product.command(profile, server.url("/idb/fill.html?hold")))
        values, errors, done = parse_lines(lines)
        if errors or not done:
            raise bench.BenchError("; ".join(errors) or "the holding page did not finish")
        return rss_kb / 1024, size / (1024 * 1024)


def _stats(values):
    """Median [min-max]; below a millisecond (the per-transaction columns) with two decimals,
    so that 0.06 and 0.14 ms do not both read 0.1."""
    median = statistics.median(values)
    digits = 2 if median < 1 else 1
    return f"{median:8.{digits}f} ms  [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def summary(rows, runs):
    lines = [f"idb: {runs} runs each, median [min-max] in ms (the 1 tx/msg columns: per transaction)"]
    lines.append(f"{'':10}" + "".join(f"{title:<26}" for _, title in METRICS))
    medians = {}
    for name, result in rows:
        if isinstance(result, str):
            lines.append(f"{name:<10}failed: {result.splitlines()[0] if result else ''}")
            continue
        medians[name] = {key: statistics.median(values) for key, values in result.items()}
        lines.append(f"{name:<10}" + "".join(
            f"{_stats(result[key]) if result[key] else '-':<26}" for key, _ in METRICS))
    if "bgsync" in medians and "chromium" in medians:
        cells = []
        for key, _ in METRICS:
            theirs = medians["chromium"].get(key)
            ours = medians["bgsync"].get(key)
            cells.append(f"{ours / theirs:.2f}x" if theirs and ours is not None else "-")
        lines.append(f"{'ratio':<10}" + "".join(f"{cell:<26}" for cell in cells))
    return lines


def idb(runs=5, with_chromium=True, binary=None):
    """`./mach bench idb`."""
    status, binary = bench._bgsync_binary(binary)
    if status != 0:
        return status
    products = [bench.bgsync_sw_product(binary)]
    if with_chromium:
        missing = bench.chromium_sw_missing()
        if missing:
            print(f"bench: Chromium not measured: {missing}", file=sys.stderr)
        else:
            products.append(bench.chromium_sw_product())
    rows, failed = [], False
    with bench._SwServer(FILES) as server:
        for product in products:
            collected = {key: [] for key, _ in METRICS}
            try:
                for index in range(runs):
                    print(f"\r{product.name}: run {index + 1}/{runs}", end="", file=sys.stderr,
                          flush=True)
                    with tempfile.TemporaryDirectory(prefix="bgsync-bench-idb-") as profile:
                        for key, value in _run(product, profile,
                                               server.url("/idb/bench.html")).items():
                            collected.setdefault(key, []).append(value)
                print(file=sys.stderr)
                rows.append((product.name, collected))
            except bench.BenchError as error:
                print(file=sys.stderr)
                rows.append((product.name, str(error)))
                failed = True
        for line in summary(rows, runs):
            print(line)
        try:
            started = time.monotonic()
            rss, size = _held_database_rss(binary, server)
            print(f"bgsync holding a {size:.0f} MB database: peak RSS {rss:.0f} MB "
                  f"({time.monotonic() - started:.1f} s to fill and reopen)")
        except bench.BenchError as error:
            print(f"bgsync holding a 100 MB database: failed: {error}")
            failed = True
    return 1 if failed else 0
