"""The outbox demo of `./mach run`: its server, the reading of the engine's output, the story
(played against a fake bgsync), and the `run` command's plumbing."""

import io
import json
import os
import urllib.error
import urllib.request

import sys

import pytest

from bgsync_mach import outbox, run
from bgsync_mach.outbox import OutboxServer, SyncLog, attempts_of, parse_sync_log
from conftest import TESTS_DIR, write_files

FAKE_BGSYNC = os.path.join(TESTS_DIR, "engines", "fake-bgsync")


def body(value):
    return json.dumps(value).encode("utf-8")


# --- The server's logic ------------------------------------------------------------------------

def test_the_server_stores_each_message_once():
    server = OutboxServer()
    assert server.receive(body({"id": "m1", "text": "hi"})) == \
        (201, {"stored": True, "duplicate": False, "count": 1})
    assert server.receive(body({"id": "m2", "text": ""}))[0] == 201
    # The same message delivered again (a retry after a lost answer) is not stored twice.
    assert server.receive(body({"id": "m1", "text": "hi"})) == \
        (200, {"stored": False, "duplicate": True, "count": 2})
    assert server.messages() == [{"id": "m1", "text": "hi"}, {"id": "m2", "text": ""}]
    assert [(a.id, a.status) for a in server.attempts()] == [("m1", 201), ("m2", 201),
                                                              ("m1", 200)]
    assert [a.status for a in server.attempts("m1")] == [201, 200]


@pytest.mark.parametrize("raw, error", [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (body(["m1", "hi"]), "not a JSON object"),
    (body({"text": "hi"}), '"id"'),
    (body({"id": "", "text": "hi"}), '"id"'),
    (body({"id": 7, "text": "hi"}), '"id"'),
    (body({"id": "m1"}), '"text"'),
    (body({"id": "m1", "text": None}), '"text"'),
])
def test_the_server_rejects_what_is_not_a_message(raw, error):
    server = OutboxServer()
    status, answer = server.receive(raw)
    assert status == 400 and error in answer["error"]
    assert server.messages() == []
    assert [a.status for a in server.attempts()] == [400]


def test_fail_next_fails_exactly_that_many_requests_then_stores_again():
    events = []
    server = OutboxServer(on_event=events.append)
    server.fail_next(2)
    assert server.failures_left() == 2
    first = server.receive(body({"id": "m1", "text": "hi"}))
    assert first == (503, {"error": "failure injected by the demo", "failures_left": 1})
    assert server.receive(body({"id": "m1", "text": "hi"}))[0] == 503
    assert server.failures_left() == 0
    assert server.receive(body({"id": "m1", "text": "hi"}))[0] == 201
    assert server.messages() == [{"id": "m1", "text": "hi"}]
    assert [(a.status, a.injected) for a in server.attempts("m1")] == \
        [(503, True), (503, True), (201, False)]
    assert "503 failure injected (1 more to come)" in events[0]
    assert events[2].endswith("201 stored (1 in total)")


def test_an_injected_failure_fails_even_a_malformed_request():
    # A failing server answers 503 before it reads the request.
    server = OutboxServer()
    server.fail_next(1)
    assert server.receive(b"garbage")[0] == 503
    assert server.attempts()[0].id is None and server.attempts()[0].injected


def test_fail_next_resets_the_count_and_refuses_nonsense():
    server = OutboxServer()
    server.fail_next(5)
    server.fail_next(0)
    assert server.receive(body({"id": "m1", "text": "hi"}))[0] == 201
    for bad in (-1, 1.5, "2", True, None):
        with pytest.raises(ValueError):
            server.fail_next(bad)


@pytest.mark.parametrize("raw, status", [
    (body({"count": 3}), 200),
    (body({"count": -1}), 400),
    (body({"count": "3"}), 400),
    (body({}), 400),
    (b"[", 400),
])
def test_the_control_endpoint_sets_fail_next(raw, status):
    server = OutboxServer()
    assert server.control(raw)[0] == status
    assert server.failures_left() == (3 if status == 200 else 0)


