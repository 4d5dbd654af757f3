"""``azconf render --check`` output: per folder, the files out of date, a unified diff of each, a verdict.

Lines come with a rich style name (``""`` for none), printed in colour on a terminal only. With
``stat`` the diffs are left out: one line per file, as ``--check --stat`` prints.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from azconf.problems import redact
from azconf.render.output import OutputReport, Sides

Lines = list[tuple[str, str]]
LABELS = ("missing", "different", "extra", "temporary")
_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def check_lines(name: str, report: OutputReport, *, prefix: str = "", stat: bool = False) -> Lines:
    """The lines of one target's folder: each file out of date, its diff (unless ``stat``), the verdict."""
    where = report.folder
    lines: Lines = []
    if report.interrupted:
        lines.append(
            (f"interrupted: the last render of {where} did not finish; the files below are stale", "yellow")
        )
    for label in LABELS:
        lines += [(f"{label}: {where / file}", "") for file in getattr(report, label)]
    if not stat:
        for label in ("missing", "different", "extra"):
            lines += [
                line
                for file in getattr(report, label)
                for line in file_diff(where / file, report.sides.get(file))
            ]
    state = "drift" if report.drift else "up to date"
    lines.append((f"{prefix}{name}: {state} ({where})", "bold red" if report.drift else "green"))
    return lines


def file_diff(path: Path, sides: Sides | None) -> Lines:
    """A unified diff of one file, from the bytes on disk to the bytes a render writes (git's style:
    ``/dev/null`` for a side that does not exist); nothing when the sides are unknown."""
    if sides is None:
        return []
    old, new = sides
    diff = difflib.unified_diff(
        _lines(old),
        _lines(new),
        fromfile=str(path) if old is not None else "/dev/null",
        tofile=str(path) if new is not None else "/dev/null",
        lineterm="",
    )
    # Rendered files hold references, never values; a token someone pasted into a file on disk is
    # masked all the same, as in every other message.
    return [(redact(line), _style(line)) for line in diff]


def _lines(data: bytes | None) -> list[str]:
    return [] if data is None else data.decode("utf-8", "replace").splitlines()


def _style(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "bold"
    return _STYLES.get(line[:1], "")
