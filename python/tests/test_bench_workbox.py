"""`./mach bench sync`'s Workbox table: the server, the summary, and one measured run with a
stand-in engine (no bgsync binary, no Chromium)."""

import sys
import urllib.request

import pytest

from bgsync_mach import bench_workbox


def test_the_server_serves_workbox_and_records_posts():
    with bench_workbox.WorkboxServer() as server:
        with urllib.request.urlopen(server.url("/workbox/workbox-sw.js")) as response:
            assert response.headers["Content-Type"] == "text/javascript"
            assert b"workbox" in response.read()
        with urllib.request.urlopen(server.url("/app/sw.js")) as response:
            assert b"BackgroundSyncPlugin('outbox')" in response.read()
        request = urllib.request.Request(server.url("/api/messages"), data=b"{}", method="POST")
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
        assert len(server.received()) == 1
        server.clear()
        assert server.received() == []


def test_a_missing_workbox_is_a_bench_error(tmp_path):
    with pytest.raises(bench_workbox.BenchError, match="bootstrap installs Workbox"):
        bench_workbox.WorkboxServer(node_modules=str(tmp_path))


def test_summary_has_medians_and_the_ratio():
    lines = bench_workbox.summary([("bgsync", [150.0, 170.0, 160.0]),
                                   ("chromium", [1400.0, 1600.0, 1500.0])], 3)
    assert "100th queued request" in lines[0]
    assert "160.0 [150.0–170.0]" in lines[1]
    assert lines[1].endswith("0.11x")
    failed = bench_workbox.summary([("bgsync", "only 3 of 100 requests were replayed")], 1)
    assert "failed: only 3 of 100" in failed[1]


# A stand-in engine: the queueing run says it queued everything; the replaying run POSTs the
# 100 requests itself.
FAKE = r"""
import sys, urllib.request
profile, url = sys.argv[1], sys.argv[2]
if "queue" in url:
    print("BENCH-QUEUED 100")
else:
    for i in range(100):
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST")).read()
"""


def test_one_run_times_the_replay():
    with bench_workbox.WorkboxServer() as server:
        product = bench_workbox.Product(
            "fake",
            queue=lambda profile, url: [sys.executable, "-c", FAKE, profile, url],
            replay=lambda profile, url: [sys.executable, "-c", FAKE, profile, url],
            replay_path="/api/messages",
        )
        elapsed = bench_workbox.measure_once(product, server)
        assert 0 < elapsed < bench_workbox.REPLAY_TIMEOUT_S * 1000
        assert len(server.received()) == 100


def test_a_page_that_queued_less_is_a_bench_error():
    script = "print('BENCH-QUEUED 99')"
    with bench_workbox.WorkboxServer() as server:
        product = bench_workbox.Product(
            "fake", queue=lambda profile, url: [sys.executable, "-c", script],
            replay=lambda profile, url: [sys.executable, "-c", script])
        with pytest.raises(bench_workbox.BenchError, match="did not queue every message"):
            bench_workbox.measure_once(product, server)