def test_static_files_are_plain_names_in_the_example_directory(tmp_path):
    root = write_files(tmp_path / "outbox", {"index.html": "<p>", "sw.js": "//",
                                             "app/index.html": "<p>", "app/sw.js": "//",
                                             "app/deeper/secret.txt": "no", ".hidden": "no",
                                             "app/.hidden": "no"})
    write_files(tmp_path, {"outside.txt": "no"})
    server = OutboxServer(root=root)
    assert server.static_file("/") == os.path.join(root, "index.html")
    assert server.static_file("/sw.js") == os.path.join(root, "sw.js")
    assert server.static_file("/app/") == os.path.join(root, "app", "index.html")
    assert server.static_file("/app/sw.js") == os.path.join(root, "app", "sw.js")
    for path in ("/app/deeper/secret.txt", "/../outside.txt", "/..", "/app/..", "/.hidden",
                 "/app/.hidden", "/missing.js", "/app", "//sw.js", "", "sw.js", "/a\\b"):
        assert server.static_file(path) is None, path


def test_workbox_is_served_from_node_modules_under_workbox(tmp_path):
    node_modules = write_files(tmp_path / "node_modules", {
        "workbox-sw/build/workbox-sw.js": "// sw",
        "workbox-core/build/workbox-core.dev.js": "// core dev",
        **{f"workbox-{module}/build/workbox-{module}.{build}.js": "//"
           for module in ("core", "routing", "strategies", "background-sync")
           for build in ("prod", "dev") if (module, build) != ("core", "dev")}})
    server = OutboxServer(node_modules=node_modules)
    assert server.workbox_file("/workbox/workbox-sw.js") == b"// sw"
    assert server.workbox_file("/workbox/workbox-core.dev.js") == b"// core dev"
    assert server.workbox_file("/workbox/other.js") is None
    assert server.workbox_file("/index.html") is None
    events = []
    missing = OutboxServer(node_modules=str(tmp_path / "nothing"), on_event=events.append)
    assert missing.workbox_file("/workbox/workbox-sw.js") is None
    assert "bootstrap installs Workbox" in events[0]


def test_the_example_has_the_pages_and_the_workers_the_demo_needs():
    server = OutboxServer()
    files = {}
    for name in ("index.html", "sw.js", "outbox-db.js", "workbox-app/index.html",
                 "workbox-app/sw.js"):
        path = server.static_file("/" + name)
        assert path, name
        with open(path) as f:
            files[name] = f.read()
    # The story's checks read these lines.
    for text in ("[worker]", "started", "lastChance", "waitUntil", "could not be delivered",
                 "moveToDrafts", 'importScripts("outbox-db.js")', 'sync event "outbox"'):
        assert text in files["sw.js"], text
    for text in ("[page]", "opened; navigator.onLine is", "sending directly is impossible",
                 'sync.register("outbox")', "window.close()", "the worker says",
                 "is not registered any more: the outbox holds", "outbox-db.js"):
        assert text in files["index.html"], text
    for text in ('indexedDB.open(CHAT_DB, 1)', '"outbox"', '"drafts"'):
        assert text in files["outbox-db.js"], text
    # Workbox as Workbox documents it, from /workbox/.
    for text in ('importScripts("/workbox/workbox-sw.js")', "modulePathPrefix: \"/workbox/\"",
                 "NetworkOnly", 'BackgroundSyncPlugin("outbox")', '"POST"'):
        assert text in files["workbox-app/sw.js"], text
    for text in ("[page]", "fetch() rejects", "controllerchange", "window.close()"):
        assert text in files["workbox-app/index.html"], text


# --- The server over HTTP ---------------------------------------------------------------------

