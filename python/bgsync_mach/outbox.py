"""The outbox demo of `./mach run`: Background Sync told as a story.

Pieces:

- `OutboxServer`: the demo's HTTP server on 127.0.0.1 (standard library only). It serves
  examples/outbox/ (the page and its service worker) and `POST /api/messages`, which stores
  the messages it receives (once per message id) and can be told to fail the next N requests
  with 503: from Python (`fail_next(n)`, what the demo uses) or with `POST /api/fail-next`
  `{"count": N}`. `GET /api/messages` lists what it stored.
- `parse_sync_log` / `classify`: reading the engine's output: the page's and the worker's
  console lines (prefixed `[page]` / `[worker]` by examples/outbox) and the sync log lines
  that `bgsync run -v` prints on stderr (`bgsync: sync SCOPE "TAG": ...`).
- `Demo`: the story. Four engine runs on one fresh profile, narrated, each checked against
  what the server received and what the engine logged; `run_demo` returns 0 when every check
  held, 1 otherwise (the problems listed at the end).
"""

import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Optional

from . import paths

EXAMPLE_DIR = os.path.join(paths.REPO_ROOT, "examples", "outbox")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}


# --- The server -------------------------------------------------------------------------------

@dataclass
class Attempt:
    """One request to POST /api/messages, as the server answered it."""
    id: Optional[str]
    status: int
    injected: bool  # failed on purpose (fail_next)
    note: str


