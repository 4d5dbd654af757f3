"""Writing rendered files: atomic per file, stale files removed, foreign files never touched.

A small record, ``.azconf-rendered.json`` in the output folder, lists the files azconf wrote there and
their hashes. Deploy folders live in GitOps repositories, so the record and the folder are untrusted
input, and a render obeys three rules:

- only a plain relative name inside the folder (no ``/`` at the start, no ``..``) is ever written or
  removed; a record that lists another name is refused;
- a file is replaced or removed only while its bytes are those the record says azconf wrote; any
  other file in the way is refused by name (``--force`` replaces it);
- nothing is written through a symbolic link to a folder: a linked subfolder is refused.

Every file is compared (and refused) while the render is built, before anything is written. Before
the first write, the record lists the new files' hashes as ``pending``: a render killed half way
leaves files the next one still knows as its own, and ``--check`` says the folder is part old, part
new (and names each stale file). Temporary files a killed render left are removed by the next render
and reported by ``--check``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from azconf.atomic import write_atomic, write_many_atomic
from azconf.errors import DataError
from azconf.fileread import read_regular
from azconf.jsontext import dumps_pretty

RECORD_NAME = ".azconf-rendered.json"
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a record of 100,000 files takes about 10 MB
# The temporary files of azconf.atomic: ".<name>.<8 random characters>.tmp" beside <name>.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
FORCE_HINT = "move the file away, or pass --force to replace files azconf did not write"
Sides = tuple[bytes | None, bytes | None]  # a file's bytes before and after (None: no file)


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
    temporary: list[str] = field(default_factory=list)  # left by a killed render: removed, or reported
    interrupted: bool = False  # check: the last render of this folder did not finish
    # check: (bytes on disk or None, bytes a render would write or None) of each missing, different
    # (a regular file) or extra file, for the diff that `render --check` prints
    sides: dict[str, Sides] = field(default_factory=dict)

    @property
    def drift(self) -> bool:
        """True when a check found the folder out of date."""
        return bool(self.missing or self.different or self.extra or self.temporary or self.interrupted)


@dataclass(frozen=True)
class Record:
    """A folder's record: its text, the files azconf wrote and those a render was writing."""

    text: str = ""
    files: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)

    def owns(self, name: str, digest: str) -> bool:
        """Whether a file ``name`` holding bytes of ``digest`` is one azconf wrote."""
        return digest in (self.files.get(name), self.pending.get(name))


def digest(data: bytes) -> str:
    """The hash a record keeps of a file's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def is_plain_name(name: str) -> bool:
    """Whether ``name`` is a relative path that stays inside its folder (and is not the record)."""
    parts = name.split("/")
    return not (
        name.startswith("/")
        or "\\" in name
        or "\0" in name
        or any(part in ("", ".", "..") for part in parts)
        or name == RECORD_NAME
    )


def read_record(folder: Path) -> Record:
    """``folder``'s record (empty if it has none or it is not JSON); a DataError if it lists a name
    outside the folder: azconf never writes one, so someone crafted it."""
    path = folder / RECORD_NAME
    try:
        text = read_regular(path, MAX_RECORD_BYTES).decode("utf-8")
        record = json.loads(text)
    except (FileNotFoundError, NotADirectoryError):
        return Record()
    except (OSError, ValueError):  # unreadable or not JSON: no file counts as azconf's
        return Record()
    if not isinstance(record, dict):
        return Record()
    files, pending = _listed(record, "files", path), _listed(record, "pending", path)
    return Record(text, files, pending)


def _listed(record: dict[str, object], key: str, path: Path) -> dict[str, str]:
    listed = record.get(key)
    if not isinstance(listed, dict):
        return {}
    for name in listed:
        if not is_plain_name(str(name)):
            raise DataError(
                f"{path}: lists {json.dumps(str(name))}, which is not a plain name inside the folder; "
                "azconf never writes such a record, and removes nothing it names",
                hint=f"delete that entry from {path}, or delete the record and render with --force",
            )
    return {str(k): str(v) for k, v in listed.items()}


def _safe(relative: str) -> str:
    if not is_plain_name(relative):
        raise ValueError(f"a target produced an unsafe path: {relative}")
    return relative


@dataclass
class FilesReport:
    """What :func:`plan_files` found for some of a folder's files; :func:`finish_folder` joins them."""

    digests: dict[str, str] = field(default_factory=dict)  # every file given, by name
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)
    sides: dict[str, Sides] = field(default_factory=dict)  # check: see OutputReport.sides


@dataclass
class Plan:
    """Some files of one folder, compared with the disk: what to write, and what is refused."""

    report: FilesReport
    writes: list[tuple[Path, bytes]]
    refused: list[str]  # one message per file azconf may not write, each naming the file
    forceable: bool = True  # whether --force would allow every refused file


_FOREIGN = object()  # a file in the way that azconf cannot have written (a link, a FIFO, a folder)


def plan_files(folder: Path, files: dict[str, str], record: Record, *, check: bool, force: bool) -> Plan:
    """Compare ``files`` (name -> text) with ``folder``'s: which to write, which are refused.

    Reads, never writes. Raises :class:`DataError` when the folder cannot be read.
    """
    plan = Plan(FilesReport(), [], [])
    links: dict[str, str | None] = {}
    with _reported(folder, check=True):
        for name, text in sorted(files.items()):
            data = text.encode("utf-8")
            plan.report.digests[_safe(name)] = digest(data)
            linked = _linked_folder(folder, name, links)
            if linked is not None:
                plan.refused.append(f"{linked}: a symbolic link to a folder; azconf never writes through one")
                plan.forceable = False
                continue
            _plan_file(plan, folder, name, data, record, check=check, force=force)
    return plan


