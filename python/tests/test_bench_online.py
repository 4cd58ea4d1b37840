"""`./mach bench online`: reading online_bench's BENCH lines, the summary, and runs with a
stand-in binary (no bgsync build, no namespaces)."""

import os
import stat
import sys

import pytest

from bgsync_mach import bench_online
from bgsync_mach.bench_online import BenchError, parse_lines


def test_parse_lines_reads_the_numbers_of_each_bench_line():
    values = parse_lines([
        "some output\n",
        "BENCH-ONLINE-WAITING\n",
        "BENCH-ONLINE-REPORT-EPOCH-MS 1700000000000.5\n",
        "BENCH-ONLINE 12.5 40 1000\r\n",
    ])
    assert values == {"BENCH-ONLINE-WAITING": [],
                      "BENCH-ONLINE-REPORT-EPOCH-MS": [1700000000000.5],
                      "BENCH-ONLINE": [12.5, 40.0, 1000.0]}
    assert bench_online.online_values(values) == (12.5, 40.0)


def test_an_error_line_or_too_few_handlers_is_a_bench_error():
    with pytest.raises(BenchError, match="the page ended"):
        parse_lines(["BENCH-ONLINE 1 2 1000", "BENCH-ERROR the page ended Idle"])
    with pytest.raises(BenchError, match="unreadable"):
        parse_lines(["BENCH-RSS 1 two 3 4"])
    with pytest.raises(BenchError, match="only 999 handlers"):
        bench_online.online_values({"BENCH-ONLINE": [1, 2, 999]})
    with pytest.raises(BenchError, match="no BENCH-ONLINE"):
        bench_online.online_values({})


def test_summary_has_medians_the_link_report_and_the_memory_per_registration():
    rows = [("override, worker running", {"first": [3, 1, 2], "last": [30, 10, 20], "report": []}),
            ("netns link up, worker running",
             {"first": [5, 5, 5], "last": [9, 9, 9], "report": [100, 300, 200]}),
            ("override, worker stopped", "not measured: needs root (ip netns)")]
    rss = {"before": 8192, "without": 20480, "with": 30720, "listed": 10000}
    lines = bench_online.summary(rows, rss, 3)
    assert lines[0].startswith("online: 1000 pending sync registrations, 3 runs")
    assert lines[2].startswith("override, worker running")
    assert "2.0 [1.0–3.0]" in lines[2] and "20.0 [10.0–30.0]" in lines[2]
    assert lines[4].endswith("not measured: needs root (ip netns)")
    assert any("`ip link set up` -> online report 200.0 [100.0–300.0]" in line for line in lines)
    assert lines[-1] == ("rss (VmRSS): engine + one page + one idle worker: 20.0 MiB; with 10000 "
                         "pending sync registrations: 30.0 MiB (+10.0 MiB, 1049 bytes each); "
                         "the process before the engine: 8.0 MiB")


def _stand_in(tmp_path, script):
    """An executable that runs `script` (Python) with online_bench's arguments."""
    path = tmp_path / "online_bench"
    path.write_text(f"#!{sys.executable}\nimport sys\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_a_run_of_the_override_rows_and_rss_with_a_stand_in(tmp_path):
    binary = _stand_in(tmp_path, """
if sys.argv[1] == "online":
    print("BENCH-ONLINE-REPORT-EPOCH-MS 1")
    print("BENCH-ONLINE 4 8 1000")
else:
    print("BENCH-RSS 100 200 300 10000")
""")
    assert bench_online.measure_online(binary, ["--trigger", "override"]) == {"first": 4.0,
                                                                               "last": 8.0}
    assert bench_online.measure_rss(binary) == {"before": 100.0, "without": 200.0,
                                                "with": 300.0, "listed": 10000.0}


def test_a_failing_engine_is_a_bench_error_with_its_output(tmp_path):
    binary = _stand_in(tmp_path, 'print("starting"); sys.stderr.write("boom\\n"); sys.exit(3)')
    with pytest.raises(BenchError, match="status 3") as error:
        bench_online.measure_online(binary, ["--trigger", "override"])
    assert "boom" in str(error.value)
    with pytest.raises(BenchError, match="no BENCH-RSS"):
        bench_online.measure_rss(_stand_in(tmp_path, "pass"))


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX only")
def test_netns_missing_says_why_or_nothing():
    missing = bench_online.netns_missing()
    if os.geteuid() != 0:
        assert missing == "needs root (ip netns)"
    else:
        assert missing is None or isinstance(missing, str)
