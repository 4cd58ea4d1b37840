"""The wrapper documents generated for .window.js, .any.js and .worker.js tests."""

from wpt import wrappers


def render(path, meta, query=""):
    return wrappers.render(path, query, meta)


def test_window_wrapper_loads_harness_meta_scripts_then_the_test():
    meta = [("title", "A <b> & c"), ("script", "/common/utils.js"), ("timeout", "long"),
            ("script", "resources/helper.js?x=1&y=2")]
    content_type, text = render("/dir/t.window.html", meta)
    assert content_type == "text/html"
    assert "<title>A &lt;b> &amp; c</title>" in text
    assert '<meta name="timeout" content="long">' in text
    order = ['src="/resources/testharness.js"', 'src="/resources/testharnessreport.js"',
             'src="/common/utils.js"', 'src="resources/helper.js?x=1&amp;y=2"',
             'src="/dir/t.window.js"']
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    assert "GLOBAL" not in text


def test_any_window_wrapper_defines_global_before_the_harness():
    _, text = render("/dir/t.any.html", [("global", "window")])
    assert text.index("isWindow: function() { return true; }") < text.index("testharness.js")
    assert text.rstrip().endswith('<script src="/dir/t.any.js"></script>')


def test_dedicated_worker_wrappers():
    _, text = render("/dir/t.worker.html", [], "?q=1")
    assert 'fetch_tests_from_worker(new Worker("/dir/t.worker.js?q=1"));' in text
    _, text = render("/dir/t.any.worker.html", [])
    assert 'fetch_tests_from_worker(new Worker("/dir/t.any.worker.js"));' in text


def test_shared_and_service_worker_wrappers():
    _, text = render("/dir/t.any.sharedworker.html", [("global", "sharedworker")])
    assert 'new SharedWorker("/dir/t.any.worker.js")' in text
    _, text = render("/dir/t.any.serviceworker.html", [("global", "serviceworker")])
    assert 'navigator.serviceWorker.register("/dir/t.any.worker.js", {scope})' in text


def test_worker_script_imports_harness_meta_scripts_test_then_done():
    meta = [("title", 'say "hi"'), ("script", "/common/utils.js")]
    content_type, text = render("/dir/t.any.worker.js", meta)
    assert content_type == "text/javascript"
    lines = text.splitlines()
    assert lines[0] == 'self.META_TITLE = "say \\"hi\\"";'
    assert "  isWorker: function() { return true; }," in lines
    imports = [line for line in lines if line.startswith("importScripts")]
    assert imports == ['importScripts("/resources/testharness.js");',
                       'importScripts("/common/utils.js");',
                       'importScripts("/dir/t.any.js");']
    assert lines[-1] == "done();"


def test_kinds_and_exposure():
    assert wrappers.kind_for_path("/a.html") is None
    assert wrappers.kind_for_path("/a.any.worker.html").global_type == "dedicatedworker"
    assert wrappers.kind_for_path("/a.worker.html").source_suffix == ".worker.js"
    window_only = [("global", "window")]
    assert wrappers.is_exposed(wrappers.kind_for_path("/a.any.html"), window_only)
    assert not wrappers.is_exposed(wrappers.kind_for_path("/a.any.worker.html"), window_only)
    assert not wrappers.is_exposed(wrappers.kind_for_path("/a.any.worker.js"), window_only)
    assert wrappers.is_exposed(wrappers.kind_for_path("/a.any.worker.js"), [])
    assert wrappers.is_exposed(wrappers.kind_for_path("/a.window.html"), window_only)
