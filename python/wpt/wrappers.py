"""The documents the server generates around .window.js, .any.js and .worker.js tests.

wptserve from PyPI is only the server: the handlers that write these wrappers live in
web-platform-tests' own tools/serve (with its manifest code), which is not packaged. So this
module writes them, following the same conventions, so that a test written for upstream runs
unchanged:

- `/x.window.html` -> a page that loads testharness.js, testharnessreport.js, the META
  scripts, then `/x.window.js`;
- `/x.any.html` -> the same for `/x.any.js`, after defining `self.GLOBAL` (isWindow() ...);
- `/x.worker.html` -> a page that runs `/x.worker.js` in a dedicated worker and collects its
  results with `fetch_tests_from_worker`;
- `/x.any.worker.html`, `.any.sharedworker.html`, `.any.serviceworker.html` -> a page that
  starts the worker kind on `/x.any.worker.js`, which is in turn generated: it imports
  testharness.js, the META scripts and `/x.any.js`, then calls done().
"""

from dataclasses import dataclass

from . import metadata


@dataclass(frozen=True)
class WrapperKind:
    request_suffix: str  # suffix of the requested URL path
    source_suffix: str  # suffix of the JS file on disk that holds the test
    global_type: str  # the global the test runs in (checked against `// META: global=`)
    is_any: bool  # an .any.js test, which may only run in the globals it names
    content_type: str = "text/html"


WRAPPER_KINDS = [
    WrapperKind(".any.worker.html", ".any.js", "dedicatedworker", True),
    WrapperKind(".any.sharedworker.html", ".any.js", "sharedworker", True),
    WrapperKind(".any.serviceworker.html", ".any.js", "serviceworker", True),
    WrapperKind(".any.worker.js", ".any.js", "worker-script", True, "text/javascript"),
    WrapperKind(".any.html", ".any.js", "window", True),
    WrapperKind(".window.html", ".window.js", "window", False),
    WrapperKind(".worker.html", ".worker.js", "dedicatedworker", False),
]

_WORKER_GLOBALS = {"dedicatedworker", "sharedworker", "serviceworker"}

_GLOBAL_OBJECT = """<script>
self.GLOBAL = {
  isWindow: function() { return true; },
  isWorker: function() { return false; },
  isShadowRealm: function() { return false; },
};
</script>
"""

_HARNESS = """<script src="/resources/testharness.js"></script>
<script src="/resources/testharnessreport.js"></script>
"""


def kind_for_path(url_path):
    """The WrapperKind of a requested URL path, or None for a path that is no wrapper."""
    for kind in WRAPPER_KINDS:
        if url_path.endswith(kind.request_suffix):
            return kind
    return None


def source_path(url_path, kind):
    """`/a/b.any.js` for a request of `/a/b.any.worker.html`."""
    return url_path[: -len(kind.request_suffix)] + kind.source_suffix


def is_exposed(kind, meta):
    """Whether an .any.js test with this metadata runs in the wrapper's global at all."""
    if not kind.is_any:
        return True
    globals_ = metadata.any_globals(meta)
    if kind.global_type == "worker-script":
        return bool(globals_ & _WORKER_GLOBALS)
    return kind.global_type in globals_


def _html_text(value):
    return value.replace("&", "&amp;").replace("<", "&lt;")


def _html_attribute(value):
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _js_string(value):
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _head_meta(meta):
    lines = []
    for key, value in meta:
        if key == "timeout" and value == "long":
            lines.append('<meta name="timeout" content="long">')
        elif key == "title":
            lines.append(f"<title>{_html_text(value)}</title>")
    return "".join(line + "\n" for line in lines)


def _script_tags(meta):
    return "".join(f'<script src="{_html_attribute(value)}"></script>\n'
                   for key, value in meta if key == "script")


def render(url_path, query, meta):
    """The wrapper document (or worker script) for a request of `url_path`.

    `query` is the request's query string with its "?" (or ""), passed on to worker scripts;
    `meta` the source file's `// META:` pairs. Returns (content_type, text).
    """
    kind = kind_for_path(url_path)
    script = source_path(url_path, kind)
    start = "<!doctype html>\n<meta charset=utf-8>\n" + _head_meta(meta)
    if kind.global_type == "worker-script":
        return kind.content_type, _worker_script(script, meta)
    if kind.global_type == "window":
        global_object = _GLOBAL_OBJECT if kind.is_any else ""
        text = (start + global_object + _HARNESS + _script_tags(meta) + "<div id=log></div>\n"
                + f'<script src="{_html_attribute(script)}"></script>\n')
        return kind.content_type, text
    # A worker kind: the page starts the worker and collects its results.
    worker_url = (url_path[: -len(kind.request_suffix)] + ".any.worker.js" if kind.is_any
                  else script) + query
    worker_url = _js_string(worker_url)
    if kind.global_type == "dedicatedworker":
        start_worker = f'fetch_tests_from_worker(new Worker("{worker_url}"));\n'
    elif kind.global_type == "sharedworker":
        start_worker = f'fetch_tests_from_worker(new SharedWorker("{worker_url}"));\n'
    else:
        start_worker = ("(async function() {\n"
                        "  const scope = 'does/not/exist';\n"
                        "  let registration = await navigator.serviceWorker.getRegistration(scope);\n"
                        "  if (registration) await registration.unregister();\n"
                        f'  registration = await navigator.serviceWorker.register("{worker_url}", {{scope}});\n'
                        "  fetch_tests_from_worker(registration.installing);\n"
                        "})();\n")
    text = start + _HARNESS + "<div id=log></div>\n<script>\n" + start_worker + "</script>\n"
    return kind.content_type, text


def _worker_script(script, meta):
    lines = []
    for key, value in meta:
        if key == "title":
            lines.append(f'self.META_TITLE = "{_js_string(value)}";')
    lines += [
        "self.GLOBAL = {",
        "  isWindow: function() { return false; },",
        "  isWorker: function() { return true; },",
        "  isShadowRealm: function() { return false; },",
        "};",
        'importScripts("/resources/testharness.js");',
    ]
    lines += [f'importScripts("{_js_string(value)}");' for key, value in meta if key == "script"]
    lines += [f'importScripts("{_js_string(script)}");', "done();"]
    return "\n".join(lines) + "\n"