class OutboxServer:
    """The demo server: the example's files, a message store with failure injection.

    The logic (`receive`, `fail_next`, `messages`, `attempts`) works without HTTP; `start()`
    serves it on 127.0.0.1 on a free port, in a thread. `on_event(text)` hears one line per
    API request (the demo prints them as the server's part of the story).
    """

    def __init__(self, root=EXAMPLE_DIR, on_event=None):
        self.root = root
        self.on_event = on_event
        self._lock = threading.Lock()
        self._messages = []
        self._attempts = []
        self._requests = []
        self._failures_left = 0
        self._httpd = None
        self._thread = None

    # The logic.

    def fail_next(self, count):
        """The next `count` POST /api/messages requests fail with 503."""
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"fail_next: a count >= 0, not {count!r}")
        with self._lock:
            self._failures_left = count

    def failures_left(self):
        with self._lock:
            return self._failures_left

    def messages(self):
        """The stored messages, in the order they arrived: [{"id": ..., "text": ...}]."""
        with self._lock:
            return [dict(message) for message in self._messages]

    def attempts(self, message_id=None):
        """Every POST /api/messages so far (of one message id, if given)."""
        with self._lock:
            return [attempt for attempt in self._attempts
                    if message_id is None or attempt.id == message_id]

    def requests(self):
        """Every request to the API (/api/...) so far, as "METHOD PATH"; page and worker
        script loads are not counted."""
        with self._lock:
            return list(self._requests)

    def list_messages(self):
        """Handles GET /api/messages: returns (status, answer dict)."""
        messages = self.messages()
        self._event(f"GET /api/messages -> 200 (the {len(messages)} stored messages)")
        return 200, {"messages": messages}

    def note_request(self, method, path):
        with self._lock:
            self._requests.append(f"{method} {path}")

    def receive(self, body):
        """Handles the body (bytes) of a POST /api/messages: returns (status, answer dict)."""
        message, error = _parse_message(body)
        message_id = message["id"] if message else None
        with self._lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                status, answer = 503, {
                    "error": "failure injected by the demo",
                    "failures_left": self._failures_left,
                }
                note = f"failure injected ({self._failures_left} more to come)"
                self._attempts.append(Attempt(message_id, status, True, note))
            elif error:
                status, answer, note = 400, {"error": error}, f"rejected: {error}"
                self._attempts.append(Attempt(None, status, False, note))
            elif any(stored["id"] == message_id for stored in self._messages):
                status, answer = 200, {"stored": False, "duplicate": True,
                                       "count": len(self._messages)}
                note = "already stored (a duplicate delivery)"
                self._attempts.append(Attempt(message_id, status, False, note))
            else:
                self._messages.append(message)
                status, answer = 201, {"stored": True, "duplicate": False,
                                       "count": len(self._messages)}
                note = f"stored ({len(self._messages)} in total)"
                self._attempts.append(Attempt(message_id, status, False, note))
        what = f"message {message_id} {json.dumps(message['text'])}" if message else "a request"
        self._event(f"POST /api/messages: {what} -> {status} {note}")
        return status, answer

    def control(self, body):
        """Handles POST /api/fail-next: `{"count": N}`. Returns (status, answer dict)."""
        try:
            data = json.loads(body.decode("utf-8"))
            count = data["count"]
            self.fail_next(count)
        except (UnicodeDecodeError, ValueError, TypeError, KeyError):
            return 400, {"error": 'expected {"count": N} with N >= 0'}
        self._event(f"POST /api/fail-next: the next {count} message requests will fail")
        return 200, {"failures_left": count}

    def _event(self, text):
        if self.on_event:
            self.on_event(text)

    # HTTP.

    def start(self, host="127.0.0.1", port=0):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                path = urllib.parse.urlsplit(self.path).path
                if path.startswith("/api/"):
                    server.note_request("GET", path)
                if path == "/api/messages":
                    self._json(*server.list_messages())
                    return
                file_path = server.static_file(path)
                if file_path is None:
                    self._json(404, {"error": f"no such file: {path}"})
                    return
                with open(file_path, "rb") as f:
                    body = f.read()
                extension = os.path.splitext(file_path)[1]
                self._send(200, CONTENT_TYPES.get(extension, "application/octet-stream"), body)

            def do_POST(self):  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if not 0 <= length <= 1 << 20:
                    self._json(400, {"error": "a body of at most 1 MiB with a Content-Length"})
                    return
                body = self.rfile.read(length)
                if path.startswith("/api/"):
                    server.note_request("POST", path)
                if path == "/api/messages":
                    self._json(*server.receive(body))
                elif path == "/api/fail-next":
                    self._json(*server.control(body))
                else:
                    self._json(404, {"error": f"nothing to POST to at {path}"})

            def _json(self, status, answer):
                self._send(status, "application/json", json.dumps(answer).encode("utf-8"))

            def _send(self, status, content_type, body):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._httpd = http.server.ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def port(self):
        return self._httpd.server_address[1]

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def static_file(self, path):
        """The file of the example directory that `path` names, or None: only plain names of
        files directly in the directory ("/" is index.html), nothing else."""
        name = "index.html" if path == "/" else path[1:] if path.startswith("/") else ""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        file_path = os.path.join(self.root, name)
        return file_path if os.path.isfile(file_path) else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _parse_message(body):
    """(message, error): a message is a JSON object with a non-empty string "id" and a
    string "text"."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "the body is not JSON"
    if not isinstance(data, dict):
        return None, "the body is not a JSON object"
    message_id, text = data.get("id"), data.get("text")
    if not isinstance(message_id, str) or not message_id:
        return None, 'no "id" (a non-empty string)'
    if not isinstance(text, str):
        return None, 'no "text" (a string)'
    return {"id": message_id, "text": text}, None


# --- Reading the engine's output ------------------------------------------------------------

@dataclass
class SyncLog:
    """One line of `bgsync run -v`'s sync log."""
    scope: str
    tag: str
    kind: str  # registered, dispatched, completed, failed
    last_chance: Optional[bool] = None  # dispatched
    reason: Optional[str] = None  # failed
    retry_ms: Optional[int] = None  # failed, with a next attempt
    dropped: bool = False  # failed after its last chance
    devtools: bool = False


_SYNC_LINE = re.compile(r'^bgsync: sync (\S+) "((?:[^"\\]|\\.)*)": (.*)$')
_ESCAPE = re.compile(r'\\(u\{[0-9a-fA-F]+\}|.)')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def _unescape(text):
    """Undoes Rust's `{:?}` escaping of a string."""
    def one(match):
        escape = match.group(1)
        if escape.startswith("u{"):
            return chr(int(escape[2:-1], 16))
        return _ESCAPES.get(escape, escape)
    return _ESCAPE.sub(one, text)


