"""From an engine run (its console lines and how it ended) to a test result.

The page reports through resources/testharnessreport.js, one console line each:
    WPT-TEST {"name": ..., "status": ..., "message": ...}      per subtest
    WPT-HARNESS {"status": ..., "message": ...}                 once, at completion
Other console lines are the page's own output, kept for the log.

How the engine ended is an `EngineExit`: bgsync's exit status 0 (ran to idle), 1 (page could
not be loaded), 2 (bad usage), 3 (its --timeout expired), anything else or a signal (crash);
the runner adds `stopped` (it ended the engine after the harness had completed) and `killed`
(the engine outlived its own --timeout and the runner killed it).
"""

import json
import signal
from dataclasses import dataclass, field

from .testfiles import CRASHTEST

SUBTEST_STATUSES = ("PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED")
HARNESS_STATUSES = ("OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED")
TEST_STATUSES = ("OK", "ERROR", "TIMEOUT", "CRASH", "PRECONDITION_FAILED")
CRASHTEST_STATUSES = ("PASS", "ERROR", "TIMEOUT", "CRASH")

TEST_PREFIX = "WPT-TEST "
HARNESS_PREFIX = "WPT-HARNESS "

# How an engine run ended.
IDLE = "idle"
LOAD_FAILED = "load-failed"
BAD_USAGE = "bad-usage"
TIMEOUT = "timeout"
CRASHED = "crash"
STOPPED = "stopped"
KILLED = "killed"

_BGSYNC_EXIT_CODES = {0: IDLE, 1: LOAD_FAILED, 2: BAD_USAGE, 3: TIMEOUT}


@dataclass
class EngineExit:
    how: str  # one of IDLE, LOAD_FAILED, BAD_USAGE, TIMEOUT, CRASHED, STOPPED, KILLED
    detail: str = ""  # "exit status 101", "signal 11 (SIGSEGV)", ...
    stderr_tail: str = ""  # last lines of the engine's diagnostics


def exit_from_returncode(returncode, stderr_tail=""):
    """The EngineExit of a bgsync process that exited by itself with `returncode`
    (negative: killed by that signal, as subprocess reports it)."""
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        return EngineExit(CRASHED, f"killed by signal {number} ({name})", stderr_tail)
    if returncode in _BGSYNC_EXIT_CODES:
        return EngineExit(_BGSYNC_EXIT_CODES[returncode], f"exit status {returncode}", stderr_tail)
    return EngineExit(CRASHED, f"exit status {returncode}", stderr_tail)


@dataclass
class SubtestResult:
    name: str
    status: str
    message: object = None  # str or None
    expected: list = field(default_factory=lambda: ["PASS"])

    @property
    def is_unexpected(self):
        return self.status not in self.expected


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    test_id: str
    status: str
    message: object = None
    subtests: list = field(default_factory=list)
    duration_ms: int = 0
    console: list = field(default_factory=list)  # the page's other console lines
    stderr_tail: str = ""
    expected: list = field(default_factory=lambda: ["OK"])

    @property
    def is_unexpected(self):
        return self.status not in self.expected

    @property
    def unexpected_subtests(self):
        return [subtest for subtest in self.subtests if subtest.is_unexpected]


@dataclass
class Report:
    subtests: list  # SubtestResult, in the order reported
    harness: object  # (status, message) or None when the harness never completed
    console: list  # console lines that are not report lines
    errors: list  # report lines that could not be read


def parse_report(lines):
    """Reads the report lines out of an engine's console output (a list of lines)."""
    report = Report([], None, [], [])
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith(TEST_PREFIX):
            record = _record(line[len(TEST_PREFIX):], SUBTEST_STATUSES, report.errors, line)
            if record is not None:
                report.subtests.append(SubtestResult(str(record.get("name")), record["status"],
                                                     record["message"]))
        elif line.startswith(HARNESS_PREFIX):
            record = _record(line[len(HARNESS_PREFIX):], HARNESS_STATUSES, report.errors, line)
            if record is not None and report.harness is None:
                report.harness = (record["status"], record["message"])
        else:
            report.console.append(line)
    return report


def _record(text, statuses, errors, line):
    try:
        record = json.loads(text)
    except ValueError as error:
        errors.append(f"unreadable report line ({error}): {line[:200]}")
        return None
    if not isinstance(record, dict) or record.get("status") not in statuses:
        errors.append(f"report line with an unknown status: {line[:200]}")
        return None
    message = record.get("message")
    record["message"] = None if message is None else str(message)
    return record


def _tail_note(engine_exit):
    return f"; stderr: {engine_exit.stderr_tail.strip()}" if engine_exit.stderr_tail.strip() else ""


def interpret(test, lines, engine_exit, duration_ms=0):
    """The TestResult of running `test`: its console `lines` and how the engine ended."""
    report = parse_report(lines)
    result = TestResult(test.id, "OK", duration_ms=duration_ms, console=report.console,
                        stderr_tail=engine_exit.stderr_tail)
    if test.kind == CRASHTEST:
        result.status, result.message = _crashtest_status(engine_exit)
        return result

    result.subtests = report.subtests
    how = engine_exit.how
    if how == CRASHED:
        result.status = "CRASH"
        result.message = f"engine crashed: {engine_exit.detail}{_tail_note(engine_exit)}"
    elif report.harness is not None:
        result.status, result.message = report.harness
        if report.errors and result.status == "OK":
            result.status, result.message = "ERROR", "; ".join(report.errors)
    elif how in (TIMEOUT, KILLED):
        result.status = "TIMEOUT"
        result.message = ("the engine's --timeout expired before the harness completed"
                          if how == TIMEOUT else
                          f"the engine outlived its --timeout and was killed ({engine_exit.detail})")
    elif how == LOAD_FAILED:
        result.status = "ERROR"
        result.message = f"the page could not be loaded{_tail_note(engine_exit)}"
    elif how == BAD_USAGE:
        result.status = "ERROR"
        result.message = f"the engine rejected its command line (exit 2){_tail_note(engine_exit)}"
    else:
        result.status = "ERROR"
        result.message = ("the page ran to idle but the harness never completed (no WPT-HARNESS "
                          "line: did testharness.js and testharnessreport.js load?)"
                          + _tail_note(engine_exit))
    return result


def _crashtest_status(engine_exit):
    how = engine_exit.how
    if how in (IDLE, STOPPED):
        return "PASS", None
    if how == CRASHED:
        return "CRASH", f"engine crashed: {engine_exit.detail}{_tail_note(engine_exit)}"
    if how in (TIMEOUT, KILLED):
        return "TIMEOUT", "the page did not run to idle before the timeout"
    if how == LOAD_FAILED:
        return "ERROR", f"the page could not be loaded{_tail_note(engine_exit)}"
    return "ERROR", f"the engine rejected its command line{_tail_note(engine_exit)}"


def expected_counts(results):
    """(as expected, unexpected): tests and subtests counted one each."""
    passed = failed = 0
    for result in results:
        for item in [result] + list(result.subtests):
            if item.is_unexpected:
                failed += 1
            else:
                passed += 1
    return passed, failed
