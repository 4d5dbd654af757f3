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
    """Replace ``path`` with ``content`` atomically (creating parent folders as needed)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_many_atomic(files: list[tuple[Path, bytes]]) -> None:
    """Replace several files, each atomically, with one flush to disk for all of them.

    Every new content goes to a temporary file first; one ``os.sync`` then makes all of them durable
    before any is renamed into place (a rename that reaches the disk before its data would leave an
    empty file after a crash). One sync instead of one ``fsync`` per file: a render writes thousands.
    """
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporaries.append((temporary, path))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, _mode_for(path))
        if temporaries:
            os.sync()
        for temporary, path in temporaries:
            os.replace(temporary, path)
    finally:
        for temporary, _ in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # only the ones not renamed are still there
