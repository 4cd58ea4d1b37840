"""Expected results in `wpt/meta/`, in wptrunner's .ini format.

The expectations of the tests from `dir/a.any.js` live in `wpt/meta/dir/a.any.js.ini`:

    [a.any.html]
      expected: TIMEOUT            # the file's status; default OK (PASS for a crashtest)
      [subtest name]
        expected: FAIL             # default PASS
      [flaky subtest]
        expected: [PASS, FAIL]     # either is fine: the first is the expected one
      [product-specific]
        expected:
          if product == "chromium": PASS
          FAIL

`disabled: reason` skips a test (or, in `wpt/meta/dir/__dir__.ini`, every test under `dir/`).
Conditions are Python-like expressions over the run info (`product`, `os`, `debug`...) with
`==`, `!=`, `and`, `or`, `not` and parentheses. No file means everything is expected to pass.
A malformed file is an ExpectationError naming the file and line.
"""

import ast
import os
import re
from dataclasses import dataclass, field

from .protocol import CRASHTEST_STATUSES, SUBTEST_STATUSES, TEST_STATUSES
from .testfiles import CRASHTEST

_KEY = re.compile(r"^[A-Za-z_][\w-]*$")
_INLINE_COMMENT = re.compile(r"\s+#.*$")
_VALID_STATUSES = set(TEST_STATUSES) | set(CRASHTEST_STATUSES) | set(SUBTEST_STATUSES)


class ExpectationError(Exception):
    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line


@dataclass
class Conditional:
    """A value chosen by conditions: [(source, compiled expression, value)], then a default."""

    branches: list
    default: object = None  # a list of statuses or a str, or None when no branch applies

    def resolve(self, run_info):
        for _source, expression, value in self.branches:
            if _evaluate(expression, run_info):
                return value
        return self.default


@dataclass
class Section:
    name: object  # None for the top of a file
    line: int = 0
    keys: dict = field(default_factory=dict)  # key -> value (list/str) or Conditional
    children: dict = field(default_factory=dict)  # name -> Section (tests, then subtests)

    def get(self, key, run_info):
        value = self.keys.get(key)
        return value.resolve(run_info) if isinstance(value, Conditional) else value


# --- parsing -----------------------------------------------------------------------------

def parse(text, path="<string>"):
    """The top Section of an .ini text: its children are the test sections."""
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.rstrip()
        if not stripped.strip() or stripped.lstrip().startswith("#"):
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ExpectationError(path, number, "indent with spaces, not tabs")
        lines.append((number, len(stripped) - len(stripped.lstrip()), stripped.lstrip()))

    top = Section(None)
    stack = [(-1, top)]
    index = 0
    while index < len(lines):
        number, indent, content = lines[index]
        index += 1
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if content.startswith("["):
            if len(stack) > 2:
                raise ExpectationError(path, number, "a subtest section cannot hold sections")
            name = _section_name(content, path, number)
            if name in parent.children:
                raise ExpectationError(path, number, f"section [{name}] appears twice")
            section = Section(name, number)
            parent.children[name] = section
            stack.append((indent, section))
            continue
        key, colon, value = content.partition(":")
        key = key.strip()
        if not colon or not _KEY.match(key):
            raise ExpectationError(path, number,
                                   f"expected '[section]' or 'key: value', got '{content}'")
        if key in parent.keys:
            raise ExpectationError(path, number, f"key '{key}' given twice")
        value = _INLINE_COMMENT.sub("", value).strip()
        if value:
            parent.keys[key] = _value(key, value, path, number)
            continue
        branches, default = [], None
        while index < len(lines) and lines[index][1] > indent:
            branch_number, _, branch = lines[index]
            index += 1
            branch = _INLINE_COMMENT.sub("", branch)
            if default is not None:
                raise ExpectationError(path, branch_number,
                                       "nothing may follow the default (unconditional) value")
            if branch.startswith("if "):
                condition, value_text = _split_condition(branch[3:], path, branch_number)
                branches.append((condition, _compile(condition, path, branch_number),
                                 _value(key, value_text, path, branch_number)))
            else:
                default = _value(key, branch.strip(), path, branch_number)
        if not branches and default is None:
            raise ExpectationError(path, number, f"'{key}:' has no value")
        parent.keys[key] = Conditional(branches, default)
    return top


