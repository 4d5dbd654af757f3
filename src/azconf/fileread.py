"""Reading input files safely: regular files only, and never more than a set number of bytes.

A config, schema or record path may be a symlink to ``/dev/zero`` (endless), ``/dev/urandom`` or a
FIFO (a read that never returns). ``stat`` says 0 bytes for those, so a size check before reading
does not help: the file is opened without blocking, checked with ``fstat`` on the open descriptor
(what is read is what was checked), and read up to the limit plus one byte.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """The path is a device, a FIFO, a socket or a folder, not a regular file."""


class FileTooLarge(OSError):
    """The file holds more bytes than the caller accepts."""


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (symlinks followed), at most ``limit`` of them.

    Raises :class:`NotRegularFile`, :class:`FileTooLarge`, or the ``OSError`` of opening it.
    """
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({kind})", str(path))
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, min(limit + 1 - size, 1 << 20) or 1):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(errno.EFBIG, f"more than {limit:,} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(descriptor)
