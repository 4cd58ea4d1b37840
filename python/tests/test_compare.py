"""The side-by-side table of `./mach test-wpt --compare`."""

from wpt.protocol import SubtestResult, TestResult
from wpt.runner import compare_table


def result(test_id, ms, *statuses):
    return TestResult(test_id, "OK", duration_ms=ms,
                      subtests=[SubtestResult(f"s{n}", status)
                                for n, status in enumerate(statuses)])


def test_rows_that_differ_are_marked_and_each_product_has_its_counts_and_median_time():
    lines = compare_table({
        "bgsync": [result("/a.html", 30, "PASS", "PASS"), result("/b.html", 50, "PASS"),
                   result("/c.html", 400, "FAIL")],
        "chromium": [result("/a.html", 300, "PASS", "FAIL"), result("/b.html", 500, "PASS"),
                     result("/c.html", 700, "PASS")],
    })
    marked = [line for line in lines if line.startswith("*")]
    assert len(marked) == 2, lines  # /a.html s1 and /c.html s0
    assert "bgsync: 3/4 subtests pass; 50 ms median wall time per test file" in lines
    assert "chromium: 3/4 subtests pass; 500 ms median wall time per test file" in lines
    assert lines[-1] == "2 rows differ (marked *)"
