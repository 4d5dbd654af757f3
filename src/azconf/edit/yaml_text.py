"""Edit YAML text by replacing only the spans of the nodes whose values change.

Comments, blank lines, key order, quoting style and indentation everywhere else stay byte for byte
(the technique of pre-commit's ``yaml_rewrite``: find the node, replace its span). A new value is
written in the style of the one it replaces where that is possible (a flow list stays a flow list, a
single-quoted string stays single-quoted).

:class:`YamlText` parses a file once, takes any number of ``set`` and ``delete`` calls on a plain copy
of its data, and produces the edited text in one walk that compares the original data with the edited
copy: planning N edits costs one parse, not N. The edited text is parsed back and must equal the edited
data, so an edit can never produce invalid YAML or a value other than the one asked for.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from azconf.config.located import plain, same_data
from azconf.config.project import Parse
from azconf.config.yaml_io import compose_nodes, dump_indented, parse_yaml
from azconf.errors import DataError

Key = str
StrPath = tuple[Key, ...]
# Plain scalars that every YAML parser reads as this same string (":" only inside, never ": ").
_PLAIN_SAFE = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@+=-]*(?::[A-Za-z0-9_./@+=-]+)*")
KEEP_MARKER = "azconf:keep"
_KEEP = re.compile(r"(?<![\w:])azconf:keep(?![\w-])", re.IGNORECASE)  # "# AZCONF:KEEP" too
_KEEP_IN_REASON = re.compile(
    r"\(?(?<![\w:])azconf:keep(?![\w-])\)?:?", re.IGNORECASE
)  # "azconf:keep:", "(azconf:keep)"


BOM = "\ufeff"


@dataclass(frozen=True)
class Kept:
    """A key marked ``# azconf:keep`` in an overlay: it belongs to that environment."""

    path: StrPath
    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class _Span:
    """Replace ``text[start:end]`` with ``new``; deeper spans go first where two start together."""

    start: int
    end: int
    new: str
    depth: int


class YamlText:
    """One YAML file: parsed once, edited in memory, its new text produced on demand."""

    def __init__(self, text: str, display: str = "<text>", parse: Parse = parse_yaml) -> None:
        """``parse``: how the file's text is parsed (a long-running process passes its kept parses)."""
        self.display = display
        self.source = text
        # A byte-order mark and CRLF line ends are taken off for editing and put back on the new text,
        # so an edit changes the edited lines only (Windows editors write both).
        self._bom = text.startswith(BOM)
        body = text[len(BOM) :] if self._bom else text
        self._crlf = "\r\n" in body and body.count("\r\n") == body.count("\n")
        self._body = body.replace("\r\n", "\n") if self._crlf else body
        # The text as it is on disk may have been parsed already; the text without BOM or CRLF is not.
        parse = parse if self._body == text else parse_yaml
        document = parse(self._body.encode("utf-8"), display)
        if document.problems:
            raise DataError(
                f"cannot edit {display}: it is not valid YAML",
                hint="fix the file first (`azconf validate` shows where)",
                problems=document.problems,
            )
        self._original: dict[str, Any] = plain(document.data)
        self.data: dict[str, Any] = plain(document.data)  # a second copy, the one edited
        self._touched = False  # set() or delete() was called (text() is then made again)

    @cached_property
    def _root(self) -> Node | None:
        """The file's YAML nodes (their spans), composed only when a text is made or keeps are read."""
        return compose_nodes(self._body)

    def has(self, path: StrPath) -> bool:
        """Whether the edited data sets ``path`` (to any value, null included)."""
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return False
            node = node[key]
        return True

    def set(self, path: StrPath, value: Any) -> None:
        """Set ``path`` to ``value``, creating mappings on the way (a non-mapping on the way is replaced)."""
        node = self.data
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[path[-1]] = copy.deepcopy(value)
        self._touched = True

    def delete(self, path: StrPath) -> None:
        """Remove ``path``; a mapping left empty by it is removed too.

        (An empty mapping would read as null, and null deletes in an overlay.)
        """
        trail: list[dict[str, Any]] = [self.data]
        for key in path[:-1]:
            child = trail[-1].get(key)
            if not isinstance(child, dict):
                return
            trail.append(child)
        if path[-1] not in trail[-1]:
            return
        del trail[-1][path[-1]]
        self._touched = True
        for depth in range(len(trail) - 1, 0, -1):
            if trail[depth]:
                break
            del trail[depth - 1][path[depth - 1]]

    def text(self) -> str:
        """The edited text: the source with only the changed nodes' spans replaced."""
        if not self._touched or same_data(self._original, self.data):
            return self.source
        edited = self._render()
        check = parse_yaml(edited.encode("utf-8"), self.display)
        if check.problems or not same_data(plain(check.data), self.data):
            raise self._not_editable()
        if self._crlf:
            edited = edited.replace("\n", "\r\n")
        return BOM + edited if self._bom else edited

    def _not_editable(self) -> DataError:
        """Why the edited text could not be made without changing other values; nothing is written.

        YAML anchors and aliases share one node between several keys: changing it in place would
        change every alias, and their spans do not map to keys one to one."""
        shared = [
            f"{'&' if isinstance(token, yaml.AnchorToken) else '*'}{token.value} at "
            f"{token.start_mark.line + 1}:{token.start_mark.column + 1}"
            for token in yaml.scan(self._body)
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken)
        ]
        if shared:
            return DataError(
                f"cannot edit {self.display} in place: the edit touches YAML anchors and aliases "
                f"({', '.join(shared)}), which azconf does not rewrite; nothing was written",
                hint="write the aliased values out in full (then azconf can edit them), or edit by hand",
            )
        return DataError(  # a bug in this module
            f"azconf could not edit {self.display} in place without changing other values; "
            "nothing was written",
            hint="edit the file by hand, and report this with the file's shape",
        )

    def kept(self) -> list[Kept]:
        """The keys whose line carries an ``# azconf:keep`` comment (block mappings, any depth)."""
        if not isinstance(self._root, MappingNode):
            return []
        return list(_kept_keys(self._body, self._root, (), self.display))

    def _render(self) -> str:
        root, text = self._root, self._body
        if root is None:
            return _append_top(text, self.data)
        if not isinstance(root, MappingNode):
            raise DataError(f"cannot edit {self.display}: the top level is not a mapping")
        if root.flow_style:
            start, end = int(root.start_mark.index), int(root.end_mark.index)
            return text[:start] + flow_text(self.data) + text[end:]
        if not root.value:
            return _append_top(text, self.data)
        return _apply(text, _mapping_spans(text, root, self._original, self.data, 0))


