"""Atomic file writes: a temporary file in the same folder, flushed, then renamed over the target.

A reader sees the old file or the new one, never half of one, even if azconf is killed mid-write.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_UMASK: list[int] = []  # read once: reading it means setting it, for a moment, for the whole process


def _umask() -> int:
    if not _UMASK:
        current = os.umask(0o022)
        os.umask(current)
        _UMASK.append(current)
    return _UMASK[0]


def _mode_for(path: Path) -> int:
    """The mode of the file replacing ``path``: the old file's, else what ``open`` gives a new file.

    ``mkstemp`` makes its file 0600 whatever the umask; a new file must honour the umask as any
    tool's would (0644 under the usual 022, 0600 under 077), not be forced to one mode.
    """
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` atomically and durably (creating parent folders as needed)."""
    write_many_atomic([(path, content.encode("utf-8") if isinstance(content, str) else content)])


def write_many_atomic(files: list[tuple[Path, bytes]]) -> None:
    """Replace several files, each atomically, durable once this returns.

    Every new content goes to a temporary file, flushed to disk (``fsync``) before any is renamed
    into place: a rename that reaches the disk before its data would leave an empty file after a
    crash. Each folder that received a file is flushed after the renames, so that the new names
    last too. Only what azconf wrote is flushed, never the rest of the machine's dirty pages.
    """
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporaries.append((temporary, path))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, _mode_for(path))
        for temporary, path in temporaries:
            os.replace(temporary, path)
    finally:
        for temporary, _ in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # only the ones not renamed are still there
    for folder in dict.fromkeys(path.parent for path in (path for path, _ in files)):
        _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries (the names just renamed into it) to disk, where that is possible."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # a platform that cannot open folders (Windows): the renames are all it has
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse it; the files are flushed
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
