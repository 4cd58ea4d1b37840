"""Shared fixtures for the tests of mach and the WPT runner (none needs the bgsync binary)."""

import json
import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(TESTS_DIR)
REPO_ROOT = os.path.dirname(PYTHON_DIR)
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

FAKE_ENGINE = os.path.join(TESTS_DIR, "engines", "fake-engine")
JSDOM_ENGINE = os.path.join(TESTS_DIR, "engines", "jsdom-engine")

HARNESS_PAGE = """<!doctype html>
<script src="/resources/testharness.js"></script>
<script src="/resources/testharnessreport.js"></script>
<script>test(() => {}, "ok");</script>
"""


def write_files(root, files):
    """Creates `files` ({relative path: text}) under `root`; returns root as a str."""
    for rel, text in files.items():
        path = os.path.join(str(root), *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return str(root)


def subtest_line(name, status="PASS", message=None):
    return "WPT-TEST " + json.dumps({"name": name, "status": status, "message": message})


def harness_line(status="OK", message=None):
    return "WPT-HARNESS " + json.dumps({"status": status, "message": message})


@pytest.fixture
def fake_engine(tmp_path, monkeypatch):
    """Returns a function that scripts the fake engine; its argv log is at .log."""
    script_path = tmp_path / "fake-engine-script.json"
    log_path = tmp_path / "fake-engine-log.jsonl"
    monkeypatch.setenv("FAKE_ENGINE_SCRIPT", str(script_path))
    monkeypatch.setenv("FAKE_ENGINE_LOG", str(log_path))

    class Fake:
        binary = FAKE_ENGINE
        log = log_path

        def script(self, behaviours):
            script_path.write_text(json.dumps(behaviours))

        def runs(self):
            if not log_path.exists():
                return []
            return [json.loads(line) for line in log_path.read_text().splitlines()]

    fake = Fake()
    fake.script({"": {"lines": [subtest_line("ok"), harness_line()]}})
    return fake


def have_node_modules():
    return os.path.exists(os.path.join(REPO_ROOT, "wpt", "node_modules", "jsdom", "package.json"))
