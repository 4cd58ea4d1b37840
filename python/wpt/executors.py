"""Running one test page in a product: a fresh `bgsync` process, or a fresh Chromium context.

bgsync: `bgsync run --timeout T --profile TMPDIR [--pref N=V]... URL`. The prefs are the test
server's (`net.host_rules`, `net.extra_root_certificates`: see server.py), then the test's own
(`<meta name="bgsync-pref">`, see testfiles.py), then the runner's --pref options: the last of a
name wins. T is the harness timeout (10 s, or 60 s for `timeout=long`, times
--timeout-multiplier) plus a few seconds, so testharness.js's own timeout fires first and
reports which subtests timed out. Once the page has printed its WPT-HARNESS line the results are
complete: the engine gets a moment to exit by itself (a crash then still counts) and is then
stopped, so a page that keeps a timer running does not cost the whole timeout. An engine that
outlives its own --timeout is killed.

Chromium: python/wpt/chromium_driver.js drives Debian's /usr/bin/chromium with playwright-core
(installed in wpt/node_modules), one new browser context (a fresh profile) per test, and sends
back the console lines and how the page ended, which go through the same `protocol` code.
Every browser it launches gets the test server's arguments (`--host-resolver-rules`,
`--ignore-certificate-errors-spki-list`: see server.py).
A test with Chromium arguments of its own (`<meta name="bgsync-chromium-arg">`) runs in a
browser the driver launches for it with those arguments added, and closes afterwards.
"""

import itertools
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from . import protocol
from .testfiles import TESTHARNESS

HARNESS_TIMEOUT_S = {False: 10.0, True: 60.0}
CHROMIUM_DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chromium_driver.js")


def harness_timeout(test, multiplier=1.0):
    """testharness.js's timeout for this test, in seconds (crashtests get the normal one)."""
    return HARNESS_TIMEOUT_S[test.long_timeout] * multiplier


def _format_seconds(seconds):
    return f"{seconds:g}"


class BgsyncExecutor:
    product = "bgsync"

    def __init__(self, binary, prefs=(), timeout_multiplier=1.0, timeout_slack=5.0,
                 kill_grace=10.0, exit_grace=2.0, server_prefs=()):
        self.binary = binary
        self.prefs = list(prefs)
        self.server_prefs = list(server_prefs)  # the test server's, before the test's own
        self.timeout_multiplier = timeout_multiplier
        self.timeout_slack = timeout_slack  # engine --timeout = harness timeout + this
        self.kill_grace = kill_grace  # how long past --timeout before the runner kills it
        self.exit_grace = exit_grace  # how long after WPT-HARNESS before the runner stops it
        self.browser_version = None

    def engine_timeout(self, test):
        return harness_timeout(test, self.timeout_multiplier) + self.timeout_slack

    def command(self, test, url, profile):
        command = [self.binary, "run", "--timeout", _format_seconds(self.engine_timeout(test)),
                   "--profile", profile]
        # The server's prefs, then the test's own: a --pref given to the runner comes last
        # and wins.
        for pref in self.server_prefs + list(test.prefs) + self.prefs:
            command += ["--pref", pref]
        return command + [url]

    def run(self, test, url):
        with tempfile.TemporaryDirectory(prefix="bgsync-wpt-profile-") as profile:
            started = time.monotonic()
            try:
                lines, engine_exit = self._run_process(test, self.command(test, url, profile))
            except OSError as error:
                return protocol.TestResult(test.id, "ERROR", f"cannot start {self.binary}: {error}")
            duration_ms = int((time.monotonic() - started) * 1000)
        return protocol.interpret(test, lines, engine_exit, duration_ms)

    def _run_process(self, test, command):
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        lines = []
        stderr_tail = deque(maxlen=30)
        harness_done = threading.Event()

        def read_stdout():
            for raw in process.stdout:
                # One console message per line: split on "\n" only (a message may contain
                # U+2028, which str.splitlines would split on).
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                lines.append(line)
                if line.startswith(protocol.HARNESS_PREFIX):
                    harness_done.set()

        def read_stderr():
            for raw in process.stderr:
                stderr_tail.append(raw.decode("utf-8", errors="replace").rstrip("\n"))

        readers = [threading.Thread(target=read_stdout, daemon=True),
                   threading.Thread(target=read_stderr, daemon=True)]
        for reader in readers:
            reader.start()

        deadline = time.monotonic() + self.engine_timeout(test) + self.kill_grace
        stopped = killed = False
        if test.kind == TESTHARNESS:
            while (process.poll() is None and not harness_done.is_set()
                   and time.monotonic() < deadline):
                harness_done.wait(0.05)
            if harness_done.is_set() and process.poll() is None:
                try:
                    process.wait(self.exit_grace)
                except subprocess.TimeoutExpired:
                    _kill_group(process)
                    stopped = True
        if not stopped:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(process)
                killed = True
        # Whatever the engine started (content processes) goes with it.
        _kill_group(process)
        for reader in readers:
            reader.join(5)
        tail = "\n".join(stderr_tail)
        if stopped:
            return lines, protocol.EngineExit(protocol.STOPPED, "stopped after the harness completed", tail)
        if killed:
            return lines, protocol.EngineExit(protocol.KILLED, "killed by the runner", tail)
        return lines, protocol.exit_from_returncode(process.returncode, tail)

    def close(self):
        pass


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