def parse_sync_log(line):
    """The SyncLog of a sync log line of the engine, None for any other line."""
    match = _SYNC_LINE.match(line.rstrip("\r\n"))
    if not match:
        return None
    scope, tag, rest = match.group(1), _unescape(match.group(2)), match.group(3)
    devtools = "(devtools" in rest
    if rest == "registered":
        return SyncLog(scope, tag, "registered")
    found = re.match(r"^dispatched, lastChance (true|false)", rest)
    if found:
        return SyncLog(scope, tag, "dispatched", last_chance=found.group(1) == "true",
                       devtools=devtools)
    if rest.startswith("completed"):
        return SyncLog(scope, tag, "completed", devtools=devtools)
    found = re.match(r"^failed \((.*)\); next attempt in (\d+) ms$", rest)
    if found:
        return SyncLog(scope, tag, "failed", reason=found.group(1),
                       retry_ms=int(found.group(2)))
    found = re.match(r"^failed \((.*)\); dropped after its last chance$", rest)
    if found:
        return SyncLog(scope, tag, "failed", reason=found.group(1), dropped=True)
    found = re.match(r"^failed \((.*)\) \(devtools", rest)
    if found:
        return SyncLog(scope, tag, "failed", reason=found.group(1), devtools=True)
    return None


def classify(line):
    """(who, text) of a line of the engine's output: "page" and "worker" for the example's
    console lines, "engine" for everything else the engine prints (its sync log among them,
    without the `bgsync: ` prefix)."""
    line = line.rstrip("\r\n")
    for who in ("page", "worker"):
        prefix = f"[{who}] "
        if line.startswith(prefix):
            return who, line[len(prefix):]
    if line.startswith("bgsync: "):
        return "engine", line[len("bgsync: "):]
    return "engine", line


@dataclass
class SyncAttempt:
    """One `sync` event of a tag, from the engine's log."""
    last_chance: bool
    outcome: str = "running"  # completed, failed, or running (no outcome logged)
    reason: Optional[str] = None
    retry_ms: Optional[int] = None
    dropped: bool = False


def attempts_of(tag, entries):
    """The SyncAttempts of `tag`, in order, from SyncLog entries (devtools dispatches left
    out): each `dispatched` starts one, the next `completed` or `failed` settles it."""
    attempts = []
    for entry in entries:
        if entry.tag != tag or entry.devtools:
            continue
        if entry.kind == "dispatched":
            attempts.append(SyncAttempt(last_chance=bool(entry.last_chance)))
        elif entry.kind in ("completed", "failed") and attempts \
                and attempts[-1].outcome == "running":
            attempt = attempts[-1]
            attempt.outcome = entry.kind
            attempt.reason, attempt.retry_ms, attempt.dropped = (entry.reason, entry.retry_ms,
                                                                 entry.dropped)
    return attempts


def describe_attempts(attempts):
    """The attempts in words: "attempt 1 (lastChance false): failed (...), next attempt in
    500 ms; attempt 2 (lastChance true): completed"."""
    if not attempts:
        return "no sync event"
    parts = []
    for number, attempt in enumerate(attempts, 1):
        text = f"attempt {number} (lastChance {str(attempt.last_chance).lower()}): "
        if attempt.outcome == "failed":
            text += f"failed ({attempt.reason})"
            if attempt.dropped:
                text += ", dropped"
            elif attempt.retry_ms is not None:
                text += f", next attempt in {attempt.retry_ms} ms"
        elif attempt.outcome == "completed":
            text += "completed"
        else:
            text += "no outcome logged"
        parts.append(text)
    return "; ".join(parts)


def shape(attempts):
    """What the checks compare: (lastChance, outcome, retried, dropped) per attempt."""
    return [(a.last_chance, a.outcome, a.retry_ms is not None, a.dropped) for a in attempts]


# --- The story --------------------------------------------------------------------------------

MESSAGES_OFFLINE = [
    ("m1", "Running 10 minutes late, start without me"),
    ("m2", "Can you save me a seat?"),
    ("m3", "Bringing the slides on a USB stick"),
]
MESSAGE_RETRY = ("m4", "Here now, which room?")
MESSAGE_DROPPED = ("m5", "Never mind, found it")

