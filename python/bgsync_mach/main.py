"""The command line of `./mach`."""

import argparse
import os
import sys

from . import bootstrap, cargo, paths

DESCRIPTION = "bgsync's developer commands."

COMMANDS = {
    "bootstrap": "install what the other commands need (apt packages, python/_venv, "
                 "wpt/node_modules); fast when done",
    "build": "cargo build -p shell: the bgsync binary (extra arguments go to cargo)",
    "run": "build, then the outbox demo (Background Sync told step by step); with ARGS, "
           "`bgsync run ARGS` (./mach run --help)",
    "test": "every test: cargo test, pytest python/tests, test-wpt; one summary",
    "test-wpt": "run web-platform-tests in bgsync (./mach test-wpt --help)",
    "bench": "benchmarks: `./mach bench startup`, `./mach bench sw` (service workers), "
             "`./mach bench sync` (Background Sync), `./mach bench online` (back online -> "
             "1000 pending sync handlers; memory of 10000 pending registrations), `./mach bench "
             "load` (2,000 requests in flight; 20,000 registrations), `./mach bench idb` (IndexedDB: "
             "10,000 outbox records, one transaction per message; RSS with a 100 MB database)",
    "env": "print the environment cargo needs here (use: eval \"$(./mach env)\")",
}

# Commands whose arguments go to another program untouched.
PASSTHROUGH = {"build", "run", "test-wpt"}


def _parser():
    parser = argparse.ArgumentParser(prog="./mach", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == "bootstrap":
            sub.add_argument("--chromium", action="store_true",
                             help="also install Debian's chromium (for --product chromium)")
            sub.add_argument("--force", action="store_true",
                             help="reinstall the venv and node_modules even if up to date")
        elif name == "bench":
            sub.add_argument("benchmark", choices=["startup", "sw", "sync", "online", "load", "idb"])
            sub.add_argument("--runs", type=int, default=None,
                             help="runs per product (startup: 20, sw: 10, sync: 5, online: 5, "
                                  "load: 3)")
            sub.add_argument("--no-chromium", action="store_true",
                             help="skip Chromium even if /usr/bin/chromium exists")
            sub.add_argument("--binary", metavar="PATH",
                             help="a bgsync binary to measure (default: build and use "
                                  "$CARGO_TARGET_DIR/debug/bgsync; online: an online_bench "
                                  "binary, default $CARGO_TARGET_DIR/debug/examples/online_bench)")
        elif name in PASSTHROUGH:
            sub.add_argument("args", nargs="*", help="passed on")
    return parser


def _bootstrap(**kwargs):
    try:
        bootstrap.ensure(**kwargs)
        return True
    except bootstrap.BootstrapError as error:
        print(f"mach: bootstrap failed: {error}", file=sys.stderr)
        return False


def _test_wpt(args):
    if not paths.in_venv():
        if not _bootstrap(quiet=True):
            return 1
        # wptserve lives in the venv: continue there, same command line. (Whoever starts mach
        # with the venv's python, like `./mach test`, has bootstrapped already.)
        os.execv(paths.VENV_PYTHON, [paths.VENV_PYTHON, paths.MACH, "test-wpt"] + list(args))
    from wpt import cli
    return cli.main(args)


def main(argv):
    if argv and argv[0] == "run":
        from . import run
        return run.main(argv[1:], bootstrap_ok=lambda: _bootstrap(quiet=True))
    if argv and argv[0] in PASSTHROUGH and not (len(argv) == 2 and argv[1] in ("-h", "--help")
                                                and argv[0] != "test-wpt"):
        command, args = argv[0], argv[1:]
        if command == "test-wpt":
            return _test_wpt(args)
        # The build needs clang-19 and libclang-19-dev (mozjs's bindgen): bootstrap first.
        if not _bootstrap(quiet=True):
            return 1
        return cargo.build(args)

    options = _parser().parse_args(argv)
    if options.command == "bootstrap":
        return 0 if _bootstrap(chromium=options.chromium, force=options.force) else 1
    if options.command == "env":
        env = cargo.cargo_env()
        for name in ("CARGO_TARGET_DIR", "MOZJS_ARCHIVE"):
            print(f"export {name}={env[name]}")
        return 0
    if options.command == "test":
        from . import testing
        return testing.run_all()
    if options.command == "bench":
        if not _bootstrap(quiet=True):
            return 1
        if options.benchmark == "online":
            from . import bench_online
            return bench_online.online(runs=options.runs or 5, binary=options.binary)
        if options.benchmark == "idb":
            from . import bench_idb
            return bench_idb.idb(runs=options.runs or 5, with_chromium=not options.no_chromium,
                                 binary=options.binary)
        if options.benchmark == "load":
            from . import bench_load
            return bench_load.load(runs=options.runs or 3, binary=options.binary)
        from . import bench
        if options.benchmark == "sw":
            return bench.sw(runs=options.runs or 10, with_chromium=not options.no_chromium,
                            binary=options.binary)
        if options.benchmark == "sync":
            return bench.sync(runs=options.runs or 5, with_chromium=not options.no_chromium,
                              binary=options.binary)
        return bench.startup(runs=options.runs or 20, with_chromium=not options.no_chromium,
                             binary=options.binary)
    return 2
