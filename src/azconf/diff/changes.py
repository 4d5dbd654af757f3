"""Semantic differences between two resolved configurations: ``diff(old, new) -> list[Change]``.

Maps are matched by key (items by name), so moving a flag between files or reordering keys is no
change; scalars and lists are compared as values (a list is one value, as in layering, and its change
lists the items added and removed). No formatting here: reporters render changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from azconf.config.located import KeyPath, format_path, same_data

_ABSENT: Any = object()


class Kind(StrEnum):
    """What happened at a path."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One difference: the path, what happened, and the old and new values (None when absent)."""

    path: KeyPath
    kind: Kind
    old: Any = None
    new: Any = None

    @property
    def section(self) -> str:
        """The top-level section the change is in (``flags``, ``routes``...)."""
        return str(self.path[0]) if self.path else ""

    @property
    def dotted(self) -> str:
        """The path as text, e.g. ``services.web.replicas``."""
        return format_path(self.path)


def diff(old: Any, new: Any, path: KeyPath = ()) -> list[Change]:
    """Every difference between ``old`` and ``new``, in a stable order (new's key order first)."""
    return list(_diff(old, new, path))


def _diff(old: Any, new: Any, path: KeyPath) -> Iterator[Change]:
    if old is new:
        return  # one object (a subtree two resolutions share): nothing to compare
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*new, *(k for k in old if k not in new)]:
            before, after = old.get(key, _ABSENT), new.get(key, _ABSENT)
            child = (*path, key)
            if before is _ABSENT:
                yield Change(child, Kind.ADDED, None, after)
            elif after is _ABSENT:
                yield Change(child, Kind.REMOVED, before, None)
            else:
                yield from _diff(before, after, child)
    elif not same_data(old, new):
        # True == 1 in Python, but a boolean replacing a number is a change of type, and so a change
        # (inside a list too: a rule's [true] and [1] answer differently, and render differently).
        yield Change(path, Kind.CHANGED, old, new)


def list_delta(old: list[Any], new: list[Any]) -> tuple[list[Any], list[Any]]:
    """Items of ``new`` not in ``old``, and items of ``old`` not in ``new`` (order kept)."""
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    return added, removed


def in_long_form(changes: list[Change]) -> list[Change]:
    """``changes``, with a flag written in shorthand on one side (``dark-mode: true``) and in full on
    the other compared field by field, as the full flag the shorthand stands for: a toggle then reads
    ``flags.dark-mode.state: "ENABLED" -> "DISABLED"`` rather than a whole new value. For people;
    history and machine-readable output keep the changes as they are."""
    from azconf.config.layering import flag_shorthand

    def long(value: Any) -> Any:
        return flag_shorthand(value) if isinstance(value, bool) else value

    expanded: list[Change] = []
    for change in changes:
        sides = (change.old, change.new)
        if (
            change.kind is Kind.CHANGED
            and len(change.path) == 2
            and change.section == "flags"
            and any(isinstance(side, bool) for side in sides)
            and any(isinstance(side, dict) for side in sides)
        ):
            expanded += diff(long(change.old), long(change.new), change.path)
        else:
            expanded.append(change)
    return expanded


def select(changes: list[Change], sections: list[str], prefixes: list[KeyPath]) -> list[Change]:
    """The changes in ``sections`` (all when empty) under any of ``prefixes`` (all when empty)."""
    chosen = [c for c in changes if not sections or c.section in sections]
    if prefixes:
        chosen = [c for c in chosen if any(_related(c.path, p) for p in prefixes)]
    return chosen


def _related(path: KeyPath, prefix: KeyPath) -> bool:
    """Whether ``path`` is at or under ``prefix``, or ``prefix`` is inside an added/removed ``path``."""
    shortest = min(len(path), len(prefix))
    return path[:shortest] == prefix[:shortest]
