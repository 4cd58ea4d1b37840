"""wpt/meta .ini files: parsing, errors, matching, rewriting."""

import os

import pytest

from conftest import write_files
from wpt import expectations
from wpt.expectations import ExpectationError, Expectations
from wpt.protocol import SubtestResult, TestResult
from wpt.testfiles import CRASHTEST, TESTHARNESS, WptTest

SAMPLE = """\
# A comment
[a.any.html]
  expected: TIMEOUT
  bug: https://example.invalid/issue#12
  [fails]
    expected: FAIL   # inline comment
  [flaky]
    expected: [PASS, FAIL]
  [name with \\] bracket and \\\\ backslash]
    expected: NOTRUN
  [per product]
    expected:
      if product == "chromium" and not debug: PASS
      if os != "linux" or (product == "x"): TIMEOUT
      FAIL

[a.any.worker.html]
  disabled: no workers yet
"""


def make_test(test_id="/dir/a.any.html", source="dir/a.any.js", kind=TESTHARNESS):
    return WptTest(test_id, kind, source, "/tests")


def test_parse_sections_keys_and_subtests():
    top = expectations.parse(SAMPLE, "a.any.js.ini")
    assert list(top.children) == ["a.any.html", "a.any.worker.html"]
    test = top.children["a.any.html"]
    assert test.keys["expected"] == ["TIMEOUT"]
    assert test.keys["bug"] == "https://example.invalid/issue#12"
    assert list(test.children) == ["fails", "flaky", "name with ] bracket and \\ backslash",
                                   "per product"]
    assert test.children["fails"].keys["expected"] == ["FAIL"]
    assert test.children["flaky"].keys["expected"] == ["PASS", "FAIL"]
    assert top.children["a.any.worker.html"].keys["disabled"] == "no workers yet"


def test_conditions_follow_run_info():
    section = expectations.parse(SAMPLE).children["a.any.html"].children["per product"]
    get = lambda info: section.get("expected", info)  # noqa: E731
    assert get({"product": "chromium", "debug": False, "os": "linux"}) == ["PASS"]
    assert get({"product": "chromium", "debug": True, "os": "linux"}) == ["FAIL"]
    assert get({"product": "bgsync", "os": "mac"}) == ["TIMEOUT"]
    assert get({"product": "bgsync", "os": "linux"}) == ["FAIL"]


@pytest.mark.parametrize("text, line, message", [
    ("[a.html]\n  expected FAIL\n", 2, "expected '[section]' or 'key: value'"),
    ("[a.html]\n  expected: FIAL\n", 2, "unknown status 'FIAL'"),
    ("[a.html\n", 1, "does not end with ']'"),
    ("[a.html]\n\t[b]\n", 2, "spaces, not tabs"),
    ("[a.html]\n[a.html]\n", 2, "appears twice"),
    ("[a.html]\n  expected:\n    if product = 'x': FAIL\n", 3, "bad condition"),
    ("[a.html]\n  expected:\n    if __import__('os'): FAIL\n", 3, "only ==, !="),
    ("[a.html]\n  expected:\n    FAIL\n    if x: PASS\n", 4, "nothing may follow the default"),
    ("[a.html]\n  expected:\n[b.html]\n", 2, "has no value"),
    ("[a.html]\n  [s]\n    [t]\n", 3, "cannot hold sections"),
    ("[a.html]\n  expected: [FAIL, PASS\n", 2, "unterminated list"),
    ("[a]b]\n", 1, "unescaped ']'"),
])
def test_malformed_files_name_file_and_line(text, line, message):
    with pytest.raises(ExpectationError) as error:
        expectations.parse(text, "meta/x.html.ini")
    assert str(error.value).startswith(f"meta/x.html.ini:{line}: ")
    assert message in str(error.value)


def test_no_file_means_everything_passes(tmp_path):
    found = Expectations(str(tmp_path), {"product": "bgsync"}).for_test(make_test())
    assert found.expected == ["OK"]
    assert found.subtest("anything") == ["PASS"]
    assert found.disabled is None
    crashtest = make_test("/dir/c-crash.html", "dir/c-crash.html", CRASHTEST)
    assert Expectations(str(tmp_path), {}).for_test(crashtest).expected == ["PASS"]


def test_matching_a_test_and_its_subtests(tmp_path):
    meta = write_files(tmp_path, {"dir/a.any.js.ini": SAMPLE})
    found = Expectations(meta, {"product": "bgsync", "os": "linux"})
    window = found.for_test(make_test())
    assert window.expected == ["TIMEOUT"]
    assert window.subtest("fails") == ["FAIL"]
    assert window.subtest("flaky") == ["PASS", "FAIL"]
    assert window.subtest("per product") == ["FAIL"]
    assert window.subtest("not listed") == ["PASS"]
    worker = found.for_test(make_test("/dir/a.any.worker.html"))
    assert worker.disabled == "no workers yet"
    assert worker.expected == ["OK"]


