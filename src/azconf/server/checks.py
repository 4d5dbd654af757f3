"""``azconf doctor``'s checks inside the service: ``GET /health`` and one gauge per check in ``/metrics``.

The checks validate every served environment and read history, which takes from milliseconds to a
second or two on a large project: they run in a worker thread every ``REFRESH_SECONDS`` (and on the
first ``/health`` before that), never on the event loop and never per scrape. The service only
reads alerts; opening and resolving them stays with ``azconf doctor`` (run by cron or CI), so that a
GET never writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azconf.health.checks import Check
    from azconf.history.store import Alert
    from azconf.server.settings import ServeSettings

REFRESH_SECONDS = 30.0
log = logging.getLogger("azconf.serve")


@dataclass
class HealthState:
    """The last measurement: the checks, the open alerts, and when (monotonic seconds; 0: never)."""

    checks: list[Check] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    measured: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def document(self) -> dict[str, Any]:
        """``/health``'s body: the worst status, every check, the open alerts (masked like doctor's)."""
        from azconf.problems import redacted

        worst = max((check.status for check in self.checks), default=None)
        body = {
            "status": worst.label if worst is not None else "unknown",
            "age_seconds": round(time.monotonic() - self.measured, 1) if self.measured else None,
            "checks": [check.to_dict() for check in self.checks],
            "alerts": [alert.to_dict() for alert in self.alerts],
        }
        return redacted(body)  # type: ignore[return-value]


async def refresh(state: HealthState, settings: ServeSettings) -> None:
    """Measure again, in a worker thread (one measurement at a time)."""
    async with state.lock:
        checks, alerts = await asyncio.to_thread(measure, settings)
        state.checks, state.alerts, state.measured = checks, alerts, time.monotonic()


def measure(settings: ServeSettings) -> tuple[list[Check], list[Alert]]:
    """The doctor's checks of the served environments, and the open alerts."""
    from azconf.config.project import load_project
    from azconf.health.alerts import list_alerts
    from azconf.health.checks import run_checks

    project, _ = load_project(settings.project_root)
    if project is None:
        return [], []  # readiness reports a broken manifest; there is nothing to measure
    envs = sorted({env.split("@")[0] for env in settings.envs})
    return run_checks(project, envs, db=settings.db), list_alerts(project, db=settings.db)


async def keep_checking(state: HealthState, settings: ServeSettings, stop: asyncio.Event) -> None:
    """Measure every ``REFRESH_SECONDS`` until ``stop``; a failed measurement is logged, never fatal."""
    while not stop.is_set():
        try:
            await refresh(state, settings)
        except Exception:  # the checks read user files and history: report, keep serving flags
            log.exception("measuring the project's health failed; retrying in %.0f s", REFRESH_SECONDS)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
