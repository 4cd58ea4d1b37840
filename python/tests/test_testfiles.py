"""Which files are tests, of which kind, with which ids; and choosing tests by path."""

import os

import pytest

from conftest import HARNESS_PAGE, write_files
from wpt import testfiles
from wpt.testfiles import CRASHTEST, TESTHARNESS, TestPathError

FILES = {
    "dir/plain.html": HARNESS_PAGE,
    "dir/support-page.html": "<!doctype html><p>no harness</p>",
    "dir/boom-crash.html": "<!doctype html><script>1</script>",
    "dir/crashtests/nested.html": "<!doctype html>",
    "dir/win.https.window.js": "// META: script=/common/utils.js\ntest(() => {});\n",
    "dir/multi.any.js": "// META: global=window,worker\n// META: timeout=long\ntest(() => {});\n",
    "dir/default.any.js": "test(() => {});\n",
    "dir/variants.any.js": "// META: global=window\n// META: variant=?a\n// META: variant=?b\n",
    "dir/ded.worker.js": "test(() => {});\ndone();\n",
    "dir/ref.html": '<link rel="match" href="ref-ref.html">' + HARNESS_PAGE,
    "dir/thing-manual.html": HARNESS_PAGE,
    "dir/long.html": '<meta name="timeout" content="long">' + HARNESS_PAGE,
    "dir/meta-variant.html": '<meta name=variant content="?x">\n<meta name="variant" content="?y">'
                             + HARNESS_PAGE,
    "dir/resources/helper.html": HARNESS_PAGE,
    "dir/support/other.html": HARNESS_PAGE,
    "dir/helper.js": "function helper() {}\n",
    "dir/sub.sub.html": HARNESS_PAGE,
}


@pytest.fixture
def root(tmp_path):
    return write_files(tmp_path / "tests", FILES)


def by_id(selection):
    return {test.id: test for test in selection.tests}


def test_every_file_kind_gets_its_ids(root):
    selection = testfiles.select([root], enabled_globals=testfiles.SUPPORTED_GLOBALS)
    tests = by_id(selection)
    assert sorted(tests) == [
        "/dir/boom-crash.html",
        "/dir/crashtests/nested.html",
        "/dir/ded.worker.html",
        "/dir/default.any.html",
        "/dir/default.any.worker.html",
        "/dir/long.html",
        "/dir/meta-variant.html?x",
        "/dir/meta-variant.html?y",
        "/dir/multi.any.html",
        "/dir/multi.any.serviceworker.html",
        "/dir/multi.any.sharedworker.html",
        "/dir/multi.any.worker.html",
        "/dir/plain.html",
        "/dir/sub.sub.html",
        "/dir/variants.any.html?a",
        "/dir/variants.any.html?b",
        "/dir/win.https.window.html",
    ]
    assert tests["/dir/boom-crash.html"].kind == CRASHTEST
    assert tests["/dir/crashtests/nested.html"].kind == CRASHTEST
    assert tests["/dir/plain.html"].kind == TESTHARNESS
    assert tests["/dir/multi.any.html"].long_timeout
    assert tests["/dir/long.html"].long_timeout
    assert not tests["/dir/plain.html"].long_timeout
    assert tests["/dir/multi.any.worker.html"].global_type == "dedicatedworker"
    assert tests["/dir/ded.worker.html"].global_type == "dedicatedworker"
    assert tests["/dir/win.https.window.html"].source == "dir/win.https.window.js"
    skipped = {item.id: item.reason for item in selection.skipped}
    assert "reftest" in skipped["/dir/ref.html"]
    assert "manual" in skipped["/dir/thing-manual.html"]


def test_only_window_variants_run_by_default(root):
    selection = testfiles.select([root])
    ids = {test.id for test in selection.tests}
    assert "/dir/multi.any.html" in ids
    assert "/dir/multi.any.worker.html" not in ids
    assert "/dir/ded.worker.html" not in ids
    reasons = {item.id: item.reason for item in selection.skipped}
    assert reasons["/dir/multi.any.worker.html"] == \
        "runs in a dedicatedworker (add --global dedicatedworker)"


def test_expectation_file_and_section(root):
    tests = by_id(testfiles.select([root], enabled_globals=testfiles.SUPPORTED_GLOBALS))
    test = tests["/dir/multi.any.worker.html"]
    assert test.meta_file == "dir/multi.any.js.ini"
    assert test.meta_section == "multi.any.worker.html"
    assert tests["/dir/meta-variant.html?y"].meta_section == "meta-variant.html?y"


def test_select_by_directory_file_and_test_id(root):
    assert [t.id for t in testfiles.select([root], ["dir/crashtests"]).tests] == [
        "/dir/crashtests/nested.html"]
    assert [t.id for t in testfiles.select([root], ["dir/plain.html"]).tests] == ["/dir/plain.html"]
    assert [t.id for t in testfiles.select([root], ["/dir/variants.any.html?b"]).tests] == [
        "/dir/variants.any.html?b"]
    assert [t.id for t in testfiles.select([root], ["dir/variants.any.js"]).tests] == [
        "/dir/variants.any.html?a", "/dir/variants.any.html?b"]
    # A filesystem path to a file inside the root works from any directory.
    path = os.path.join(root, "dir", "long.html")
    assert [t.id for t in testfiles.select([root], [path]).tests] == ["/dir/long.html"]


