"""The errors of the history database; each is one line and an exit code at the CLI's boundary::

    HistoryError           exit 1  the history database cannot be used
    ├── HistoryUnavailable exit 1  it cannot be created, opened or written where it is (permissions, disk)
    ├── HistoryCorrupt     exit 1  the file is not an SQLite database, not azconf's, or damaged
    ├── HistoryTooNew      exit 1  a newer azconf wrote it (a schema this azconf does not know)
    └── HistoryBusy        exit 1  another process held the lock longer than the busy timeout

A bad version reference is a :class:`azconf.errors.UsageError` (exit 2) instead: the user named
something that does not exist.
"""

from __future__ import annotations

from azconf.errors import EXIT_PROBLEMS, AzconfError


class HistoryError(AzconfError):
    """The history database cannot be used."""

    exit_code = EXIT_PROBLEMS


class HistoryUnavailable(HistoryError):
    """The database cannot be created, opened or written at its location."""


class HistoryCorrupt(HistoryError):
    """The file is not an azconf history database, or it is damaged."""


class HistoryTooNew(HistoryError):
    """The database was written by a newer azconf."""


class HistoryBusy(HistoryError):
    """Another azconf held the database's write lock for longer than the busy timeout."""
