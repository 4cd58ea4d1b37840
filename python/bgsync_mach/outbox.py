"""The outbox demo of `./mach run`: Background Sync told as a story.

Pieces:

- `OutboxServer`: the demo's HTTP server on 127.0.0.1 (standard library only). It serves
  examples/outbox/ (the app, and under workbox-app/ the same app on Workbox), Workbox's files
  under /workbox/ (from examples/node_modules), and `POST /api/messages`, which stores the
  messages it receives (once per message id) and can be told to fail the next N requests with
  503: from Python (`fail_next(n)`, what the demo uses) or with `POST /api/fail-next`
  `{"count": N}`. `GET /api/messages` lists what it stored.
- `parse_sync_log` / `classify`: reading the engine's output: the page's and the worker's
  console lines (prefixed `[page]` / `[worker]` by examples/outbox), Workbox's log lines
  (`workbox ...`), and the sync log lines that `bgsync run -v` prints on stderr
  (`bgsync: sync SCOPE "TAG": ...`).
- `Demo`: the story. Six engine runs on one fresh profile, narrated, each checked against what
  the server received, what the engine logged, and what `bgsync sync list` and `bgsync idb
  list` read from the profile; `run_demo` returns 0 when every check held, 1 otherwise (the
  problems listed at the end).
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

from . import paths, workbox

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

    def __init__(self, root=EXAMPLE_DIR, on_event=None, node_modules=None):
        self.root = root
        self.node_modules = node_modules
        self._workbox = None
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
                library = server.workbox_file(path)
                if library is not None:
                    self._send(200, CONTENT_TYPES[".js"], library)
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
        """The file of the example directory that `path` names, or None: a plain name of a
        file in the directory or in one of its subdirectories (a path ending in "/" names its
        index.html), nothing else."""
        if not path.startswith("/"):
            return None
        parts = path[1:].split("/")
        if parts[-1] == "":
            parts[-1] = "index.html"
        if len(parts) > 2 or any(not part or part.startswith(".") or "\\" in part
                                 for part in parts):
            return None
        file_path = os.path.join(self.root, *parts)
        return file_path if os.path.isfile(file_path) else None

    def workbox_file(self, path):
        """The bytes of Workbox's file at `path` (under /workbox/), or None. Read from
        examples/node_modules at the first request, so that the server starts without them."""
        if not path.startswith("/workbox/"):
            return None
        with self._lock:
            if self._workbox is None:
                try:
                    self._workbox = workbox.read_files(self.node_modules)
                except OSError as error:
                    self._workbox = {}
                    self._event(f"cannot serve Workbox: {error}")
            return self._workbox.get(path)

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


def classify(line, previous=None):
    """(who, text) of a line of the engine's output: "page" and "worker" for the example's
    console lines, "workbox" for the log lines of Workbox's development build (which start
    with "workbox "; the indented lines of its console groups follow it, given the speaker of
    the `previous` line), "engine" for everything else the engine prints (its sync log among
    them, without the `bgsync: ` prefix)."""
    line = line.rstrip("\r\n")
    for who in ("page", "worker"):
        prefix = f"[{who}] "
        if line.startswith(prefix):
            return who, line[len(prefix):]
    if line.startswith("workbox "):
        return "workbox", line[len("workbox "):]
    if previous == "workbox" and line.startswith("  "):
        return "workbox", line
    if line.startswith("bgsync: "):
        return "engine", line[len("bgsync: "):]
    return "engine", line


def shorten(text, width=120):
    """`text` cut to `width` characters with an ellipsis (Workbox logs whole objects)."""
    return text if len(text) <= width else text[:width - 1] + "…"


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
MESSAGES_WORKBOX = [
    ("m6", "Room 4B, second floor"),
    ("m7", "Coffee after the talk?"),
]

TAG = "outbox"  # the one sync tag of the app (index.html, sw.js)
WORKBOX_TAG = "workbox-background-sync:outbox"  # Workbox's, for its queue "outbox"
APP_PAGE = "/index.html"
WORKBOX_PAGE = "/workbox-app/index.html"

FAST_RETRY_PREFS = [
    "background_sync.initial_retry_delay_ms=500",
    "background_sync.max_attempts=2",
]
DEMO_BUDGET_S = 60  # the whole story; each engine run gets what is left, at most:
RUN_LIMIT_S = 15
WIDTH = 92


@dataclass
class EngineRun:
    status: Optional[int]  # None: it did not exit in time and was killed
    lines: list
    sync: list  # SyncLog

    def said(self, who, text):
        """Whether the page, the worker or Workbox printed a line starting with `text`."""
        return self.count(who, text) > 0

    def count(self, who, text):
        """How many lines of the page, the worker or Workbox start with `text`."""
        return sum(1 for speaker, said in map(classify, self.lines)
                   if speaker == who and said.startswith(text))


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
        self.emit(f"    {who:<7} | {text}")

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
            previous = None
            for line in stream:
                line = line.rstrip("\n")
                with lock:
                    lines.append(line)
                    entry = parse_sync_log(line)
                    if entry:
                        sync.append(entry)
                    if labelled:
                        who, text = classify(line, previous)
                        previous = who
                        self.show(who, shorten(text))
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

    def idb_list(self):
        """Shows `bgsync idb list` (the table) and returns the record counts of the server's
        origin from --json: {(database, store): records}."""
        self.bgsync(["idb", "list", "--profile", self.profile], labelled=False)
        try:
            result = subprocess.run([self.binary, "idb", "list", "--profile", self.profile,
                                     "--json"], capture_output=True, text=True,
                                    timeout=self.time_left())
            listed = json.loads(result.stdout) if result.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired, ValueError) as error:
            raise DemoError(f"`bgsync idb list --json` failed: {error}") from None
        if listed is None:
            raise DemoError(f"`bgsync idb list --json` exited with status "
                            f"{result.returncode}: {result.stderr.strip()}")
        origin = self.server.url("/").rstrip("/")
        return {(database["name"], store["name"]): store["records"]
                for entry in listed if entry.get("origin") == origin
                for database in entry.get("databases", [])
                for store in database.get("stores", [])}

    def page_url(self, messages, wait=False, probe=False, page=APP_PAGE):
        query = [("msg", f"{message_id}:{text}") for message_id, text in messages]
        if wait:
            query.append(("wait", "1"))
        if probe:
            query.append(("probe", "1"))
        return self.server.url(page + "?" + urllib.parse.urlencode(query))

    # The steps.

    def run(self):
        self.server.start()
        try:
            self.introduction()
            self.step_offline()
            self.step_back_online()
            self.step_retry()
            self.step_dropped()
            self.workbox_introduction()
            self.step_workbox_offline()
            self.step_workbox_replay()
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
            Background Synchronization API, the page keeps each message in an outbox in
            IndexedDB and asks the browser for a sync under one tag
            (registration.sync.register("outbox")); once the device is online, the browser
            wakes the app's service worker with a `sync` event, even if the page is closed by
            then, and the worker sends what the outbox holds. If sending fails, the browser
            tries again later, a limited number of times. This is the pattern MDN describes;
            part 2 shows the same app on Workbox, which most sites use.""")
        self.emit()
        self.say("""This demo plays that story with the bgsync engine and a small local server.
            Each step runs the engine (`bgsync`) and shows its output as it comes: `page` and
            `worker` are the console messages of the app's page and service worker
            (examples/outbox/), `engine` is the sync log that `bgsync run -v` prints, and
            `server` is what the server received. `bgsync sync list` and `bgsync idb list`
            show what the profile holds between runs, without starting the engine.""")
        self.emit()
        self.emit(f"  engine:  {self.binary}")
        self.emit(f"  server:  {self.server.url('/')}  (started by mach: serves examples/outbox/; "
                  "POST /api/messages stores a message)")
        self.emit(f"  PROFILE={self.profile}")
        self.say("""(the demo's own fresh profile directory: the engine keeps service workers,
            sync registrations and IndexedDB there, so they survive a restart)""",
                 indent="           ")
        self.emit()
        self.say(f"""Where the messages wait: in the IndexedDB database "chat" of the app's
            origin, store "outbox" (examples/outbox/outbox-db.js, used by the page and the
            worker). The worker removes a message from it once the server has it, and after a
            last chance that failed it moves what is left to the store "drafts", giving it
            back to the user. The server keeps each message id once, so a message delivered
            twice is not stored twice. The page and worker are examples/outbox/index.html and
            sw.js; the sync tag is "{TAG}".""")

    def step_offline(self):
        self.heading("Step 1. Offline: three messages wait in the outbox")
        self.say("""You write three messages on a train, with no network. The engine starts with
            the network forced offline (--offline, like the offline switch of a browser's
            devtools) and opens the app's page. The page itself still loads, because it comes
            from this machine (127.0.0.1); a real offline-first app would have its service
            worker answer for it. But the network is off for fetch(): the page checks that it cannot reach the server,
            registers its service worker, stores the three messages in the outbox in one
            transaction, and registers the sync tag "outbox".""")
        self.emit()
        run = self.run_engine(1, self.page_url(MESSAGES_OFFLINE, probe=True), online=False)
        self.check(run.said("page", "opened; navigator.onLine is false"),
                   "step 1: the page did not see navigator.onLine false under --offline")
        self.check(run.said("page", "sending directly is impossible right now"),
                   "step 1: the page's fetch() did not reject under --offline")
        self.check(run.said("page", "stored m1, m2, m3 in IndexedDB"),
                   "step 1: the page did not store the three messages in IndexedDB")
        registered = [entry.tag for entry in run.sync if entry.kind == "registered"]
        self.check(registered == [TAG],
                   f"step 1: the engine logged registrations of {registered}, expected [{TAG!r}]")
        self.check(not any(entry.kind == "dispatched" for entry in run.sync),
                   "step 1: a sync event fired while offline")
        self.emit()
        self.say("""The page is closed and the engine has exited. What it left in the profile:
            the registration, pending until the engine is online, and the three messages in
            the outbox.""")
        self.expect_syncs(1, [TAG])
        self.expect_records(1, {("chat", "outbox"): 3, ("chat", "drafts"): 0})
        requests = self.server.requests()
        self.emit()
        self.say(f"""The server received {len(requests)} requests: nothing was sent while
            offline.""")
        self.check(not requests, f"step 1: the server received {requests} while the engine was "
                                 "offline")

    def step_back_online(self):
        self.heading("Step 2. Back online: the engine restarts and the worker sends the outbox")
        self.say("""Later, the engine starts again with the same profile, and the network is
            online (--online). No page of the app is open this time: the engine only loads
            about:blank. At start it finds the pending registration, and since it is online it
            starts the app's service worker just to fire the `sync` event; the worker's handler
            reads the outbox and POSTs the messages, oldest first, removing each one the server
            accepted. The engine lets running sync events finish before it exits.""")
        self.emit()
        run = self.run_engine(2, "about:blank", online=True)
        attempts = attempts_of(TAG, run.sync)
        self.check(shape(attempts) == [(False, "completed", False, False)],
                   "step 2: expected one sync event that completes; the engine logged "
                   f"{describe_attempts(attempts)}")
        self.check(run.said("worker", "started"),
                   "step 2: the worker's script did not run (was the worker started?)")
        self.check(run.said("worker", 'sync event "outbox" (lastChance: false): the outbox '
                                      "holds 3 (m1, m2, m3)"),
                   "step 2: the worker did not find the three messages in the outbox")
        stored = self.server.messages()
        expected = [{"id": message_id, "text": text} for message_id, text in MESSAGES_OFFLINE]
        self.emit()
        self.say(f"The server received {len(stored)} messages, in the order they were written:")
        for message in stored:
            self.emit(f"      {message['id']}: {message['text']}")
        self.check(stored == expected, f"step 2: the server stored {stored}, expected {expected}")
        self.emit()
        self.say("""A sync registration whose event completed is done, and the outbox is
            empty.""")
        self.expect_syncs(2, [])
        self.expect_records(2, {("chat", "outbox"): 0, ("chat", "drafts"): 0})

    def step_retry(self):
        self.heading("Step 3. The server fails once: the engine retries")
        self.say("""Real networks and servers fail. By default the engine waits 5 minutes before
            a second attempt and makes at most 3; so that the demo takes seconds, the next runs
            set --pref background_sync.initial_retry_delay_ms=500 --pref
            background_sync.max_attempts=2. The server is told to answer the next message
            request with 503 Service Unavailable. You write one more message, online this
            time: the page stores it and registers "outbox" the same way, the engine fires the
            `sync` event right away, and the page stays open to watch.""")
        self.server.fail_next(1)
        self.emit()
        message_id = MESSAGE_RETRY[0]
        run = self.run_engine(3, self.page_url([MESSAGE_RETRY], wait=True), online=True,
                              prefs=FAST_RETRY_PREFS)
        attempts = attempts_of(TAG, run.sync)
        statuses = [attempt.status for attempt in self.server.attempts(message_id)]
        self.emit()
        ok = self.check(shape(attempts) == [(False, "failed", True, False),
                                            (True, "completed", False, False)],
                        "step 3: expected a failed attempt, retried with lastChance true, which "
                        f"completes; the engine logged {describe_attempts(attempts)}")
        ok &= self.check(statuses == [503, 201],
                         f"step 3: the server answered {statuses}, expected [503, 201]")
        ok &= self.check(run.said("page", '"outbox" is not registered any more: the outbox '
                                          "holds 0, the drafts 0"),
                         "step 3: the page did not see an empty outbox at the end")
        if ok:
            self.say(f"""What happened: the first `sync` event got 503 from the server, so the
                handler's waitUntil() promise rejected and the engine counted the attempt as
                failed ({attempts[0].reason}); message {message_id} stayed in the outbox. The
                engine scheduled the next attempt {attempts[0].retry_ms} ms later: that is the
                back-off. The second attempt was the last one allowed (max_attempts=2), so its
                event said lastChance = true. The server accepted it: message {message_id} is
                delivered and gone from the outbox.""")

    def step_dropped(self):
        self.heading("Step 4. The server keeps failing: a last chance, then the engine gives up")
        self.say("""Now the server is told to fail the next 2 requests, as many as the attempts
            allowed. You write another message. Both attempts fail. The second has lastChance =
            true, so the worker knows no attempt will follow: it moves the message from the
            outbox back to the drafts, in one transaction, and tells the page. Then the engine
            drops the registration: background sync does not retry forever, and the app has
            not lost the message.""")
        self.server.fail_next(2)
        self.emit()
        message_id = MESSAGE_DROPPED[0]
        run = self.run_engine(4, self.page_url([MESSAGE_DROPPED], wait=True), online=True,
                              prefs=FAST_RETRY_PREFS)
        attempts = attempts_of(TAG, run.sync)
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
                ms later with lastChance = true. That one failed too, so the worker handed the
                message back and the engine dropped the registration. Message {message_id} was
                not delivered, and the app knows it: it is in the drafts.""")
        self.emit()
        self.expect_syncs(4, [])
        self.expect_records(4, {("chat", "outbox"): 0, ("chat", "drafts"): 1})

    def workbox_introduction(self):
        self.emit()
        self.emit()
        self.emit("Part 2. The same outbox on Workbox")
        self.emit("==================================")
        self.say(f"""Most sites do not call sync.register() themselves: they use Workbox. Its
            service worker (examples/outbox/workbox-app/sw.js) is what Workbox documents: a
            NetworkOnly route for POSTs to /api/messages with a BackgroundSyncPlugin. The page
            simply POSTs each message. The worker's `fetch` handler sees the POST first; when
            the network fails, the page's fetch() rejects and Workbox keeps the request in its
            own IndexedDB queue and registers the tag "{WORKBOX_TAG}"; in the `sync` event it
            replays the queue. Workbox is the unmodified npm packages (examples/package.json,
            installed by ./mach bootstrap), in their development build (debug: true), whose
            log lines are shown as `workbox`. The app lives under /workbox-app/, its own
            service-worker scope, on the same profile.""")

    def step_workbox_offline(self):
        self.heading("Step 5. Workbox, offline: the POSTs fail and wait in Workbox's queue")
        self.say("""Offline again, you write two messages in the Workbox version of the app.
            The page registers its worker, waits until the worker controls it
            (clientsClaim()), and POSTs each message.""")
        self.emit()
        before = len(self.server.attempts())
        page = self.page_url(MESSAGES_WORKBOX, page=WORKBOX_PAGE)
        run = self.run_engine(5, page, online=False)
        for message_id, _ in MESSAGES_WORKBOX:
            self.check(run.said("page", f"POST of message {message_id}: fetch() rejects"),
                       f"step 5: the page's POST of {message_id} did not reject")
        queued = run.count("workbox", "Request for '/api/messages' has been added to background "
                                      "sync queue 'outbox'")
        self.check(queued == len(MESSAGES_WORKBOX),
                   f"step 5: Workbox said it queued {queued} requests, expected "
                   f"{len(MESSAGES_WORKBOX)}")
        registered = {entry.tag for entry in run.sync if entry.kind == "registered"}
        self.check(registered == {WORKBOX_TAG},
                   f"step 5: the engine logged registrations of {sorted(registered)}, expected "
                   f"[{WORKBOX_TAG!r}]")
        self.check(not any(entry.kind == "dispatched" for entry in run.sync),
                   "step 5: a sync event fired while offline")
        self.emit()
        self.say("""What happened: each POST was a `fetch` event in Workbox's worker. Its
            NetworkOnly strategy tried the network, which is off, so the plugin stored the
            request (method, URL, headers, body) and registered the sync tag, and the handler
            answered the page with a network error: the page's fetch() rejected, and the engine
            printed the handler's rejection (Workbox's `no-response` error, as Chromium's
            console does). Workbox registers the tag again for every request it queues: one
            registration. Its queue is a database of the app's origin, next to "chat":""")
        self.expect_syncs(5, [WORKBOX_TAG])
        self.expect_records(5, {("workbox-background-sync", "requests"):
                                len(MESSAGES_WORKBOX)})
        sent = self.server.attempts()[before:]
        self.check(not sent, f"step 5: the server received {sent} while the engine was offline")

    def step_workbox_replay(self):
        self.heading("Step 6. Workbox, back online: the worker replays the queue")
        self.say("""The engine starts online, again with no page of the app. It starts Workbox's
            worker for the `sync` event, and Workbox replays the stored requests, oldest first,
            with their bodies and headers.""")
        self.emit()
        before = len(self.server.messages())
        run = self.run_engine(6, "about:blank", online=True)
        attempts = attempts_of(WORKBOX_TAG, run.sync)
        self.check(shape(attempts) == [(False, "completed", False, False)],
                   "step 6: expected one sync event that completes; the engine logged "
                   f"{describe_attempts(attempts)}")
        self.check(run.said("workbox", "All requests in queue 'outbox' have successfully "
                                       "replayed"),
                   "step 6: Workbox did not say that it replayed its whole queue")
        stored = self.server.messages()[before:]
        expected = [{"id": message_id, "text": text} for message_id, text in MESSAGES_WORKBOX]
        self.emit()
        self.say(f"The server received {len(stored)} messages, in the order they were written:")
        for message in stored:
            self.emit(f"      {message['id']}: {message['text']}")
        self.check(stored == expected, f"step 6: the server stored {stored}, expected {expected}")
        self.emit()
        self.expect_syncs(6, [])
        self.expect_records(6, {("workbox-background-sync", "requests"): 0})

    def expect_syncs(self, step, tags):
        """Shows `sync list` and checks that exactly `tags` are registered, pending."""
        rows = self.sync_list()
        found = sorted((row.get("tag"), row.get("state")) for row in rows)
        wanted = sorted((tag, "pending") for tag in tags)
        self.check(found == wanted,
                   f"step {step}: `sync list` shows {found}, expected {wanted}")

    def expect_records(self, step, counts):
        """Shows `idb list` and checks the record counts of the given (database, store)s."""
        listed = self.idb_list()
        found = {key: listed.get(key) for key in counts}
        self.check(found == counts,
                   f"step {step}: `idb list` shows the record counts {found}, expected {counts}")

    def conclusion(self):
        self.heading("The end")
        stored = self.server.messages()
        attempts = self.server.attempts()
        failed = sum(1 for attempt in attempts if attempt.injected)
        self.say(f"""The server stored {len(stored)} messages
            ({", ".join(m["id"] for m in stored)}) out of {len(attempts)} requests, {failed} of
            which it failed on purpose. Nothing was lost silently: the messages written offline
            waited in IndexedDB and were delivered after a restart without any page open, a
            failure was retried after a back-off, the message that kept failing went back to
            the drafts after its last chance, with the app told so, and Workbox's queue was
            replayed the same way.""")
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