def set_value(text: str, path: StrPath, value: Any) -> str:
    """``text`` with the value at ``path`` set to ``value`` (creating missing mappings)."""
    edited = YamlText(text)
    edited.set(path, value)
    return edited.text()


def delete_key(text: str, path: StrPath) -> str:
    """``text`` without the key at ``path``; a mapping left empty by it is removed too."""
    edited = YamlText(text)
    edited.delete(path)
    return edited.text()


def has_key(text: str, path: StrPath) -> bool:
    """Whether ``text`` sets ``path`` (to any value, null included)."""
    return YamlText(text).has(path)


# -- the walk: original nodes against edited data ---------------------------------------------------


def _mapping_spans(
    text: str, node: MappingNode, old: dict[str, Any], new: dict[str, Any], depth: int
) -> list[_Span]:
    """The spans that turn block mapping ``node`` (holding ``old``) into ``new``."""
    spans: list[_Span] = []
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in new:
            spans.append(_delete_span(text, key_node, value_node, depth))
            continue
        if key in old and same_data(old[key], new[key]):
            continue
        if _recurse_into(value_node, old.get(key), new[key]):
            spans += _mapping_spans(text, value_node, old[key], new[key], depth + 1)
        else:
            spans.append(_replace_span(text, key_node, value_node, new[key], depth))
    added = {key: value for key, value in new.items() if key not in old}
    if added:
        spans.append(_insert_span(text, node, new, added, depth))
    return spans


def _recurse_into(value_node: Node, old: Any, new: Any) -> bool:
    """A block mapping that stays a non-empty mapping is edited key by key, keeping its comments."""
    is_block_map = isinstance(value_node, MappingNode) and not value_node.flow_style and value_node.value
    return bool(is_block_map) and isinstance(old, dict) and isinstance(new, dict) and bool(new)


def _apply(text: str, spans: list[_Span]) -> str:
    parts: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end, -s.depth)):
        if span.start < position:
            raise DataError("azconf could not edit the file in place (overlapping edits)")
        parts += [text[position : span.start], span.new]
        position = span.end
    return "".join([*parts, text[position:]])


def _insertion_point(text: str, node: Node, new: Any) -> tuple[int, bool]:
    """Where entries can follow ``node``'s text once the keys missing from ``new`` are deleted, and
    whether that position is at the start of a line (else at the end of one)."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value and isinstance(new, dict) and new:
        kept = [(k, v) for k, v in node.value if k.value in new]
        if not kept:  # every old key goes: new entries take the place of the first
            return _line_start(text, int(node.value[0][0].start_mark.index)), True
        key_node, value_node = kept[-1]
        position, at_start = _insertion_point(text, value_node, new[key_node.value])
        if at_start:
            return position, at_start
        return max(position, _line_end(text, _content_end(key_node, text))), False
    return _line_end(text, _content_end(node, text)), False


def _content_end(node: Node, text: str) -> int:
    """Where a node's own text ends (a block collection's end mark is at the next token instead,
    and a block scalar's after its trailing line breaks)."""
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _content_end(last[1] if isinstance(node, MappingNode) else last, text)
    start, end = int(node.start_mark.index), int(node.end_mark.index)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        return start + len(text[start:end].rstrip(" \n"))
    return end


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


# -- spans ------------------------------------------------------------------------------------------


