"""The history commands: arguments in, one call of :mod:`azconf.history.api`, a report out."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from azconf.cli.common import open_project
from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

_RELATIVE = re.compile(r"([0-9]+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class AuditQuery:
    """The filters of ``azconf audit``."""

    env: str | None
    resource: str | None
    actor: str | None
    since: str | None
    limit: int | None


def run_commit(
    project_dir: Path | None, envs: list[str], message: str, db: Path | None, actor: str | None
) -> int:
    """Commit the environments (all when none is named) and say what was recorded."""
    from azconf.cli.progress import shown
    from azconf.history.api import commit_environments
    from azconf.report.history_report import committed

    project = open_project(project_dir)
    chosen = list(dict.fromkeys(envs)) or list(project.manifest.environments)
    with shown("commit"):
        outcomes = commit_environments(project, chosen, message=message, actor=actor, db=db)
    sys.stdout.write(committed(outcomes))
    return EXIT_OK


def run_log(
    project_dir: Path | None, env: str | None, limit: int | None, output: str, db: Path | None
) -> int:
    """Print recorded versions."""
    from azconf.history.api import versions
    from azconf.report.history_report import log_json, log_text

    project = open_project(project_dir)
    found = versions(project, env, limit, db)
    sys.stdout.write(log_json(found) if output == "json" else log_text(found))
    return EXIT_OK


def run_audit(project_dir: Path | None, query: AuditQuery, output: str, db: Path | None) -> int:
    """Print audit entries that match the query."""
    from azconf.history.api import audit_entries
    from azconf.report.history_report import audit_json, audit_text

    project = open_project(project_dir)
    since = parse_since(query.since) if query.since else None
    entries = audit_entries(
        project,
        env=query.env,
        resource=query.resource,
        actor=query.actor,
        since=since,
        limit=query.limit,
        db=db,
    )
    sys.stdout.write(audit_json(entries) if output == "json" else audit_text(entries))
    return EXIT_OK


def run_verify(project_dir: Path | None, anchor: str | None, output: str, db: Path | None) -> int:
    """Verify the audit chain; exit 1 when it is broken."""
    from azconf.history.api import verify_audit
    from azconf.report.history_report import verdict_json, verdict_text

    project = open_project(project_dir)
    verdict = verify_audit(project, anchor=anchor.lower() if anchor else None, db=db)
    text = verdict_json(verdict) if output == "json" else verdict_text(verdict)
    (sys.stdout if verdict.ok or output == "json" else sys.stderr).write(text)
    return EXIT_OK if verdict.ok else EXIT_PROBLEMS


def parse_since(text: str, now: dt.datetime | None = None) -> str:
    """``--since`` as the UTC timestamp stored times compare with: a date, a date and time, or ``7d``."""
    now = now or dt.datetime.now(dt.UTC)
    relative = _RELATIVE.fullmatch(text.strip())
    if relative:
        moment = now - dt.timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    else:
        try:
            moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f'--since "{text}": not a time', hint="write 2026-05-01, 2026-05-01T12:00, 7d, 12h or 30m"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)  # stored times are UTC; a bare time is taken as UTC
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
