"""`./mach test-wpt` end to end: the real server, the fake engine or jsdom as the engine."""

import json
import os
import socket

import pytest

from conftest import (HARNESS_PAGE, JSDOM_ENGINE, REPO_ROOT, harness_line, subtest_line,
                      write_files)
from test_wptreport import check_wptreport
from wpt import cli

TESTS = {
    "suite/pass.html": HARNESS_PAGE,
    "suite/crash.html": HARNESS_PAGE,
    "suite/hang.html": HARNESS_PAGE,
    "suite/fails.window.js": "test(() => assert_true(false), 'fails');\n",
    "suite/crashtests/fine.html": "<p>fine",
}

BEHAVIOURS = {
    "crash.html": {"lines": [subtest_line("ok")], "signal": 11},
    "hang.html": {"lines": [subtest_line("ok")], "exit": 3},
    "fails.window.html": {"lines": [subtest_line("fails", "FAIL", "assert_true: expected true got false"),
                                    harness_line()]},
    "crashtests": {"lines": []},
    "": {"lines": [subtest_line("ok"), harness_line()]},
}


@pytest.fixture
def env(tmp_path, fake_engine):
    fake_engine.script(BEHAVIOURS)
    root = write_files(tmp_path / "tests", TESTS)
    meta = str(tmp_path / "meta")
    os.makedirs(meta)

    class Env:
        tests_root = root
        meta_root = meta
        report = str(tmp_path / "report.json")
        engine = fake_engine

        def args(self, *extra):
            return ["--binary", fake_engine.binary, "--tests-root", root, "--meta-root", meta,
                    "--state-dir", str(tmp_path / "state")] + list(extra)

        def run(self, *extra):
            return cli.main(self.args(*extra))

    return Env()


def read_report(path):
    with open(path) as f:
        return check_wptreport(json.load(f))


def test_unexpected_results_fail_the_run_and_every_test_still_runs(env, capsys):
    assert env.run("--log-wptreport", env.report) == 1
    out, err = capsys.readouterr()
    report = read_report(env.report)
    statuses = {entry["test"]: entry["status"] for entry in report["results"]}
    assert statuses == {
        "/suite/crash.html": "CRASH",
        "/suite/crashtests/fine.html": "PASS",
        "/suite/fails.window.html": "OK",
        "/suite/hang.html": "TIMEOUT",
        "/suite/pass.html": "OK",
    }
    assert "Unexpected results in bgsync (3 tests):" in out
    assert "/suite/crash.html: CRASH (expected OK): engine crashed: killed by signal 11" in out
    assert "/suite/hang.html: TIMEOUT (expected OK)" in out
    assert "[fails] FAIL (expected PASS): assert_true: expected true got false" in out
    assert out.rstrip().endswith("wpt: 6 passed, 3 failed")
    assert "[5/5] 3 unexpected" in err  # the progress line


def test_update_expectations_then_the_same_results_are_expected(env, capsys):
    assert env.run() == 1
    assert env.run("--update-expectations") == 0
    with open(os.path.join(env.meta_root, "suite", "fails.window.js.ini")) as f:
        assert f.read() == "[fails.window.html]\n  [fails]\n    expected: FAIL\n"
    with open(os.path.join(env.meta_root, "suite", "crash.html.ini")) as f:
        assert f.read() == "[crash.html]\n  expected: CRASH\n"
    capsys.readouterr()
    assert env.run("-j", "3") == 0
    out, _ = capsys.readouterr()
    assert "wpt: 9 passed, 0 failed" in out


def test_update_expectations_without_a_run(env, capsys):
    assert env.run("--update-expectations") == 2
    assert "no previous run of bgsync" in capsys.readouterr().err


def test_subset_by_path_and_list(env, capsys):
    assert env.run("--list", "suite/crashtests", "/suite/fails.window.html") == 0
    out, _ = capsys.readouterr()
    assert out.split() == ["/suite/crashtests/fine.html", "/suite/fails.window.html"]
    assert env.run("suite/pass.html") == 0
    assert len(env.engine.runs()) == 1


def test_path_that_does_not_exist(env, capsys):
    assert env.run("suite/nope.html") == 2
    assert "no test file or directory matches 'suite/nope.html'" in capsys.readouterr().err


def test_malformed_ini_names_file_and_line(env, capsys):
    write_files(env.meta_root, {"suite/pass.html.ini": "[pass.html]\n  expected OK\n"})
    assert env.run("suite") == 2
    err = capsys.readouterr().err
    assert "pass.html.ini:2: expected '[section]' or 'key: value'" in err
    assert env.engine.runs() == []  # stopped before running anything


