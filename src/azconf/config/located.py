"""Values that remember where they came from.

The YAML front end builds ordinary dicts and lists, so pydantic, jsonschema and json see plain data,
but each mapping and sequence also carries the location of every entry. Layering keeps, for each key,
the *chain* of locations that set it: the winner first, then each value it overrode. ``explain`` is then
a lookup, not a search.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Hashable, Iterator
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

KeyPath = tuple[str | int, ...]  # a path into a document: its keys and list indexes (not a file)


class Loc(NamedTuple):
    """Where one entry was set: the file, the key's line/column and the value's line/column (1-based).

    For a list item the key position is the item's own position.
    """

    file: str
    key_line: int
    key_column: int
    line: int
    column: int


Chain = tuple[Loc, ...]
"""The locations that set one key, newest (the winner) first."""


class LocatedMap(dict[str, Any]):
    """A dict whose ``origins[key]`` is the chain of locations that set ``key``.

    ``deleted[key]`` records keys that a later layer removed with ``null`` (the null's location first).
    """

    __slots__ = ("deleted", "derived", "origins")

    def __init__(self) -> None:
        super().__init__()
        self.origins: dict[str, Chain] = {}
        self.deleted: dict[str, Chain] | None = None
        self.derived: dict[Hashable, Any] | None = None  # see derived_once()

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        # A copy (or a pickle) does not take what was derived from the original: a copy may be edited.
        return None, {"origins": self.origins, "deleted": self.deleted, "derived": None}


class LocatedList(list[Any]):
    """A list whose ``origins[i]`` is the location of item ``i``."""

    __slots__ = ("derived", "origins")

    def __init__(self) -> None:
        super().__init__()
        self.origins: list[Loc] = []
        self.derived: dict[Hashable, Any] | None = None  # see derived_once()

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        return None, {"origins": self.origins, "derived": None}


def derived_once(node: LocatedMap | LocatedList, key: Hashable, derive: Callable[[], T]) -> T:
    """What ``derive()`` makes of ``node``, made once and kept on the node under ``key``.

    Resolved data is never changed once built, and layering shares every subtree an overlay leaves
    alone: an item that a write does not touch is the same object before and after the write (and,
    in the flags service, which keeps its parses, from one write to the next). What azconf derives
    from an item (its history item, its typed model) is therefore derived once per object, so a write
    costs what it touches, not what the project holds.
    """
    kept = node.derived
    if kept is None:
        kept = node.derived = {}
    if key not in kept:
        kept[key] = derive()
    value: T = kept[key]
    return value


def scalar_kind(value: Any) -> str:
    """What tells apart scalars that compare equal but are not the same data: the type (``True == 1
    == 1.0`` in Python) and a zero's sign (``-0.0 == 0.0``, but JSON writes ``-0.0``). A cache keyed
    by a scalar's value keys it by its kind too."""
    if isinstance(value, float) and value == 0.0 and math.copysign(1.0, value) < 0:
        return "-float"
    return type(value).__name__


def same_data(left: Any, right: Any) -> bool:
    """Whether ``left`` and ``right`` are the same data (plain or located): equal, with scalars of the
    same kind all the way down (see :func:`scalar_kind`; ``[True] == [1]`` in Python, not in JSON)."""
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and left.keys() == right.keys()
            and all(same_data(item, right[key]) for key, item in left.items())
        )
    if isinstance(left, list):
        return isinstance(right, list) and len(left) == len(right) and all(map(same_data, left, right))
    return scalar_kind(left) == scalar_kind(right) and bool(left == right)


def chain_at(root: LocatedMap, path: KeyPath) -> Chain:
    """The chain of locations that set the value at ``path`` (empty when the path has none).

    For a path into a list item, the item's location is the winner and the list's chain follows.
    """
    parent: Any = root
    chain: Chain = ()
    for part in path:
        if isinstance(parent, LocatedMap) and isinstance(part, str) and part in parent:
            chain = parent.origins.get(part, ())
            parent = parent[part]
        elif isinstance(parent, LocatedList) and isinstance(part, int) and 0 <= part < len(parent):
            chain = (parent.origins[part], *chain)
            parent = parent[part]
        else:
            return ()
    return chain


def deepest_loc(root: LocatedMap, path: KeyPath) -> Loc | None:
    """The location of the value at ``path``, or of its nearest existing ancestor."""
    parent: Any = root
    best: Loc | None = None
    for part in path:
        if isinstance(parent, LocatedMap) and isinstance(part, str) and part in parent:
            chain = parent.origins.get(part)
            best = chain[0] if chain else best
            parent = parent[part]
        elif isinstance(parent, LocatedList) and isinstance(part, int) and 0 <= part < len(parent):
            best = parent.origins[part]
            parent = parent[part]
        else:
            break
    return best


def plain(value: Any) -> Any:
    """A copy of ``value`` made of plain dicts and lists (for serialisers that check exact types)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def walk_leaves(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """Every scalar (and empty collection) under ``value`` with its path."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from walk_leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from walk_leaves(item, (*path, index))
    else:
        yield path, value


_PLAIN_SEGMENT = re.compile(r"[^.\[\]\"]+")
_PATH_TOKEN = re.compile(r'\.?(?:([^.\[\]"]+)|"((?:[^"\\]|\\.)*)")|\[(-?\d+)\]')


def format_path(path: KeyPath) -> str:
    """``("services", "web", "env", 0)`` as ``services.web.env[0]``; odd keys are quoted: ``flags."a.b"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if _PLAIN_SEGMENT.fullmatch(part) else json.dumps(part)
        out = f"{out}.{text}" if out else text
    return out


def parse_path(text: str) -> KeyPath | None:
    """The inverse of :func:`format_path`; ``a.b[2]`` gives ``("a", "b", 2)``; None if malformed."""
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_TOKEN.match(text, position)
        if not match or (position == 0 and text[0] == "."):
            return None
        plain_name, quoted, index = match.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(json.loads(f'"{quoted}"'))
        else:
            parts.append(plain_name)
        position = match.end()
    return tuple(parts)
