"""Progress of long work: the core says which step it is on; a display, if one listens, shows it.

Core modules call :func:`report` at the steps of long work (render, commit, promote), e.g.
``report("building prod/kubernetes", 3, 12)``. Nobody listens by default, so library callers and the
server stay silent; the CLI listens while a command runs on a terminal (:mod:`azconf.cli.progress`).
A forked child calls :func:`silence` first: its lines would interleave with its parent's, and the
parent reports the child's units when their results arrive.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

# (step, done, total): what is being done, and how far along (None when not counted).
Listener = Callable[[str, int | None, int | None], None]

# The listeners, innermost last; only the innermost hears a report.
_listeners: list[Listener] = []


def report(step: str, done: int | None = None, total: int | None = None) -> None:
    """Tell the listener, if there is one, that work is at ``step`` (``done`` of ``total`` units)."""
    if _listeners:
        _listeners[-1](step, done, total)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every :func:`report` made inside the block to ``listener``."""
    _listeners.append(listener)
    try:
        yield
    finally:
        if listener in _listeners:  # silence() may have dropped it
            _listeners.remove(listener)


def silence() -> None:
    """Drop every listener (in a forked child, whose parent owns the display)."""
    _listeners.clear()
