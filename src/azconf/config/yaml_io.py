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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from azconf.config.located import Loc, LocatedList, LocatedMap
from azconf.fileread import FileTooLarge, NotRegularFile, read_regular
from azconf.problems import Location, Problem

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_INTEGER_DIGITS = 308  # 1e308 is the largest double: JavaScript (flagd, Tyk's JSVM) reads more as Infinity
MAX_ALIAS_NODES = 100_000
MAX_DEPTH = 200

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_PLAIN = "azconf:plain"  # an untagged plain scalar: typed by this module, not by PyYAML's resolver

# YAML 1.2 core schema (what ruamel.yaml, Go's yaml.v3 and js-yaml 4 read) ...
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# ... and YAML 1.1 (what PyYAML and older Go and Ruby libraries read); the two disagree on some scalars.
_Y11_INT = re.compile(
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_Y11_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("0123456789+-.")
_KEYWORDS: dict[str, Any] = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "null": None,
    "Null": None,
    "NULL": None,
    "~": None,
}
_YAML11_BOOLS = frozenset(
    ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"]
)  # booleans in YAML 1.1 (y/n per the 1.1 spec, though PyYAML itself reads them as strings)
_NOT_FOUND = object()
_new_loc = tuple.__new__  # builds a Loc without NamedTuple's Python-level __new__ (one per key)


class _Parser(CParser):
    """libyaml's composer with a trivial resolver: this module types plain scalars itself.

    PyYAML's regex resolver costs a third of parsing and applies YAML 1.1 rules, which azconf
    replaces with YAML 1.2 plus a report of every scalar the two versions read differently.
    """

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _MAP if kind is MappingNode else _SEQ


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


def read_yaml_file(
    path: Path, display: str, parse: Callable[[bytes, str], Document] | None = None
) -> Document:
    """Read and parse ``path``; ``display`` is the name used in locations (relative to the project).

    ``parse`` replaces :func:`parse_yaml` (to reuse earlier parses: ``ParsedFiles.parse``).
    """
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileTooLarge:
        size = f"{path.stat().st_size:,} bytes" if path.is_file() else "larger"
        return _failed(
            display,
            "AZC0103",
            f"file is {size}, above the {MAX_FILE_BYTES:,} limit",
            "split it into several files in the same layer folder",
        )
    except NotRegularFile as error:
        return _failed(
            display,
            "AZC0101",
            f"cannot read file: {error.strerror}",
            "point it at a regular file (not a device such as /dev/zero, a FIFO or a folder)",
        )
    except OSError as error:
        reason = error.strerror or str(error)
        return _failed(
            display,
            "AZC0101",
            f"cannot read file: {reason}",
            "check that the file exists and is readable",
        )
    return (parse or parse_yaml)(data, display)