def test_port_in_use_is_reported(env, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert env.run("--port", str(port), "suite/pass.html") == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_missing_binary(env, tmp_path, capsys):
    args = env.args("suite/pass.html")
    args[1] = str(tmp_path / "missing")
    assert cli.main(args) == 2
    assert "no bgsync binary at" in capsys.readouterr().err


def test_disabled_tests_are_skipped(env, capsys):
    write_files(env.meta_root, {"suite/crash.html.ini": "[crash.html]\n  disabled: crashes\n"})
    assert env.run("suite/crash.html", "suite/pass.html") == 0
    assert "Skipped 1: disabled: crashes" in capsys.readouterr().err


def test_wpt_root_adds_upstream_tests(env, tmp_path, capsys):
    upstream = write_files(tmp_path / "upstream", {
        "resources/testharness.js": "// upstream's copy; ours is served",
        "upstream-only/x.html": HARNESS_PAGE,
        "suite/pass.html": "shadowed by bgsync's own file",
    })
    assert env.run("--wpt-root", upstream, "upstream-only", "suite/pass.html") == 0
    urls = [run[-1] for run in env.engine.runs()]
    assert [url.split("/", 3)[3] for url in urls] == ["suite/pass.html", "upstream-only/x.html"]
    assert env.run("--wpt-root", str(tmp_path / "nowhere")) == 2
    assert "--wpt-root" in capsys.readouterr().err


# The repository's own runner self-tests, in jsdom with the real testharness.js and
# resources/testharnessreport.js: the whole pipeline but the engine.
def jsdom_args(tmp_path, *extra):
    # jsdom has no Worker: only window variants.
    return ["--binary", JSDOM_ENGINE, "--state-dir", str(tmp_path / "state"),
            "--no-workers"] + list(extra)


def test_infrastructure_tests_pass_in_jsdom(tmp_path, capsys):
    report = str(tmp_path / "report.json")
    paths = ["infrastructure/harness.html", "infrastructure/window-script.window.js",
             "infrastructure/any-global.any.js", "infrastructure/substitution.sub.html",
             "infrastructure/crashtests", "infrastructure/expected-fail/failing-subtest.html"]
    assert cli.main(jsdom_args(tmp_path, "-j", "2", "--log-wptreport", report, *paths)) == 0
    results = {entry["test"]: entry for entry in read_report(report)["results"]}
    assert set(results) == {
        "/infrastructure/harness.html", "/infrastructure/window-script.window.html",
        "/infrastructure/any-global.any.html", "/infrastructure/substitution.sub.html",
        "/infrastructure/crashtests/script-and-timers.html",
        "/infrastructure/expected-fail/failing-subtest.html"}
    harness = results["/infrastructure/harness.html"]
    names = {subtest["name"] for subtest in harness["subtests"]}
    assert ('a subtest name with "quotes", [brackets] and a\nline break is reported intact'
            in names)
    failing = results["/infrastructure/expected-fail/failing-subtest.html"]["subtests"][1]
    assert failing["status"] == "FAIL"
    assert "the runner reports this message" in failing["message"]


def test_never_done_times_out_in_jsdom_and_the_run_goes_on(tmp_path, capsys):
    args = jsdom_args(tmp_path, "--timeout-multiplier", "0.1", "--timeout-slack", "3",
                      "infrastructure/expected-fail/never-done.html", "infrastructure/harness.html")
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    assert "TIMEOUT  /infrastructure/expected-fail/never-done.html" in err
    assert "OK       /infrastructure/harness.html" in err
    assert "wpt: 8 passed, 0 failed" in out


def test_repository_expectations_parse():
    meta = os.path.join(REPO_ROOT, "wpt", "meta")
    for directory, _, filenames in os.walk(meta):
        for filename in filenames:
            if filename.endswith(".ini"):
                with open(os.path.join(directory, filename)) as f:
                    cli.expectations.parse(f.read(), filename)


def test_insecure_origin_tests_load_from_the_insecure_listener(env, capsys, monkeypatch):
    write_files(env.tests_root, {
        "insecure/page.html": '<meta name="bgsync-origin" content="insecure">' + HARNESS_PAGE,
        "insecure/pref.html": '<meta name="bgsync-pref" content="a.b=1">' + HARNESS_PAGE,
    })
    monkeypatch.setattr(cli.server_module, "non_loopback_address", lambda: "127.0.0.2")
    assert env.run("insecure") == 0
    runs = {run[-1].rsplit("/", 1)[1]: run for run in env.engine.runs()}
    assert runs["page.html"][-1].startswith("http://127.0.0.2:")
    assert runs["pref.html"][-1].startswith("http://127.0.0.1:")
    # The server's prefs (net.host_rules, net.extra_root_certificates), then the test's.
    assert runs["pref.html"][9:11] == ["--pref", "a.b=1"]
    err = capsys.readouterr().err
    assert "against http://127.0.0.1:" in err and ", http://127.0.0.2:" in err


def test_insecure_origin_tests_are_skipped_without_an_address(env, capsys, monkeypatch):
    write_files(env.tests_root, {
        "insecure/page.html": '<meta name="bgsync-origin" content="insecure">' + HARNESS_PAGE})
    monkeypatch.setattr(cli.server_module, "non_loopback_address", lambda: None)
    assert env.run("insecure", "suite/pass.html") == 0
    err = capsys.readouterr().err
    assert "Skipped 1: needs an insecure origin: this machine has no non-loopback" in err
    assert env.run("--insecure-host", "none", "insecure/page.html") == 0
    assert "Skipped 1: needs an insecure origin: --insecure-host none" in capsys.readouterr().err
    assert [run[-1].rsplit("/", 1)[1] for run in env.engine.runs()] == ["pass.html"]


def test_products_get_the_servers_hosts_and_certificate(env, monkeypatch):
    write_files(env.tests_root, {
        "flags/pref.html": '<meta name="bgsync-pref" content="a.b=1">' + HARNESS_PAGE})
    assert env.run("--pref", "c.d=2", "flags/pref.html") == 0
    [run] = env.engine.runs()
    prefs = [run[i + 1] for i, arg in enumerate(run) if arg == "--pref"]
    # The server's first, then the test's, then the runner's --pref (the last one wins).
    assert prefs[0].startswith("net.host_rules=MAP nonexistent.web-platform.test ~NOTFOUND, ")
    assert "MAP *.web-platform.test 127.0.0.1" in prefs[0]
    assert prefs[1].startswith("net.extra_root_certificates=")
    assert prefs[1].endswith("/ca.pem")
    assert prefs[2:] == ["a.b=1", "c.d=2"]

    # Chromium: the same rules and the certificate's key hash, for every browser it launches.
    launched = {}

    class FakeChromium:
        product = "chromium"
        browser_version = "fake"

        def __init__(self, chromium, node_modules, **options):
            launched.update(options)

        def run(self, test, url):
            return cli.protocol.TestResult(test.id, "OK")

        def close(self):
            pass

    monkeypatch.setattr(cli.executors, "ChromiumExecutor", FakeChromium)
    monkeypatch.setattr(cli.os.path, "exists", lambda path: True)
    assert env.run("--product", "chromium", "flags/pref.html") == 0
    rules, spki = launched["browser_args"]
    assert rules == "--host-resolver-rules=" + prefs[0].split("=", 1)[1]
    assert spki.startswith("--ignore-certificate-errors-spki-list=")
    assert len(spki.split("=", 1)[1]) == 44  # base64 of a SHA-256


def test_https_tests_load_from_web_platform_test_over_https(env, capsys):
    write_files(env.tests_root, {"secure/page.https.html": HARNESS_PAGE})
    # The fake engine fetches the page as bgsync would: through net.host_rules, trusting
    # net.extra_root_certificates.
    assert env.run("secure/page.https.html", "suite/pass.html") == 0
    urls = sorted(run[-1] for run in env.engine.runs())
    assert urls[0].startswith("http://127.0.0.1:") and urls[0].endswith("/suite/pass.html")
    assert urls[1].startswith("https://web-platform.test:")
    assert urls[1].endswith("/secure/page.https.html")


def test_a_directory_in_both_trees_says_which_tree_ran(env, tmp_path, capsys):
    upstream = write_files(tmp_path / "upstream", {
        "resources/testharness.js": "// upstream's",
        "suite/upstream-only.html": HARNESS_PAGE,
        "suite/pass.html": "shadowed by bgsync's own file",
    })
    assert env.run("--wpt-root", upstream, "--list", "suite") == 0
    err = capsys.readouterr().err
    assert (f"suite: in 2 trees; running 5 from {env.tests_root}, 1 from {upstream} "
            f"(a file in {env.tests_root} shadows the same path in a later tree)") in err


def test_gc_zeal_is_set_for_the_engines_the_run_starts(env, monkeypatch):
    # Set (empty) through monkeypatch, so it is taken back after the test.
    monkeypatch.setenv("BGSYNC_GC_ZEAL", "")
    assert env.run("suite/pass.html") == 0
    assert os.environ["BGSYNC_GC_ZEAL"] == ""
    assert env.run("--gc-zeal", "suite/pass.html") == 0
    assert os.environ["BGSYNC_GC_ZEAL"] == "minor"
