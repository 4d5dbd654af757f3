"""Plan the edits of an environment's overlay that make it resolve to wanted values.

The overlay is the environment's own (last) layer. For each wanted value the plan is minimal: when
the layers below already give the value, the override is removed; when the value must be absent but
a lower layer sets it, the overlay writes ``null``; otherwise it sets the value. Each overlay file is
parsed once (:class:`azconf.edit.yaml_text.YamlText`), however many values a plan sets, and the plan
is checked by resolving the edited texts in memory: nothing here touches the disk.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from azconf.config.layering import flag_shorthand
from azconf.config.located import LocatedMap, plain, same_data
from azconf.config.project import Project, parser
from azconf.config.resolve import Resolver
from azconf.diff import Change, diff
from azconf.edit.yaml_text import Kept, YamlText

ABSENT: Any = object()
"""A wanted value meaning "the key must not exist"."""

StrPath = tuple[str, ...]


@dataclass
class FileEdit:
    """One file's text before (None for a new file) and after the plan."""

    file: str
    before: str | None
    after: str


@dataclass(frozen=True)
class Skipped:
    """A difference a plan leaves alone on purpose, and why (shown with the plan)."""

    path: StrPath
    reason: str


@dataclass
class Plan:
    """The edits to one environment's overlay, and the changes they make to its resolved values."""

    env: str
    files: list[FileEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # What the planner already resolved, so that checking and recording the plan do not resolve
    # again: the environment's resolved data before and after the plan (``after`` is what a write
    # records), and the resolver of the planned texts.
    before: LocatedMap | None = field(default=None, compare=False, repr=False)
    after: LocatedMap | None = field(default=None, compare=False, repr=False)
    resolver: Resolver | None = field(default=None, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        """True when nothing needs to change."""
        return not self.files


def lookup(data: Any, path: StrPath) -> Any:
    """The value at ``path`` in plain or located data, or ABSENT."""
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return ABSENT
        data = data[part]
    return data


def put(data: dict[str, Any], path: StrPath, value: Any) -> None:
    """Set ``path`` in plain ``data`` (ABSENT removes it), creating mappings on the way."""
    for key in path[:-1]:
        if value is ABSENT and not isinstance(data.get(key), dict):
            return
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    if value is ABSENT:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = copy.deepcopy(value)


def excluded(path: StrPath, patterns: list[str]) -> bool:
    """Whether ``path`` or one of its ancestors matches a pattern such as ``services.*.replicas``."""
    return matching_pattern(path, patterns) is not None


def matching_pattern(path: StrPath, patterns: list[str]) -> str | None:
    """The first pattern that ``path`` or one of its ancestors matches, else None."""
    for pattern in patterns:
        parts = split_pattern(pattern)
        if len(parts) <= len(path) and all(fnmatchcase(p, q) for p, q in zip(path, parts, strict=False)):
            return pattern
    return None


def split_pattern(pattern: str) -> StrPath:
    """``services.*.image`` -> ("services", "*", "image"); quoted keys keep their dots."""
    from azconf.config.located import parse_path

    parts = parse_path(pattern)
    return tuple(str(part) for part in parts) if parts else tuple(pattern.split("."))


def is_glob(path: StrPath) -> bool:
    """Whether any part of ``path`` is a glob (``*``, ``?``, ``[...]``)."""
    return any(char in part for part in path for char in "*?[")


def expand(pattern: StrPath, trees: list[Any]) -> list[StrPath]:
    """The concrete paths in any of ``trees`` that ``pattern`` matches (itself, when not a glob)."""
    if not is_glob(pattern):
        return [pattern]
    found: list[StrPath] = []
    _expand(pattern, trees, (), found)
    return found


def _expand(pattern: StrPath, trees: list[Any], prefix: StrPath, found: list[StrPath]) -> None:
    if not pattern:
        found.append(prefix)
        return
    maps = [tree for tree in trees if isinstance(tree, dict)]
    keys = list(dict.fromkeys(key for tree in maps for key in tree))
    for key in keys:
        if fnmatchcase(key, pattern[0]):
            _expand(pattern[1:], [tree[key] for tree in maps if key in tree], (*prefix, key), found)


class Planner:
    """Builds a plan for one environment, keeping the edited texts of its overlay folder."""

    def __init__(self, project: Project, env: str) -> None:
        self.project = project
        self.env = env
        self.folder = project.manifest.layer_folders(env)[-1]
        self._files_edited: dict[str, YamlText] = {}
        self._originals: dict[str, str | None] = {}
        self.resolver = Resolver(project)
        self.located_before: LocatedMap = self.resolver.resolve(env).data  # what the environment is now
        self.below = self.resolver.resolve_below(env)

    @cached_property
    def before(self) -> dict[str, Any]:
        """What the environment resolves to now, as plain data (a copy the caller may change)."""
        return plain(self.located_before)  # type: ignore[no-any-return]

    def want(self, path: StrPath, value: Any) -> None:
        """Make ``path`` resolve to ``value`` (ABSENT: not exist)."""
        below = _below(self.below, path)
        if value is ABSENT:
            if below is ABSENT:
                self._remove_overrides(path)
            else:
                self._set(path, None)
        elif below is not ABSENT and same_data(below, value) and not self._kept_around(path):
            self._remove_overrides(path)
        else:
            self._set(path, value)

    def remove_override(self, path: StrPath) -> bool:
        """Remove ``path`` from the overlay; False when the overlay does not set it."""
        if not any(self._file(name).has(path) for name in self._names()):
            return False
        self._remove_overrides(path)
        return True

    def _kept_around(self, path: StrPath) -> bool:
        """Whether the overlay marks ``path``, a key above it or one below it ``# azconf:keep``: its
        override is then set even where it equals the layers below, so that the value (and the
        marker) stays the environment's own and a later promotion still leaves it alone."""
        for name in self._names():
            edited = self._file(name)
            if edited.has(path[:1]):
                for kept in edited.kept():
                    shortest = min(len(kept.path), len(path))
                    if kept.path[:shortest] == path[:shortest]:
                        return True
        return False

    def kept(self) -> list[Kept]:
        """The overlay's keys marked ``# azconf:keep`` (as the files are on disk)."""
        return [kept for name in self._names() for kept in self._file(name).kept()]

    def resolved(self) -> dict[str, Any]:
        """What the environment resolves to with the planned texts."""
        return plain(self._edited().resolve(self.env).data)  # type: ignore[no-any-return]

    def plan(self) -> Plan:
        """The plan so far."""
        texts = self._texts()
        files = [FileEdit(name, self._originals[name], text) for name, text in sorted(texts.items())]
        edited = self._edited()
        after = edited.resolve(self.env).data
        # Compared as resolved: the items the edit did not touch are the same objects on both sides.
        changes = [replace(c, old=plain(c.old), new=plain(c.new)) for c in diff(self.located_before, after)]
        return Plan(self.env, files, changes, before=self.located_before, after=after, resolver=edited)

    def _edited(self) -> Resolver:
        """A resolver of the planned texts (the unedited layers below are not merged again)."""
        return self.resolver.with_pending(self._texts())

    # -- texts of the overlay folder ---------------------------------------------------------------

    def _texts(self) -> dict[str, str]:
        """The edited files' new texts (only those that changed)."""
        texts = {name: edited.text() for name, edited in self._files_edited.items()}
        return {name: text for name, text in texts.items() if text != (self._originals[name] or "")}

    def _names(self) -> list[str]:
        folder = self.project.root / self.folder
        on_disk = sorted(f"{self.folder}/{p.name}" for p in folder.glob("*.y*ml")) if folder.is_dir() else []
        return sorted(set(on_disk) | set(self._files_edited))

    def _file(self, name: str) -> YamlText:
        edited = self._files_edited.get(name)
        if edited is None:
            path = self.project.root / name
            # Bytes decoded as they are: reading in text mode would turn CRLF line ends into LF.
            original = path.read_bytes().decode("utf-8") if path.is_file() else None
            self._originals[name] = original
            parse = parser(self.project.parsed)  # the resolver parsed it already
            edited = self._files_edited[name] = YamlText(original or "", name, parse)
        return edited

    def _file_for(self, path: StrPath) -> str:
        """The overlay file that already defines the deepest part of ``path``, else the section's file."""
        best, depth = "", 0
        for name in self._names():
            edited = self._file(name)
            for size in range(len(path), depth, -1):
                if edited.has(path[:size]):
                    best, depth = name, size
                    break
        return best or f"{self.folder}/{path[0]}.yaml"

    def _set(self, path: StrPath, value: Any) -> None:
        self._file(self._file_for(path)).set(path, value)

    def _remove_overrides(self, path: StrPath) -> None:
        for name in self._names():
            edited = self._file(name)
            if edited.has(path):
                edited.delete(path)


def _below(below: Any, path: StrPath) -> Any:
    """What the layers below give at ``path``, a flag written in shorthand (``dark-mode: true``) read
    as the full flag it stands for, which is what an overlay's fields merge over."""
    if len(path) >= 2 and path[0] == "flags":
        flag = lookup(below, path[:2])
        if isinstance(flag, bool):
            return lookup({path[1]: flag_shorthand(flag)}, path[1:])
    return lookup(below, path)
