"""The strict YAML front end: the only module that parses YAML.

libyaml (PyYAML's C parser) builds the node tree; this module turns nodes into plain values with
locations (:mod:`azconf.config.located`) and reports, instead of silently accepting, what other tools get
wrong: duplicate keys, scalars that YAML 1.1 and YAML 1.2 read differently, runaway aliases, multiple
documents, tabs, bad encodings and oversized files. It never raises for bad input: every finding is a
:class:`~azconf.problems.Problem`, and a file that cannot be read at all yields an empty mapping.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from azconf.config.located import Loc, LocatedList, LocatedMap
from azconf.problems import Location, Problem

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ALIAS_NODES = 100_000
MAX_DEPTH = 200

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MERGE, _VALUE = (_TAG + t for t in ("timestamp", "merge", "value"))
_MAP, _SEQ = _TAG + "map", _TAG + "seq"

# YAML 1.2 core schema (what 1.2 parsers such as ruamel.yaml, Go's yaml.v3 and js-yaml 4 read).
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_SAFE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+")
_NUMBER_START = frozenset("0123456789+-.")
_ONE_LETTER_BOOLS = frozenset({"y", "Y", "n", "N"})


@dataclass
class Document:
    """One parsed file: its top-level mapping (empty when unreadable) and what was wrong with it."""

    file: str
    data: LocatedMap
    problems: list[Problem] = field(default_factory=list)


class _Fatal(Exception):
    """Stops construction of a file; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_yaml_file(path: Path, display: str) -> Document:
    """Read and parse ``path``; ``display`` is the name used in locations (relative to the project)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _failed(display, "AZC0103", f"file is {size:,} bytes, above the {MAX_FILE_BYTES:,} limit",
                           "split it into several files in the same layer folder")
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        return _failed(display, "AZC0101", f"cannot read file: {reason}",
                       "check that the file exists and is readable")
    return parse_yaml(data, display)


def parse_yaml(data: bytes, display: str) -> Document:
    """Parse one YAML file's bytes into a located top-level mapping."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        return _failed(display, "AZC0102", f"invalid UTF-8 (byte 0x{data[error.start]:02x})",
                       "save the file as UTF-8", line, column)
    loader = yaml.CSafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        return _syntax_problem(error, display, text)
    except yaml.YAMLError as error:
        return _failed(display, "AZC0104", f"YAML error: {error}", "fix the YAML syntax")
    finally:
        loader.dispose()
    if root is None:
        return Document(display, LocatedMap())
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        line, column = _mark(root)
        return _failed(display, "AZC0107", f"the top level is {kind}, not a mapping",
                       "start the file with a section key such as `flags:`", line, column)
    builder = _Builder(display)
    try:
        value = builder.build(root, 0)
    except _Fatal as fatal:
        return Document(display, LocatedMap(), [fatal.problem])
    return Document(display, value, builder.problems)


def _failed(display: str, code: str, message: str, hint: str, line: int = 0, column: int = 0) -> Document:
    problem = Problem(code, message, Location(display, line, column), hint=hint)
    return Document(display, LocatedMap(), [problem])


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(prefix) + 1


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _syntax_problem(error: yaml.MarkedYAMLError, display: str, text: str) -> Document:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = error.problem or "invalid YAML"
    if "expected a single document" in f"{error.context} {problem}":
        return _failed(display, "AZC0106", "more than one YAML document in the file",
                       "remove the `---` separator or move the document to its own file", line, column)
    line_text = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    if "\t" in indent or "'\\t'" in problem:
        return _failed(display, "AZC0105", "tab character in indentation",
                       "indent with spaces; YAML does not allow tabs for indentation", line, column)
    context = f" {error.context}" if error.context else ""
    return _failed(display, "AZC0104", f"YAML syntax error: {problem}{context}".rstrip(),
                   "fix the YAML syntax at this position", line, column)


