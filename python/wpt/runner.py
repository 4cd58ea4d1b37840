"""Runs a list of tests in one product, N at a time, with a progress line and a summary."""

import statistics
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from . import protocol


class Progress:
    """`[done/total] N unexpected` as tests finish: one rewritten line on a terminal, one line
    per test otherwise (CI logs)."""

    def __init__(self, total, stream=None, product=""):
        self.total = total
        self.done = 0
        self.unexpected = 0
        self.stream = stream or sys.stderr
        self.product = product
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.lock = threading.Lock()

    def finished(self, result):
        with self.lock:
            self.done += 1
            bad = int(result.is_unexpected) + len(result.unexpected_subtests)
            self.unexpected += bad
            width = len(str(self.total))
            head = f"[{self.done:>{width}}/{self.total}] {self.unexpected} unexpected"
            if self.interactive:
                self.stream.write(f"\r\033[K{head}  {result.status:<8} {result.test_id}")
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                note = f"  ({bad} unexpected)" if bad else ""
                seconds = result.duration_ms / 1000
                self.stream.write(f"{head}  {result.status:<8} {result.test_id} "
                                  f"[{seconds:.1f}s]{note}\n")
            self.stream.flush()


def run_tests(tests, executor, expectations, url_for, jobs=1, progress=None):
    """Runs `tests` (WptTest) with `executor`; returns the TestResults in test order, each with
    its expected statuses filled in from `expectations`."""
    progress = progress or Progress(len(tests), product=executor.product)

    def run_one(test):
        expectation = expectations.for_test(test)
        try:
            result = executor.run(test, url_for(test.id))
        except Exception as error:  # a runner bug must not hide the other results
            result = protocol.TestResult(test.id, "ERROR", f"runner error: {error!r}")
        result.expected = expectation.expected
        for subtest in result.subtests:
            subtest.expected = expectation.subtest(subtest.name)
        progress.finished(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(run_one, tests))


def printable(name):
    """A subtest name on one line: line breaks and tabs shown as \\n and \\t."""
    return name.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _one_line(message, limit=300):
    if message is None:
        return ""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_lines(results, skipped, product, verbose=False):
    """The end-of-run summary: unexpected results with their messages, then counts."""
    lines = []
    unexpected = [result for result in results
                  if result.is_unexpected or result.unexpected_subtests]
    if unexpected:
        lines.append(f"Unexpected results in {product} ({len(unexpected)} tests):")
        for result in unexpected:
            expected = "/".join(result.expected)
            head = f"  {result.test_id}: {result.status}"
            if result.is_unexpected:
                head += f" (expected {expected})"
            if result.message:
                head += f": {_one_line(result.message)}"
            lines.append(head)
            for subtest in result.unexpected_subtests:
                line = (f"    [{printable(subtest.name)}] {subtest.status} "
                        f"(expected {'/'.join(subtest.expected)})")
                if subtest.message:
                    line += f": {_one_line(subtest.message)}"
                lines.append(line)
            if verbose:
                for console_line in result.console[-20:]:
                    lines.append(f"      console: {console_line}")
                for stderr_line in result.stderr_tail.splitlines()[-10:]:
                    lines.append(f"      stderr: {stderr_line}")
    passed, failed = protocol.expected_counts(results)
    subtests = sum(len(result.subtests) for result in results)
    not_pass = sum(1 for result in results for item in [result] + result.subtests
                   if not item.is_unexpected and item.status not in ("OK", "PASS"))
    line = (f"Ran {len(results)} tests ({subtests} subtests) in {product}: "
            f"{passed} as expected")
    if not_pass:
        line += f" (of which {not_pass} expected not to pass)"
    line += f", {failed} unexpected"
    if skipped:
        line += f"; {len(skipped)} skipped"
    lines.append(line)
    return lines


def skipped_lines(skipped):
    reasons = {}
    for item in skipped:
        reasons.setdefault(item.reason, []).append(item.id)
    return [f"Skipped {len(ids)}: {reason}" for reason, ids in sorted(reasons.items())]


def compare_table(results_by_product):
    """Side-by-side statuses of every test and subtest, one column per product.

    Rows where the products differ are marked with '*'."""
    products = list(results_by_product)
    rows = {}  # (test id, subtest name or None) -> {product: status}
    order = []
    for product in products:
        for result in results_by_product[product]:
            for key, status in [((result.test_id, None), result.status)] + [
                    ((result.test_id, subtest.name), subtest.status) for subtest in result.subtests]:
                if key not in rows:
                    rows[key] = {}
                    order.append(key)
                rows[key][product] = status
    order.sort(key=lambda key: (key[0], key[1] is not None))
    labels = [test_id if name is None else "  " + printable(name) for test_id, name in order]
    width = min(max([len("test / subtest")] + [len(label) for label in labels]), 90)
    column = max(12, max(len(product) for product in products) + 2)
    out = ["  " + "test / subtest".ljust(width) + "".join(p.ljust(column) for p in products)]
    differing = 0
    for key, label in zip(order, labels):
        statuses = [rows[key].get(product, "-") for product in products]
        mark = "*" if len(set(statuses)) > 1 else " "
        differing += mark == "*"
        if len(label) > width:
            label = label[: width - 1] + "…"
        out.append(f"{mark} {label.ljust(width)}" + "".join(s.ljust(column) for s in statuses))
    for product in products:
        results = results_by_product[product]
        subtests = [s for r in results for s in r.subtests]
        passing = sum(1 for subtest in subtests if subtest.status == "PASS")
        line = f"{product}: {passing}/{len(subtests)} subtests pass"
        if results:
            # The wall time of a test file, from the product's start to its result: what a
            # run of a folder costs per file in each product.
            median = statistics.median(result.duration_ms for result in results)
            line += f"; {median:.0f} ms median wall time per test file"
        out.append(line)
    out.append(f"{differing} rows differ (marked *)")
    return out