def _section_name(content, path, number):
    if not content.endswith("]") or content.endswith("\\]") and not content.endswith("\\\\]"):
        raise ExpectationError(path, number, f"section heading does not end with ']': {content}")
    name, chars, escaped = "", iter(content[1:-1]), False
    for char in chars:
        if escaped:
            name += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "]":
            raise ExpectationError(path, number, "unescaped ']' in a section name (write '\\]')")
        else:
            name += char
    return name


def escape_section_name(name):
    return name.replace("\\", "\\\\").replace("]", "\\]")


def _value(key, text, path, number):
    if key != "expected":
        return text
    if text.startswith("["):
        if not text.endswith("]"):
            raise ExpectationError(path, number, f"unterminated list: {text}")
        statuses = [item.strip() for item in text[1:-1].split(",") if item.strip()]
    else:
        statuses = [text]
    if not statuses:
        raise ExpectationError(path, number, "empty list of statuses")
    for status in statuses:
        if status not in _VALID_STATUSES:
            raise ExpectationError(path, number, f"unknown status '{status}' "
                                   f"(one of {', '.join(sorted(_VALID_STATUSES))})")
    return statuses


def _split_condition(text, path, number):
    """`a == "x:y": FAIL` -> ('a == "x:y"', 'FAIL'): the last ':' outside quotes."""
    quote, split_at = None, -1
    for position, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ":":
            split_at = position
    if split_at < 0:
        raise ExpectationError(path, number, f"condition without ': value': if {text}")
    return text[:split_at].strip(), text[split_at + 1:].strip()


_ALLOWED_NODES = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not,
                  ast.Compare, ast.Eq, ast.NotEq, ast.Name, ast.Load, ast.Constant)


def _compile(condition, path, number):
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError as error:
        raise ExpectationError(path, number, f"bad condition '{condition}': {error.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpectationError(path, number, f"bad condition '{condition}': only ==, !=, "
                                   "and, or, not, names and literals are allowed")
    return tree.body


def _evaluate(node, run_info):
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(value, run_info) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        return not _evaluate(node.operand, run_info)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, run_info)
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator, run_info)
            if (left == right) != isinstance(op, ast.Eq):
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        if node.id in ("true", "false"):
            return node.id == "true"
        return run_info.get(node.id)
    return node.value


# --- lookup ------------------------------------------------------------------------------

@dataclass
class TestExpectation:
    """What is expected of one test and its subtests."""

    __test__ = False  # not a pytest test class

    expected: list
    section: object = None  # the test's Section, if its file has one
    disabled: object = None  # reason, when disabled
    run_info: dict = field(default_factory=dict)

    def subtest(self, name):
        if self.section is not None and name in self.section.children:
            value = self.section.children[name].get("expected", self.run_info)
            if value:
                return list(value)
        return ["PASS"]


def default_status(test):
    return "PASS" if test.kind == CRASHTEST else "OK"


class Expectations:
    """The expectations under one meta directory, evaluated for one run."""

    def __init__(self, meta_root, run_info):
        self.meta_root = meta_root
        self.run_info = run_info
        self._files = {}

    def file(self, rel_path):
        """The parsed top Section of meta_root/rel_path, or None when there is no such file."""
        if rel_path not in self._files:
            path = os.path.join(self.meta_root, *rel_path.split("/"))
            top = None
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as f:
                    top = parse(f.read(), os.path.relpath(path))
            self._files[rel_path] = top
        return self._files[rel_path]

    def _dir_disabled(self, source):
        parts = source.split("/")[:-1]
        for depth in range(len(parts) + 1):
            top = self.file("/".join(parts[:depth] + ["__dir__.ini"]))
            if top is not None and top.get("disabled", self.run_info):
                return top.get("disabled", self.run_info)
        return None

    def load(self, tests):
        """Reads every file these tests use, so a malformed one stops the run before it starts."""
        for test in tests:
            self.for_test(test)

    def for_test(self, test):
        top = self.file(test.meta_file)
        section = top.children.get(test.meta_section) if top is not None else None
        expected = [default_status(test)]
        disabled = self._dir_disabled(test.source)
        if section is not None:
            value = section.get("expected", self.run_info)
            if value:
                expected = list(value)
            disabled = section.get("disabled", self.run_info) or disabled
        return TestExpectation(expected, section, disabled, self.run_info)


