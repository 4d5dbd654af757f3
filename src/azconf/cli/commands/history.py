"""``azconf commit``, ``azconf log``, ``azconf audit`` and ``azconf audit verify``: arguments in, one call
of :mod:`azconf.history.api`, a report out (sqlite-utils is imported only when a command runs)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import typer

from azconf.cli.options import Format, format_option
from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

_RELATIVE = re.compile(r"([0-9]+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


FormatOption = Annotated[Literal[Format.text, Format.json], format_option()]

audit_app = typer.Typer(
    help="The tamper-evident audit log: list entries, or verify the hash chain.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@dataclass(frozen=True)
class AuditQuery:
    """The filters of ``azconf audit``."""

    env: str | None
    resource: str | None
    actor: str | None
    since: str | None
    limit: int | None


def run_commit(project_dir: Path | None, envs: list[str], message: str, actor: str | None) -> int:
    """Commit the environments (all when none is named) and say what was recorded."""
    from azconf.cli.common import open_project
    from azconf.cli.progress import shown
    from azconf.history.api import commit_environments
    from azconf.report.history_report import committed

    project = open_project(project_dir)
    chosen = list(dict.fromkeys(envs)) or list(project.manifest.environments)
    with shown("commit"):
        outcomes = commit_environments(project, chosen, message=message, actor=actor)
    sys.stdout.write(committed(outcomes))
    return EXIT_OK


def run_log(project_dir: Path | None, env: str | None, limit: int | None, output: str) -> int:
    """Print recorded versions."""
    from azconf.cli.common import open_project
    from azconf.history.api import versions
    from azconf.report.history_report import log_json, log_text

    project = open_project(project_dir)
    found = versions(project, env, limit)
    sys.stdout.write(log_json(found) if output == "json" else log_text(found))
    return EXIT_OK


def run_audit(project_dir: Path | None, query: AuditQuery, output: str) -> int:
    """Print audit entries that match the query."""
    from azconf.cli.common import open_project
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
    )
    sys.stdout.write(audit_json(entries) if output == "json" else audit_text(entries))
    return EXIT_OK


def run_verify(project_dir: Path | None, anchor: str | None, output: str) -> int:
    """Verify the audit chain; exit 1 when it is broken."""
    from azconf.cli.common import open_project
    from azconf.history.api import verify_audit
    from azconf.report.history_report import verdict_json, verdict_text

    project = open_project(project_dir)
    verdict = verify_audit(project, anchor=anchor.lower() if anchor else None)
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


def commit(
    ctx: typer.Context,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env", "-e", help="Commit this environment (repeatable; default: all).", show_default=False
        ),
    ] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="What changed and why.")] = "",
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            help="Who to record (default: AZCONF_ACTOR, else git user.email, else the OS user).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Record each environment's resolved config as a new version, when it changed."""
    raise typer.Exit(run_commit(ctx.find_root().obj, env or [], message, actor))


def log(
    ctx: typer.Context,
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="Only this environment's versions.", show_default=False)
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Show at most N versions.", show_default=False)
    ] = None,
    output: FormatOption = Format.text,
) -> None:
    """List recorded versions, newest first: number, content hash, time, actor, message."""
    raise typer.Exit(run_log(ctx.find_root().obj, env, limit, output.value))


@audit_app.callback(invoke_without_command=True)
def audit(
    ctx: typer.Context,
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="Only entries of this environment.", show_default=False)
    ] = None,
    resource: Annotated[
        str | None,
        typer.Option(
            "--resource",
            "-r",
            help="Only this resource: an id (flags.new-checkout), a glob (flags.*) or a section (flags).",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only entries by this actor.", show_default=False)
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only entries from then on: 2026-05-01, 2026-05-01T12:00, 7d, 12h, 30m.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="Only the last N matching entries.", show_default=False),
    ] = None,
    output: FormatOption = Format.text,
) -> None:
    """List audit entries, oldest first: who changed which resource, old and new values, when, where."""
    if ctx.invoked_subcommand is not None:
        return
    query = AuditQuery(env, resource, actor, since, limit)
    raise typer.Exit(run_audit(ctx.find_root().obj, query, output.value))


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="A head hash printed by an earlier verify: fail unless the log still contains it.",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = Format.text,
) -> None:
    """Prove the audit log intact (exit 0), or name the first entry edited, deleted, inserted or moved."""
    raise typer.Exit(run_verify(ctx.find_root().obj, anchor, output.value))