def test_path_that_does_not_exist_is_a_clear_error(root):
    with pytest.raises(TestPathError, match="no test file or directory matches 'dir/nope.html'"):
        testfiles.select([root], ["dir/nope.html"])


def test_support_file_is_not_a_test(root):
    with pytest.raises(TestPathError, match="is not a test"):
        testfiles.select([root], ["dir/helper.js"])


def test_unknown_variant_of_a_test_file(root):
    with pytest.raises(TestPathError, match="has no test '/dir/variants.any.html\\?c'"):
        testfiles.select([root], ["/dir/variants.any.html?c"])


def test_earlier_root_shadows_later_root(tmp_path):
    ours = write_files(tmp_path / "ours", {"shared/a.html": HARNESS_PAGE,
                                          "mine/only.html": HARNESS_PAGE})
    upstream = write_files(tmp_path / "upstream", {"shared/a.html": HARNESS_PAGE,
                                                   "shared/b.html": HARNESS_PAGE,
                                                   "resources/testharness.js": ""})
    tests = by_id(testfiles.select([ours, upstream], ["shared"]))
    assert sorted(tests) == ["/shared/a.html", "/shared/b.html"]
    assert tests["/shared/a.html"].root == ours
    assert tests["/shared/b.html"].root == upstream
    assert [t.id for t in testfiles.select([ours, upstream], ["mine/only.html"]).tests] == [
        "/mine/only.html"]


def test_source_for_test_id():
    assert testfiles.source_for_test_id("/a/b.any.worker.html?x") == "/a/b.any.js"
    assert testfiles.source_for_test_id("/a/b.any.html") == "/a/b.any.js"
    assert testfiles.source_for_test_id("/a/b.window.html") == "/a/b.window.js"
    assert testfiles.source_for_test_id("/a/b.worker.html") == "/a/b.worker.js"
    assert testfiles.source_for_test_id("/a/b.html?v") == "/a/b.html"


def test_repository_infrastructure_tests_cover_every_kind():
    from conftest import REPO_ROOT
    root = os.path.join(REPO_ROOT, "wpt", "tests")
    selection = testfiles.select([root], ["infrastructure"])
    sources = {test.source for test in selection.tests}
    kinds = {test.kind for test in selection.tests}
    assert kinds == {TESTHARNESS, CRASHTEST}
    assert any(source.endswith(".window.js") for source in sources)
    assert any(source.endswith(".any.js") for source in sources)
    assert any(".sub." in source for source in sources)
    assert any(source.endswith(".html") and ".sub." not in source for source in sources)


def test_tests_carry_their_bgsync_prefs(tmp_path):
    root = write_files(tmp_path / "tests", {
        "p/page.html": '<meta name="bgsync-pref" content="a.b=1">\n'
                       "<meta name='bgsync-pref' content=' c.d=x y '>\n"
                       '<meta name="variant" content="?v">' + HARNESS_PAGE,
        "p/none.html": HARNESS_PAGE,
        "p/boom-crash.html": '<meta name="bgsync-pref" content="e.f=true"><script>1</script>',
        "p/script.any.js": "// META: global=window\n// META: bgsync-pref=g.h=2\n"
                           "// META: bgsync-pref=i.j=k=l\ntest(() => {});\n",
        "p/win.window.js": "// META: bgsync-pref=m.n=3\ntest(() => {});\n",
    })
    tests = by_id(testfiles.select([root]))
    assert tests["/p/page.html?v"].prefs == ("a.b=1", "c.d=x y")
    assert tests["/p/none.html"].prefs == ()
    assert tests["/p/boom-crash.html"].prefs == ("e.f=true",)
    assert tests["/p/script.any.html"].prefs == ("g.h=2", "i.j=k=l")
    assert tests["/p/win.window.html"].prefs == ("m.n=3",)


def test_tests_carry_their_chromium_args(tmp_path):
    root = write_files(tmp_path / "tests", {
        "p/page.html": '<meta name="bgsync-chromium-arg" content="--force-fieldtrials=A/B">\n'
                       "<meta name='bgsync-chromium-arg' content=' --x=1 '>" + HARNESS_PAGE,
        "p/none.html": HARNESS_PAGE,
        "p/boom-crash.html": '<meta name="bgsync-chromium-arg" content="--y"><script>1</script>',
        "p/script.any.js": "// META: global=window\n// META: bgsync-chromium-arg=--z=a/b\n"
                           "test(() => {});\n",
        "p/win.window.js": "// META: bgsync-chromium-arg=--w\ntest(() => {});\n",
    })
    tests = by_id(testfiles.select([root]))
    assert tests["/p/page.html"].chromium_args == ("--force-fieldtrials=A/B", "--x=1")
    assert tests["/p/page.html"].prefs == ()
    assert tests["/p/none.html"].chromium_args == ()
    assert tests["/p/boom-crash.html"].chromium_args == ("--y",)
    assert tests["/p/script.any.html"].chromium_args == ("--z=a/b",)
    assert tests["/p/win.window.html"].chromium_args == ("--w",)
