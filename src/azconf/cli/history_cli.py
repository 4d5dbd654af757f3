"""``azconf commit``, ``azconf log``, ``azconf audit`` and ``azconf audit verify``.

Only typer is imported here; each command imports :mod:`azconf.cli.history_cmd` (and, through it,
sqlite-utils) when it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class HistoryFormat(StrEnum):
    """Output formats of log, audit and audit verify."""

    text = "text"
    json = "json"


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="The history database (default: AZCONF_DB, else history.path in azconf.yaml).",
        show_default=False,
    ),
]
FormatOption = Annotated[HistoryFormat, typer.Option("--format", "-f", help="Output format.")]


def use_database(ctx: typer.Context, db: Path) -> None:
    """Make the global ``azconf --db PATH`` the database of every command in this run."""
    ctx.with_resource(_environment("AZCONF_DB", str(db.absolute())))


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    # Set for this run only, and put back afterwards (an in-process caller, such as a test, goes on).
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def register(app: typer.Typer) -> None:
    """Add commit, log and audit (with verify) to ``app``."""
    app.command("commit")(commit)
    app.command("log")(log)
    audit_app = typer.Typer(
        help="The tamper-evident audit log: list entries, or verify the hash chain.",
        invoke_without_command=True,
        no_args_is_help=False,
    )
    audit_app.callback(invoke_without_command=True)(audit)
    audit_app.command("verify")(verify)
    app.add_typer(audit_app, name="audit")


def commit(
    ctx: typer.Context,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env", "-e", help="Commit this environment (repeatable; default: all).", show_default=False
        ),
    ] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="What changed and why.")] = "",
    db: DbOption = None,
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
    from azconf.cli.history_cmd import run_commit

    raise typer.Exit(run_commit(ctx.find_root().obj, env or [], message, db, actor))


def log(
    ctx: typer.Context,
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="Only this environment's versions.", show_default=False)
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Show at most N versions.", show_default=False)
    ] = None,
    output: FormatOption = HistoryFormat.text,
    db: DbOption = None,
) -> None:
    """List recorded versions, newest first: number, content hash, time, actor, message."""
    from azconf.cli.history_cmd import run_log

    raise typer.Exit(run_log(ctx.find_root().obj, env, limit, output.value, db))


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
    output: FormatOption = HistoryFormat.text,
    db: DbOption = None,
) -> None:
    """List audit entries, oldest first: who changed which resource, old and new values, when, where."""
    if ctx.invoked_subcommand is not None:
        return
    from azconf.cli.history_cmd import AuditQuery, run_audit

    query = AuditQuery(env, resource, actor, since, limit)
    raise typer.Exit(run_audit(ctx.find_root().obj, query, output.value, db))


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
    output: FormatOption = HistoryFormat.text,
    db: DbOption = None,
) -> None:
    """Prove the audit log intact (exit 0), or name the first entry edited, deleted, inserted or moved."""
    from azconf.cli.history_cmd import run_verify

    raise typer.Exit(run_verify(ctx.find_root().obj, anchor, output.value, db))
