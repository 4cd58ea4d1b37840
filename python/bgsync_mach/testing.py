"""`./mach test`: every test suite, then one summary.

Stages: bootstrap; tidy (`cargo fmt --check`, then `cargo clippy --all-targets -D warnings`, like
Servo's `mach test-tidy`); `cargo test --workspace`; `pytest python/tests`; `./mach test-wpt`, then
again under GC zeal (`--gc-zeal`: a minor GC at each of the engine's allocation points); the
outbox demo (`./mach run --no-build`, one test, checked against the real engine). Every
stage runs even when an earlier one failed (except after a failed bootstrap, which the others
need). Each stage's output is shown as it comes and read for its counts; the summary gives a
line per stage and, last, `N passed, N failed` over all of them. A stage that failed without
counting a failed test (a build error, say) counts as one failure.
"""

import re
import subprocess
import sys
import time
from dataclasses import dataclass

from . import bootstrap, cargo, paths

_CARGO_RESULT = re.compile(r"^test result: \w+\. (\d+) passed; (\d+) failed", re.M)
_PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?)\b")
_WPT_RESULT = re.compile(r"^wpt: (\d+) passed, (\d+) failed\s*$", re.M)


@dataclass
class StageResult:
    name: str
    ok: bool
    passed: int = 0
    failed: int = 0
    seconds: float = 0.0
    note: str = ""


def cargo_counts(output):
    passed = failed = 0
    for match in _CARGO_RESULT.finditer(output):
        passed += int(match.group(1))
        failed += int(match.group(2))
    return passed, failed


def pytest_counts(output):
    """Counts from pytest's closing line (`3 failed, 40 passed, 1 error in 2.1s`)."""
    lines = [line for line in output.splitlines() if re.search(r"\bin [\d.]+s\b", line)]
    passed = failed = 0
    if lines:
        for number, word in _PYTEST_COUNT.findall(lines[-1]):
            if word == "passed":
                passed += int(number)
            else:
                failed += int(number)
    return passed, failed


def demo_counts(output):
    """The outbox demo is one test: passed when its story went as told."""
    return (1, 0) if DEMO_PASSED in output else (0, 1)


DEMO_PASSED = "Everything went as the story says."


def wpt_counts(output):
    matches = _WPT_RESULT.findall(output)
    if not matches:
        return 0, 0
    return int(matches[-1][0]), int(matches[-1][1])


def _tee(command, env=None):
    """Runs `command`, echoing its output (stderr merged) as it comes; (status, output)."""
    print("+ " + " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=paths.REPO_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    chunks = []
    for raw in process.stdout:
        text = raw.decode("utf-8", errors="replace")
        chunks.append(text)
        sys.stdout.write(text)
        sys.stdout.flush()
    return process.wait(), "".join(chunks)


def _stage(name, command, counter, env=None):
    print(f"\n=== {name}", flush=True)
    started = time.monotonic()
    status, output = _tee(command, env)
    passed, failed = counter(output)
    result = StageResult(name, status == 0, passed, failed, time.monotonic() - started)
    if status != 0 and failed == 0:
        result.failed = 1
        result.note = f"exit status {status}"
    return result


# The tidy checks: (name, command). Each counts as one passed or failed test.
TIDY_CHECKS = [
    ("cargo fmt", ["cargo", "fmt", "--all", "--", "--check"]),
    ("cargo clippy", ["cargo", "clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
]


def _tidy_stage():
    """Formatting and lints: a failed check is a failed test, and the others still run."""
    print("\n=== tidy", flush=True)
    started = time.monotonic()
    failed_checks = []
    for name, command in TIDY_CHECKS:
        status, _ = _tee(command, env=cargo.cargo_env())
        if status != 0:
            failed_checks.append(name)
    passed = len(TIDY_CHECKS) - len(failed_checks)
    return StageResult("tidy", not failed_checks, passed, len(failed_checks),
                       time.monotonic() - started,
                       note=", ".join(f"{name} failed" for name in failed_checks))


def summary_lines(stages):
    lines = ["", "=== Summary"]
    width = max(len(stage.name) for stage in stages)
    for stage in stages:
        counts = f"{stage.passed} passed, {stage.failed} failed"
        note = f"  ({stage.note})" if stage.note else ""
        lines.append(f"{stage.name.ljust(width)}  {'ok    ' if stage.ok else 'FAILED'}  "
                     f"{counts:<24} {stage.seconds:7.1f}s{note}")
    passed = sum(stage.passed for stage in stages)
    failed = sum(stage.failed for stage in stages)
    lines.append(f"{passed} passed, {failed} failed")
    return lines


def run_all():
    stages = []
    print("=== bootstrap", flush=True)
    started = time.monotonic()
    try:
        bootstrap.ensure()
        stages.append(StageResult("bootstrap", True, seconds=time.monotonic() - started))
    except bootstrap.BootstrapError as error:
        print(f"mach: bootstrap failed: {error}", file=sys.stderr)
        stages.append(StageResult("bootstrap", False, failed=1,
                                  seconds=time.monotonic() - started, note=str(error)))
    if stages[0].ok:
        stages.append(_tidy_stage())
        stages.append(_stage("cargo test", ["cargo", "test", "--workspace", "--no-fail-fast"],
                             cargo_counts, env=cargo.cargo_env()))
        stages.append(_stage("pytest", [paths.VENV_PYTHON, "-m", "pytest", "python/tests"],
                             pytest_counts))
        # Service-worker variants of .any.js tests too (the IndexedDB libraries run in both).
        stages.append(_stage("test-wpt", [paths.VENV_PYTHON, paths.MACH, "test-wpt",
                                          "--global", "serviceworker"], wpt_counts,
                             env=cargo.cargo_env()))
        # The same tests with a minor GC at each of the engine's allocation points, so a GC
        # pointer Rust holds where a moving collection cannot update it crashes a test.
        stages.append(_stage("test-wpt gc-zeal", [paths.VENV_PYTHON, paths.MACH, "test-wpt",
                                                  "--no-build", "--gc-zeal", "--global",
                                                  "serviceworker"], wpt_counts,
                             env=cargo.cargo_env()))
        # The outbox demo of `./mach run`, on the bgsync that test-wpt built: its story is
        # checked against the real engine, server and profile.
        stages.append(_stage("demo", [paths.VENV_PYTHON, paths.MACH, "run", "--no-build"],
                             demo_counts, env=cargo.cargo_env()))
    for line in summary_lines(stages):
        print(line)
    return 0 if all(stage.ok for stage in stages) else 1
