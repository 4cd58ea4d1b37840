"""`./mach test-wpt`: the command line of the WPT runner.

    ./mach test-wpt                                  every test under wpt/tests
    ./mach test-wpt background-sync/ a/b.https.window.js /a/c.any.html
    ./mach test-wpt --wpt-root ~/wpt service-workers/ upstream tests (ours stay available)
    ./mach test-wpt --log-wptreport out.json        results as wptreport JSON
    ./mach test-wpt --product chromium               the same tests in headless Chromium
    ./mach test-wpt --compare                        both products, and a table side by side
    ./mach test-wpt -j 2                             two tests at a time
    ./mach test-wpt --update-expectations            rewrite wpt/meta from the last run
    ./mach test-wpt --gc-zeal workers/               a minor GC at every allocation point

Exit status: 0 when every result was expected, 1 when some were not, 2 for a usage error
(a path that names no test, a malformed .ini, a port in use, a missing binary).
"""

import argparse
import json
import os
import sys
import time

from bgsync_mach import bootstrap, cargo, paths

from . import executors, expectations, protocol, runner, testfiles, wptreport
from . import server as server_module
from .server import ServerError, TestServer

PRODUCTS = ("bgsync", "chromium")


class UsageError(Exception):
    pass


def parser():
    p = argparse.ArgumentParser(prog="./mach test-wpt", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="test files or directories, relative to wpt/tests (or the --wpt-root), "
                        "or test ids like /dir/a.any.html; default: every test")
    p.add_argument("--wpt-root", metavar="DIR",
                   help="an upstream web-platform-tests checkout whose tests can be run too; "
                        "bgsync's wpt/tests shadow files with the same path; its /common/, "
                        "/resources/ and /interfaces/ win over the runner's copies, except "
                        "the harness files (testharness.js, testharnessreport.js, "
                        "idlharness.js, WebIDLParser.js)")
    p.add_argument("--log-wptreport", metavar="FILE",
                   help="write the results as wptreport JSON (with --compare, Chromium's go "
                        "to FILE with '-chromium' before the extension)")
    p.add_argument("--product", choices=PRODUCTS, default="bgsync",
                   help="where to run the tests (default bgsync)")
    p.add_argument("--compare", action="store_true",
                   help="run in bgsync and in Chromium, and print their results side by side")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="run N tests at a time (default 1)")
    p.add_argument("--update-expectations", action="store_true",
                   help="rewrite wpt/meta so that the last run's results (of --product) are "
                        "the expected ones; runs no test")
    p.add_argument("--binary", metavar="PATH",
                   help="the bgsync binary (default $CARGO_TARGET_DIR/debug/bgsync, built first)")
    p.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    p.add_argument("--chromium", default=paths.CHROMIUM, metavar="PATH",
                   help=f"the Chromium binary (default {paths.CHROMIUM}; installed by bootstrap "
                        "if missing)")
    p.add_argument("--pref", action="append", default=[], metavar="NAME=VALUE",
                   help="a bgsync pref for every test (repeatable)")
    p.add_argument("--global", dest="globals", action="append", metavar="GLOBAL",
                   choices=testfiles.SUPPORTED_GLOBALS,
                   help="also run .any.js/.worker.js tests in this global (repeatable); "
                        "window and dedicatedworker variants always run, as in wpt's own runner")
    p.add_argument("--no-workers", action="store_true",
                   help="run only window variants of .any.js/.worker.js tests (for an engine "
                        "without workers)")
    p.add_argument("--gc-zeal", action="store_true",
                   help="bgsync runs a minor GC at each of its allocation points "
                        "(BGSYNC_GC_ZEAL=minor), so a GC pointer Rust holds unrooted crashes "
                        "the test at once; slower")
    p.add_argument("--timeout-multiplier", type=float, default=1.0, metavar="F",
                   help="multiply the harness timeouts (10 s, 60 s for timeout=long)")
    p.add_argument("--port", type=int, default=0,
                   help="the first http port of the test server on 127.0.0.1 (default: any "
                        "free port; the other ports are always free ones)")
    p.add_argument("--insecure-host", default="auto", metavar="ADDRESS",
                   help="a non-loopback IPv4 address of this machine to serve the tests that "
                        "need an insecure origin (<meta name=\"bgsync-origin\" "
                        "content=\"insecure\">) from; default: found from the routing table; "
                        "'none' skips those tests")
    p.add_argument("--list", action="store_true", help="list the tests that would run, and exit")
    p.add_argument("--serve", action="store_true",
                   help="only start the test server and print its address (for debugging)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the console output and stderr of unexpected results")
    # For the runner's own tests.
    p.add_argument("--meta-root", default=paths.WPT_META, help=argparse.SUPPRESS)
    p.add_argument("--tests-root", default=paths.WPT_TESTS, help=argparse.SUPPRESS)
    p.add_argument("--state-dir", default=None, help=argparse.SUPPRESS)
    p.add_argument("--timeout-slack", type=float, default=5.0, help=argparse.SUPPRESS)
    p.add_argument("--kill-grace", type=float, default=10.0, help=argparse.SUPPRESS)
    return p