FAST_RETRY_PREFS = [
    "background_sync.initial_retry_delay_ms=500",
    "background_sync.max_attempts=2",
]
DEMO_BUDGET_S = 30  # the whole story; each engine run gets what is left, at most:
RUN_LIMIT_S = 10
WIDTH = 92


def tag_of(message):
    message_id, text = message
    return f"outbox:{message_id}:{text}"


@dataclass
class EngineRun:
    status: Optional[int]  # None: it did not exit in time and was killed
    lines: list
    sync: list  # SyncLog

    def said(self, who, text):
        """Whether the page or worker printed a line starting with `text`."""
        return any(speaker == who and said.startswith(text)
                   for speaker, said in map(classify, self.lines))


class DemoError(Exception):
    """The demo cannot go on (the engine cannot be run, or the time is up)."""


class Demo:
    def __init__(self, binary, profile, out=None, budget_s=DEMO_BUDGET_S):
        self.binary = binary
        self.profile = profile
        self.out = out or sys.stdout
        self.problems = []
        self.deadline = time.monotonic() + budget_s
        self._print_lock = threading.Lock()
        self.server = OutboxServer(on_event=lambda text: self.show("server", text))

    # Output.

    def emit(self, text=""):
        with self._print_lock:
            self.out.write(text + "\n")
            self.out.flush()

    def say(self, text, indent=""):
        """A paragraph of narration, wrapped."""
        self.emit(textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent,
                                subsequent_indent=indent))

    def heading(self, text):
        self.emit()
        self.emit(text)
        self.emit("-" * len(text))

    def show(self, who, text):
        self.emit(f"    {who:<6} | {text}")

    def check(self, condition, problem):
        if not condition:
            self.problems.append(problem)
            self.emit(f"    !! not as expected: {problem}")
        return condition

    # Running the engine.

    def command_text(self, args):
        """The command as the reader could type it, with $PROFILE for the profile."""
        words = ["bgsync"] + [shlex.quote(arg) for arg in args]
        return " ".join(words).replace(shlex.quote(self.profile), "$PROFILE")

    def time_left(self):
        left = self.deadline - time.monotonic()
        if left < 1:
            raise DemoError(f"the demo ran out of its {DEMO_BUDGET_S} s")
        return min(left, RUN_LIMIT_S)

    def bgsync(self, args, labelled=True):
        """Runs `bgsync ARGS`, showing each line of its output as it comes (labelled with
        who printed it, or just indented)."""
        limit = self.time_left()
        self.emit(f"  $ {self.command_text(args)}")
        try:
            # Two pipes, read line by line: the engine writes its console lines (stdout) and
            # its sync log (stderr) from different threads, and one pipe for both would get
            # their lines cut into each other.
            process = subprocess.Popen([self.binary] + args, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                       text=True, errors="replace")
        except OSError as error:
            raise DemoError(f"cannot run {self.binary}: {error}") from None
        lines, sync = [], []
        lock = threading.Lock()

        def read(stream):
            for line in stream:
                line = line.rstrip("\n")
                with lock:
                    lines.append(line)
                    entry = parse_sync_log(line)
                    if entry:
                        sync.append(entry)
                    if labelled:
                        self.show(*classify(line))
                    else:
                        self.emit(f"    {line}")

        readers = [threading.Thread(target=read, args=(stream,), daemon=True)
                   for stream in (process.stdout, process.stderr)]
        for reader in readers:
            reader.start()
        try:
            status = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            status = None
        for reader in readers:
            reader.join(timeout=5)
        if status is None:
            self.check(False, f"`{self.command_text(args)}` did not exit within {limit:.0f} s "
                              "(killed)")
        return EngineRun(status, lines, sync)

    def run_engine(self, step, page, online, prefs=()):
        """`bgsync run` on the demo profile with the sync log (-v); checks it exits with 0."""
        timeout = max(1, int(self.time_left()) - 1)
        args = ["run", "--timeout", str(timeout), "--online" if online else "--offline",
                "--profile", self.profile, "-v"]
        for pref in prefs:
            args += ["--pref", pref]
        run = self.bgsync(args + [page])
        if run.status is not None:
            self.check(run.status == 0, f"step {step}: `bgsync run` exited with status "
                                        f"{run.status} (expected 0)")
        return run

    def sync_list(self):
        """Shows `bgsync sync list` (the table) and returns its rows (from --json)."""
        self.bgsync(["sync", "list", "--profile", self.profile], labelled=False)
        try:
            result = subprocess.run([self.binary, "sync", "list", "--profile", self.profile,
                                     "--json"], capture_output=True, text=True,
                                    timeout=self.time_left())
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DemoError(f"`bgsync sync list --json` failed: {error}") from None
        if result.returncode != 0:
            raise DemoError(f"`bgsync sync list --json` exited with status "
                            f"{result.returncode}: {result.stderr.strip()}")
        try:
            return json.loads(result.stdout)
        except ValueError:
            raise DemoError("`bgsync sync list --json` printed no JSON: "
                            f"{result.stdout[:200]!r}") from None

    def page_url(self, messages, wait=False, probe=False):
        query = [("msg", f"{message_id}:{text}") for message_id, text in messages]
        if wait:
            query.append(("wait", "1"))
        if probe:
            query.append(("probe", "1"))
        return self.server.url("/index.html?" + urllib.parse.urlencode(query))

    # The steps.

    def run(self):
        self.server.start()
        try:
            self.introduction()
            self.step_offline()
            self.step_back_online()
            self.step_retry()
            self.step_dropped()
            self.conclusion()
        except DemoError as error:
            self.problems.append(str(error))
            self.emit()
            self.emit(f"The demo stopped: {error}")
        finally:
            self.server.stop()
        if self.problems:
            self.emit()
            self.emit("The story did not go as expected:")
            for problem in self.problems:
                self.emit(f"  - {problem}")
            return 1
        return 0

    def introduction(self):
        self.emit("Outbox: Background Sync, step by step")
        self.emit("=====================================")
        self.say("""A chat app must not lose what you write while the network is down. With the
            Background Synchronization API, the page hands each message to the browser as a
            sync registration (registration.sync.register(tag)); once the device is online, the
            browser wakes the app's service worker with a `sync` event for that tag, even if
            the page is closed by then, and the worker sends the message. If sending fails, the
            browser tries again later, a limited number of times.""")
        self.emit()
        self.say("""This demo plays that story with the bgsync engine and a small local server.
            Each step runs the engine (`bgsync`) and shows its output as it comes: `page` and
            `worker` are the console messages of the app's page and service worker
            (examples/outbox/), `engine` is the sync log that `bgsync run -v` prints, and
            `server` is what the server received.""")
        self.emit()
        self.emit(f"  engine:  {self.binary}")
        self.emit(f"  server:  {self.server.url('/')}  (started by mach: serves examples/outbox/; "
                  "POST /api/messages stores a message)")
        self.emit(f"  PROFILE={self.profile}")
        self.say("""(the demo's own fresh profile directory: the engine keeps service workers
            and sync registrations there, so they survive a restart)""", indent="           ")
        self.emit()
        self.say("""Where the messages wait: bgsync has no IndexedDB or Cache API yet, so the one
            thing of the app that survives an engine restart is the sync registration itself.
            So each message is its own registration, and its tag carries the message:
            "outbox:ID:TEXT"; the worker reads the message back from the tag. (A real app would
            keep the messages in IndexedDB and register one tag, "outbox".) The server keeps
            each message id once, so a message delivered twice is not stored twice.""")

    def step_offline(self):
        self.heading("Step 1. Offline: three messages wait in the outbox")
        self.say("""You write three messages on a train, with no network. The engine starts with
            the network forced offline (--offline, like the offline switch of a browser's
            devtools) and opens the app's page. The page itself still loads, because it comes
            from this machine (127.0.0.1); a real app would have it in the service worker's
            cache. But the network is off for fetch(): the page checks that it cannot reach
            the server, registers its service worker and queues each message with
            sync.register().""")
        self.emit()
        run = self.run_engine(1, self.page_url(MESSAGES_OFFLINE, probe=True), online=False)
        tags = [tag_of(message) for message in MESSAGES_OFFLINE]
        self.check(run.said("page", "opened; navigator.onLine is false"),
                   "step 1: the page did not see navigator.onLine false under --offline")
        self.check(run.said("page", "sending directly is impossible right now"),
                   "step 1: the page's fetch() did not reject under --offline")
        registered = [entry.tag for entry in run.sync if entry.kind == "registered"]
        self.check(sorted(registered) == sorted(tags),
                   f"step 1: the engine logged registrations of {registered}, expected {tags}")
        self.check(not any(entry.kind == "dispatched" for entry in run.sync),
                   "step 1: a sync event fired while offline")
        self.emit()
        self.say("""The page is closed and the engine has exited. The registrations are stored in
            the profile: `bgsync sync list` reads them without starting the engine.""")
        rows = self.sync_list()
        pending = sorted(row.get("tag") for row in rows if row.get("state") == "pending")
        self.check(pending == sorted(tags),
                   f"step 1: `sync list` shows pending tags {pending}, expected {tags}")
        requests = self.server.requests()
        self.emit()
        self.say(f"""The server received {len(requests)} requests: nothing was sent while
            offline. Each message waits as a "pending" registration, which fires "when
            online".""")
        self.check(not requests, f"step 1: the server received {requests} while the engine was "
                                 "offline")

    def step_back_online(self):
        self.heading("Step 2. Back online: the engine restarts and the worker delivers")
        self.say("""Later, the engine starts again with the same profile, and the network is
            online (--online). No page of the app is open this time: the engine only loads
            about:blank. At start it finds the pending registrations, and since it is online it
            starts the app's service worker just to fire a `sync` event for each tag; the
            worker's handler POSTs the message. The engine lets running sync events finish
            before it exits.""")
        self.emit()
        run = self.run_engine(2, "about:blank", online=True)
        for message in MESSAGES_OFFLINE:
            attempts = attempts_of(tag_of(message), run.sync)
            self.check(shape(attempts) == [(False, "completed", False, False)],
                       f"step 2: message {message[0]}: expected one sync event that completes; "
                       f"the engine logged {describe_attempts(attempts)}")
        self.check(run.said("worker", "started"),
                   "step 2: the worker's script did not run (was the worker started?)")
        stored = self.server.messages()
        expected = [{"id": message_id, "text": text} for message_id, text in MESSAGES_OFFLINE]
        self.emit()
        self.say(f"The server received {len(stored)} messages:")
        for message in stored:
            self.emit(f"      {message['id']}: {message['text']}")
        self.check(sorted(stored, key=lambda m: m["id"]) == expected,
                   f"step 2: the server stored {stored}, expected {expected}")
        self.emit()
        self.say("A sync registration whose event completed is done: the outbox is empty.")
        rows = self.sync_list()
        self.check(rows == [], f"step 2: registrations left after delivery: {rows}")

    def step_retry(self):
        self.heading("Step 3. The server fails once: the engine retries")
        self.say("""Real networks and servers fail. By default the engine waits 5 minutes before
            a second attempt and makes at most 3; so that the demo takes seconds, the next runs
            set --pref background_sync.initial_retry_delay_ms=500 --pref
            background_sync.max_attempts=2. The server is told to answer the next message
            request with 503 Service Unavailable. You write one more message, online this
            time: the page queues it the same way, the engine fires its `sync` event right
            away, and the page stays open to watch the outbox.""")
        self.server.fail_next(1)
        self.emit()
        message_id = MESSAGE_RETRY[0]
        run = self.run_engine(3, self.page_url([MESSAGE_RETRY], wait=True), online=True,
                              prefs=FAST_RETRY_PREFS)
        attempts = attempts_of(tag_of(MESSAGE_RETRY), run.sync)
        statuses = [attempt.status for attempt in self.server.attempts(message_id)]
        self.emit()
        ok = self.check(shape(attempts) == [(False, "failed", True, False),
                                            (True, "completed", False, False)],
                        "step 3: expected a failed attempt, retried with lastChance true, which "
                        f"completes; the engine logged {describe_attempts(attempts)}")
        ok &= self.check(statuses == [503, 201],
                         f"step 3: the server answered {statuses}, expected [503, 201]")
        if ok:
            self.say(f"""What happened: the first `sync` event got 503 from the server, so the
                handler's waitUntil() promise rejected and the engine counted the attempt as
                failed ({attempts[0].reason}). It scheduled the next attempt
                {attempts[0].retry_ms} ms later: that is the back-off. The second attempt was
                the last one allowed (max_attempts=2), so its event said lastChance = true. The
                server accepted it: message {message_id} is delivered.""")

    def step_dropped(self):
        self.heading("Step 4. The server keeps failing: a last chance, then the engine gives up")
        self.say("""Now the server is told to fail the next 2 requests, as many as the attempts
            allowed. You write another message. Both attempts fail. The second has lastChance =
            true, so the worker knows no attempt will follow and tells the page, which could
            put the message back in the drafts. Then the engine drops the registration:
            background sync does not retry forever.""")
        self.server.fail_next(2)
        self.emit()
        message_id = MESSAGE_DROPPED[0]
        run = self.run_engine(4, self.page_url([MESSAGE_DROPPED], wait=True), online=True,
                              prefs=FAST_RETRY_PREFS)
        attempts = attempts_of(tag_of(MESSAGE_DROPPED), run.sync)
        statuses = [attempt.status for attempt in self.server.attempts(message_id)]
        self.emit()
        ok = self.check(shape(attempts) == [(False, "failed", True, False),
                                            (True, "failed", False, True)],
                        "step 4: expected a failed attempt, retried with lastChance true, which "
                        f"fails and is dropped; the engine logged {describe_attempts(attempts)}")
        ok &= self.check(statuses == [503, 503],
                         f"step 4: the server answered {statuses}, expected [503, 503]")
        ok &= self.check(run.said("page", f"the worker says: message {message_id} could not"),
                         "step 4: the page did not hear from the worker that the message was "
                         "given up")
        ok &= self.check(all(m["id"] != message_id for m in self.server.messages()),
                         f"step 4: the server stored {message_id} although it failed every "
                         "request")
        if ok:
            self.say(f"""What happened: attempt 1 failed and was retried {attempts[0].retry_ms}
                ms later with lastChance = true. That one failed too, so the engine dropped the
                registration. Message {message_id} was not delivered, and the app knows it.""")
        self.emit()
        rows = self.sync_list()
        self.check(rows == [], f"step 4: registrations left: {rows}")

    def conclusion(self):
        self.heading("The end")
        stored = self.server.messages()
        attempts = self.server.attempts()
        failed = sum(1 for attempt in attempts if attempt.injected)
        self.say(f"""The server stored {len(stored)} messages
            ({", ".join(m["id"] for m in stored)}) out of {len(attempts)} requests, {failed} of
            which it failed on purpose. Nothing was lost silently: the three messages written
            offline were delivered after a restart without any page open, a failure was
            retried after a back-off, and the message that kept failing was given up after its
            last chance, with the app told so.""")
        if not self.problems:
            self.emit()
            self.emit("Everything went as the story says.")


