"""Building and running the engine.

cargo runs with the user's environment plus CARGO_TARGET_DIR, nothing else: CC, CXX, CFLAGS,
AR, PYTHON, MAKE or MOZJS_* set here would change mozjs_sys's build inputs and force a
20-minute SpiderMonkey rebuild.
"""

import os
import subprocess
import sys

from . import paths


def cargo_env():
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = paths.cargo_target_dir()
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
