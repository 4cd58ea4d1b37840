"""Which files under a test root are tests, of which kind, and what their test ids are.

A test id is the URL path (plus the variant's query string) that the runner loads, as in
web-platform-tests: `dir/a.html` is `/dir/a.html`, `dir/b.window.js` is `/dir/b.window.html`,
`dir/c.any.js` is `/dir/c.any.html` (window) and `/dir/c.any.worker.html` (dedicated worker)...

Kinds:
- testharness: .html/.htm pages that load /resources/testharness.js, and the .js forms
  (.window.js, .any.js, .worker.js) that get a generated wrapper page;
- crashtest: .html/.htm in a `crashtests/` directory or named `*-crash.html`; it passes when
  the engine exits without crashing.
Reftests, manual and visual tests are listed as skipped: bgsync has no rendering.

A test can ask for bgsync prefs: `<meta name="bgsync-pref" content="NAME=VALUE">` in an HTML
test (testharness or crashtest), `// META: bgsync-pref=NAME=VALUE` in a .js one; repeatable.
The bgsync executor passes them as `--pref` options; Chromium ignores them.

A test can ask to be loaded from an insecure origin (every test is otherwise loaded from a
secure one: http://127.0.0.1:PORT, or https://web-platform.test:PORT; see server.py):
`<meta name="bgsync-origin" content="insecure">`, or `// META: bgsync-origin=insecure`. The
runner then loads it from a further listener of the test server on a non-loopback address of
this machine (server.py), for both products.

A test can ask for Chromium command-line arguments, for `--product chromium`:
`<meta name="bgsync-chromium-arg" content="--flag=value">` or `// META: bgsync-chromium-arg=...`
(repeatable). Chromium then runs that test in a browser of its own, launched with them (the
background-sync tests use it for Chromium's field-trial parameters: its retry delays are
minutes by default). bgsync ignores them.

Several roots can be stacked (bgsync's wpt/tests, then an upstream checkout): they are all
served at `/`, and a path in an earlier root shadows the same path in a later one.
"""

import os
import re
from dataclasses import dataclass

from . import metadata

TESTHARNESS = "testharness"
CRASHTEST = "crashtest"

# <meta name="bgsync-pref" content="NAME=VALUE">: a bgsync pref for this test (repeatable).
PREF_META = "bgsync-pref"
# <meta name="bgsync-origin" content="insecure">: load this test from an insecure origin.
ORIGIN_META = "bgsync-origin"
INSECURE = "insecure"
# <meta name="bgsync-chromium-arg" content="--flag">: a Chromium argument for this test.
CHROMIUM_ARG_META = "bgsync-chromium-arg"

# Globals this runner can generate wrappers for. Which of them run is a runner option.
SUPPORTED_GLOBALS = ("window", "dedicatedworker", "sharedworker", "serviceworker")

_SKIPPED_DIRS = {".git", "node_modules", "__pycache__", "resources", "support", "tools"}
_SKIPPED_TOP_DIRS = {"common", "interfaces", ".well-known", "docs"}

_TESTHARNESS_SCRIPT = re.compile(
    r"""<script[^>]*\bsrc\s*=\s*["']?[^"'\s>]*/resources/testharness\.js""", re.I)
_REFTEST_LINK = re.compile(r"""<link[^>]*\brel\s*=\s*["']?(match|mismatch)\b""", re.I)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class TestPathError(Exception):
    """A path given on the command line names no test file or directory."""

    __test__ = False  # not a pytest test class


@dataclass(frozen=True)
class WptTest:
    """One test: a page the engine loads, with the file it comes from."""

    __test__ = False  # not a pytest test class

    id: str  # URL path and query, e.g. "/infrastructure/basic.any.html"
    kind: str  # TESTHARNESS or CRASHTEST
    source: str  # path of the source file relative to its root, with "/" separators
    root: str  # the test root the source file is in
    long_timeout: bool = False
    global_type: str = "window"
    # bgsync prefs this test runs with (`NAME=VALUE`): <meta name="bgsync-pref"> in an HTML
    # test, `// META: bgsync-pref=NAME=VALUE` in a .js one. Chromium ignores them.
    prefs: tuple = ()
    # Loaded from the test server's insecure origin instead of a secure one.
    insecure_origin: bool = False
    # Command-line arguments of the Chromium that runs this test (`--product chromium`): it then
    # gets a browser of its own. bgsync ignores them.
    chromium_args: tuple = ()

    @property
    def meta_file(self):
        """The expectation file for this test, relative to wpt/meta (wptrunner's layout)."""
        return self.source + ".ini"

    @property
    def meta_section(self):
        """The `[section]` name of this test in its expectation file."""
        return self.id.rsplit("/", 1)[1]

    @property
    def source_path(self):
        return os.path.join(self.root, *self.source.split("/"))


@dataclass(frozen=True)
class SkippedTest:
    id: str
    source: str
    reason: str


@dataclass
class Selection:
    tests: list
    skipped: list


