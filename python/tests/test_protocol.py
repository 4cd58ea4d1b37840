"""Reading the engine's report lines and exit into a test result."""

import pytest

from conftest import harness_line, subtest_line
from wpt import protocol
from wpt.protocol import EngineExit
from wpt.testfiles import CRASHTEST, TESTHARNESS, WptTest

TEST = WptTest("/a.html", TESTHARNESS, "a.html", "/tests")
CRASH_TEST = WptTest("/crashtests/b.html", CRASHTEST, "crashtests/b.html", "/tests")
IDLE = EngineExit(protocol.IDLE, "exit status 0")

LINES = [
    "page says hello",
    subtest_line("one"),
    subtest_line("two\nlines", "FAIL", "assert_equals: expected 1 but got 2"),
    subtest_line("sep\u2028arator", "TIMEOUT", "Test timed out"),
    subtest_line("later", "NOTRUN"),
    subtest_line("pre", "PRECONDITION_FAILED", "no feature"),
    harness_line("OK"),
]


def test_report_lines_are_read_and_other_lines_kept():
    report = protocol.parse_report(LINES)
    assert [(s.name, s.status, s.message) for s in report.subtests] == [
        ("one", "PASS", None),
        ("two\nlines", "FAIL", "assert_equals: expected 1 but got 2"),
        ("sep\u2028arator", "TIMEOUT", "Test timed out"),
        ("later", "NOTRUN", None),
        ("pre", "PRECONDITION_FAILED", "no feature"),
    ]
    assert report.harness == ("OK", None)
    assert report.console == ["page says hello"]
    assert report.errors == []


def test_bad_report_lines_are_errors_not_crashes():
    report = protocol.parse_report([
        "WPT-TEST {not json", 'WPT-TEST {"name": "x", "status": "GREAT"}', "WPT-HARNESS []"])
    assert report.subtests == [] and report.harness is None
    assert len(report.errors) == 3
    result = protocol.interpret(TEST, ["WPT-TEST {oops", harness_line("OK")], IDLE)
    assert result.status == "ERROR"
    assert "unreadable report line" in result.message


def test_harness_status_and_message():
    result = protocol.interpret(TEST, LINES, IDLE, duration_ms=12)
    assert result.status == "OK" and result.message is None and result.duration_ms == 12
    assert len(result.subtests) == 5
    result = protocol.interpret(TEST, [harness_line("ERROR", "Error: boom\n at x")], IDLE)
    assert (result.status, result.message) == ("ERROR", "Error: boom\n at x")
    result = protocol.interpret(TEST, [harness_line("TIMEOUT")], IDLE)
    assert result.status == "TIMEOUT"


def test_crash_keeps_the_subtests_reported_before_it():
    crash = protocol.exit_from_returncode(-11, "thread 'script' panicked")
    result = protocol.interpret(TEST, [subtest_line("one")], crash)
    assert result.status == "CRASH"
    assert "signal 11 (SIGSEGV)" in result.message and "panicked" in result.message
    assert [s.name for s in result.subtests] == ["one"]


def test_crash_after_the_harness_completed_is_still_a_crash():
    result = protocol.interpret(TEST, LINES, protocol.exit_from_returncode(101))
    assert result.status == "CRASH" and "exit status 101" in result.message


@pytest.mark.parametrize("returncode, status, words", [
    (3, "TIMEOUT", "--timeout expired"),
    (1, "ERROR", "could not be loaded"),
    (2, "ERROR", "rejected its command line"),
    (0, "ERROR", "never completed"),
    (-6, "CRASH", "SIGABRT"),
    (134, "CRASH", "exit status 134"),
])
def test_exit_without_harness_line(returncode, status, words):
    result = protocol.interpret(TEST, [subtest_line("one")], protocol.exit_from_returncode(returncode))
    assert result.status == status
    assert words in result.message


def test_engine_killed_by_the_runner_is_a_timeout():
    result = protocol.interpret(TEST, [], EngineExit(protocol.KILLED, "killed by the runner"))
    assert result.status == "TIMEOUT" and "outlived its --timeout" in result.message


def test_stopped_after_completion_keeps_the_harness_status():
    result = protocol.interpret(TEST, LINES, EngineExit(protocol.STOPPED))
    assert result.status == "OK"


@pytest.mark.parametrize("engine_exit, status", [
    (IDLE, "PASS"),
    (protocol.exit_from_returncode(-11), "CRASH"),
    (protocol.exit_from_returncode(3), "TIMEOUT"),
    (EngineExit(protocol.KILLED), "TIMEOUT"),
    (protocol.exit_from_returncode(1), "ERROR"),
])
def test_crashtest_statuses(engine_exit, status):
    result = protocol.interpret(CRASH_TEST, ["console output"], engine_exit)
    assert result.status == status
    assert result.subtests == []


def test_expected_counts():
    result = protocol.interpret(TEST, LINES, IDLE)
    result.subtests[1].expected = ["FAIL"]
    # 1 file + 5 subtests: PASS, FAIL (expected), TIMEOUT, NOTRUN, PRECONDITION_FAILED.
    assert protocol.expected_counts([result]) == (3, 3)