# --- writing -----------------------------------------------------------------------------

def _format_value(value):
    if isinstance(value, list):
        return value[0] if len(value) == 1 else "[" + ", ".join(value) + "]"
    return str(value)


def _format_keys(section, indent):
    out = []
    for key, value in section.keys.items():
        if isinstance(value, Conditional):
            out.append(f"{indent}{key}:")
            for source, _expression, branch_value in value.branches:
                out.append(f"{indent}  if {source}: {_format_value(branch_value)}")
            if value.default is not None:
                out.append(f"{indent}  {_format_value(value.default)}")
        else:
            out.append(f"{indent}{key}: {_format_value(value)}")
    return out


def serialize(top):
    """The .ini text of a top Section."""
    out = _format_keys(top, "")
    for test in top.children.values():
        if out:
            out.append("")
        out.append(f"[{escape_section_name(test.name)}]")
        out.extend(_format_keys(test, "  "))
        for subtest in test.children.values():
            out.append(f"  [{escape_section_name(subtest.name)}]")
            out.extend(_format_keys(subtest, "    "))
    return "\n".join(out) + "\n" if out else ""


def _set_expected(section, status, default, run_info):
    """Records `status` as the expected one: removed when it is the default, kept when an
    existing list of intermittent statuses already allows it. A conditional expectation keeps
    the branches of other run infos (`if product == "chromium": FAIL`): only what applies to
    this run changes."""
    current = section.keys.get("expected")
    if isinstance(current, list) and len(current) > 1 and status in current:
        return
    if isinstance(current, Conditional):
        if (current.resolve(run_info) or [default]) == [status]:
            return
        for index, (source, expression, _value) in enumerate(current.branches):
            if _evaluate(expression, run_info):
                current.branches[index] = (source, expression, [status])
                return
        current.default = None if status == default else [status]
        return
    if status == default:
        section.keys.pop("expected", None)
    else:
        section.keys["expected"] = [status]


def _forget_expected(section, run_info):
    """Drops the expectation of a subtest that reported nothing in this run, except the
    branches of a conditional expectation that apply to other run infos."""
    current = section.keys.get("expected")
    if isinstance(current, Conditional):
        current.branches = [branch for branch in current.branches
                            if not _evaluate(branch[1], run_info)]
        current.default = None
        if current.branches:
            return
    section.keys.pop("expected", None)


def update(top, test, result, run_info):
    """Updates (or creates) the top Section of `test`'s file so that `result` is expected.

    Sections of subtests that no longer report anything unexpected lose their `expected`, and
    empty sections are dropped. Returns the top Section, or None when it ended up empty.
    """
    if top is None:
        top = Section(None)
    section = top.children.get(test.meta_section)
    if section is None:
        section = top.children[test.meta_section] = Section(test.meta_section)
    _set_expected(section, result.status, default_status(test), run_info)
    reported = {subtest.name: subtest.status for subtest in result.subtests}
    for name, status in reported.items():
        child = section.children.get(name) or Section(name)
        _set_expected(child, status, "PASS", run_info)
        section.children[name] = child
    for name, child in list(section.children.items()):
        if name not in reported and "expected" in child.keys:
            _forget_expected(child, run_info)
        if not child.keys:
            del section.children[name]
    if not section.keys and not section.children:
        del top.children[test.meta_section]
    if not top.keys and not top.children:
        return None
    return top


def write_updates(meta_root, tests_and_results, run_info):
    """Rewrites the expectation files of the given (test, result) pairs; returns the paths
    written or removed, relative to meta_root."""
    expectations = Expectations(meta_root, run_info)
    by_file = {}
    for test, result in tests_and_results:
        by_file.setdefault(test.meta_file, []).append((test, result))
    changed = []
    for rel_path, pairs in sorted(by_file.items()):
        top = expectations.file(rel_path)
        before = serialize(top) if top is not None else ""
        for test, result in pairs:
            top = update(top, test, result, run_info)
        after = serialize(top) if top is not None else ""
        if after == before:
            continue
        path = os.path.join(meta_root, *rel_path.split("/"))
        if after:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(after)
        elif os.path.exists(path):
            os.remove(path)
        changed.append(rel_path)
    return changed
