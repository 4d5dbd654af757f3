"""Plan the edits of an environment's overlay that make it resolve to wanted values.

The overlay is the environment's own (last) layer. For each wanted value the plan is minimal: when
the layers below already give the value, the override is removed; when the value must be absent but
a lower layer sets it, the overlay writes ``null``; otherwise it sets the value. The plan is checked by
resolving the edited texts in memory: nothing here touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from azconf.config.located import plain
from azconf.config.project import Project
from azconf.config.resolve import Resolver
from azconf.diff import Change, diff
from azconf.edit.yaml_text import delete_key, has_key, set_value

ABSENT: Any = object()
"""A wanted value meaning "the key must not exist"."""

StrPath = tuple[str, ...]


@dataclass
class FileEdit:
    """One file's text before (None for a new file) and after the plan."""

    file: str
    before: str | None
    after: str


@dataclass
class Plan:
    """The edits to one environment's overlay, and the changes they make to its resolved values."""

    env: str
    files: list[FileEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

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


def excluded(path: StrPath, patterns: list[str]) -> bool:
    """Whether ``path`` or one of its ancestors matches a pattern such as ``services.*.replicas``."""
    for pattern in patterns:
        parts = pattern.split(".")
        if len(parts) <= len(path) and all(fnmatchcase(p, q) for p, q in zip(path, parts, strict=False)):
            return True
    return False


def strip_excluded(path: StrPath, value: Any, patterns: list[str]) -> Any:
    """``value`` (to be written at ``path``) without the keys under it that are excluded."""
    if not isinstance(value, dict):
        return value
    return {
        key: strip_excluded((*path, key), item, patterns)
        for key, item in value.items()
        if not excluded((*path, key), patterns)
    }


class Planner:
    """Builds a plan for one environment, keeping the edited texts of its overlay folder."""

    def __init__(self, project: Project, env: str) -> None:
        self.project = project
        self.env = env
        self.folder = project.manifest.layer_folders(env)[-1]
        self.texts: dict[str, str] = {}
        self.originals: dict[str, str | None] = {}
        resolver = Resolver(project)
        self.before = plain(resolver.resolve(env).data)
        self.below = resolver.resolve_below(env)

    def want(self, path: StrPath, value: Any) -> None:
        """Make ``path`` resolve to ``value`` (ABSENT: not exist)."""
        below = lookup(self.below, path)
        if value is ABSENT:
            if below is ABSENT:
                self._remove_overrides(path)
            else:
                self._set(path, None)
        elif below is not ABSENT and _same(plain(below), value):
            self._remove_overrides(path)
        else:
            self._set(path, value)

    def remove_override(self, path: StrPath) -> bool:
        """Remove ``path`` from the overlay; False when the overlay does not set it."""
        if not any(has_key(self._text(name), path) for name in self._files()):
            return False
        self._remove_overrides(path)
        return True

    def resolved(self) -> dict[str, Any]:
        """What the environment resolves to with the planned texts."""
        edited = self.project.with_pending(self.texts)
        return plain(Resolver(edited).resolve(self.env).data)  # type: ignore[no-any-return]

    def plan(self) -> Plan:
        """The plan so far."""
        files = [
            FileEdit(name, self.originals[name], text)
            for name, text in sorted(self.texts.items())
            if text != self.originals[name]
        ]
        return Plan(self.env, files, diff(self.before, self.resolved()))

    # -- texts of the overlay folder ---------------------------------------------------------------

    def _files(self) -> list[str]:
        folder = self.project.root / self.folder
        on_disk = sorted(f"{self.folder}/{p.name}" for p in folder.glob("*.y*ml")) if folder.is_dir() else []
        return sorted(set(on_disk) | set(self.texts))

    def _text(self, name: str) -> str:
        if name not in self.texts:
            path = self.project.root / name
            original = path.read_text(encoding="utf-8") if path.is_file() else None
            self.originals[name] = original
            self.texts[name] = original or ""
        return self.texts[name]

    def _file_for(self, path: StrPath) -> str:
        """The overlay file that already defines the deepest part of ``path``, else the section's file."""
        best, depth = "", 0
        for name in self._files():
            for size in range(len(path), 0, -1):
                if size > depth and has_key(self._text(name), path[:size]):
                    best, depth = name, size
                    break
        return best or f"{self.folder}/{path[0]}.yaml"

    def _set(self, path: StrPath, value: Any) -> None:
        name = self._file_for(path)
        self.texts[name] = set_value(self._text(name), path, value)

    def _remove_overrides(self, path: StrPath) -> None:
        for name in self._files():
            text = self._text(name)
            if has_key(text, path):
                self.texts[name] = delete_key(text, path)


def _same(left: Any, right: Any) -> bool:
    return type(left) is type(right) and left == right
