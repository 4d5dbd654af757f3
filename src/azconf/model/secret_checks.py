"""Secret references must parse; literals that look like secrets must not land in the config."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from azconf.config.located import KeyPath, LocatedList, LocatedMap, derived_once, format_path
from azconf.model.locate import value_at
from azconf.problems import Location, Problem
from azconf.secrets import (
    PLAINTEXT_HINT,
    ReferenceSyntaxError,
    iter_plaintext_secrets,
    parse_reference,
)

ALLOW_MARKER = "azconf:allow-secret"
"""An inline comment on the value's line that allow-lists it: ``# azconf:allow-secret REASON``."""


@dataclass(frozen=True)
class Allowed:
    """A reviewed exception: a path pattern (``*`` matches one segment) and why it is fine."""

    pattern: str
    reason: str


def check_references(root: LocatedMap) -> Iterator[Problem]:
    """Every secret reference follows its scheme's grammar.

    Works on the resolved data (a malformed item is the model's problem, reported there), so it can
    run with the value checks, away from the models.
    """
    secrets = root.get("secrets")
    for name, item in secrets.items() if isinstance(secrets, dict) else ():
        short = isinstance(item, str)
        ref = item if short else item.get("ref") if isinstance(item, dict) else None
        if not isinstance(ref, str):
            continue
        error = _reference_error(ref)
        if error is not None:
            path: KeyPath = ("secrets", name) if short else ("secrets", name, "ref")
            where = value_at(root, path)
            column = where.column + error.column_offset if where.line else 0
            yield Problem(
                "AZC0701",
                error.message,
                Location(where.file, where.line, column),
                path=format_path(path),
                hint=error.hint or "",
            )


@functools.lru_cache(maxsize=8192)
def _reference_error(ref: str) -> ReferenceSyntaxError | None:
    # Environments mostly share their references: parse each distinct one once.
    try:
        parse_reference(ref)
    except ReferenceSyntaxError as error:
        return error
    return None


class PlaintextScanner:
    """Finds secret-looking literals, item by item, skipping allow-listed ones.

    What an item holds is kept on it (see :func:`azconf.config.located.derived_once`), so an item
    shared by several environments, or not touched by a write, is scanned once.
    """

    def __init__(self, allowed: list[Allowed], read_line: Any) -> None:
        self.allowed = allowed
        self.read_line = read_line
        self.exceptions: list[tuple[str, str]] = []  # (path, reason) of allowed findings

    def scan(self, root: LocatedMap) -> list[Problem]:
        """Plaintext secrets in every section of ``root``."""
        problems: list[Problem] = []
        for section, content in root.items():
            if section == "secrets" or not isinstance(content, dict):
                continue
            for name, item in content.items():
                problems += self._scan_item(root, (section, name), item)
        return problems

    def _scan_item(self, root: LocatedMap, path: KeyPath, item: Any) -> list[Problem]:
        if isinstance(item, LocatedMap | LocatedList):
            key = ("plaintext", path, tuple(self.allowed))
            found, allowed = derived_once(item, key, lambda: self._findings(root, path, item))
        else:
            found, allowed = self._findings(root, path, item)
        self.exceptions += allowed
        return found

    def _findings(
        self, root: LocatedMap, path: KeyPath, item: Any
    ) -> tuple[list[Problem], list[tuple[str, str]]]:
        """The item's plaintext secrets, and its allow-listed ones as (path, reason)."""
        problems: list[Problem] = []
        allowed: list[tuple[str, str]] = []
        # The item's name goes in as the first path element: it is the key a scalar item sits under.
        for inner, finding in iter_plaintext_secrets(item, (path[1],)):
            at = (path[0], *inner)
            text, where = format_path(at), value_at(root, at)
            reason = self._allowed(text, where)
            if reason is None:
                problems.append(
                    Problem(
                        "AZC0702",
                        f"{finding.message} ({finding.masked})",
                        where,
                        path=text,
                        hint=PLAINTEXT_HINT,
                    )
                )
            else:
                allowed.append((text, reason))
        return problems, allowed

    def _allowed(self, text: str, where: Location) -> str | None:
        for entry in self.allowed:
            if _matches(entry.pattern, text):
                return entry.reason
        line = self.read_line(where.file, where.line) if where.line else ""
        if ALLOW_MARKER in line:
            return line.split(ALLOW_MARKER, 1)[1].strip() or "(inline marker)"
        return None


def _matches(pattern: str, path: str) -> bool:
    parts, wanted = path.split("."), pattern.split(".")
    return len(parts) == len(wanted) and all(fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True))
