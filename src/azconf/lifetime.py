"""Big trees that a short-lived process never frees: the CLI's way of leaving quickly.

The CLI leaves with ``os._exit`` (see :mod:`azconf.cli.entry`): freeing the hundreds of thousands of
objects of a large configuration one by one takes longer than some commands. That only helps with
what is still referenced at the end; a command's parsed files and resolved environments would be
freed when the functions holding them return (about 30 ms of a large render or validate). Code that
builds such trees hands them to :func:`keep_until_exit`, which keeps them only in a process that
declared itself short-lived: a library user or a long-running process frees them as usual.
"""

from __future__ import annotations


class _Lifetime:
    def __init__(self) -> None:
        self.short = False
        self.kept: list[object] = []


_LIFETIME = _Lifetime()


def short_lived() -> None:
    """Declare this process short-lived: what :func:`keep_until_exit` gets is never freed."""
    _LIFETIME.short = True


def keep_until_exit(*objects: object) -> None:
    """Keep ``objects`` referenced until the process ends, if it is short-lived; else do nothing."""
    if _LIFETIME.short:
        _LIFETIME.kept.extend(objects)
