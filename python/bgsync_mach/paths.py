"""Where things are. Every path mach uses is computed here."""

import os
import sys

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(PYTHON_DIR)
MACH = os.path.join(REPO_ROOT, "mach")
VENV_DIR = os.path.join(PYTHON_DIR, "_venv")
VENV_PYTHON = os.path.join(VENV_DIR, "bin", "python")
REQUIREMENTS = os.path.join(PYTHON_DIR, "requirements.txt")
WPT_DIR = os.path.join(REPO_ROOT, "wpt")
WPT_TESTS = os.path.join(WPT_DIR, "tests")
WPT_META = os.path.join(WPT_DIR, "meta")
NODE_MODULES = os.path.join(WPT_DIR, "node_modules")
EXAMPLES_DIR = os.path.join(REPO_ROOT, "examples")
EXAMPLES_NODE_MODULES = os.path.join(EXAMPLES_DIR, "node_modules")
CHROMIUM = "/usr/bin/chromium"


def cargo_target_dir():
    """CARGO_TARGET_DIR from the environment, else ~/.cache/bgsync/target (one SpiderMonkey
    build per target directory, so every checkout shares it)."""
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "bgsync", "target")


def bgsync_binary():
    return os.path.join(cargo_target_dir(), "debug", "bgsync")


def state_dir():
    """Where mach keeps what is not source: the last WPT run of each product."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "bgsync", "wpt")


def in_venv():
    try:
        return os.path.samefile(sys.prefix, VENV_DIR)
    except OSError:
        return False
