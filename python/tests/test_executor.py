"""One test in a fresh engine process: command line, timeouts, crashes (with the fake engine)."""

import json
import signal
import time

import pytest

from conftest import HARNESS_PAGE, harness_line, subtest_line, write_files
from wpt import executors
from wpt.executors import BgsyncExecutor
from wpt.server import TestServer
from wpt.testfiles import CRASHTEST, TESTHARNESS, WptTest


@pytest.fixture
def server(tmp_path):
    root = write_files(tmp_path / "tests", {"a.html": HARNESS_PAGE, "c-crash.html": "<p>x"})
    with TestServer([root]) as running:
        yield running


def run(executor, server, test_id="/a.html", kind=TESTHARNESS, long_timeout=False):
    test = WptTest(test_id, kind, test_id.lstrip("/"), "/tests", long_timeout=long_timeout)
    return executor.run(test, server.url(test_id))


def test_command_line_and_fresh_profile(fake_engine, server):
    executor = BgsyncExecutor(fake_engine.binary, prefs=["dom.bg.enabled=true"])
    result = run(executor, server)
    assert result.status == "OK"
    assert [(s.name, s.status) for s in result.subtests] == [("ok", "PASS")]
    run(executor, server, long_timeout=True)
    first, second = fake_engine.runs()
    assert first[:3] == ["run", "--timeout", "15"]
    assert first[3] == "--profile"
    assert first[5:] == ["--pref", "dom.bg.enabled=true", server.url("/a.html")]
    assert second[2] == "65"
    assert first[4] != second[4]  # a new profile directory per test


def test_test_prefs_come_before_the_runner_prefs(fake_engine, server):
    executor = BgsyncExecutor(fake_engine.binary, prefs=["x.y=2"])
    test = WptTest("/a.html", TESTHARNESS, "a.html", "/tests", prefs=("x.y=1", "z=on"))
    assert executor.run(test, server.url("/a.html")).status == "OK"
    argv = fake_engine.runs()[0]
    assert argv[5:] == ["--pref", "x.y=1", "--pref", "z=on", "--pref", "x.y=2",
                        server.url("/a.html")]


def test_timeout_multiplier_scales_the_harness_part(fake_engine, server):
    run(BgsyncExecutor(fake_engine.binary, timeout_multiplier=2), server)
    assert fake_engine.runs()[0][2] == "25"


def test_crash_is_reported_with_stderr(fake_engine, server):
    fake_engine.script({"": {"lines": [subtest_line("before")], "signal": int(signal.SIGSEGV)}})
    result = run(BgsyncExecutor(fake_engine.binary), server)
    assert result.status == "CRASH"
    assert "SIGSEGV" in result.message and "fake-engine diagnostics" in result.message
    assert [s.name for s in result.subtests] == ["before"]


def test_engine_timeout_exit_status(fake_engine, server):
    fake_engine.script({"": {"lines": [subtest_line("done")], "exit": 3}})
    result = run(BgsyncExecutor(fake_engine.binary), server)
    assert result.status == "TIMEOUT"
    assert [s.name for s in result.subtests] == ["done"]


def test_engine_that_ignores_its_timeout_is_killed(fake_engine, server):
    fake_engine.script({"": {"sleep": 60}})
    executor = BgsyncExecutor(fake_engine.binary, timeout_multiplier=0.01, timeout_slack=0.4,
                              kill_grace=0.5)
    started = time.monotonic()
    result = run(executor, server)
    assert time.monotonic() - started < 10
    assert result.status == "TIMEOUT"
    assert "killed" in result.message


def test_engine_lingering_after_the_harness_is_stopped_quickly(fake_engine, server):
    fake_engine.script({"": {"lines": [subtest_line("a"), harness_line()], "then_sleep": 60}})
    executor = BgsyncExecutor(fake_engine.binary, exit_grace=0.3)
    started = time.monotonic()
    result = run(executor, server)
    assert time.monotonic() - started < 10
    assert result.status == "OK"


