"""Building and running the engine.

cargo runs with the user's environment plus CARGO_TARGET_DIR and MOZJS_ARCHIVE, nothing else:
CC, CXX, CFLAGS, AR, PYTHON or MAKE set here would change mozjs_sys's build inputs.

SpiderMonkey is built from source once per machine (~20-35 minutes on 2 cores). Any change in
the dependency graph (a new crate, a feature of `libc` turned on by another package, `cargo test
-p X` selecting a different feature set) gives mozjs_sys a new build directory, which would mean
building it again. So the first from-source build is packed, with mozjs_sys's own
MOZJS_CREATE_ARCHIVE, into `~/.cache/bgsync/libmozjs-<target>.tar.gz`, and every cargo run gets
MOZJS_ARCHIVE pointing at it: mozjs_sys then unpacks the prebuilt library (seconds) instead of
compiling. mozjs_sys reruns its build script whenever MOZJS_ARCHIVE changes, so run cargo by hand
with the same variable (`eval "$(./mach env)"`) or through mach.
"""

import os
import subprocess
import sys

from . import paths


def target_triple():
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    raise RuntimeError("rustc -vV printed no host triple")


def spidermonkey_archive():
    """Where the packed SpiderMonkey build of this machine lives."""
    return os.path.join(os.path.expanduser("~/.cache/bgsync"), f"libmozjs-{target_triple()}.tar.gz")


def ensure_spidermonkey_archive():
    """Builds SpiderMonkey from source and packs it, if this machine has no archive yet."""
    archive = spidermonkey_archive()
    if os.path.exists(archive):
        return archive
    print("bgsync: no prebuilt SpiderMonkey on this machine yet: building it from source once "
          "(about 20-35 minutes), then packing it to " + archive, file=sys.stderr, flush=True)
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = paths.cargo_target_dir()
    env.pop("MOZJS_ARCHIVE", None)
    env["MOZJS_CREATE_ARCHIVE"] = "1"
    status = subprocess.call(["cargo", "build", "-p", "mozjs_sys"], cwd=paths.REPO_ROOT, env=env)
    packed = os.path.join(paths.cargo_target_dir(), os.path.basename(archive))
    if status != 0 or not os.path.exists(packed):
        raise SystemExit(f"bgsync: building SpiderMonkey failed (cargo exit status {status})")
    os.makedirs(os.path.dirname(archive), exist_ok=True)
    tmp = archive + ".tmp"
    with open(packed, "rb") as src, open(tmp, "wb") as dst:
        dst.write(src.read())
    os.replace(tmp, archive)
    return archive


def cargo_env():
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = paths.cargo_target_dir()
    env["MOZJS_ARCHIVE"] = ensure_spidermonkey_archive()
    return env


def cargo(args, **kwargs):
    """Runs `cargo ARGS` in the repo; returns its exit status."""
    command = ["cargo"] + list(args)
    print("+ " + " ".join(command) + f"   (CARGO_TARGET_DIR={paths.cargo_target_dir()})",
          file=sys.stderr, flush=True)
    return subprocess.call(command, cwd=paths.REPO_ROOT, env=cargo_env(), **kwargs)


def build(extra_args=()):
    """`cargo build -p shell`: the bgsync binary. Returns cargo's exit status."""
    return cargo(["build", "-p", "shell"] + list(extra_args))


def run_bgsync(args):
    """Builds, then runs `bgsync run ARGS`; returns bgsync's exit status."""
    status = build()
    if status != 0:
        return status
    return subprocess.call([paths.bgsync_binary(), "run"] + list(args), cwd=paths.REPO_ROOT)
