"""`./mach run`: the outbox demo, or `bgsync run` on any page.

    ./mach run [--binary PATH | --no-build]                         the outbox demo
    ./mach run [--binary PATH | --no-build] [BGSYNC-RUN-ARGS] PAGE  bgsync run ARGS PAGE

The outbox demo (examples/outbox/) tells Background Sync step by step: a local server, six
engine runs on a fresh profile (an IndexedDB outbox written offline, sent after a restart, a
retry, a drop back to the drafts; then the same app on Workbox: queued offline, replayed), each
checked; exit status 0 if the story went as told, 1 otherwise.

mach builds the shell first (`cargo build -p shell`), unless `--binary PATH` (that binary) or
`--no-build` ($CARGO_TARGET_DIR/debug/bgsync as it is) says otherwise; these two come before
the arguments for bgsync. A page runs on bgsync's own default profile, the per-user
`$XDG_DATA_HOME/bgsync/profile` (by default `~/.local/share/bgsync/profile`), unless the
arguments say `--profile DIR` or `--temporary-profile`, so service workers and sync
registrations persist between runs as in a browser. The demo always uses its own fresh profile.
"""

import os
import subprocess
import sys

from . import paths

USAGE = __doc__.split("\n", 1)[1]


def split_mach_options(args):
    """(binary or None, build, rest): mach's own leading options, then bgsync's arguments.
    Raises ValueError for a `--binary` without a path."""
    args = list(args)
    binary, build = None, True
    while args and (args[0] in ("--binary", "--no-build") or args[0].startswith("--binary=")):
        option = args.pop(0)
        if option == "--no-build":
            build = False
        elif option.startswith("--binary="):
            binary = option.split("=", 1)[1]
        elif args:
            binary = args.pop(0)
        else:
            raise ValueError("--binary needs a path")
        if option != "--no-build" and not binary:
            raise ValueError("--binary needs a path")
    if binary:
        build = False
    return binary, build, args


def main(args, bootstrap_ok=None):
    """The `run` command; returns its exit status. `bootstrap_ok()` runs bootstrap (needed
    before a build) and tells whether it succeeded."""
    if args in (["-h"], ["--help"]):
        print("usage:\n" + USAGE.strip("\n"))
        return 0
    try:
        binary, build, rest = split_mach_options(args)
    except ValueError as error:
        print(f"mach run: {error}", file=sys.stderr)
        return 2
    if build:
        if bootstrap_ok is not None and not bootstrap_ok():
            return 1
        from . import cargo
        status = cargo.build()
        if status != 0:
            return status
    binary = binary or paths.bgsync_binary()
    if not rest:
        from . import outbox
        return outbox.run_demo(binary)
    if not os.path.isfile(binary):
        print(f"mach: no bgsync binary at {binary}: build it with `./mach build`",
              file=sys.stderr)
        return 1
    return subprocess.call([binary, "run"] + rest, cwd=paths.REPO_ROOT)