def test_crash_just_after_the_harness_counts(fake_engine, server):
    fake_engine.script({"": {"lines": [harness_line()], "signal": int(signal.SIGABRT)}})
    result = run(BgsyncExecutor(fake_engine.binary, exit_grace=5), server)
    assert result.status == "CRASH"


def test_crashtest_passes_when_the_engine_exits_cleanly(fake_engine, server):
    fake_engine.script({"": {"lines": ["no harness here"]}})
    result = run(BgsyncExecutor(fake_engine.binary), server, "/c-crash.html", CRASHTEST)
    assert result.status == "PASS"
    fake_engine.script({"": {"signal": int(signal.SIGSEGV)}})
    result = run(BgsyncExecutor(fake_engine.binary), server, "/c-crash.html", CRASHTEST)
    assert result.status == "CRASH"


def test_missing_binary_is_an_error_result(server, tmp_path):
    result = run(BgsyncExecutor(str(tmp_path / "no-such-bgsync")), server)
    assert result.status == "ERROR"
    assert "cannot start" in result.message


def test_page_that_does_not_load(fake_engine, server):
    result = run(BgsyncExecutor(fake_engine.binary), server, "/missing.html")
    assert result.status == "ERROR"
    assert "could not be loaded" in result.message and "404" in result.message


def test_server_prefs_come_first(fake_engine, server):
    executor = BgsyncExecutor(fake_engine.binary, prefs=["x.y=2"],
                              server_prefs=server.bgsync_prefs())
    test = WptTest("/a.html", TESTHARNESS, "a.html", "/tests", prefs=("x.y=1",))
    assert executor.run(test, server.url("/a.html")).status == "OK"
    argv = fake_engine.runs()[0]
    assert argv[5:] == ["--pref", server.bgsync_prefs()[0], "--pref", server.bgsync_prefs()[1],
                        "--pref", "x.y=1", "--pref", "x.y=2", server.url("/a.html")]


FAKE_DRIVER = r"""
// Answers like chromium_driver.js: one subtest whose name carries the request's "args" (and
// the browser arguments the driver was started with, if any).
const readline = require("node:readline");
const serverArgs = process.argv[4] ? JSON.parse(process.argv[4]) : [];
process.stdout.write(JSON.stringify({ version: "fake " + (1 + serverArgs.length) }) + "\n");
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  const lines = [
    "WPT-TEST " + JSON.stringify({ name: "args " + JSON.stringify(request.args), status: "PASS",
                                   message: null }),
    "WPT-HARNESS " + JSON.stringify({ status: "OK", message: null }),
  ];
  process.stdout.write(JSON.stringify({ id: request.id, lines, how: "stopped", detail: "" }) + "\n");
});
"""


def test_chromium_requests_carry_the_tests_chromium_args(tmp_path, monkeypatch, server):
    driver = tmp_path / "fake_driver.js"
    driver.write_text(FAKE_DRIVER)
    monkeypatch.setattr(executors, "CHROMIUM_DRIVER", str(driver))
    executor = executors.ChromiumExecutor("/no/chromium", "/no/node_modules")
    try:
        assert executor.browser_version == "fake 1"
        plain = WptTest("/a.html", TESTHARNESS, "a.html", "/tests")
        own = WptTest("/a.html", TESTHARNESS, "a.html", "/tests",
                      chromium_args=("--force-fieldtrials=A/B", "--x"))
        names = [executor.run(test, server.url("/a.html")).subtests[0].name
                 for test in (plain, own)]
    finally:
        executor.close()
    assert names == ["args []", 'args ["--force-fieldtrials=A/B","--x"]']


def test_chromium_driver_gets_the_servers_browser_args(tmp_path, monkeypatch, server):
    driver = tmp_path / "fake_driver.js"
    driver.write_text(FAKE_DRIVER)
    monkeypatch.setattr(executors, "CHROMIUM_DRIVER", str(driver))
    executor = executors.ChromiumExecutor("/no/chromium", "/no/node_modules",
                                          browser_args=server.chromium_args())
    try:
        # The fake driver counts the JSON list it got as its third argument.
        assert executor.browser_version == "fake 3"
        assert executor.process.args[-1] == json.dumps(server.chromium_args())
    finally:
        executor.close()
