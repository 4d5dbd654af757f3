"""The metrics ``azconf doctor`` measures, their default thresholds, and how a value gets a status.

A status is ``critical`` when the value is at or above the critical threshold, ``warning`` at or above
the warning one, else ``ok``; a value of 0 is always ok. ``health.thresholds`` in azconf.yaml
overrides a default (``{uncommitted_hours: {warning: 4}}``), and ``null`` turns a level off.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Status(IntEnum):
    """A check's status; a larger value is worse."""

    OK = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        """``ok``, ``warning`` or ``critical``."""
        return self.name.lower()


@dataclass(frozen=True)
class Levels:
    """A metric's thresholds (None: that level is off) and what it measures."""

    warning: float | None
    critical: float | None
    unit: str

    def status(self, value: float) -> Status:
        """The status of ``value`` against these thresholds."""
        if value <= 0:
            return Status.OK
        if self.critical is not None and value >= self.critical:
            return Status.CRITICAL
        if self.warning is not None and value >= self.warning:
            return Status.WARNING
        return Status.OK


DEFAULTS: dict[str, Levels] = {
    "manifest_errors": Levels(None, 1, "errors"),  # fixed: an invalid manifest cannot say otherwise
    "config_errors": Levels(None, 1, "errors"),
    "uncommitted_hours": Levels(24, 168, "hours"),
    "undeployed_hours": Levels(24, 168, "hours"),
    "drift_files": Levels(1, None, "files"),
    "expired_flags": Levels(1, None, "flags"),
    "stale_flags": Levels(1, None, "flags"),
    "unused_flags": Levels(1, None, "flags"),
    "unresolved_secrets": Levels(1, None, "secrets"),
    "history_damage": Levels(None, 1, "problems"),
    "history_size_mib": Levels(256, 1024, "MiB"),
    "serve_heartbeat_seconds": Levels(30, 120, "seconds"),
}
"""Every metric, with its default thresholds. docs/health.md explains each."""

FIXED = frozenset({"manifest_errors"})
"""Metrics whose thresholds ``health.thresholds`` cannot change."""
