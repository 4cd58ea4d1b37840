"""mach itself: the command line, cargo's environment, bootstrap's stamps, test's summary."""

import json
import os
import re
import subprocess
import sys

import pytest

from bgsync_mach import bootstrap, cargo, paths, testing
from conftest import REPO_ROOT

MACH = os.path.join(REPO_ROOT, "mach")


def system_python():
    """A python3 outside the venv: mach must run before bootstrap made it."""
    return os.path.join(sys.base_prefix, "bin", "python3")


def test_mach_help_runs_on_the_standard_library_alone():
    # -I -S: no site-packages, no user site, no PYTHONPATH: only the standard library.
    result = subprocess.run([system_python(), "-I", "-S", MACH, "--help"], capture_output=True,
                            text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    for command in ("bootstrap", "build", "run", "test", "test-wpt", "bench"):
        assert re.search(rf"^\s+{command}\b", result.stdout, re.M), command


def test_mach_is_an_executable_python3_script():
    with open(MACH) as f:
        assert f.readline() == "#!/usr/bin/env python3\n"
    assert os.access(MACH, os.X_OK)


def test_test_wpt_help_lists_the_issue_flags():
    result = subprocess.run([sys.executable, MACH, "test-wpt", "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    for flag in ("--wpt-root", "--log-wptreport", "--product", "--compare", "-j",
                 "--update-expectations"):
        assert flag in result.stdout


def test_cargo_env_adds_only_the_target_dir_and_the_spidermonkey_archive(monkeypatch):
    monkeypatch.setenv("CC", "user-cc")
    monkeypatch.delenv("CARGO_TARGET_DIR", raising=False)
    monkeypatch.setattr(cargo, "ensure_spidermonkey_archive", lambda: "/cache/libmozjs.tar.gz")
    env = cargo.cargo_env()
    expected = os.path.join(os.path.expanduser("~"), ".cache", "bgsync", "target")
    assert env["CARGO_TARGET_DIR"] == expected
    assert env["MOZJS_ARCHIVE"] == "/cache/libmozjs.tar.gz"
    added = ("CARGO_TARGET_DIR", "MOZJS_ARCHIVE")
    assert {key: value for key, value in env.items() if key not in added} == \
        {key: value for key, value in os.environ.items() if key not in added}
    monkeypatch.setenv("CARGO_TARGET_DIR", "/somewhere/else")
    assert cargo.cargo_env()["CARGO_TARGET_DIR"] == "/somewhere/else"
    assert paths.bgsync_binary() == "/somewhere/else/debug/bgsync"
    for name in ("PYTHON", "MAKE", "CXX", "CFLAGS", "AR"):
        assert cargo.cargo_env().get(name) == os.environ.get(name)


def test_build_runs_cargo_build_p_shell(monkeypatch):
    calls = []
    monkeypatch.setattr(cargo.subprocess, "call", lambda command, **kw: calls.append((command, kw)) or 0)
    assert cargo.build() == 0
    command, kwargs = calls[0]
    assert command == ["cargo", "build", "-p", "shell"]
    assert kwargs["cwd"] == REPO_ROOT and "CARGO_TARGET_DIR" in kwargs["env"]


@pytest.fixture
def fake_tree(tmp_path, monkeypatch):
    """bootstrap pointed at a scratch tree, with every install step recorded, not run."""
    venv = tmp_path / "python" / "_venv"
    wpt_dir = tmp_path / "wpt"
    node_modules = wpt_dir / "node_modules"
    (tmp_path / "python").mkdir()
    wpt_dir.mkdir()
    (tmp_path / "python" / "requirements.txt").write_text("wptserve==4.0.3\n")
    examples_dir = tmp_path / "examples"
    for directory in (wpt_dir, examples_dir):
        directory.mkdir(exist_ok=True)
        (directory / "package.json").write_text("{}")
        (directory / "package-lock.json").write_text("{}")
    monkeypatch.setattr(paths, "VENV_DIR", str(venv))
    monkeypatch.setattr(paths, "VENV_PYTHON", sys.executable)  # "a working venv python"
    monkeypatch.setattr(paths, "REQUIREMENTS", str(tmp_path / "python" / "requirements.txt"))
    monkeypatch.setattr(paths, "WPT_DIR", str(wpt_dir))
    monkeypatch.setattr(paths, "NODE_MODULES", str(node_modules))
    monkeypatch.setattr(paths, "EXAMPLES_DIR", str(examples_dir))
    monkeypatch.setattr(paths, "EXAMPLES_NODE_MODULES", str(examples_dir / "node_modules"))
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        if command[:2] == ["npm", "ci"]:
            wpt = kwargs["cwd"] == str(wpt_dir)
            required = bootstrap.REQUIRED_NODE_FILES if wpt \
                else bootstrap.REQUIRED_EXAMPLE_NODE_FILES
            for name in required:
                path = (node_modules if wpt else examples_dir / "node_modules").joinpath(
                    *name.split("/"))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("")
        if "venv" in command:
            venv.mkdir(parents=True, exist_ok=True)

    monkeypatch.setattr(bootstrap, "_run", fake_run)
    monkeypatch.setattr(bootstrap, "missing_apt_packages", lambda packages: [])
    venv.mkdir(parents=True)
    return tmp_path, calls


def test_bootstrap_installs_once_then_is_up_to_date(fake_tree):
    tree, calls = fake_tree
    assert bootstrap.ensure(quiet=True) is True
    assert [c[:2] for c in calls] == [[sys.executable, "-m"], ["npm", "ci"], ["npm", "ci"]]
    calls.clear()
    assert bootstrap.ensure(quiet=True) is False
    assert calls == []


def test_bootstrap_redoes_what_changed(fake_tree):
    tree, calls = fake_tree
    bootstrap.ensure(quiet=True)
    calls.clear()
    (tree / "python" / "requirements.txt").write_text("wptserve==4.0.3\npytest==9.2.0\n")
    bootstrap.ensure(quiet=True)
    assert len(calls) == 1 and "pip" in calls[0]
    calls.clear()
    (tree / "wpt" / "package-lock.json").write_text('{"changed": true}')
    bootstrap.ensure(quiet=True)
    assert calls == [["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]]
    calls.clear()
    os.remove(tree / "wpt" / "node_modules" / "wpt-runner" / "testharness" / "testharness.js")
    bootstrap.ensure(quiet=True)
    assert calls and calls[0][:2] == ["npm", "ci"]
    calls.clear()
    os.remove(tree / "examples" / "node_modules" / "workbox-sw" / "build" / "workbox-sw.js")
    bootstrap.ensure(quiet=True)
    assert calls == [["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]]


def test_bootstrap_installs_missing_apt_packages_with_update_first(monkeypatch):
    calls = []
    monkeypatch.setattr(bootstrap, "missing_apt_packages", lambda packages: ["clang-19"])
    monkeypatch.setattr(bootstrap, "_run", lambda command, **kw: calls.append(command))
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 0)
    assert bootstrap.ensure_apt(["clang-19", "libclang-19-dev"]) is True
    assert calls == [["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "clang-19"]]
    monkeypatch.setattr(bootstrap, "missing_apt_packages", lambda packages: [])
    calls.clear()
    assert bootstrap.ensure_apt(["clang-19"]) is False and calls == []


def test_stage_counters():
    cargo_output = ("running 3 tests\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured\n"
                    "test result: FAILED. 5 passed; 2 failed; 1 ignored; 0 measured\n")
    assert testing.cargo_counts(cargo_output) == (8, 2)
    assert testing.pytest_counts("...\n2 failed, 40 passed, 1 error in 3.21s\n") == (40, 3)
    assert testing.pytest_counts("=== 12 passed in 0.5s ===") == (12, 0)
    assert testing.wpt_counts("Ran 3 tests\nwpt: 20 passed, 1 failed\n") == (20, 1)
    assert testing.wpt_counts("crashed before the end") == (0, 0)
    assert testing.demo_counts("...\nEverything went as the story says.\n\n(the demo took") == (1, 0)
    assert testing.demo_counts("The story did not go as expected:\n  - step 2: ...") == (0, 1)


def test_tidy_counts_each_check_and_runs_them_all(monkeypatch):
    monkeypatch.setattr(testing, "TIDY_CHECKS", [("format", ["false"]), ("lints", ["true"])])
    monkeypatch.setattr(testing.cargo, "cargo_env", lambda: dict(os.environ))
    result = testing._tidy_stage()
    assert (result.name, result.ok, result.passed, result.failed) == ("tidy", False, 1, 1)
    assert result.note == "format failed"
    monkeypatch.setattr(testing, "TIDY_CHECKS", [("format", ["true"]), ("lints", ["true"])])
    result = testing._tidy_stage()
    assert (result.ok, result.passed, result.failed, result.note) == (True, 2, 0, "")


def test_tidy_checks_format_and_denies_clippy_warnings():
    commands = dict(testing.TIDY_CHECKS)
    assert commands["cargo fmt"][-1] == "--check"
    assert commands["cargo clippy"][-2:] == ["-D", "warnings"]
    assert "--all-targets" in commands["cargo clippy"]


def test_summary_ends_with_the_overall_line():
    stages = [testing.StageResult("bootstrap", True),
              testing.StageResult("cargo test", False, 10, 0, 3.0, "exit status 101"),
              testing.StageResult("pytest", True, 40, 0, 2.0),
              testing.StageResult("test-wpt", False, 20, 2, 9.0)]
    stages[1].failed = 1
    lines = testing.summary_lines(stages)
    assert lines[-1] == "70 passed, 3 failed"
    assert re.fullmatch(r"\d+ passed, \d+ failed", lines[-1])
    assert any(line.startswith("cargo test  FAILED") and "exit status 101" in line
               for line in lines)


def test_ci_script_bootstraps_then_runs_mach_test():
    with open(os.path.join(REPO_ROOT, ".ci", "run")) as f:
        text = f.read()
    assert "set -euo pipefail" in text
    assert 'export CARGO_TARGET_DIR="$HOME/.cache/bgsync/target"' in text
    commands = [line.strip() for line in text.splitlines()
                if line.strip() and not line.strip().startswith("#")]
    assert commands[-2:] == ["./mach bootstrap", "./mach test"]


def test_dependencies_are_pinned():
    with open(paths.REQUIREMENTS) as f:
        requirements = [line.split("#")[0].strip() for line in f]
    requirements = [line for line in requirements if line]
    assert "wptserve==4.0.3" in requirements
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[\w.]+", line) for line in requirements)
    for directory in (paths.WPT_DIR, paths.EXAMPLES_DIR):
        with open(os.path.join(directory, "package.json")) as f:
            dependencies = json.load(f)["dependencies"]
        assert all(re.fullmatch(r"\d+\.\d+\.\d+", version)
                   for version in dependencies.values())
        with open(os.path.join(directory, "package-lock.json")) as f:
            lock = json.load(f)
        assert lock["packages"][""]["dependencies"] == dependencies
        for name, version in dependencies.items():
            assert lock["packages"][f"node_modules/{name}"]["version"] == version
        if directory == paths.WPT_DIR:
            assert dependencies["wpt-runner"] == "7.0.0"
            assert dependencies["@webref/idl"] == "3.85.0"
        else:
            assert dependencies["workbox-background-sync"] == "7.4.1"
