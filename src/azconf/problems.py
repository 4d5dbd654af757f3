"""Problems: what is wrong in a config repository, where, and how to fix it.

A check never raises for bad input; it returns problems. Reporters (``azconf.report``) turn a list of
them into text, JSON, GitHub annotations or SARIF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is; only errors fail ``azconf validate`` (warnings do under ``--strict``)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based line and column in a file (path relative to the project root when inside it)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: a code from ``azconf.codes``, where it is, and what to do about it."""

    code: str
    message: str
    location: Location
    severity: Severity = Severity.ERROR
    path: str = ""  # the config path, e.g. "routes.payments.service"; "" for file-level problems
    hint: str = ""  # how to fix it, one sentence
    env: str = ""  # the environment it was found in; "" when it holds for every environment
    related: tuple[Location, ...] = field(default=())  # other places involved (e.g. a duplicate)

    def __post_init__(self) -> None:
        # Messages quote what the user wrote; a token pasted there is masked wherever they go.
        for name in ("message", "path", "hint"):
            text = getattr(self, name)
            masked = redact(text)
            if masked is not text:
                object.__setattr__(self, name, masked)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order problems by file, line, column, then code and path."""
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.path)


def redact(text: str) -> str:
    """``text`` with token-shaped secrets masked (``ghp_…(40 chars)``); the same object if none."""
    from azconf.secrets.detect import redact_shapes

    masked = redact_shapes(text)
    return text if masked == text else masked


def redacted(value: object) -> object:
    """``value`` (JSON data) with token-shaped text masked in every string, keys included."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(key)): redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Sort by place; the same problem found in several environments is kept once, naming them all."""
    from dataclasses import replace

    unique: dict[tuple[str, Location, str, str], Problem] = {}
    for problem in problems:
        key = (problem.code, problem.location, problem.path, problem.message)
        seen = unique.get(key)
        if seen is None:
            unique[key] = problem
        elif problem.env and seen.env and problem.env not in seen.env.split(","):
            unique[key] = replace(seen, env=f"{seen.env},{problem.env}")
    return sorted(unique.values(), key=Problem.sort_key)


def did_you_mean(word: str, choices: object) -> str:
    """A ' (did you mean "x"?)' suffix when a close match exists, else ''."""
    import difflib

    names = [str(c) for c in choices]  # type: ignore[attr-defined]
    match = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""
