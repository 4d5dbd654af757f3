"""The progress line of long commands (render, commit, promote) on a terminal.

One line on standard error, redrawn in place (``\\r`` and erase-line) as the core reports its steps
(:mod:`azconf.progress`), and erased when the work ends, so what stays on the screen is exactly what
a piped run prints. It is shown only when standard error is a terminal, and never with ``NO_COLOR``,
``TERM=dumb`` or ``CI`` set (a CI log keeps every byte written to it). It appears only once the work
has lasted ``AZCONF_PROGRESS_DELAY`` seconds (0.5 by default), so quick commands never flash it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from typing import TextIO

from azconf import progress

ERASE = "\r\x1b[2K"  # to the start of the line, then erase it
DEFAULT_DELAY = 0.5  # seconds of work before the line appears


def wanted(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a progress line may be drawn on ``stream``."""
    ci = environ.get("CI", "").lower() not in ("", "0", "false")
    if ci or environ.get("NO_COLOR") or environ.get("TERM", "") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class ProgressLine:
    """Draws ``title: step (done/total) 1.2s`` in place on ``stream``; :meth:`close` erases it."""

    def __init__(self, stream: TextIO, title: str, delay: float) -> None:
        self._stream, self._title, self._delay = stream, title, delay
        self._started = time.monotonic()
        self._drawn = False  # whether the line is on screen

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        # Steps come a few dozen times per command (a unit, an environment), so each is drawn.
        elapsed = time.monotonic() - self._started
        if elapsed < self._delay:
            return
        count = f" ({done}/{total})" if done is not None and total is not None else ""
        text = f"{self._title}: {step}{count} {elapsed:.1f}s"
        width = shutil.get_terminal_size((80, 24)).columns - 1  # a wrapped line cannot be erased
        self._write(ERASE + text[:width])
        self._drawn = True

    def close(self) -> None:
        """Erase the line, if it was drawn."""
        if self._drawn:
            self._write(ERASE)
            self._drawn = False

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a terminal that went away is no error
            self._stream.write(text)
            self._stream.flush()


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("AZCONF_PROGRESS_DELAY", DEFAULT_DELAY)))
    except ValueError:
        return DEFAULT_DELAY


class _Hidden:
    """The line where none is shown: erasing it does nothing."""

    def close(self) -> None:
        """Nothing to erase."""


@contextlib.contextmanager
def shown(title: str) -> Iterator[ProgressLine | _Hidden]:
    """Show the core's progress while the block runs (on a terminal only); erased when it ends,
    whether it ends well or not, before anything else is printed. What the block prints itself must
    first erase the line (``line.close()``; the next step draws it again)."""
    if not wanted(sys.stderr):
        yield _Hidden()
        return
    line = ProgressLine(sys.stderr, title, _delay())
    try:
        with progress.listening(line):
            yield line
    finally:
        line.close()
