"""Set and delete keys in YAML text by replacing only the spans of the nodes involved.

Comments, blank lines, key order, quoting style and indentation everywhere else stay byte for byte
(the technique of pre-commit's ``yaml_rewrite``: find the node, replace its span). A new value is
written in the style of the one it replaces where that is possible (a flow list stays a flow list, a
single-quoted string stays single-quoted).
"""

from __future__ import annotations

import json
import re
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from azconf.config.yaml_io import compose_nodes, dump_indented

Key = str
# Plain scalars that every YAML parser reads as this same string (":" only inside, never ": ").
_PLAIN_SAFE = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@+=-]*(?::[A-Za-z0-9_./@+=-]+)*")


def set_value(text: str, path: tuple[Key, ...], value: Any) -> str:
    """``text`` with the value at ``path`` set to ``value`` (creating missing mappings)."""
    root = compose_nodes(text)
    if root is None:
        return _append_top(text, _nest(path, value))
    node: Node = root
    for depth, key in enumerate(path):
        if not isinstance(node, MappingNode):
            raise ValueError(f"cannot set {'.'.join(path)}: {'.'.join(path[:depth])} is not a mapping")
        entry = _entry(node, key)
        if entry is None:
            return _insert(text, node, key, _nest(path[depth + 1 :], value))
        key_node, value_node = entry
        if depth == len(path) - 1 or not isinstance(value_node, MappingNode):
            rest = _nest(path[depth + 1 :], value)
            return _replace(text, key_node, value_node, rest)
        node = value_node
    raise ValueError("empty path")


def delete_key(text: str, path: tuple[Key, ...]) -> str:
    """``text`` without the key at ``path``; a mapping left empty by it is removed too.

    (An empty mapping would read as null, and null deletes in an overlay.)
    """
    chain = _entries(text, path)
    if chain is None:
        return text
    # Remove the highest ancestor that would be left with nothing but this key.
    index = len(chain) - 1
    while index > 0 and len(chain[index][2].value) == 1:
        index -= 1
    key_node, value_node, parent = chain[index]
    if parent.flow_style:
        return _delete_flow_entry(text, parent, key_node, value_node)
    return _delete_lines(text, key_node, value_node)


def has_key(text: str, path: tuple[Key, ...]) -> bool:
    """Whether ``text`` sets ``path`` (to any value, null included)."""
    return _entries(text, path) is not None


# -- finding ----------------------------------------------------------------------------------------


def _entry(node: MappingNode, key: Key) -> tuple[Node, Node] | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _entries(text: str, path: tuple[Key, ...]) -> list[tuple[Node, Node, MappingNode]] | None:
    """(key node, value node, parent mapping) along ``path``, or None if the path is not in ``text``."""
    node = compose_nodes(text)
    chain: list[tuple[Node, Node, MappingNode]] = []
    for key in path:
        if not isinstance(node, MappingNode):
            return None
        entry = _entry(node, key)
        if entry is None:
            return None
        chain.append((entry[0], entry[1], node))
        node = entry[1]
    return chain or None


def _content_end(node: Node) -> int:
    """Where a node's own text ends (a block collection's end mark is at the next token instead)."""
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _content_end(last[1] if isinstance(node, MappingNode) else last)
    return int(node.end_mark.index)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


# -- writing values ---------------------------------------------------------------------------------


def _nest(path: tuple[Key, ...], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


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


def _replace(text: str, key_node: Node, value_node: Node, value: Any) -> str:
    start, end = int(value_node.start_mark.index), _content_end(value_node)
    key_column = int(key_node.start_mark.column)
    old_is_block = isinstance(value_node, MappingNode | SequenceNode) and not value_node.flow_style
    if isinstance(value_node, ScalarNode) and not _is_block_value(value):
        return text[:start] + scalar_text(value, value_node.style or "") + text[end:]
    if isinstance(value_node, SequenceNode) and value_node.flow_style and isinstance(value, list):
        return text[:start] + flow_text(value) + text[end:]
    if isinstance(value_node, MappingNode) and value_node.flow_style and isinstance(value, dict):
        return text[:start] + flow_text(value) + text[end:]
    if not _is_block_value(value):  # a block collection becomes one line; the key's comment stays
        colon = text.index(":", int(key_node.end_mark.index)) + 1
        key_line_rest = text[colon : _line_end(text, colon)]
        return text[:colon] + " " + scalar_text(value) + key_line_rest + text[_line_end(text, end) :]
    if old_is_block:
        column = int(value_node.start_mark.column)
        lines = _block_lines(value)
        return text[:start] + ("\n" + " " * column).join(lines) + text[end:]
    indent = " " * (key_column + 2)
    block = "".join("\n" + indent + line for line in _block_lines(value))
    colon = text.index(":", int(key_node.end_mark.index)) + 1
    return text[:colon] + block + text[end:]


def _insert(text: str, mapping: MappingNode, key: Key, value: Any) -> str:
    """Add ``key: value`` as the last entry of ``mapping``."""
    if mapping.flow_style:
        close = int(mapping.end_mark.index) - 1
        separator = ", " if mapping.value else ""
        return text[:close] + f"{separator}{key_text(key)}: {flow_text(value)}" + text[close:]
    column = int(mapping.start_mark.column)
    entry = _entry_lines(key, value)
    position = _line_end(text, _content_end(mapping))
    lines = "".join("\n" + " " * column + line for line in entry)
    return text[:position] + lines + text[position:]


def _entry_lines(key: Key, value: Any) -> list[str]:
    if _is_block_value(value):
        return [f"{key_text(key)}:", *("  " + line for line in _block_lines(value))]
    return [f"{key_text(key)}: {scalar_text(value)}"]


def _append_top(text: str, value: dict[str, Any]) -> str:
    lines = [line for key, item in value.items() for line in _entry_lines(key, item)]
    prefix = text if not text or text.endswith("\n") else text + "\n"
    return prefix + "\n".join(lines) + "\n"


# -- deleting ---------------------------------------------------------------------------------------


def _delete_lines(text: str, key_node: Node, value_node: Node) -> str:
    start = _line_start(text, int(key_node.start_mark.index))
    if text[start : int(key_node.start_mark.index)].strip():
        start = int(key_node.start_mark.index)  # something else precedes the key on its line
    end = _line_end(text, _content_end(value_node))
    end = end + 1 if end < len(text) else end
    return text[:start] + text[end:]


def _delete_flow_entry(text: str, parent: MappingNode, key_node: Node, value_node: Node) -> str:
    start, end = int(key_node.start_mark.index), _content_end(value_node)
    after = text[end:]
    stripped = after.lstrip()
    if stripped.startswith(","):  # "a: 1, b: 2" -> "b: 2"
        end += len(after) - len(stripped) + 1
        while end < len(text) and text[end] == " ":
            end += 1
        return text[:start] + text[end:]
    before = text[:start].rstrip()
    if before.endswith(","):  # the last entry: "a: 1, b: 2" -> "a: 1"
        return before[:-1] + text[end:]
    return text[:start] + text[end:]