class ChromiumExecutor:
    """Headless Chromium through playwright-core; one driver process serves every worker."""

    product = "chromium"

    def __init__(self, chromium, node_modules, timeout_multiplier=1.0, timeout_slack=5.0,
                 browser_args=()):
        self.browser_args = list(browser_args)  # for every browser the driver launches
        self.timeout_multiplier = timeout_multiplier
        self.timeout_slack = timeout_slack
        self._ids = itertools.count(1)
        self._pending = {}
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            ["node", CHROMIUM_DRIVER, chromium, node_modules, json.dumps(self.browser_args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            bufsize=1, start_new_session=True)
        # Drained all along: a full stderr pipe would block the driver.
        self.stderr_tail = deque(maxlen=50)
        threading.Thread(target=self._read_stderr, daemon=True).start()
        ready = self.process.stdout.readline()
        try:
            self.browser_version = json.loads(ready)["version"]
        except (ValueError, KeyError):
            _kill_group(self.process)
            time.sleep(0.2)  # let the stderr reader catch the last lines
            error = "\n".join(self.stderr_tail)
            raise RuntimeError(f"could not start Chromium through playwright-core: {ready}{error}")
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    def _read_stderr(self):
        for line in self.process.stderr:
            self.stderr_tail.append(line.rstrip("\n"))

    def _read_replies(self):
        for line in self.process.stdout:
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                future = self._pending.pop(reply.get("id"), None)
            if future is not None:
                future.set_result(reply)
        with self._lock:
            for future in self._pending.values():
                future.set_result({"how": protocol.CRASHED, "detail": "the Chromium driver exited",
                                   "lines": []})
            self._pending.clear()

    def run(self, test, url):
        timeout = harness_timeout(test, self.timeout_multiplier) + self.timeout_slack
        request_id = next(self._ids)
        future = Future()
        with self._lock:
            self._pending[request_id] = future
            self.process.stdin.write(json.dumps({
                "id": request_id, "url": url, "timeout_ms": int(timeout * 1000),
                "crashtest": test.kind != TESTHARNESS,
                "args": list(test.chromium_args)}) + "\n")
            self.process.stdin.flush()
        started = time.monotonic()
        try:
            reply = future.result(timeout + 60)
        except FutureTimeout:
            with self._lock:
                self._pending.pop(request_id, None)
            reply = {"how": protocol.KILLED, "detail": "the Chromium driver did not answer"}
        engine_exit = protocol.EngineExit(reply.get("how", protocol.CRASHED), reply.get("detail", ""))
        duration_ms = int((time.monotonic() - started) * 1000)
        return protocol.interpret(test, reply.get("lines", []), engine_exit, duration_ms)

    def close(self):
        try:
            self.process.stdin.close()
            self.process.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            _kill_group(self.process)