def _say(message):
    print(message, file=sys.stderr, flush=True)


def _roots(options):
    roots = [os.path.realpath(options.tests_root)]
    if options.wpt_root:
        root = os.path.realpath(os.path.expanduser(options.wpt_root))
        if not os.path.isdir(root):
            raise UsageError(f"--wpt-root {options.wpt_root}: no such directory")
        if not os.path.isdir(os.path.join(root, "resources")):
            _say(f"warning: {root} has no resources/ directory; is it a web-platform-tests "
                 "checkout?")
        roots.append(root)
    return roots


def _state_file(options, product):
    return os.path.join(options.state_dir or paths.state_dir(), f"last-run-{product}.json")


def _save_last_run(options, product, report, tests):
    path = _state_file(options, product)
    state = dict(report)
    state["tests"] = {test.id: {"source": test.source, "kind": test.kind, "root": test.root}
                      for test in tests}
    wptreport.write(path, state)


def _update_expectations(options):
    if options.product != "bgsync":
        raise UsageError("wpt/meta holds bgsync's expectations: --update-expectations reads the "
                         "last bgsync run (add `if product == \"chromium\": ...` conditions by "
                         "hand for Chromium)")
    path = _state_file(options, options.product)
    if not os.path.exists(path):
        raise UsageError(f"no previous run of {options.product} to update from ({path}): "
                         "run ./mach test-wpt first")
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    results = wptreport.read_results(state)
    pairs = []
    for result in results:
        info = state["tests"][result.test_id]
        test = testfiles.WptTest(result.test_id, info["kind"], info["source"], info["root"])
        pairs.append((test, result))
    changed = expectations.write_updates(options.meta_root, pairs, state["run_info"])
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(state["time_end"] / 1000))
    _say(f"Updated expectations from the {options.product} run of {when} "
         f"({len(results)} tests):")
    for rel_path in changed:
        exists = os.path.exists(os.path.join(options.meta_root, *rel_path.split("/")))
        _say(f"  {'wrote' if exists else 'removed'} {os.path.relpath(os.path.join(options.meta_root, rel_path))}")
    if not changed:
        _say("  nothing to change")
    return 0


def _bgsync_executor(options, server):
    binary = options.binary
    if binary is None:
        binary = paths.bgsync_binary()
        if not options.no_build:
            status = cargo.build()
            if status != 0:
                raise UsageError(f"cargo build -p shell failed (exit {status})")
    if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
        raise UsageError(f"no bgsync binary at {binary} (build it with ./mach build, or pass "
                         "--binary)")
    return executors.BgsyncExecutor(
        binary, prefs=options.pref, timeout_multiplier=options.timeout_multiplier,
        timeout_slack=options.timeout_slack, kill_grace=options.kill_grace,
        server_prefs=server.bgsync_prefs())


def _chromium_executor(options, server):
    if not os.path.exists(options.chromium):
        if options.chromium != paths.CHROMIUM:
            raise UsageError(f"no Chromium at {options.chromium}")
        _say("Chromium is not installed: installing Debian's chromium package")
        try:
            bootstrap.ensure(chromium=True, quiet=True)
        except bootstrap.BootstrapError as error:
            raise UsageError(f"cannot install Chromium: {error}") from None
    try:
        return executors.ChromiumExecutor(options.chromium, paths.NODE_MODULES,
                                          timeout_multiplier=options.timeout_multiplier,
                                          timeout_slack=options.timeout_slack,
                                          browser_args=server.chromium_args())
    except RuntimeError as error:
        raise UsageError(str(error)) from None


def _insecure_host(options):
    """The address to serve insecure-origin tests from, or None (with the reason)."""
    if options.insecure_host == "none":
        return None, "--insecure-host none"
    if options.insecure_host != "auto":
        return options.insecure_host, None
    address = server_module.non_loopback_address()
    if address is None:
        return None, "this machine has no non-loopback IPv4 address (see --insecure-host)"
    return address, None


def _split_insecure(selection, options):
    """(selection, insecure host or None): tests that need an insecure origin are skipped when
    there is no address to serve them from."""
    insecure = [test for test in selection.tests if test.insecure_origin]
    if not insecure:
        return selection, None
    host, reason = _insecure_host(options)
    if host is not None:
        return selection, host
    skipped = [testfiles.SkippedTest(test.id, test.source, f"needs an insecure origin: {reason}")
               for test in insecure]
    return testfiles.Selection([test for test in selection.tests if not test.insecure_origin],
                               selection.skipped + skipped), None