def check_binary(binary):
    """Why `binary` cannot run the demo, or None."""
    if not os.path.isfile(binary):
        return f"no bgsync binary at {binary}: build it with `./mach build`"
    if not os.access(binary, os.X_OK):
        return f"{binary} is not executable"
    try:
        result = subprocess.run([binary, "run", "--help"], capture_output=True, text=True,
                                timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot run {binary}: {error}"
    if result.returncode != 0:
        return f"`{binary} run --help` exited with status {result.returncode}"
    missing = [flag for flag in ("--offline", "--online", "--verbose") if flag not in result.stdout]
    if missing:
        return (f"{binary} is too old for the demo: `bgsync run` has no {', '.join(missing)}; "
                "rebuild it with `./mach build`")
    return None


def run_demo(binary, out=None):
    """The whole story; 0 if it went as told, 1 otherwise."""
    out = out or sys.stdout
    problem = check_binary(binary)
    if problem:
        print(f"mach: {problem}", file=sys.stderr)
        return 1
    profile = tempfile.mkdtemp(prefix="bgsync-outbox-demo-")
    started = time.monotonic()
    try:
        status = Demo(binary, profile, out=out).run()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out.write(f"\n(the demo took {time.monotonic() - started:.1f} s; its profile was removed)\n")
    out.flush()
    return status