def _html_metas(text):
    """(name, content) of every <meta name=... content=...> tag in an HTML text."""
    metas = []
    for tag in _META_TAG.findall(text):
        attributes = {}
        for match in _ATTRIBUTE.finditer(tag[5:]):
            value = next(group for group in match.groups()[1:] if group is not None)
            attributes[match.group(1).lower()] = value
        if "name" in attributes:
            metas.append((attributes["name"].lower(), attributes.get("content", "")))
    return metas


def _read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def _type_flag(filename):
    """`crash` for `a-crash.html`, `manual` for `b-manual.https.html`, else None."""
    name = filename.split(".", 1)[0]
    if "-" in name:
        return name.rsplit("-", 1)[1]
    return None


def is_crashtest_path(rel_path):
    parts = rel_path.split("/")
    return _type_flag(parts[-1]) == "crash" or "crashtests" in parts[:-1]


def _url_dir(rel_path):
    directory = rel_path.rsplit("/", 1)[0] if "/" in rel_path else ""
    return "/" + directory + "/" if directory else "/"


def tests_in_file(root, rel_path, enabled_globals=("window",)):
    """The tests and skipped tests that the file `rel_path` (under `root`) defines.

    Returns (tests, skipped); both empty for a support file.
    """
    filename = rel_path.rsplit("/", 1)[-1]
    if filename.startswith(".") or filename.endswith((".headers", ".ini")):
        return [], []
    path = os.path.join(root, *rel_path.split("/"))
    url = "/" + rel_path
    flag = _type_flag(filename)
    if flag in ("manual", "visual"):
        return [], [SkippedTest(url, rel_path, f"{flag} test")]

    if filename.endswith(".any.js"):
        meta = metadata.read_script_metadata(_read_text(path))
        tests, skipped = [], []
        for global_type in sorted(metadata.any_globals(meta)):
            test_url = url[: -len(".any.js")] + metadata.ANY_GLOBAL_SUFFIXES[global_type]
            for variant in metadata.variants(meta):
                _add_test(tests, skipped, WptTest(
                    id=test_url + variant, kind=TESTHARNESS, source=rel_path, root=root,
                    long_timeout=metadata.is_long_timeout(meta), global_type=global_type,
                    prefs=metadata.prefs(meta), insecure_origin=metadata.insecure_origin(meta),
                    chromium_args=metadata.chromium_args(meta)), enabled_globals)
        return tests, skipped
    for suffix, global_type in ((".window.js", "window"), (".worker.js", "dedicatedworker")):
        if filename.endswith(suffix):
            meta = metadata.read_script_metadata(_read_text(path))
            tests, skipped = [], []
            for variant in metadata.variants(meta):
                _add_test(tests, skipped, WptTest(
                    id=url[: -len(".js")] + ".html" + variant, kind=TESTHARNESS,
                    source=rel_path, root=root, long_timeout=metadata.is_long_timeout(meta),
                    global_type=global_type, prefs=metadata.prefs(meta),
                    insecure_origin=metadata.insecure_origin(meta),
                    chromium_args=metadata.chromium_args(meta)), enabled_globals)
            return tests, skipped

    if not filename.endswith((".html", ".htm")):
        return [], []
    text = _read_text(path)
    metas = _html_metas(text)
    prefs = tuple(content.strip() for name, content in metas if name == PREF_META)
    insecure = (ORIGIN_META, INSECURE) in [(name, content.strip().lower())
                                           for name, content in metas]
    chromium_args = tuple(content.strip() for name, content in metas
                          if name == CHROMIUM_ARG_META)
    if is_crashtest_path(rel_path):
        return [WptTest(id=url, kind=CRASHTEST, source=rel_path, root=root, prefs=prefs,
                        insecure_origin=insecure, chromium_args=chromium_args)], []
    if _REFTEST_LINK.search(text):
        return [], [SkippedTest(url, rel_path, "reftest (bgsync has no rendering)")]
    if not _TESTHARNESS_SCRIPT.search(text):
        return [], []  # a support page
    long_timeout = ("timeout", "long") in metas
    variants = [content for name, content in metas if name == "variant"] or [""]
    tests = [WptTest(id=url + variant, kind=TESTHARNESS, source=rel_path, root=root,
                     long_timeout=long_timeout, prefs=prefs, insecure_origin=insecure,
                     chromium_args=chromium_args)
             for variant in variants]
    return tests, []


def _add_test(tests, skipped, test, enabled_globals):
    if test.global_type in enabled_globals:
        tests.append(test)
    elif test.global_type in SUPPORTED_GLOBALS:
        skipped.append(SkippedTest(test.id, test.source,
                                   f"runs in a {test.global_type} (add --global {test.global_type})"))
    else:
        skipped.append(SkippedTest(test.id, test.source,
                                   f"{test.global_type} global not supported by this runner"))


def _walk(root, rel_dir):
    """Relative paths of the candidate test files under root/rel_dir, sorted."""
    found = []
    top = os.path.join(root, *rel_dir.split("/")) if rel_dir else root
    for directory, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(directory, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in _SKIPPED_DIRS and not d.startswith(".")
            and not (rel == "" and d in _SKIPPED_TOP_DIRS))
        for filename in filenames:
            found.append(f"{rel}/{filename}" if rel else filename)
    return sorted(found)


