"""Writing rendered files: atomic per file, stale files removed, foreign files never touched.

A small record, ``.azconf-rendered.json`` in the output folder, lists the files azconf wrote there and
their hashes. A later render removes the files it no longer produces only if they are in that record;
``--check`` compares without writing and reports missing, different and extra files (drift).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from azconf.atomic import write_atomic, write_many_atomic
from azconf.errors import DataError
from azconf.jsontext import dumps_pretty

RECORD_NAME = ".azconf-rendered.json"


@dataclass
class OutputReport:
    """What a render did (or, with check, would do) in one output folder."""

    folder: Path
    written: list[str] = field(default_factory=list)  # new or changed files
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # stale files azconf had rendered before
    missing: list[str] = field(default_factory=list)  # check: expected but absent
    different: list[str] = field(default_factory=list)  # check: present with other content
    extra: list[str] = field(default_factory=list)  # check: rendered before, no longer produced

    @property
    def drift(self) -> bool:
        """True when a check found the folder out of date."""
        return bool(self.missing or self.different or self.extra)


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _read_record(folder: Path) -> tuple[str, dict[str, str]]:
    """The record's text (empty if there is none) and the files it lists with their digests."""
    try:
        text = (folder / RECORD_NAME).read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, ValueError):
        return "", {}
    files = record.get("files") if isinstance(record, dict) else None
    return text, ({str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {})


def _safe(relative: str) -> str:
    parts = relative.split("/")
    if relative.startswith("/") or ".." in parts or "" in parts or relative == RECORD_NAME:
        raise ValueError(f"a target produced an unsafe path: {relative}")
    return relative


def _same_bytes(path: str, expected: bytes) -> bool | None:
    """Whether the file at ``path`` holds exactly ``expected``; None when there is no such file.

    One read of one byte more than expected answers it (a regular file reads short only at its end):
    a render compares thousands of small files, and buffered ``open`` costs twice as much.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        return os.read(descriptor, len(expected) + 1) == expected
    except IsADirectoryError:  # a folder where the file should be: absent, as far as rendering goes
        return None
    finally:
        os.close(descriptor)


@dataclass
class FilesReport:
    """What :func:`write_files` did with some of a folder's files; :func:`finish_folder` joins them."""

    digests: dict[str, str] = field(default_factory=dict)  # every file given, by name
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)


def write_files(parts: list[tuple[Path, dict[str, str]]], *, check: bool) -> list[FilesReport]:
    """Write (or with ``check`` compare) some of the files of each folder in ``parts``.

    Each file is replaced atomically, and one flush to disk serves them all (see
    :func:`azconf.atomic.write_many_atomic`); a file whose bytes are already right is not rewritten.
    Several processes may write the files of one folder at once: :func:`finish_folder` then removes
    what is stale and records them all. Raises :class:`DataError` when a folder cannot be read or
    written (a file in the way, no permission, a full disk).
    """
    reports: list[FilesReport] = []
    pending: list[tuple[Path, bytes]] = []
    for folder, files in parts:
        with _reported(folder, check):
            reports.append(_compare(folder, files, check=check, pending=pending))
    if pending:
        with _reported(pending[0][0].parent, check):
            write_many_atomic(pending)
    return reports


def finish_folder(folder: Path, parts: list[FilesReport], *, check: bool) -> OutputReport:
    """Remove (or with ``check`` report) the stale files, and record every file of ``parts``."""
    report, digests = OutputReport(folder), dict[str, str]()
    for part in parts:
        if digests.keys() & part.digests.keys():
            raise ValueError(f"two parts of a render wrote {sorted(digests.keys() & part.digests.keys())}")
        digests |= part.digests
        for mine, theirs in (
            (report.written, part.written),
            (report.unchanged, part.unchanged),
            (report.missing, part.missing),
            (report.different, part.different),
        ):
            mine.extend(theirs)
    for names in (report.written, report.unchanged, report.missing, report.different):
        names.sort()
    with _reported(folder, check):
        _finish(folder, digests, report, check=check)
    return report


def record_written(folder: Path, parts: list[FilesReport]) -> None:
    """Add the files that ``parts`` wrote to ``folder``'s record, and remove nothing.

    For a folder some of whose parts could not be written: what was written stays azconf's, so a
    later render removes it if it is no longer produced (and --check reports it).
    """
    written = {name: part.digests[name] for part in parts for name in part.written}
    if not written:
        return
    _, previous = _read_record(folder)
    with _reported(folder, check=False):
        write_atomic(folder / RECORD_NAME, _record_text(previous | written))


@contextlib.contextmanager
def _reported(folder: Path, check: bool) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        where = error.filename or folder
        raise DataError(
            f"cannot {'read' if check else 'write'} {where}: {error.strerror or error}",
            hint="point --out (or render.<target>.out in azconf.yaml) at a folder you can write",
        ) from None


def _compare(
    folder: Path, files: dict[str, str], *, check: bool, pending: list[tuple[Path, bytes]]
) -> FilesReport:
    """Compare ``files`` with ``folder``'s; add those to write to ``pending``."""
    report = FilesReport()
    base = str(folder) + os.sep
    for name, text in sorted(files.items()):
        data = text.encode("utf-8")
        report.digests[_safe(name)] = _digest(data)
        same = _same_bytes(base + name, data)
        if same:
            report.unchanged.append(name)
        elif check:
            (report.missing if same is None else report.different).append(name)
        else:
            pending.append((folder / name, data))
            report.written.append(name)
    return report


def _finish(folder: Path, digests: dict[str, str], report: OutputReport, *, check: bool) -> None:
    record_text, previous = _read_record(folder)
    for name in sorted(set(previous) - set(digests)):
        if not (folder / name).is_file():
            continue
        if check:
            report.extra.append(name)
        else:
            os.unlink(folder / name)
            report.removed.append(name)
    if not check:
        record = _record_text(digests)
        if record != record_text:  # an unchanged record is not rewritten (nor flushed to disk)
            write_atomic(folder / RECORD_NAME, record)


def _record_text(digests: dict[str, str]) -> str:
    """The record of a folder holding the files ``digests`` names."""
    return dumps_pretty({"files": digests, "generator": "azconf"})  # keys sorted