def fetch(url, data=None, method=None):
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_server_over_http(tmp_path):
    root = write_files(tmp_path, {"index.html": "<p>hi", "sw.js": "// worker"})
    with OutboxServer(root=root) as server:
        assert server.url("/x").startswith("http://127.0.0.1:")
        status, headers, content = fetch(server.url("/index.html?msg=m1:hi&wait=1"))
        assert (status, content) == (200, b"<p>hi")
        assert headers["Content-Type"].startswith("text/html")
        status, headers, _ = fetch(server.url("/sw.js"))
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        assert fetch(server.url("/nope.js"))[0] == 404

        assert fetch(server.url("/api/fail-next"), body({"count": 1}), "POST")[0] == 200
        message = body({"id": "m1", "text": "hi"})
        status, _, content = fetch(server.url("/api/messages"), message, "POST")
        assert status == 503 and json.loads(content)["failures_left"] == 0
        status, headers, content = fetch(server.url("/api/messages"), message, "POST")
        assert status == 201 and headers["Content-Type"] == "application/json"
        assert json.loads(content)["stored"] is True
        assert fetch(server.url("/api/messages"), b"{", "POST")[0] == 400
        assert fetch(server.url("/api/other"), b"{}", "POST")[0] == 404
        status, _, content = fetch(server.url("/api/messages"))
        assert json.loads(content) == {"messages": [{"id": "m1", "text": "hi"}]}
        assert server.requests() == ["POST /api/fail-next", "POST /api/messages",
                                     "POST /api/messages", "POST /api/messages",
                                     "POST /api/other", "GET /api/messages"]


# --- Reading the engine's output ---------------------------------------------------------------

SCOPE = "http://127.0.0.1:8000/"


def line(tag, text):
    return f'bgsync: sync {SCOPE} {json.dumps(tag)}: {text}'


@pytest.mark.parametrize("text, expected", [
    ("registered", SyncLog(SCOPE, "t", "registered")),
    ("dispatched, lastChance false", SyncLog(SCOPE, "t", "dispatched", last_chance=False)),
    ("dispatched, lastChance true", SyncLog(SCOPE, "t", "dispatched", last_chance=True)),
    ("dispatched, lastChance false (devtools)",
     SyncLog(SCOPE, "t", "dispatched", last_chance=False, devtools=True)),
    ("completed", SyncLog(SCOPE, "t", "completed")),
    ("completed (devtools)", SyncLog(SCOPE, "t", "completed", devtools=True)),
    ("failed (a waitUntil promise rejected); next attempt in 499 ms",
     SyncLog(SCOPE, "t", "failed", reason="a waitUntil promise rejected", retry_ms=499)),
    ("failed (the handler threw); dropped after its last chance",
     SyncLog(SCOPE, "t", "failed", reason="the handler threw", dropped=True)),
    ("failed (timed out) (devtools; nothing stored changes)",
     SyncLog(SCOPE, "t", "failed", reason="timed out", devtools=True)),
])
def test_sync_log_lines_are_parsed(text, expected):
    assert parse_sync_log(line("t", text)) == expected


def test_tags_are_unescaped_as_rust_debug_prints_them():
    raw = 'bgsync: sync http://a/ "say \\"hi\\": a\\\\b\\n\\u{301}": registered'
    assert parse_sync_log(raw).tag == 'say "hi": a\\b\n\u0301'
    assert parse_sync_log(line("outbox:m1:Running late, start: now", "completed")).tag == \
        "outbox:m1:Running late, start: now"


@pytest.mark.parametrize("text", [
    "[page] queued",
    "bgsync: a sync event was still running; it was cut short",
    "bgsync: network offline: the embedder's override",
    'bgsync: sync http://a/ "t": exploded',
    'bgsync: sync http://a/ t: registered',
    "",
])
def test_other_lines_are_not_sync_log_lines(text):
    assert parse_sync_log(text) is None


def test_lines_are_told_apart_by_who_printed_them():
    assert outbox.classify("[page] opened\n") == ("page", "opened")
    assert outbox.classify("[worker] started") == ("worker", "started")
    assert outbox.classify(line("t", "registered")) == ("engine", f'sync {SCOPE} "t": registered')
    assert outbox.classify("bgsync: network online: eth0 up") == \
        ("engine", "network online: eth0 up")
    assert outbox.classify("index.html:3:5 Uncaught TypeError: x") == \
        ("engine", "index.html:3:5 Uncaught TypeError: x")
    # Workbox's development build, and the indented lines of its console groups.
    assert outbox.classify("workbox Router is responding to: /api") == \
        ("workbox", "Router is responding to: /api")
    assert outbox.classify("  Found a route", previous="workbox") == ("workbox", "  Found a route")
    assert outbox.classify("  Found a route", previous="page") == ("engine", "  Found a route")