# Test-id suffixes whose source file has another name, most specific first.
_ID_TO_SOURCE_SUFFIXES = [(suffix, ".any.js") for suffix in
                          sorted(metadata.ANY_GLOBAL_SUFFIXES.values(), key=len, reverse=True)]
_ID_TO_SOURCE_SUFFIXES += [(".window.html", ".window.js"), (".worker.html", ".worker.js")]


def source_for_test_id(test_id):
    """`/a/b.any.js` for `/a/b.any.worker.html?x`: the source file a test id comes from."""
    path = test_id.split("?", 1)[0]
    for id_suffix, source_suffix in _ID_TO_SOURCE_SUFFIXES:
        if path.endswith(id_suffix):
            return path[: -len(id_suffix)] + source_suffix
    return path


def _resolve(roots, arg):
    """(kind, rel_path, test_id) for one command-line path; kind is "dir" or "file".

    `arg` is a filesystem path (inside a root), a path relative to the roots, or a test id
    (`/dir/a.any.html`, with a variant's query string if wanted); test_id is set only when
    `arg` names one test of a file that defines several.
    """
    candidates = []
    if os.path.exists(arg):
        absolute = os.path.realpath(arg)
        for root in roots:
            real_root = os.path.realpath(root)
            if absolute == real_root:
                return "dir", "", None
            if absolute.startswith(real_root + os.sep):
                candidates.append(os.path.relpath(absolute, real_root).replace(os.sep, "/"))
    candidates.append(arg.strip("/"))
    for rel in candidates:
        for root in roots:
            path = os.path.join(root, *rel.split("/")) if rel else root
            if os.path.isdir(path):
                return "dir", rel, None
            if os.path.isfile(path):
                return "file", rel, None
    test_id = "/" + arg.strip("/")
    source = source_for_test_id(test_id).lstrip("/")
    for root in roots:
        if os.path.isfile(os.path.join(root, *source.split("/"))):
            return "file", source, test_id
    looked_in = ", ".join(roots)
    raise TestPathError(f"no test file or directory matches '{arg}' (looked in {looked_in})")


def select(roots, paths=(), enabled_globals=("window",)):
    """The tests under `roots` named by `paths` (all of them when `paths` is empty).

    Raises TestPathError for a path that names nothing, or a file that is no test.
    """
    wanted = []  # (rel_path, test_id or None)
    if not paths:
        wanted = [(rel, None) for rel in _union_walk(roots, "")]
    for arg in paths:
        kind, rel, test_id = _resolve(roots, arg)
        if kind == "dir":
            wanted.extend((path, None) for path in _union_walk(roots, rel))
        else:
            wanted.append((rel, test_id))
            root = _owning_root(roots, rel)
            tests, skipped = tests_in_file(root, rel, enabled_globals)
            if not tests and not skipped:
                raise TestPathError(f"'{arg}' is not a test (a support file?)")
            ids = [item.id for item in tests + skipped]
            if test_id is not None and test_id not in ids:
                raise TestPathError(f"'{rel}' has no test '{test_id}'; its tests: {', '.join(ids)}")
    tests, skipped, seen = [], [], set()
    for rel, test_id in wanted:
        root = _owning_root(roots, rel)
        file_tests, file_skipped = tests_in_file(root, rel, enabled_globals)
        for item in file_tests:
            if (test_id is None or item.id == test_id) and item.id not in seen:
                seen.add(item.id)
                tests.append(item)
        for item in file_skipped:
            if (test_id is None or item.id == test_id) and item.id not in seen:
                seen.add(item.id)
                skipped.append(item)
    if paths and not tests and not skipped:
        raise TestPathError("no tests found under " + ", ".join(paths))
    tests.sort(key=lambda t: t.id)
    return Selection(tests, skipped)


def shared_dirs(roots, paths):
    """For each of `paths` that names a directory present in more than one root: (path, its
    relative directory, [the roots that have it]). The runner says which tree each of their
    tests came from: files in an earlier root shadow a later root's files of the same path."""
    shared = []
    for arg in paths:
        try:
            kind, rel, _ = _resolve(roots, arg)
        except TestPathError:
            continue
        if kind != "dir":
            continue
        having = [root for root in roots
                  if os.path.isdir(os.path.join(root, *rel.split("/")) if rel else root)]
        if len(having) > 1:
            shared.append((arg, rel, having))
    return shared


def _union_walk(roots, rel_dir):
    found = set()
    for root in roots:
        top = os.path.join(root, *rel_dir.split("/")) if rel_dir else root
        if os.path.isdir(top):
            found.update(_walk(root, rel_dir))
    return sorted(found)


def _owning_root(roots, rel):
    """The first root that has `rel`: earlier roots shadow later ones."""
    for root in roots:
        if os.path.exists(os.path.join(root, *rel.split("/"))):
            return root
    raise TestPathError(f"'{rel}' is in none of the test roots")