def _replace_span(text: str, key_node: Node, value_node: Node, value: Any, depth: int) -> _Span:
    start, end = int(value_node.start_mark.index), _content_end(value_node, text)
    is_flow = isinstance(value_node, MappingNode | SequenceNode) and value_node.flow_style
    if isinstance(value_node, ScalarNode) and not _is_block_value(value):
        return _Span(start, end, scalar_text(value, value_node.style or ""), depth)
    if is_flow:  # a flow collection stays on its line, whatever replaces it
        return _Span(start, end, flow_text(value), depth)
    colon = text.index(":", int(key_node.end_mark.index)) + 1
    if not _is_block_value(value):  # a block collection becomes one line; the key's comment stays
        key_line_rest = text[colon : _line_end(text, colon)]
        return _Span(colon, _line_end(text, end), " " + scalar_text(value) + key_line_rest, depth)
    if isinstance(value_node, MappingNode | SequenceNode):  # block replaced by block, at its column
        column = int(value_node.start_mark.column)
        return _Span(start, end, ("\n" + " " * column).join(_block_lines(value)), depth)
    indent = " " * (int(key_node.start_mark.column) + 2)
    return _Span(colon, end, "".join("\n" + indent + line for line in _block_lines(value)), depth)


def _insert_span(
    text: str, mapping: MappingNode, new: dict[str, Any], added: dict[str, Any], depth: int
) -> _Span:
    """Add ``added``'s entries after the last entry of ``mapping`` that stays."""
    indent = " " * int(mapping.start_mark.column)
    lines = [line for key, value in added.items() for line in _entry_lines(key, value)]
    position, at_line_start = _insertion_point(text, mapping, new)
    if at_line_start:
        return _Span(position, position, "".join(indent + line + "\n" for line in lines), depth)
    return _Span(position, position, "".join("\n" + indent + line for line in lines), depth)


def _delete_span(text: str, key_node: Node, value_node: Node, depth: int) -> _Span:
    start = _line_start(text, int(key_node.start_mark.index))
    if text[start : int(key_node.start_mark.index)].strip():
        start = int(key_node.start_mark.index)  # something else precedes the key on its line
    end = _line_end(text, _content_end(value_node, text))
    return _Span(start, end + 1 if end < len(text) else end, "", depth)


# -- writing values ---------------------------------------------------------------------------------


def key_text(key: str) -> str:
    """A mapping key as YAML: plain when unambiguous, else double-quoted."""
    return key if _plain_ok(key) else json.dumps(key, ensure_ascii=False)


def scalar_text(value: Any, style: str = "") -> str:
    """A scalar (or empty collection) as one line of YAML, in the quoting ``style`` when a string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dict | list):
        return flow_text(value)
    text = str(value)
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style != '"' and _plain_ok(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def flow_text(value: Any) -> str:
    """A value in YAML flow style, on one line."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(str(k))}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(item) for item in value) + "]"
    return scalar_text(value)


def _plain_ok(text: str) -> bool:
    from azconf.config.yaml_io import reads_as_another_type

    return bool(_PLAIN_SAFE.fullmatch(text)) and not reads_as_another_type(text)


def _block_lines(value: Any) -> list[str]:
    """A non-empty collection as block YAML lines (no trailing newline), at indentation 0."""
    return dump_indented(value).rstrip("\n").split("\n")


def _is_block_value(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _entry_lines(key: Key, value: Any) -> list[str]:
    if _is_block_value(value):
        return [f"{key_text(key)}:", *("  " + line for line in _block_lines(value))]
    return [f"{key_text(key)}: {scalar_text(value)}"]


def _append_top(text: str, value: dict[str, Any]) -> str:
    lines = [line for key, item in value.items() for line in _entry_lines(key, item)]
    prefix = text if not text or text.endswith("\n") else text + "\n"
    return prefix + "\n".join(lines) + "\n"


# -- keep markers -----------------------------------------------------------------------------------


def _kept_keys(text: str, mapping: MappingNode, path: StrPath, display: str) -> list[Kept]:
    found: list[Kept] = []
    for key_node, value_node in mapping.value:
        child = (*path, str(key_node.value))
        comment = _line_comment(text, key_node, value_node)
        if _KEEP.search(comment):
            reason = _KEEP_IN_REASON.sub("", comment.lstrip("#")).strip(" -:")
            found.append(Kept(child, display, int(key_node.start_mark.line) + 1, reason))
        if isinstance(value_node, MappingNode) and not value_node.flow_style:
            found += _kept_keys(text, value_node, child, display)
    return found


def _line_comment(text: str, key_node: Node, value_node: Node) -> str:
    """The comment at the end of a key's line ('' when none)."""
    key_line_end = _line_end(text, int(key_node.start_mark.index))
    on_key_line = int(value_node.start_mark.line) == int(key_node.start_mark.line)
    after_value = _content_end(value_node, text) <= key_line_end
    start = _content_end(value_node, text) if on_key_line and after_value else int(key_node.end_mark.index)
    rest = text[start:key_line_end]
    hash_at = rest.find("#")
    return rest[hash_at:] if hash_at >= 0 else ""