def test_long_lines_are_shortened_with_an_ellipsis():
    assert outbox.shorten("x" * 120) == "x" * 120
    assert outbox.shorten("x" * 121) == "x" * 119 + "…"


def entries(*texts, tag="t"):
    return [parse_sync_log(line(tag, text)) for text in texts]


def test_attempts_of_a_tag_retried_then_completed():
    log = entries("registered", "dispatched, lastChance false",
                  "failed (a waitUntil promise rejected); next attempt in 500 ms",
                  "dispatched, lastChance true", "completed")
    log += entries("dispatched, lastChance false", "completed", tag="other")
    attempts = attempts_of("t", log)
    assert outbox.shape(attempts) == [(False, "failed", True, False),
                                      (True, "completed", False, False)]
    assert outbox.describe_attempts(attempts) == (
        "attempt 1 (lastChance false): failed (a waitUntil promise rejected), next attempt in "
        "500 ms; attempt 2 (lastChance true): completed")


def test_attempts_of_a_dropped_tag_and_of_an_unfinished_one():
    dropped = attempts_of("t", entries(
        "dispatched, lastChance false", "failed (x); next attempt in 500 ms",
        "dispatched, lastChance true", "failed (x); dropped after its last chance"))
    assert outbox.shape(dropped) == [(False, "failed", True, False),
                                     (True, "failed", False, True)]
    assert outbox.describe_attempts(dropped).endswith("failed (x), dropped")
    unfinished = attempts_of("t", entries("dispatched, lastChance false"))
    assert outbox.describe_attempts(unfinished) == \
        "attempt 1 (lastChance false): no outcome logged"
    assert outbox.describe_attempts([]) == "no sync event"
    # A devtools dispatch is not an attempt of the registration.
    assert attempts_of("t", entries("dispatched, lastChance false (devtools)",
                                    "completed (devtools)")) == []


# --- The story, against a fake bgsync ----------------------------------------------------------

@pytest.fixture
def fake_bgsync(tmp_path):
    """fake-bgsync run by this python (not through `env python3`, which may be a slow shim)."""
    wrapper = tmp_path / "bgsync"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_BGSYNC}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def play(binary, tmp_path, monkeypatch, bug=""):
    monkeypatch.setenv("FAKE_BGSYNC_BUG", bug)
    out = io.StringIO()
    profile = tmp_path / "profile"
    profile.mkdir()
    status = outbox.Demo(binary, str(profile), out=out).run()
    return status, out.getvalue()


def test_the_story_completes_with_an_engine_that_behaves(fake_bgsync, tmp_path, monkeypatch):
    status, text = play(fake_bgsync, tmp_path, monkeypatch)
    assert status == 0, text
    for step in ("Step 1. Offline", "Step 2. Back online", "Step 3.", "Step 4.", "The end"):
        assert step in text
    assert "Everything went as the story says." in text
    for part in ("Part 2. The same outbox on Workbox", "Step 5. Workbox", "Step 6. Workbox"):
        assert part in text
    assert "The server received 3 messages, in the order they were written:" in text
    assert "The server stored 6 messages (m1, m2, m3, m4, m6, m7) out of 9 requests, 3 of" \
        in text
    assert "not as expected" not in text
    # Commands are shown as a reader could type them, with $PROFILE.
    assert "  $ bgsync run --timeout " in text and "--offline --profile $PROFILE -v" in text
    assert "  $ bgsync idb list --profile $PROFILE" in text
    assert "    server  | POST /api/messages: message m4" in text
    assert "    engine  | sync http://127.0.0.1:" in text
    assert "    workbox | All requests in queue 'outbox' have successfully replayed" in text


