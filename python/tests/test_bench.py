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
    rows = [("bgsync", {"ready": [30, 10, 20], "wake": [8, 4, 6], "warm": [1, 1, 1],
                        "held": [0.3, 0.2, 0.4], "fetch": [0.1, 0.1, 0.1],
                        "fallthrough": [1, 1, 1]}),
            ("chromium", {"ready": [5, 10, 15], "wake": [2, 3, 4], "warm": [2, 2, 2],
                          "held": [3, 3, 3], "fetch": [0.4, 0.4, 0.4],
                          "fallthrough": [2, 2, 2]})]
    lines = bench.sw_summary(rows, 3)
    assert "round trip" in lines[0]
    assert lines[2].startswith("bgsync") and "20.0 ms" in lines[2]
    assert lines[3].startswith("chromium") and "10.0 ms" in lines[3]
    assert lines[4].split() == ["ratio", "bgsync/chromium", "2.00x", "bgsync/chromium", "2.00x",
                                "bgsync/chromium", "0.50x", "bgsync/chromium", "0.10x",
                                "bgsync/chromium", "0.25x", "bgsync/chromium", "0.50x"]


def test_stats_show_two_decimals_below_a_millisecond():
    assert bench._stats([0.04, 0.03, 0.05]).split() == ["0.04", "ms", "[0.03–0.05]"]
    assert bench._stats([12.25, 12.5, 13]).split() == ["12.5", "ms", "[12.2–13.0]"]


def test_summary_reports_a_failed_product_without_a_ratio():
    rows = [("bgsync", "/bench/sw/register.html: Error: navigator.serviceWorker is missing"),
            ("chromium", {"ready": [5], "wake": [2], "warm": [1], "held": [3], "fetch": [1],
                          "fallthrough": [2]})]
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
# registration in the profile on the register page, and needs it on the wake and held pages.
FAKE = r"""
import os, sys, urllib.request
profile, url = sys.argv[1], sys.argv[2]
urllib.request.urlopen(url).read()
marker = os.path.join(profile, "registered")
if url.endswith("/register.html"):
    open(marker, "w").close()
    print("BENCH-SW-READY 25")
elif os.path.exists(marker) and url.endswith("/held.html"):
    print("BENCH-SW-HELD 0.25")
elif os.path.exists(marker) and url.endswith("/fetch.html"):
    print("BENCH-SW-FETCH 0.125")
    print("BENCH-SW-FALLTHROUGH 1.5")
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


def test_one_run_uses_one_profile_for_every_page():
    with bench._SwServer() as server:
        assert bench.measure_sw_once(fake_product(), server) == {
            "ready": 25.0, "wake": 7.5, "warm": 0.5, "held": 0.25, "fetch": 0.125,
            "fallthrough": 1.5}


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


# --- ./mach bench sync ----------------------------------------------------------------------

from bgsync_mach.bench import parse_sync_lines  # noqa: E402


def test_parse_sync_lines_reads_each_metric_and_the_other_numbers():
    values, errors, done, numbers = parse_sync_lines([
        "BENCH-SYNC-REGISTER 0.25",
        "BENCH-SYNC-LATENCY 0.3\r",
        "BENCH-SYNC-LATENCY-MESSAGE 0.5",
        "BENCH-SYNC-GETTAGS 0.04",
        "BENCH-SYNC-DRAIN 14.5 9",
        "BENCH-SYNC-OFFLINE-READY 1000",
        "BENCH-SYNC-DRAIN-ABS 1795501918838.5 1795501918850",
        "BENCH-DONE",
    ])
    assert values == {"register": 0.25, "latency": 0.3, "latency_message": 0.5,
                      "gettags": 0.04, "drain": 14.5, "drain_first": 9.0}
    assert numbers == {"OFFLINE-READY": [1000.0],
                       "DRAIN-ABS": [1795501918838.5, 1795501918850.0]}
    assert errors == [] and done


def test_parse_sync_lines_collects_errors_and_unreadable_lines():
    values, errors, done, _ = parse_sync_lines([
        "BENCH-ERROR Error: ServiceWorkerRegistration.sync is missing",
        "BENCH-SYNC-REGISTER NaN",
        "BENCH-SYNC-REGISTER -1",
        "BENCH-SYNC-DRAIN 3",
        "BENCH-SYNC-LATENCY",
        "BENCH-SYNC-GETTAGS x",
    ])
    assert values == {}
    assert errors[0] == "Error: ServiceWorkerRegistration.sync is missing"
    assert len(errors) == 6
    assert all(error.startswith("unreadable line: BENCH-SYNC-") for error in errors[1:])
    assert not done


def test_sync_summary_has_medians_ratios_and_failures():
    bgsync_result = {"register": [0.3, 0.2, 0.25], "latency": [0.3], "latency_message": [0.5],
                     "drain": "/bench/sync/offline.html: no measurement (exit status 2)",
                     "drain_first": "/bench/sync/offline.html: no measurement (exit status 2)",
                     "gettags": [0.05]}
    chromium_result = {"register": [0.5, 0.6, 0.4], "latency": [1.0], "latency_message": [1.2],
                       "drain": [70.0], "drain_first": [40.0], "gettags": [0.1]}
    lines = bench.sync_summary([("bgsync", bgsync_result), ("chromium", chromium_result)], 3)
    assert "3 runs" in lines[0]
    assert lines[1].split() == ["bgsync", "chromium", "bgsync/chromium"]
    register = next(line for line in lines if line.startswith("(a)"))
    assert "0.250 [0.200–0.300]" in register and "0.500 [0.400–0.600]" in register
    assert register.endswith("0.50x")
    drain = next(line for line in lines if line.startswith("(c)"))
    assert "failed (see above)" in drain and "70.0 [70.0–70.0]" in drain
    assert not drain.endswith("x")
    assert next(line for line in lines if line.startswith("(d)")).endswith("0.50x")


def test_server_serves_the_sync_pages():
    with bench._SwServer(bench.SYNC_FILES) as server:
        for path in ("/bench/sync/main.html", "/bench/sync/offline.html?driver=chromium",
                     "/bench/sync/drain.html"):
            with urllib.request.urlopen(server.url(path)) as response:
                assert response.headers["Content-Type"].startswith("text/html")
                assert b"BENCH-ERROR" in response.read()
        with urllib.request.urlopen(server.url("/bench/sync/worker.js")) as response:
            assert response.headers["Content-Type"] == "text/javascript"


# A stand-in engine for the sync bench: `python -c FAKE_SYNC PROFILE URL [--offline]`. The
# offline page stores a marker in the profile; the drain page needs it and reports handler
# start times 5 and 8 ms after its own start.
FAKE_SYNC = r"""
import os, sys, time, urllib.request
profile, url, offline = sys.argv[1], sys.argv[2], "--offline" in sys.argv[3:]
urllib.request.urlopen(url).read()
marker = os.path.join(profile, "registered-offline")
if "/main.html" in url:
    for line in ("REGISTER 0.2", "LATENCY 0.3", "LATENCY-MESSAGE 0.4", "GETTAGS 0.05"):
        print("BENCH-SYNC-" + line)
