"""wptreport JSON output: shape, statuses, expected fields."""

import json

from wpt import protocol, wptreport
from wpt.protocol import SubtestResult, TestResult

TEST_LEVEL = set(protocol.TEST_STATUSES) | set(protocol.CRASHTEST_STATUSES)


def check_wptreport(report):
    """Checks a wptreport document's shape; returns it for chaining."""
    assert set(report) == {"time_start", "time_end", "run_info", "results"}
    assert isinstance(report["time_start"], int) and isinstance(report["time_end"], int)
    assert report["time_start"] <= report["time_end"]
    assert isinstance(report["run_info"], dict) and report["run_info"]["product"]
    for entry in report["results"]:
        assert entry["test"].startswith("/")
        assert entry["status"] in TEST_LEVEL
        assert entry["message"] is None or isinstance(entry["message"], str)
        assert isinstance(entry["duration"], int)
        assert isinstance(entry["known_intermittent"], list)
        if "expected" in entry:
            assert entry["expected"] in TEST_LEVEL and entry["expected"] != entry["status"]
        for subtest in entry["subtests"]:
            assert isinstance(subtest["name"], str)
            assert subtest["status"] in protocol.SUBTEST_STATUSES
            assert subtest["message"] is None or isinstance(subtest["message"], str)
            if "expected" in subtest:
                assert subtest["expected"] != subtest["status"]
    json.dumps(report)
    return report


def sample_results():
    ok = TestResult("/a.html", "OK", duration_ms=5, subtests=[
        SubtestResult("passes", "PASS"),
        SubtestResult("fails as expected", "FAIL", "nope", expected=["FAIL"]),
        SubtestResult("fails unexpectedly", "FAIL", "assert_true: x", expected=["PASS"]),
        SubtestResult("flaky", "FAIL", None, expected=["PASS", "FAIL"]),
    ])
    crashed = TestResult("/b.window.html", "CRASH", "engine crashed: signal 11", expected=["OK"])
    timed_out = TestResult("/c.html", "TIMEOUT", expected=["TIMEOUT"])
    crashtest = TestResult("/crashtests/d.html", "PASS", expected=["PASS"])
    return [ok, crashed, timed_out, crashtest]


def test_report_shape_and_expected_fields():
    info = wptreport.run_info("bgsync", "/nonexistent")
    report = check_wptreport(wptreport.build(sample_results(), info, 1000.4, 2000.9))
    assert report["time_start"] == 1000 and report["time_end"] == 2000
    entries = {entry["test"]: entry for entry in report["results"]}
    ok = entries["/a.html"]
    assert "expected" not in ok
    subtests = {s["name"]: s for s in ok["subtests"]}
    assert "expected" not in subtests["passes"]
    assert "expected" not in subtests["fails as expected"]
    assert subtests["fails unexpectedly"]["expected"] == "PASS"
    assert subtests["fails unexpectedly"]["message"] == "assert_true: x"
    assert "expected" not in subtests["flaky"]
    assert subtests["flaky"]["known_intermittent"] == ["FAIL"]
    assert entries["/b.window.html"]["expected"] == "OK"
    assert entries["/b.window.html"]["message"] == "engine crashed: signal 11"
    assert "expected" not in entries["/c.html"]


def test_run_info_names_product_and_platform():
    info = wptreport.run_info("chromium", "/nonexistent", "156.0")
    assert info["product"] == "chromium" and info["browser_version"] == "156.0"
    assert info["os"] and info["bits"] in (32, 64)


def test_written_report_reads_back(tmp_path):
    path = str(tmp_path / "out" / "report.json")
    report = wptreport.build(sample_results(), {"product": "bgsync"}, 1, 2)
    wptreport.write(path, report)
    with open(path) as f:
        loaded = check_wptreport(json.load(f))
    results = wptreport.read_results(loaded)
    assert [r.test_id for r in results] == ["/a.html", "/b.window.html", "/c.html",
                                            "/crashtests/d.html"]
    assert results[1].is_unexpected and results[1].expected == ["OK"]
    assert [s.is_unexpected for s in results[0].subtests] == [False, False, True, False]