def _tree_lines(roots, paths, selection):
    """Which tree ran the tests of a directory that exists in more than one root (bgsync's
    wpt/tests and the --wpt-root checkout both have background-sync/, say)."""
    lines = []
    for arg, rel, having in testfiles.shared_dirs(roots, paths):
        prefix = rel + "/" if rel else ""
        counts = []
        for root in having:
            real = os.path.realpath(root)
            count = sum(1 for test in selection.tests
                        if test.source.startswith(prefix) and os.path.realpath(test.root) == real)
            counts.append(f"{count} from {root}")
        lines.append(f"{arg}: in {len(having)} trees; running {', '.join(counts)} "
                     f"(a file in {having[0]} shadows the same path in a later tree)")
    return lines


def _report_path(base, product, primary):
    if product == primary:
        return base
    stem, extension = os.path.splitext(base)
    return f"{stem}-{product}{extension or '.json'}"


def _run_product(options, product, selection, server, roots):
    executor = (_bgsync_executor(options, server) if product == "bgsync"
                else _chromium_executor(options, server))
    try:
        info = wptreport.run_info(product, paths.REPO_ROOT, executor.browser_version)
        expected = expectations.Expectations(options.meta_root, info)
        tests = []
        skipped = list(selection.skipped)
        for test in selection.tests:
            disabled = expected.for_test(test).disabled
            if disabled:
                skipped.append(testfiles.SkippedTest(test.id, test.source, f"disabled: {disabled}"))
            else:
                tests.append(test)
        by_id = {test.id: test for test in tests}
        origins = sorted({server.test_url(test)[: -len(test.id)] for test in tests})
        _say(f"Running {len(tests)} tests in {product} against {', '.join(origins) or '-'} "
             f"(roots: {', '.join(roots)}), {options.jobs} at a time")
        start = time.time()
        results = runner.run_tests(tests, executor, expected,
                                   lambda test_id: server.test_url(by_id[test_id]),
                                   jobs=options.jobs)
        end = time.time()
    finally:
        executor.close()
    report = wptreport.build(results, info, start * 1000, end * 1000)
    _save_last_run(options, product, report, tests)
    if options.log_wptreport:
        path = _report_path(options.log_wptreport, product, PRODUCTS[0] if options.compare
                            else options.product)
        wptreport.write(path, report)
        _say(f"Wrote wptreport JSON to {path}")
    return results, skipped


def run(options):
    roots = _roots(options)
    if options.update_expectations:
        return _update_expectations(options)
    default_globals = ("window",) if options.no_workers else ("window", "dedicatedworker")
    enabled_globals = default_globals + tuple(options.globals or ())
    selection = testfiles.select(roots, options.paths, enabled_globals)
    for line in _tree_lines(roots, options.paths, selection):
        _say(line)
    if options.list:
        for test in selection.tests:
            print(test.id)
        for line in runner.skipped_lines(selection.skipped):
            _say(line)
        return 0
    # Read every expectation file the run needs now: a malformed one stops it before it starts.
    for product in (PRODUCTS if options.compare else (options.product,)):
        expectations.Expectations(options.meta_root, {"product": product}).load(selection.tests)

    selection, insecure_host = _split_insecure(selection, options)
    with TestServer(roots, port=options.port, timeout_multiplier=options.timeout_multiplier,
                    insecure_host=insecure_host) as server:
        if options.serve:
            also = f", {server.insecure_origin()}/" if insecure_host else ""
            _say(f"Serving {', '.join(roots)} at {server.origin()}/, {server.wpt_origin()}/, "
                 f"{server.wpt_origin(https=True)}/{also} (Ctrl-C to stop)")
            _say(f"Ports: {server.ports()}; CA certificate: {server.certificates.ca_path}")
            _say(f"bgsync: --pref '{server.bgsync_prefs()[0]}' --pref "
                 f"'{server.bgsync_prefs()[1]}'")
            server.serve_forever()
            return 0
        products = PRODUCTS if options.compare else (options.product,)
        results_by_product, skipped = {}, []
        for product in products:
            results_by_product[product], skipped = _run_product(options, product, selection,
                                                                server, roots)

    primary = products[0]
    for line in runner.skipped_lines(skipped):
        _say(line)
    for product in products:
        for line in runner.summary_lines(results_by_product[product], skipped, product,
                                         options.verbose):
            print(line)
    if options.compare:
        print()
        for line in runner.compare_table(results_by_product):
            print(line)
    passed, failed = protocol.expected_counts(results_by_product[primary])
    print(f"wpt: {passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv=None):
    options = parser().parse_args(argv)
    if options.jobs < 1:
        _say("test-wpt: -j must be at least 1")
        return 2
    if options.gc_zeal:
        # Inherited by every bgsync the executors start (Chromium ignores it).
        os.environ["BGSYNC_GC_ZEAL"] = "minor"
    try:
        return run(options)
    except (UsageError, testfiles.TestPathError, expectations.ExpectationError,
            ServerError) as error:
        _say(f"test-wpt: error: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