@pytest.mark.parametrize("bug, problem", [
    ("fires-offline", "step 1: a sync event fired while offline"),
    ("no-retry", "step 3: expected a failed attempt, retried with lastChance true"),
    ("exit-1", "step 1: `bgsync run` exited with status 1 (expected 0)"),
    ("loses-drafts", "step 4: `idb list` shows the record counts"),
])
def test_the_story_says_what_went_wrong(fake_bgsync, tmp_path, monkeypatch, bug, problem):
    status, text = play(fake_bgsync, tmp_path, monkeypatch, bug)
    assert status == 1
    summary = text[text.index("The story did not go as expected:"):]
    assert problem in summary, text
    assert "Everything went as the story says." not in text


def test_the_demo_refuses_a_missing_or_old_binary(tmp_path, capsys):
    assert outbox.run_demo(str(tmp_path / "bgsync")) == 1
    assert "no bgsync binary at" in capsys.readouterr().err
    old = tmp_path / "old-bgsync"
    old.write_text("#!/bin/sh\necho 'Options: --timeout --profile --pref'\n")
    old.chmod(0o755)
    assert "too old for the demo" in outbox.check_binary(str(old))
    assert outbox.check_binary(FAKE_BGSYNC) is None


def test_run_demo_plays_on_a_fresh_profile_and_removes_it(fake_bgsync, tmp_path,
                                                          monkeypatch):
    demo_tmp = tmp_path / "tmp"
    demo_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(demo_tmp))
    monkeypatch.setattr(outbox.tempfile, "tempdir", None)
    profiles = []
    monkeypatch.setattr(outbox.Demo, "run",
                        lambda demo: profiles.append(os.listdir(demo.profile)) or 0)
    out = io.StringIO()
    assert outbox.run_demo(fake_bgsync, out=out) == 0
    assert profiles == [[]]
    assert os.listdir(demo_tmp) == []
    assert "its profile was removed" in out.getvalue()


# --- ./mach run's plumbing ---------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    ([], (None, True, [])),
    (["page.html"], (None, True, ["page.html"])),
    (["--no-build"], (None, False, [])),
    (["--binary", "/b", "--offline", "p"], ("/b", False, ["--offline", "p"])),
    (["--binary=/b"], ("/b", False, [])),
    (["--no-build", "--binary", "/b", "p"], ("/b", False, ["p"])),
    (["p", "--no-build"], (None, True, ["p", "--no-build"])),
])
def test_mach_options_come_before_bgsyncs(args, expected):
    assert run.split_mach_options(args) == expected


@pytest.mark.parametrize("args", [["--binary"], ["--binary="]])
def test_binary_needs_a_path(args):
    with pytest.raises(ValueError):
        run.split_mach_options(args)


def test_run_with_a_page_passes_the_arguments_to_bgsync_run(monkeypatch):
    calls = []
    monkeypatch.setattr(run.subprocess, "call", lambda command, **kw: calls.append(command) or 0)
    assert run.main(["--binary", FAKE_BGSYNC, "--offline", "page.html"]) == 0
    # The per-user profile is bgsync's own default (components/shell/tests/cli.rs).
    assert calls == [[FAKE_BGSYNC, "run", "--offline", "page.html"]]


def test_run_without_a_binary_says_so(tmp_path, capsys):
    missing = str(tmp_path / "bgsync")
    assert run.main(["--binary", missing, "page.html"]) == 1
    assert f"no bgsync binary at {missing}" in capsys.readouterr().err
    assert run.main(["--binary", missing]) == 1
    assert "no bgsync binary at" in capsys.readouterr().err
    assert run.main(["--binary"]) == 2


def test_run_builds_first_unless_told_otherwise(monkeypatch):
    from bgsync_mach import cargo
    built = []
    monkeypatch.setattr(cargo, "build", lambda: built.append(1) or 101)
    assert run.main(["page.html"], bootstrap_ok=lambda: True) == 101  # the build's failure
    assert built == [1]
    assert run.main(["page.html"], bootstrap_ok=lambda: False) == 1
    assert built == [1]
