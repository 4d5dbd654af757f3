"""The errors azconf raises on purpose.

Problems found *in* a config repository are data (:class:`azconf.problems.Problem`), collected and
reported together. The exceptions here stop a command instead, and each carries the exit code the CLI's
single error boundary uses::

    AzconfError            exit 2  anything the user can fix: a bad argument, a missing project
    ├── ProjectNotFound    exit 2  no azconf.yaml here or above
    ├── UsageError         exit 2  a bad option value or reference
    └── DataError          exit 1  the command ran but the data is not acceptable

Anything else that escapes is a bug: exit 3, with a pointer to the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azconf.problems import Problem

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class AzconfError(Exception):
    """An expected failure, reported as one line (plus an optional hint) and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(
        self, message: str, *, hint: str | None = None, problems: list[Problem] | None = None
    ) -> None:
        from azconf.problems import redact  # messages quote arguments and values: mask tokens

        message = redact(message)
        hint = redact(hint) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems = problems or []  # printed before the message, one per line


class ProjectNotFound(AzconfError):
    """No azconf.yaml in the given folder or any folder above it."""


class UsageError(AzconfError):
    """A command-line argument that cannot be used as given."""


class DataError(AzconfError):
    """The command ran, but the data it found is not acceptable."""

    exit_code = EXIT_PROBLEMS