class _Builder:
    """Turns a libyaml node tree into located values, collecting problems as it goes."""

    def __init__(self, display: str) -> None:
        self.file = display
        self.problems: list[Problem] = []
        self._visited: set[int] = set()
        self._alias_depth = 0
        self._alias_budget = MAX_ALIAS_NODES

    def build(self, node: Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            line, column = _mark(node)
            raise _Fatal(Problem("AZC0112", f"nesting deeper than {MAX_DEPTH} levels",
                                 Location(self.file, line, column),
                                 hint="flatten the structure (a recursive alias also causes this)"))
        if isinstance(node, ScalarNode):
            if self._alias_depth:
                self._spend(node)
            return self._scalar(node)
        revisit = id(node) in self._visited
        if revisit:  # the same node again: an alias is being expanded
            self._alias_depth += 1
        else:
            self._visited.add(id(node))
        try:
            if self._alias_depth:
                self._spend(node)
            if isinstance(node, MappingNode):
                return self._mapping(node, depth)
            return self._sequence(node, depth)
        finally:
            if revisit:
                self._alias_depth -= 1

    def _spend(self, node: Node) -> None:
        self._alias_budget -= 1
        if self._alias_budget < 0:
            line, column = _mark(node)
            raise _Fatal(Problem("AZC0112", f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                                 Location(self.file, line, column),
                                 hint="this looks like a billion-laughs document; write the values out"))

    def _mapping(self, node: MappingNode, depth: int) -> LocatedMap:
        if node.tag != _MAP:
            self._report(node, "AZC0115", f"unsupported tag {node.tag}", "remove the tag")
        result = LocatedMap()
        origins = result.origins
        file = self.file
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            kmark, vmark = key_node.start_mark, value_node.start_mark
            loc = Loc(file, kmark.line + 1, kmark.column + 1, vmark.line + 1, vmark.column + 1)
            if key in result:
                first = origins[key][0]
                self.problems.append(Problem(
                    "AZC0108", f'duplicate key "{key}" (first defined at line {first.key_line})',
                    Location(file, loc.key_line, loc.key_column),
                    hint="remove one of the two; YAML parsers silently keep only the last",
                    related=(Location(file, first.key_line, first.key_column),)))
                continue
            result[key] = self.build(value_node, depth + 1)
            origins[key] = (loc,)
        return result

    def _key(self, node: Node) -> str | None:
        if not isinstance(node, ScalarNode):
            self._report(node, "AZC0113", "a key must be a plain scalar, not a list or mapping",
                         "use a string key")
            return None
        if node.tag == _MERGE:
            self._report(node, "AZC0114", "merge keys (<<) are not supported",
                         "write the keys out, or move shared values to the base layer")
            return None
        if node.tag == _NULL and not node.style:
            self._report(node, "AZC0113", "a key must not be null", "use a string key")
            return None
        self._scalar(node)  # reports YAML 1.1 traps in keys such as `on:`
        return str(node.value)

    def _sequence(self, node: SequenceNode, depth: int) -> LocatedList:
        if node.tag != _SEQ:
            self._report(node, "AZC0115", f"unsupported tag {node.tag}", "remove the tag")
        result = LocatedList()
        origins = result.origins
        file = self.file
        for item in node.value:
            mark = item.start_mark
            line, column = mark.line + 1, mark.column + 1
            origins.append(Loc(file, line, column, line, column))
            result.append(self.build(item, depth + 1))
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            if not node.style and value and (value[0] in _NUMBER_START or value in _ONE_LETTER_BOOLS):
                self._check_plain_string(node)
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            lowered = value.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            self._report(node, "AZC0109", f'"{value}" is a boolean in YAML 1.1 but a string in YAML 1.2',
                         f'quote it ("{value}") for a string, or write true/false')
            return value
        if tag == _INT:
            return self._int(node)
        if tag == _FLOAT:
            return self._float(node)
        if tag in (_TIMESTAMP, _VALUE):
            return value  # YAML 1.2 has no timestamps: dates stay strings, the model parses them
        self._report(node, "AZC0115", f"unsupported tag {tag}", "remove the tag")
        return value

    def _check_plain_string(self, node: ScalarNode) -> None:
        value = node.value
        if value in _ONE_LETTER_BOOLS:
            self._report(node, "AZC0109", f'"{value}" is a boolean in YAML 1.1 but a string in YAML 1.2',
                         f'quote it ("{value}") for a string, or write true/false')
        elif _CORE_INT.fullmatch(value) or _CORE_FLOAT.fullmatch(value):
            self._report(node, "AZC0110", f'"{value}" is a string in YAML 1.1 but a number in YAML 1.2',
                         f'quote it ("{value}") for a string, or write the number plainly')

    def _int(self, node: ScalarNode) -> Any:
        value = node.value
        if _SAFE_INT.fullmatch(value):
            return int(value, 0) if value.startswith("0x") else int(value)
        self._number_trap(node)
        return value

    def _float(self, node: ScalarNode) -> Any:
        value = node.value
        if not _CORE_FLOAT.fullmatch(value):
            self._number_trap(node)
            return value
        lowered = value.lower()
        if lowered.endswith(".inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        return math.nan if lowered == ".nan" else float(value)

    def _number_trap(self, node: ScalarNode) -> None:
        value = node.value
        if ":" in value:
            self._report(node, "AZC0111", f'"{value}" is a base-60 number in YAML 1.1 (a string in 1.2)',
                         f'quote it ("{value}")')
        else:
            self._report(node, "AZC0110", f'"{value}" is read differently by YAML 1.1 and YAML 1.2 parsers',
                         f'quote it ("{value}") for a string, or write a plain decimal number')

    def _report(self, node: Node, code: str, message: str, hint: str) -> None:
        line, column = _mark(node)
        self.problems.append(Problem(code, message, Location(self.file, line, column), hint=hint))


def dump_yaml(value: Any) -> str:
    """``value`` as block-style YAML that any YAML 1.1 or 1.2 parser reads back the same way.

    PyYAML quotes every string that could be mistaken for another type (``"on"``, ``"0755"``), so the
    output survives both YAML versions; keys keep their order.
    """
    from azconf.config.located import plain

    return yaml.dump(plain(value), Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