def test_malformed_file_found_by_load_names_its_path(tmp_path):
    meta = write_files(tmp_path, {"dir/a.any.js.ini": "[a.any.html]\n  expected: NOPE\n"})
    with pytest.raises(ExpectationError) as error:
        Expectations(meta, {}).load([make_test()])
    assert "a.any.js.ini:2: unknown status 'NOPE'" in str(error.value)


def test_dir_ini_disables_a_directory(tmp_path):
    meta = write_files(tmp_path, {"dir/__dir__.ini": "disabled: flaky on CI\n"})
    assert Expectations(meta, {}).for_test(make_test()).disabled == "flaky on CI"


def test_serialize_round_trips():
    top = expectations.parse(SAMPLE)
    text = expectations.serialize(top)
    again = expectations.parse(text)
    assert expectations.serialize(again) == text
    assert "[name with \\] bracket and \\\\ backslash]" in text
    assert 'if product == "chromium" and not debug: PASS' in text


def result(status, subtests):
    return TestResult("/dir/a.any.html", status,
                      subtests=[SubtestResult(name, s) for name, s in subtests])


def test_update_writes_only_what_is_not_the_default(tmp_path):
    meta = str(tmp_path)
    test = make_test()
    changed = expectations.write_updates(
        meta, [(test, result("OK", [("good", "PASS"), ("bad", "FAIL")]))], {"product": "bgsync"})
    assert changed == ["dir/a.any.js.ini"]
    with open(os.path.join(meta, "dir", "a.any.js.ini")) as f:
        assert f.read() == "[a.any.html]\n  [bad]\n    expected: FAIL\n"
    # Now everything passes: the file goes away.
    expectations.write_updates(meta, [(test, result("OK", [("bad", "PASS")]))], {})
    assert not os.path.exists(os.path.join(meta, "dir", "a.any.js.ini"))


def test_update_keeps_other_sections_intermittents_and_keys(tmp_path):
    meta = write_files(tmp_path, {"dir/a.any.js.ini": SAMPLE})
    test = make_test()
    run = result("CRASH", [("fails", "PASS"), ("flaky", "FAIL"), ("new", "TIMEOUT")])
    expectations.write_updates(meta, [(test, run)], {"product": "bgsync", "os": "linux"})
    top = Expectations(meta, {}).file("dir/a.any.js.ini")
    section = top.children["a.any.html"]
    assert section.keys["expected"] == ["CRASH"]
    assert section.keys["bug"] == "https://example.invalid/issue#12"
    assert "fails" not in section.children  # passes now
    assert section.children["flaky"].keys["expected"] == ["PASS", "FAIL"]  # still allowed
    assert section.children["new"].keys["expected"] == ["TIMEOUT"]
    # A subtest that did not report this time loses its expectation.
    assert "name with ] bracket and \\ backslash" not in section.children
    assert top.children["a.any.worker.html"].keys["disabled"] == "no workers yet"


CHROMIUM_ONLY = """\
[a.any.html]
  [chromium deviates]
    expected:
      if product == "chromium": FAIL
  [both]
    expected:
      if product == "chromium": FAIL
      TIMEOUT
  [gone]
    expected:
      if product == "chromium": FAIL
      if product == "bgsync": TIMEOUT
"""


def test_update_keeps_the_conditions_of_other_products(tmp_path):
    meta = write_files(tmp_path, {"dir/a.any.js.ini": CHROMIUM_ONLY})
    test = make_test()
    # bgsync passes the first (nothing to change), fails the second differently, and no longer
    # reports the third.
    run = result("OK", [("chromium deviates", "PASS"), ("both", "FAIL")])
    expectations.write_updates(meta, [(test, run)], {"product": "bgsync"})
    top = Expectations(meta, {}).file("dir/a.any.js.ini")
    section = top.children["a.any.html"]
    for name in ("chromium deviates", "both", "gone"):
        assert section.children[name].get("expected", {"product": "chromium"}) == ["FAIL"], name
    assert section.children["chromium deviates"].get("expected", {"product": "bgsync"}) is None
    assert section.children["both"].get("expected", {"product": "bgsync"}) == ["FAIL"]
    assert section.children["gone"].get("expected", {"product": "bgsync"}) is None

    # A bgsync failure of the first is recorded next to Chromium's condition, and passing
    # again takes it away.
    expectations.write_updates(meta, [(test, result("OK", [("chromium deviates", "FAIL")]))],
                               {"product": "bgsync"})
    text = open(os.path.join(meta, "dir", "a.any.js.ini")).read()
    assert 'if product == "chromium": FAIL\n      FAIL\n' in text
    expectations.write_updates(meta, [(test, result("OK", [("chromium deviates", "PASS")]))],
                               {"product": "bgsync"})
    top = Expectations(meta, {}).file("dir/a.any.js.ini")
    deviates = top.children["a.any.html"].children["chromium deviates"]
    assert deviates.get("expected", {"product": "chromium"}) == ["FAIL"]
    assert deviates.get("expected", {"product": "bgsync"}) is None