def parse_yaml(data: bytes, display: str) -> Document:
    """Parse one YAML file's bytes into a located top-level mapping."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        return _failed(
            display,
            "AZC0102",
            f"invalid UTF-8 (byte 0x{data[error.start]:02x})",
            "save the file as UTF-8",
            line,
            column,
        )
    loader = _Parser(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        return _syntax_problem(error, display, text)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, at a text offset
        return _control_character(error, display, text)
    except yaml.YAMLError as error:
        return _failed(display, "AZC0104", f"YAML error: {error}", "fix the YAML syntax")
    finally:
        loader.dispose()
    if root is None:
        return Document(display, LocatedMap())
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        line, column = _mark(root)
        return _failed(
            display,
            "AZC0107",
            f"the top level is {kind}, not a mapping",
            "start the file with a section key such as `flags:`",
            line,
            column,
        )
    builder = _Builder(display)
    try:
        value = builder.build(root, 0)
    except _Fatal as fatal:
        return Document(display, LocatedMap(), [fatal.problem])
    return Document(display, value, builder.problems)


def _huge_integer(value: str) -> bool:
    """Whether ``value`` is an integer literal above every JSON consumer's range (Python refuses
    to even convert one of more than 4,300 digits)."""
    if len(value) <= MAX_INTEGER_DIGITS or not (_CORE_INT.fullmatch(value) or _Y11_INT.fullmatch(value)):
        return False
    return sum(character.isdigit() for character in value) > MAX_INTEGER_DIGITS


def _core_number(value: str) -> Any:
    """The YAML 1.2 core-schema number ``value`` denotes, or _NOT_FOUND."""
    if _CORE_INT.fullmatch(value):
        if value.startswith(("0o", "0x")):
            return int(value[2:], 8 if value[1] == "o" else 16)
        return int(value)
    if _CORE_FLOAT.fullmatch(value):
        return _special_float(value) if "n" in value.lower() else float(value)
    return _NOT_FOUND


def _yaml11_number(value: str) -> Any:
    """The number YAML 1.1 (PyYAML) reads ``value`` as, or _NOT_FOUND."""
    if _Y11_INT.fullmatch(value) or _Y11_FLOAT.fullmatch(value):
        if ":" in value:
            return None  # base 60: a number YAML 1.2 never agrees with
        return _yaml11_value(value.replace("_", ""))
    return _NOT_FOUND


def _yaml11_value(value: str) -> Any:
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-")
    if "." in digits or "n" in digits.lower():
        return _special_float(value) if "n" in digits.lower() else float(value)
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _reading(number: Any) -> str:
    return "a string" if number is _NOT_FOUND else f"the number {number}"


def _special_float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith("nan"):
        return math.nan
    return -math.inf if lowered.startswith("-") else math.inf


def _same_number(modern: Any, legacy: Any) -> bool:
    if isinstance(modern, float) and math.isnan(modern):
        return isinstance(legacy, float) and math.isnan(legacy)
    return bool(type(modern) is type(legacy) and modern == legacy)


def _failed(display: str, code: str, message: str, hint: str, *position: int) -> Document:
    line, column = position or (0, 0)
    problem = Problem(code, message, Location(display, line, column), hint=hint)
    return Document(display, LocatedMap(), [problem])


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(prefix) + 1


def _control_character(error: yaml.reader.ReaderError, display: str, text: str) -> Document:
    """The problem of a character YAML forbids (a control character), at its line and column."""
    offset = min(error.position, len(text))
    line_start = text.rfind("\n", 0, offset) + 1
    line, column = text.count("\n", 0, offset) + 1, offset - line_start + 1
    character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
    return _failed(
        display,
        "AZC0104",
        f"control character U+{character:04X} is not allowed in YAML",
        "remove it, or write it as an escape (\\u0001) inside a double-quoted string",
        line,
        column,
    )


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _syntax_problem(error: yaml.MarkedYAMLError, display: str, text: str) -> Document:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = error.problem or "invalid YAML"
    if "expected a single document" in f"{error.context} {problem}":
        return _failed(
            display,
            "AZC0106",
            "more than one YAML document in the file",
            "remove the `---` separator or move the document to its own file",
            line,
            column,
        )
    line_text = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    if "\t" in indent or "'\\t'" in problem:
        return _failed(
            display,
            "AZC0105",
            "tab character in indentation",
            "indent with spaces; YAML does not allow tabs for indentation",
            line,
            column,
        )
    context = f" {error.context}" if error.context else ""
    return _failed(
        display,
        "AZC0104",
        f"YAML syntax error: {problem}{context}".rstrip(),
        "fix the YAML syntax at this position",
        line,
        column,
    )


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
            raise _Fatal(
                Problem(
                    "AZC0112",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    Location(self.file, line, column),
                    hint="flatten the structure (a recursive alias also causes this)",
                )
            )
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
            assert isinstance(node, SequenceNode)
            return self._sequence(node, depth)
        finally:
            if revisit:
                self._alias_depth -= 1

    def _spend(self, node: Node) -> None:
        self._alias_budget -= 1
        if self._alias_budget < 0:
            line, column = _mark(node)
            raise _Fatal(
                Problem(
                    "AZC0112",
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                    Location(self.file, line, column),
                    hint="this looks like a billion-laughs document; write the values out",
                )
            )

    def _mapping(self, node: MappingNode, depth: int) -> LocatedMap:
        if node.tag != _MAP:
            self._report(node, "AZC0115", f"unsupported tag {node.tag}", "remove the tag")
        result = LocatedMap()
        origins = result.origins
        file = self.file
        for key_node, value_node in node.value:
            # Inline the common key, a plain word that no YAML version reads as anything but a string:
            # this loop runs for every key of every file.
            key = key_node.value
            if (
                key_node.__class__ is not ScalarNode
                or key_node.tag != _PLAIN
                or not key
                or key[0] in _NUMBER_START
                or key in _KEYWORDS
                or key in _YAML11_BOOLS
                or key == "<<"
            ):
                key = self._key(key_node)
                if key is None:
                    continue
            kmark, vmark = key_node.start_mark, value_node.start_mark
            loc = _new_loc(Loc, (file, kmark.line + 1, kmark.column + 1, vmark.line + 1, vmark.column + 1))
            if key in result:
                self._duplicate(key, loc, origins[key][0])
                continue
            # Inline the common value too: a plain or quoted scalar is most of every file.
            if value_node.__class__ is ScalarNode and not self._alias_depth:
                value = value_node.value
                if value_node.tag == _STR:
                    result[key] = value
                elif (
                    value
                    and value_node.tag == _PLAIN
                    and value[0] not in _NUMBER_START
                    and not (value in _KEYWORDS or value in _YAML11_BOOLS)
                ):
                    result[key] = value
                else:
                    result[key] = self._scalar(value_node)
            else:
                result[key] = self.build(value_node, depth + 1)
            origins[key] = (loc,)
        return result

    def _duplicate(self, key: str, loc: Loc, first: Loc) -> None:
        self.problems.append(
            Problem(
                "AZC0108",
                f'duplicate key "{key}" (first defined at line {first.key_line})',
                Location(self.file, loc.key_line, loc.key_column),
                hint="remove one of the two; YAML parsers silently keep only the last",
                related=(Location(self.file, first.key_line, first.key_column),),
            )
        )

    def _key(self, node: Node) -> str | None:
        if node.__class__ is not ScalarNode:
            self._report(
                node,
                "AZC0113",
                "a key must be a plain scalar, not a list or mapping",
                "use a string key",
            )
            return None
        value: str = node.value
        if node.tag == _PLAIN:
            if value == "<<":
                self._report(
                    node,
                    "AZC0114",
                    "merge keys (<<) are not supported",
                    "write the keys out, or move shared values to the base layer",
                )
                return None
            if not value or _KEYWORDS.get(value, _NOT_FOUND) is None:
                self._report(node, "AZC0113", "a key must not be null", "use a string key")
                return None
            self._plain(node)  # reports YAML 1.1 traps in keys such as `on:`
        elif node.tag != _STR:
            self._scalar(node)
        return value

    def _sequence(self, node: SequenceNode, depth: int) -> LocatedList:
        if node.tag != _SEQ:
            self._report(node, "AZC0115", f"unsupported tag {node.tag}", "remove the tag")
        result = LocatedList()
        origins = result.origins
        file = self.file
        for item in node.value:
            mark = item.start_mark
            line, column = mark.line + 1, mark.column + 1
            origins.append(_new_loc(Loc, (file, line, column, line, column)))
            result.append(self.build(item, depth + 1))
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _PLAIN:
            return self._plain(node)
        if tag == _STR:
            return node.value
        return self._explicit(node)

    def _plain(self, node: ScalarNode) -> Any:
        """A plain scalar, typed by the YAML 1.2 core schema; 1.1/1.2 disagreements are reported."""
        value: str = node.value
        keyword = _KEYWORDS.get(value, _NOT_FOUND)
        if keyword is not _NOT_FOUND:
            return keyword
        if not value:
            return None
        if value in _YAML11_BOOLS:
            self._report(
                node,
                "AZC0109",
                f'"{value}" is a boolean in YAML 1.1 but a string in YAML 1.2',
                f'quote it ("{value}") for a string, or write true/false',
            )
            return value
        if value[0] in _NUMBER_START:
            return self._number(node)
        return value

    def _number(self, node: ScalarNode) -> Any:
        value: str = node.value
        if _huge_integer(value):
            self._report_huge(node)
            return value
        modern = _core_number(value)
        legacy = _yaml11_number(value)
        if modern is _NOT_FOUND and legacy is _NOT_FOUND:
            return value  # a string for both, e.g. 1.4.2 or 100m
        if modern is not _NOT_FOUND and legacy is not _NOT_FOUND and _same_number(modern, legacy):
            if isinstance(modern, float) and not math.isfinite(modern):
                # Every consumer of the config reads JSON (flagd, Terraform, Tyk, history), which has
                # no NaN or Infinity: stop it here, with its place, not with a crash in a later step.
                self._report(
                    node,
                    "AZC0117",
                    f'"{value}" is not a finite number, and JSON (what every consumer reads) has none',
                    f'write a finite number, or quote it ("{value}") for a string',
                )
            return modern
        if ":" in value:
            self._report(
                node,
                "AZC0111",
                f'"{value}" is a base-60 number in YAML 1.1 (a string in 1.2)',
                f'quote it ("{value}")',
            )
        else:
            self._report(
                node,
                "AZC0110",
                f'"{value}" is {_reading(legacy)} in YAML 1.1 but {_reading(modern)} in YAML 1.2',
                f'quote it ("{value}") for a string, or write a plain decimal number',
            )
        return value

    def _explicit(self, node: ScalarNode) -> Any:
        """A scalar with an explicit standard tag such as ``!!str`` or ``!!int``."""
        tag, value = node.tag, node.value
        if tag == _NULL:
            return None
        if tag in (_INT, _FLOAT):
            if _huge_integer(value):
                self._report_huge(node)
                return value
            number = _core_number(value)
            if number is not _NOT_FOUND:
                return number
        elif tag == _BOOL and value in ("true", "false"):
            return value == "true"
        else:
            self._report(node, "AZC0115", f"unsupported tag {tag}", "remove the tag")
            return value
        self._report(
            node,
            "AZC0203",
            f'"{value}" is not a valid {tag.removeprefix(_TAG)}',
            "fix the value or remove the tag",
        )
        return value

    def _report_huge(self, node: ScalarNode) -> None:
        self._report(
            node,
            "AZC0117",
            f"an integer of {sum(c.isdigit() for c in node.value):,} digits is beyond what JSON consumers "
            f"hold (JavaScript and flagd read anything above 1.8e308 as Infinity)",
            "write a smaller number, or quote it for a string",
        )

    def _report(self, node: Node, code: str, message: str, hint: str) -> None:
        line, column = _mark(node)
        self.problems.append(Problem(code, message, Location(self.file, line, column), hint=hint))


def reads_as_another_type(text: str) -> bool:
    """Whether a plain ``text`` would not read back as this string in YAML 1.1 or 1.2 (quote it)."""
    if not text or text in _KEYWORDS or text in _YAML11_BOOLS:
        return True
    if text[0] in _NUMBER_START:
        return _core_number(text) is not _NOT_FOUND or _yaml11_number(text) is not _NOT_FOUND
    return False


def _represent_str(dumper: Any, data: str) -> Node:
    """Double-quote every string some parser could read as another type; the rest as PyYAML would."""
    style = '"' if reads_as_another_type(data) else None
    node: Node = dumper.represent_scalar(_STR, data, style=style) if style else dumper.represent_str(data)
    return node


def dump_indented(value: Any) -> str:
    """``value`` as block YAML with list items indented under their key (``key:\n  - a``).

    For text written into people's files, where that is the common style; PyYAML's pure-Python
    emitter is needed for it, which is fine for the few lines an edit writes. Strings that some
    parser could read as another type are double-quoted. Output for machines (``show``, ``render``)
    comes from :func:`azconf.config.yaml_emit.emit_yaml`.
    """
    from azconf.config.located import plain

    return yaml.dump(
        plain(value),
        Dumper=_IndentedDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


class _IndentedDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_IndentedDumper.add_representer(str, _represent_str)


def compose_nodes(text: str) -> Node | None:
    """The libyaml node tree of ``text``, with marks (for editing text in place); None if empty.

    Raises ``yaml.YAMLError`` on a syntax error: callers edit files that already validated.
    """
    loader = _Parser(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()
