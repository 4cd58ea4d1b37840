"""Results in the wptreport JSON format (what wptrunner's --log-wptreport and wpt.fyi use).

    {"time_start": ms, "time_end": ms, "run_info": {...},
     "results": [{"test": "/a.html", "status": "OK", "message": null, "duration": ms,
                  "expected": "ERROR",                 # only when the status was unexpected
                  "known_intermittent": [],
                  "subtests": [{"name": ..., "status": ..., "message": ...,
                                "expected": ..., "known_intermittent": []}]}]}
"""

import json
import os
import platform
import subprocess

from .protocol import SubtestResult, TestResult


def run_info(product, repo_root, browser_version=None):
    """The run_info of a run: what expectation conditions can test (`product == "bgsync"`)."""
    info = {
        "product": product,
        "os": platform.system().lower(),
        "processor": platform.machine(),
        "bits": 64 if platform.architecture()[0] == "64bit" else 32,
        "debug": product == "bgsync",  # bgsync is tested as a dev-profile build
        "headless": True,
    }
    try:
        info["revision"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo_root, capture_output=True, text=True,
            check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    if browser_version:
        info["browser_version"] = browser_version
    return info


def _expected_fields(item, entry):
    if item.is_unexpected:
        entry["expected"] = item.expected[0]
    entry["known_intermittent"] = list(item.expected[1:])
    return entry


def result_entry(result):
    entry = {
        "test": result.test_id,
        "status": result.status,
        "message": result.message,
        "duration": result.duration_ms,
        "subtests": [_expected_fields(subtest, {"name": subtest.name, "status": subtest.status,
                                                "message": subtest.message})
                     for subtest in result.subtests],
    }
    return _expected_fields(result, entry)


def build(results, info, time_start_ms, time_end_ms):
    return {
        "time_start": int(time_start_ms),
        "time_end": int(time_end_ms),
        "run_info": info,
        "results": [result_entry(result) for result in results],
    }


def write(path, report):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(temporary, path)


def read_results(report):
    """TestResults back from a wptreport dict (expected statuses included)."""
    results = []
    for entry in report["results"]:
        result = TestResult(entry["test"], entry["status"], entry.get("message"),
                            duration_ms=entry.get("duration", 0))
        result.expected = [entry.get("expected", entry["status"])] + entry.get("known_intermittent", [])
        for item in entry.get("subtests", []):
            subtest = SubtestResult(item["name"], item["status"], item.get("message"))
            subtest.expected = ([item.get("expected", item["status"])]
                                + item.get("known_intermittent", []))
            result.subtests.append(subtest)
        results.append(result)
    return results
