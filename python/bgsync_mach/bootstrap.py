"""`./mach bootstrap`: installs what the other commands need, and is fast when that is done.

Three parts, each checked on every call:
- Debian packages (clang-19 and libclang-19-dev for mozjs's bindgen; chromium on request):
  `dpkg-query` tells which are missing; only then `apt-get update` and `apt-get install`.
- The Python venv python/_venv with python/requirements.txt: redone when the stamp file
  python/_venv/.bgsync-stamp does not hold the hash of requirements.txt and the Python version.
- Two npm trees, each `npm ci` from its package-lock.json: wpt/node_modules (the harness
  files, the spec IDL, playwright-core, idb and idb-keyval) and examples/node_modules (Workbox,
  for the outbox demo, the shell's Workbox tests and the Workbox benchmark). Each is redone when
  its node_modules/.bgsync-stamp does not hold the hash of its package.json and
  package-lock.json, or a file that is served or run from it is missing.
Each stamp lives inside what it describes, so deleting the venv or node_modules redoes it.
"""

import hashlib
import os
import shutil
import subprocess
import sys

from . import paths

APT_PACKAGES = ["clang-19", "libclang-19-dev"]
CHROMIUM_PACKAGES = ["chromium"]
NODE_PACKAGES = ["nodejs", "npm"]
STAMP_NAME = ".bgsync-stamp"

# Files served or run from each npm tree: a completed `npm ci` has them all.
REQUIRED_NODE_FILES = [
    "wpt-runner/testharness/testharness.js",
    "wpt-runner/testharness/idlharness.js",
    "wpt-runner/testharness/webidl2.js",
    "@webref/idl/background-sync.idl",
    "@webref/idl/service-workers.idl",
    "playwright-core/package.json",
    "jsdom/package.json",
    "idb/build/umd.js",
    "idb-keyval/dist/umd.js",
]
REQUIRED_EXAMPLE_NODE_FILES = ["workbox-sw/build/workbox-sw.js"] + [
    f"workbox-{module}/build/workbox-{module}.{build}.js"
    for module in ("core", "routing", "strategies", "background-sync")
    for build in ("prod", "dev")
] + ["workbox-window/build/workbox-window.prod.umd.js"]


def npm_trees():
    """(directory with package.json, its node_modules, the files needed from it)."""
    return [(paths.WPT_DIR, paths.NODE_MODULES, REQUIRED_NODE_FILES),
            (paths.EXAMPLES_DIR, paths.EXAMPLES_NODE_MODULES, REQUIRED_EXAMPLE_NODE_FILES)]


class BootstrapError(Exception):
    pass


def _log(message):
    print(f"bootstrap: {message}", file=sys.stderr, flush=True)


def _run(command, **kwargs):
    _log("+ " + " ".join(command))
    status = subprocess.call(command, **kwargs)
    if status != 0:
        raise BootstrapError(f"'{' '.join(command)}' failed with exit status {status}")


def digest(*parts):
    """sha256 over byte strings, file contents (for paths that exist) and text."""
    hasher = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif os.path.isfile(part):
            with open(part, "rb") as f:
                data = f.read()
        else:
            data = part.encode()
        hasher.update(len(data).to_bytes(8, "little") + data)
    return hasher.hexdigest()


def read_stamp(directory):
    try:
        with open(os.path.join(directory, STAMP_NAME), encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def write_stamp(directory, value):
    with open(os.path.join(directory, STAMP_NAME), "w", encoding="utf-8") as f:
        f.write(value + "\n")


# --- Debian packages ---------------------------------------------------------------------

def missing_apt_packages(packages):
    missing = []
    for package in packages:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                capture_output=True, text=True)
        if result.returncode != 0 or result.stdout.strip() != "install ok installed":
            missing.append(package)
    return missing


def ensure_apt(packages):
    if not shutil.which("dpkg-query"):
        _log(f"not a Debian system: make sure these are installed: {' '.join(packages)}")
        return False
    missing = missing_apt_packages(packages)
    if not missing:
        return False
    if os.geteuid() != 0:
        raise BootstrapError("missing Debian packages; as root run: apt-get update && "
                             f"apt-get install -y {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    _run(["apt-get", "update", "-q"], env=env)
    _run(["apt-get", "install", "-y", "-q"] + missing, env=env)
    return True


# --- Python venv -------------------------------------------------------------------------

def _base_python():
    """A Python outside the venv, to create it with (mach may run inside it already)."""
    if not paths.in_venv():
        return sys.executable
    candidate = os.path.join(sys.base_prefix, "bin", "python3")
    return candidate if os.path.exists(candidate) else "python3"


def venv_wanted_stamp():
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return digest(paths.REQUIREMENTS, "python " + version)


def ensure_venv(force=False):
    wanted = venv_wanted_stamp()
    venv_works = os.path.exists(paths.VENV_PYTHON) and subprocess.call(
        [paths.VENV_PYTHON, "-c", "pass"], stderr=subprocess.DEVNULL) == 0
    if venv_works and not force and read_stamp(paths.VENV_DIR) == wanted:
        return False
    if not venv_works:
        _run([_base_python(), "-m", "venv", "--clear", paths.VENV_DIR])
    _run([paths.VENV_PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q",
          "-r", paths.REQUIREMENTS])
    write_stamp(paths.VENV_DIR, wanted)
    return True


# --- npm ---------------------------------------------------------------------------------

def npm_wanted_stamp(directory):
    return digest(os.path.join(directory, "package.json"),
                  os.path.join(directory, "package-lock.json"))


def missing_node_files(node_modules, required):
    return [name for name in required
            if not os.path.exists(os.path.join(node_modules, *name.split("/")))]


def ensure_node_modules(force=False):
    changed = False
    for directory, node_modules, required in npm_trees():
        wanted = npm_wanted_stamp(directory)
        if not force and read_stamp(node_modules) == wanted \
                and not missing_node_files(node_modules, required):
            continue
        if not shutil.which("npm"):
            ensure_apt(NODE_PACKAGES)
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=directory)
        missing = missing_node_files(node_modules, required)
        if missing:
            raise BootstrapError(f"npm ci finished but these files are missing from "
                                 f"{os.path.relpath(node_modules, paths.REPO_ROOT)} (did a "
                                 f"package change its layout?): {', '.join(missing)}")
        write_stamp(node_modules, wanted)
        changed = True
    return changed


def ensure(chromium=False, force=False, quiet=False):
    """Installs whatever is missing or out of date. Raises BootstrapError on failure."""
    changed = ensure_apt(APT_PACKAGES + (CHROMIUM_PACKAGES if chromium else []))
    changed |= ensure_venv(force)
    changed |= ensure_node_modules(force)
    if not shutil.which("cargo"):
        _log("cargo is not on PATH: install the Rust toolchain (rustup) to build bgsync")
    if not quiet or changed:
        _log("done" if changed else "up to date")
    return changed
