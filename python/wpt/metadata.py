"""`// META: key=value` comments at the top of .window.js / .any.js / .worker.js tests.

As in web-platform-tests, the metadata block is the run of `// META:` lines at the very start of
the file: the first line that is not one ends it (a blank line too). Keys used here: `script`
(in order, repeatable), `timeout` (`long`), `title`, `global` (which globals an .any.js runs
in), `variant` (query strings, one test per variant), and bgsync's own `bgsync-pref`
(`// META: bgsync-pref=NAME=VALUE`: a pref the test runs with in bgsync, repeatable) and
`bgsync-origin` (`// META: bgsync-origin=insecure`: load the test from an insecure origin) and
`bgsync-chromium-arg` (`// META: bgsync-chromium-arg=--flag=value`: a command-line argument of
the Chromium that runs this test with --product chromium, repeatable).
"""

import re

_META_LINE = re.compile(r"//\s*META:\s*([\w-]*)=(.*)$")

# Globals an .any.js test can ask for with `// META: global=`, and the test-id suffix of each.
# `worker` is shorthand for the three worker kinds; an unknown name is ignored, like upstream.
ANY_GLOBAL_SUFFIXES = {
    "window": ".any.html",
    "dedicatedworker": ".any.worker.html",
    "sharedworker": ".any.sharedworker.html",
    "serviceworker": ".any.serviceworker.html",
    "shadowrealm": ".any.shadowrealm.html",
    "window-module": ".any.window-module.html",
    "dedicatedworker-module": ".any.worker-module.html",
    "sharedworker-module": ".any.sharedworker-module.html",
    "serviceworker-module": ".any.serviceworker-module.html",
}
_GLOBAL_SHORTHANDS = {
    "default": {"window", "dedicatedworker"},
    "worker": {"dedicatedworker", "sharedworker", "serviceworker"},
    "worker-module": {"dedicatedworker-module", "sharedworker-module", "serviceworker-module"},
}
DEFAULT_ANY_GLOBALS = frozenset(_GLOBAL_SHORTHANDS["default"])


def read_script_metadata(text):
    """The (key, value) pairs of the leading `// META:` block of a JS test's source text."""
    pairs = []
    for line in text.split("\n"):
        match = _META_LINE.match(line.rstrip("\r"))
        if not match:
            break
        pairs.append((match.group(1), match.group(2).strip()))
    return pairs


def parse_globals(value):
    """The set of globals named by a `global=` value such as `window,worker`.

    An empty value means the default (window and dedicated worker); otherwise exactly the
    globals named, shorthands expanded.
    """
    if not value.strip():
        return set(DEFAULT_ANY_GLOBALS)
    globals_ = set()
    for item in value.split(","):
        item = item.strip()
        if item in _GLOBAL_SHORTHANDS:
            globals_ |= _GLOBAL_SHORTHANDS[item]
        elif item in ANY_GLOBAL_SUFFIXES:
            globals_.add(item)
    return globals_


def any_globals(metadata):
    """Globals of an .any.js test from its metadata (the last `global=` wins, as upstream)."""
    value = ""
    for key, item in metadata:
        if key == "global":
            value = item
    return parse_globals(value)


def is_long_timeout(metadata):
    return ("timeout", "long") in metadata


def variants(metadata):
    """Query-string variants (`// META: variant=?a=1`); [""] when there are none."""
    found = [value for key, value in metadata if key == "variant"]
    return found or [""]


def prefs(metadata):
    """bgsync prefs (`NAME=VALUE`) of a .js test: its `// META: bgsync-pref=` lines, in order."""
    return tuple(value for key, value in metadata if key == "bgsync-pref")


def insecure_origin(metadata):
    """Whether a .js test asks to be loaded from an insecure origin."""
    return any(key == "bgsync-origin" and value.strip().lower() == "insecure"
               for key, value in metadata)


def chromium_args(metadata):
    """Chromium command-line arguments of a .js test: its `// META: bgsync-chromium-arg=`
    lines, in order."""
    return tuple(value for key, value in metadata if key == "bgsync-chromium-arg")