elif "/offline.html" in url:
    if not offline:
        print("BENCH-ERROR Error: 1000 sync events fired while offline")
    else:
        open(marker, "w").close()
        print("BENCH-SYNC-OFFLINE-READY 1000")
elif os.path.exists(marker):
    now = time.time() * 1000
    print(f"BENCH-SYNC-DRAIN-ABS {now + 5} {now + 8}")
else:
    print("BENCH-ERROR Error: no active registration for /bench/sync/offline/")
print("BENCH-DONE")
"""


def fake_sync_product(script=FAKE_SYNC, offline_in_page=False):
    return bench.SyncProduct(
        "fake", lambda profile, url, offline=False: [sys.executable, "-c", script, profile, url]
        + (["--offline"] if offline else []), offline_in_page)


def test_sync_main_page_values():
    with bench._SwServer(bench.SYNC_FILES) as server:
        assert bench.measure_sync_main(fake_sync_product(), server) == {
            "register": 0.2, "latency": 0.3, "latency_message": 0.4, "gettags": 0.05}


def test_sync_restart_uses_two_engine_runs_on_one_profile():
    with bench._SwServer(bench.SYNC_FILES) as server:
        values = bench.measure_sync_restart(fake_sync_product(), server)
    assert values["restart_span"] == pytest.approx(3.0)
    # From the spawn of the second engine to the last start (the fake's own start + 8 ms).
    assert 8.0 <= values["restart_drain"] < 8.0 + 5000


def test_sync_restart_failures_are_bench_errors():
    usage = "import sys; print('error: unexpected argument --offline', file=sys.stderr); sys.exit(2)"
    with bench._SwServer(bench.SYNC_FILES) as server:
        with pytest.raises(BenchError, match=r"exit status 2[\s\S]*unexpected argument"):
            bench.measure_sync_restart(fake_sync_product(usage), server)
        with pytest.raises(BenchError, match="fired while offline"):
            bench.measure_sync_offline(fake_sync_product(offline_in_page=True), server)


def test_sync_online_in_bgsync_is_the_online_bench_override_row(tmp_path):
    fake = tmp_path / "online_bench"
    fake.write_text(f"#!{sys.executable}\n"
                    "import sys\n"
                    "assert sys.argv[1:] == ['online', '--trigger', 'override'], sys.argv\n"
                    "print('BENCH-ONLINE 1.5 12.25 1000')\n")
    fake.chmod(0o755)
    product = bench.bgsync_sync_product("unused", online_bench=str(fake))
    with bench._SwServer(bench.SYNC_FILES) as server:
        assert bench.measure_sync_offline(product, server) == {"drain": 12.25,
                                                                "drain_first": 1.5}
