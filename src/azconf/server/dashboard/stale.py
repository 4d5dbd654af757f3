"""Flags to clean up, each with the action to take: expired, unchanged for N days, used by no
service, identical in every environment. The rules are the health checks' (``azconf doctor``), applied
per flag rather than counted, so the dashboard and ``doctor`` never disagree."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from azconf.server.source import Served

if TYPE_CHECKING:
    from azconf.config.project import Project

ACTIONS = {
    "expired": "remove it from code and config, or move `expires`",
    "unchanged": "fully rolled out? remove it from code and config",
    "unused": "add it to a service's flags, or remove it",
    "identical": "the same everywhere: make it a constant in code, then remove the flag",
}


def stale_flags(
    project: Project, served: dict[str, Served], days: int | None, db: Any, now: dt.datetime
) -> dict[str, Any]:
    """Every flag with at least one reason to clean it up; ``days`` defaults to health.stale_flag_days.

    What is served says which flags the services use; the audit log says when each last changed, so
    no file is read or validated again."""
    days = project.manifest.health.stale_flag_days if days is None else days
    used = set().union(*(s.used for s in served.values()))
    names = sorted({n for s in served.values() for n in s.document["flags"]})
    last = _last_changes(project, list(served), db)
    cutoff = now - dt.timedelta(days=days)
    found: dict[str, list[str]] = {}
    for name in names:
        entries = [s.document["flags"].get(name) for s in served.values()]
        meta = next((e.get("metadata") or {} for e in entries if e), {})
        reasons = []
        if meta.get("expires") and str(meta["expires"]) < now.date().isoformat():
            reasons.append("expired")
        if name in last and last[name] < cutoff:
            reasons.append("unchanged")
        if name not in used:
            reasons.append("unused")
        if len(entries) > 1 and all(e == entries[0] for e in entries):
            reasons.append("identical")
        if reasons:
            found[name] = reasons
    rows = [{"name": n, "reasons": r, "actions": [ACTIONS[x] for x in r]} for n, r in found.items()]
    return {"days": days, "flags": rows, "actions": ACTIONS}


def _last_changes(project: Project, envs: list[str], db: Any) -> dict[str, dt.datetime]:
    """Each flag's newest audit entry in any of ``envs`` (the doctor's reading, per environment)."""
    from azconf.health.checks import last_flag_changes

    last: dict[str, dt.datetime] = {}
    for env in envs:
        for name, when in last_flag_changes(project, env, db).items():
            last[name] = max(last.get(name, when), when)
    return last
