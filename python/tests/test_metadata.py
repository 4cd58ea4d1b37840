"""`// META:` parsing and the globals of .any.js tests."""

from wpt import metadata


def test_meta_block_is_the_leading_run_of_meta_lines():
    text = ("// META: title=A title\r\n"
            "//META: script=/common/utils.js\n"
            "// META:   timeout=long  \n"
            "\n"
            "// META: script=/not/read.js\n")
    assert metadata.read_script_metadata(text) == [
        ("title", "A title"), ("script", "/common/utils.js"), ("timeout", "long")]


def test_keys_may_have_hyphens_and_bgsync_prefs_are_read_in_order():
    meta = metadata.read_script_metadata(
        "// META: bgsync-pref=a.b=1\n// META: timeout=long\n// META: bgsync-pref=c=d\n")
    assert meta == [("bgsync-pref", "a.b=1"), ("timeout", "long"), ("bgsync-pref", "c=d")]
    assert metadata.prefs(meta) == ("a.b=1", "c=d")
    assert metadata.prefs([("timeout", "long")]) == ()


def test_code_before_meta_ends_the_block():
    assert metadata.read_script_metadata("'use strict';\n// META: timeout=long\n") == []


def test_value_keeps_equals_signs():
    assert metadata.read_script_metadata("// META: variant=?a=1&b=2\n") == [("variant", "?a=1&b=2")]


def test_no_global_means_window_and_dedicated_worker():
    assert metadata.any_globals([]) == {"window", "dedicatedworker"}
    assert metadata.parse_globals("") == {"window", "dedicatedworker"}


def test_worker_shorthand_and_unknown_names():
    assert metadata.parse_globals("window, worker") == {
        "window", "dedicatedworker", "sharedworker", "serviceworker"}
    assert metadata.parse_globals("serviceworker,jsshell") == {"serviceworker"}
    assert metadata.parse_globals("default,sharedworker") == {
        "window", "dedicatedworker", "sharedworker"}


def test_last_global_wins():
    meta = [("global", "window"), ("global", "serviceworker")]
    assert metadata.any_globals(meta) == {"serviceworker"}


def test_timeout_and_variants():
    meta = [("timeout", "long"), ("variant", "?1-10"), ("variant", "?11-20")]
    assert metadata.is_long_timeout(meta)
    assert metadata.variants(meta) == ["?1-10", "?11-20"]
    assert metadata.variants([]) == [""]
    assert not metadata.is_long_timeout([("timeout", "short")])


def test_chromium_args_are_read_in_order():
    meta = metadata.read_script_metadata(
        "// META: bgsync-chromium-arg=--a=1/2\n// META: bgsync-pref=x=y\n"
        "// META: bgsync-chromium-arg=--b\n")
    assert metadata.chromium_args(meta) == ("--a=1/2", "--b")
    assert metadata.prefs(meta) == ("x=y",)
    assert metadata.chromium_args([("timeout", "long")]) == ()
