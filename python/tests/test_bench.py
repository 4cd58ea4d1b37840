"""`./mach bench sw`: reading the pages' BENCH lines, the summary, and one measured run with a
stand-in engine (no bgsync binary, no Chromium)."""

import sys
import urllib.error
import urllib.request

import pytest

from bgsync_mach import bench
from bgsync_mach.bench import BenchError, parse_sw_lines


def test_parse_sw_lines_reads_each_metric():
    values, errors, done = parse_sw_lines([
        "some page output",
        "BENCH-SW-READY 12.5",
        "BENCH-SW-WAKE 40\r",
        "BENCH-SW-WARM 0.30000000000000004",
        "BENCH-DONE",
    ])
    assert values == {"ready": 12.5, "wake": 40.0, "warm": 0.30000000000000004}
    assert errors == [] and done


def test_parse_sw_lines_collects_errors_and_unreadable_lines():
    values, errors, done = parse_sw_lines([
        "BENCH-ERROR TypeError: navigator.serviceWorker is undefined",
        "BENCH-SW-READY NaN",
        "BENCH-SW-WAKE -1",
        "BENCH-SW-READY",
        "BENCH-SW-OTHER 3",
        "BENCH-ERROR",
    ])
    assert values == {}
    assert errors[0] == "TypeError: navigator.serviceWorker is undefined"
    assert [e.startswith("unreadable line: BENCH-SW-") for e in errors[1:5]] == [True] * 4
    assert errors[5] == "(no message)"
    assert not done


def test_summary_has_medians_and_the_ratio():
    rows = [("bgsync", {"ready": [30, 10, 20], "wake": [8, 4, 6], "warm": [1, 1, 1]}),
            ("chromium", {"ready": [5, 10, 15], "wake": [2, 3, 4], "warm": [2, 2, 2]})]
    lines = bench.sw_summary(rows, 3)
    assert "round trip" in lines[0]
    assert lines[2].startswith("bgsync") and "20.0 ms" in lines[2]
    assert lines[3].startswith("chromium") and "10.0 ms" in lines[3]
    assert lines[4].split() == ["ratio", "bgsync/chromium", "2.00x", "bgsync/chromium", "2.00x",
                                "bgsync/chromium", "0.50x"]


def test_summary_reports_a_failed_product_without_a_ratio():
    rows = [("bgsync", "/bench/sw/register.html: Error: navigator.serviceWorker is missing"),
            ("chromium", {"ready": [5], "wake": [2], "warm": [1]})]
    lines = bench.sw_summary(rows, 1)
    assert lines[2] == ("bgsync    failed: /bench/sw/register.html: Error: "
                        "navigator.serviceWorker is missing")
    assert not any(line.startswith("ratio") for line in lines)


def test_server_serves_the_pages_with_their_types():
    with bench._SwServer() as server:
        with urllib.request.urlopen(server.url("/bench/sw/worker.js")) as response:
            assert response.headers["Content-Type"] == "text/javascript"
            assert b"postMessage" in response.read()
        with urllib.request.urlopen(server.url("/bench/wake.html?x")) as response:
            assert response.headers["Content-Type"].startswith("text/html")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url("/nothing"))


# A stand-in engine: `python -c FAKE PROFILE URL`. It fetches the page, remembers the
# registration in the profile on the register page, and needs it on the wake page.
FAKE = r"""
import os, sys, urllib.request
profile, url = sys.argv[1], sys.argv[2]
urllib.request.urlopen(url).read()
marker = os.path.join(profile, "registered")
if url.endswith("/register.html"):
    open(marker, "w").close()
    print("BENCH-SW-READY 25")
elif os.path.exists(marker):
    print("BENCH-SW-WAKE 7.5")
    print("BENCH-SW-WARM 0.5")
else:
    print("BENCH-ERROR Error: no active registration")
print("BENCH-DONE")
"""


def fake_product(script=FAKE):
    return bench.SwProduct("fake", lambda profile, url: [sys.executable, "-c", script,
                                                         profile, url])


def test_one_run_uses_one_profile_for_both_pages():
    with bench._SwServer() as server:
        assert bench.measure_sw_once(fake_product(), server) == {
            "ready": 25.0, "wake": 7.5, "warm": 0.5}


def test_a_page_error_is_a_bench_error():
    script = "print('BENCH-ERROR Error: navigator.serviceWorker is missing')"
    with bench._SwServer() as server:
        with pytest.raises(BenchError, match="register.html: Error: navigator.serviceWorker"):
            bench.measure_sw_once(fake_product(script), server)


def test_missing_measurement_shows_the_output():
    script = "import sys; print('hello from the engine'); sys.exit(3)"
    with bench._SwServer() as server:
        with pytest.raises(BenchError, match=r"no ready measurement \(exit status 3, ended "
                                             r"before the page finished\)[\s\S]*hello from"):
            bench.measure_sw_once(fake_product(script), server)


def test_an_engine_that_cannot_start_is_a_bench_error():
    product = bench.SwProduct("missing", lambda profile, url: ["/nonexistent/bgsync", url])
    with bench._SwServer() as server:
        with pytest.raises(BenchError, match="cannot run /nonexistent/bgsync"):
            bench.measure_sw_once(product, server)
