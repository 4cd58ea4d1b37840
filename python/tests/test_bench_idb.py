"""The IndexedDB benchmark's table: medians, ratios, and sub-millisecond columns."""

from bgsync_mach import bench_idb


def _result(scale):
    """Three runs of every measure: 1, 2 and 3 times a base figure, times `scale`."""
    base = {"open": 10, "add": 100, "get": 50, "getall": 3, "cursor": 20}
    result = {key: [value * n * scale for n in (1, 2, 3)] for key, value in base.items()}
    result["txrelaxed"] = [0.06, 0.07, 0.08]
    result["txstrict"] = [0.2, 0.2, 0.3]
    return result


def test_summary_has_medians_ratios_and_two_decimals_below_a_millisecond():
    rows = [("bgsync", _result(1)), ("chromium", _result(5))]
    rows[1][1]["txrelaxed"] = [0.5, 0.5, 0.5]
    rows[1][1]["txstrict"] = [0.9, 1.0, 1.1]
    lines = bench_idb.summary(rows, 3)
    assert "3 runs" in lines[0]
    bgsync = next(line for line in lines if line.startswith("bgsync"))
    assert "20.0 ms  [10.0–30.0]" in bgsync
    assert "0.07 ms  [0.06–0.08]" in bgsync, bgsync
    assert "0.20 ms  [0.20–0.30]" in bgsync, bgsync
    ratio = next(line for line in lines if line.startswith("ratio")).split()
    assert ratio[1:6] == ["0.20x"] * 5
    assert ratio[6:] == ["0.14x", "0.20x"]


def test_a_failed_product_has_no_ratio():
    rows = [("bgsync", _result(1)), ("chromium", "/idb/bench.html: BENCH-ERROR boom")]
    lines = bench_idb.summary(rows, 3)
    assert any(line.startswith("chromium  failed: /idb/bench.html") for line in lines)
    assert not any(line.startswith("ratio") for line in lines)