def _plan_file(
    plan: Plan, folder: Path, name: str, data: bytes, record: Record, *, check: bool, force: bool
) -> None:
    current = _current_bytes(str(folder / name), len(data))
    if current == data:
        plan.report.unchanged.append(name)
        return
    if check:
        (plan.report.missing if current is None else plan.report.different).append(name)
        if current is None or isinstance(current, bytes):  # no diff against a link or a FIFO
            plan.report.sides[name] = (current, data)
        return
    if current is not None and not force and not _owned(record, name, current):
        why = "was changed since azconf wrote it" if name in record.files else "was not written by azconf"
        plan.refused.append(f"{folder / name}: {why}")
        return
    plan.writes.append((folder / name, data))
    plan.report.written.append(name)


def _owned(record: Record, name: str, current: bytes | object) -> bool:
    return isinstance(current, bytes) and record.owns(name, digest(current))


def _current_bytes(path: str, expected: int) -> bytes | object | None:
    """The bytes of the file at ``path`` (None: no file; _FOREIGN: not a regular file or a link).

    One read of one byte more than expected tells a file with the expected bytes (a regular file
    reads short only at its end); the rest is read only when they differ, to hash it.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:  # ELOOP: a symbolic link; or a file nobody may read
        return _FOREIGN
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return _FOREIGN
        data = os.read(descriptor, expected + 1)
        if len(data) <= expected:
            return data
        chunks = [data]
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _linked_folder(folder: Path, name: str, seen: dict[str, str | None]) -> str | None:
    """The first subfolder on the way to ``name`` that is a symbolic link, or None."""
    parts = name.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        if sub not in seen:
            path = folder / sub
            seen[sub] = str(path) if path.is_symlink() else None
        if seen[sub] is not None:
            return seen[sub]
    return None


def write_planned(writes: list[tuple[Path, bytes]]) -> None:
    """Write the files :func:`plan_files` chose, each atomically, with one flush to disk for all.

    Raises :class:`DataError` when a folder cannot be written (no permission, a full disk).
    """
    if writes:
        with _reported(writes[0][0].parent, check=False):
            write_many_atomic(writes)


def mark_pending(folder: Path, record: Record, digests: dict[str, str]) -> None:
    """Before the first write to ``folder``: list the files about to be written in its record."""
    if digests:
        with _reported(folder, check=False):
            text = _record_text(record.files, record.pending | digests)
            write_atomic(folder / RECORD_NAME, text)


def finish_folder(folder: Path, files: FilesReport, record: Record, *, check: bool) -> OutputReport:
    """Remove (or with ``check`` report) the stale and temporary files, and record every file of
    ``files``; ``record`` is the folder's record as it was before this render."""
    report = OutputReport(folder)
    report.written, report.unchanged = sorted(files.written), sorted(files.unchanged)
    report.missing, report.different = sorted(files.missing), sorted(files.different)
    report.sides = dict(files.sides)
    report.interrupted = check and bool(record.pending)
    with _reported(folder, check):
        _remove_temporary(folder, set(files.digests) | set(record.files) | {RECORD_NAME}, report, check=check)
        _finish(folder, files.digests, record, report, check=check)
    return report


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


def _finish(
    folder: Path, digests: dict[str, str], record: Record, report: OutputReport, *, check: bool
) -> None:
    for name in sorted((set(record.files) | set(record.pending)) - set(digests)):
        if not _removable(folder, name, record):
            continue  # gone, or no longer what azconf wrote: left alone, and forgotten
        if check:
            report.extra.append(name)
            current = _current_bytes(str(folder / name), 0)
            report.sides[name] = (current if isinstance(current, bytes) else None, None)
        else:
            os.unlink(folder / name)
            report.removed.append(name)
    if not check:
        text = _record_text(digests, {})
        if text != read_record(folder).text:  # an unchanged record is not rewritten (nor flushed)
            write_atomic(folder / RECORD_NAME, text)


def _removable(folder: Path, name: str, record: Record) -> bool:
    """Whether stale ``name`` is a regular file, reached through no link, holding what azconf wrote."""
    if _linked_folder(folder, name, {}) is not None:
        return False
    return _owned(record, name, _current_bytes(str(folder / name), 0))


def _remove_temporary(folder: Path, names: set[str], report: OutputReport, *, check: bool) -> None:
    """Remove (or report) the temporary files of ``names`` that a killed render left behind."""
    by_folder: dict[str, set[str]] = {}
    for name in names:
        sub, _, base = name.rpartition("/")
        by_folder.setdefault(sub, set()).add(base)
    for sub, bases in sorted(by_folder.items()):
        if sub and _linked_folder(folder, f"{sub}/-", {}) is not None:
            continue  # never look through a link
        where = folder / sub if sub else folder
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in sorted(os.scandir(where), key=lambda e: e.name):
                match = _TEMPORARY.fullmatch(entry.name)
                if match and match["name"] in bases and entry.is_file(follow_symlinks=False):
                    report.temporary.append(f"{sub}/{entry.name}" if sub else entry.name)
                    if not check:
                        os.unlink(entry.path)


def _record_text(digests: dict[str, str], pending: dict[str, str]) -> str:
    """The record of a folder holding the files ``digests`` names (and writing ``pending``)."""
    record: dict[str, object] = {"files": digests, "generator": "azconf"}
    if pending:
        record["pending"] = pending
    return dumps_pretty(record)  # keys sorted
