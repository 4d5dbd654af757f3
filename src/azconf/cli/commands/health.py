"""``azconf doctor`` and ``azconf alerts``: the project's health, and the alerts it opened.

The core is imported only when a command runs.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Literal

import typer

from azconf.cli.options import Format, format_option
from azconf.errors import EXIT_OK, EXIT_PROBLEMS

alerts_app = typer.Typer(help="Health alerts: list them, resolve one by hand.", invoke_without_command=True)


def doctor(
    ctx: typer.Context,
    envs: Annotated[
        list[str] | None, typer.Argument(help="Check only these environments (default: all).")
    ] = None,
    env: Annotated[list[str] | None, typer.Option("--env", "-e", help="An environment (repeatable).")] = None,
    output: Annotated[Literal[Format.text, Format.json, Format.prometheus], format_option()] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on a warning too.")] = False,
) -> None:
    """Check the config, history, rendered output, flags and secrets; open and resolve alerts."""
    from azconf.cli.common import open_project, several_environments
    from azconf.health.alerts import update_alerts
    from azconf.health.checks import run_checks
    from azconf.health.notify import notify
    from azconf.health.thresholds import Status
    from azconf.report import health_report

    project = open_project(ctx.find_root().obj)
    chosen = several_environments(env, envs or [])
    _known(project.manifest.environments, chosen)
    checks = run_checks(project, chosen)
    events = update_alerts(project, checks)
    problems = notify(project.manifest.health.notify, project.manifest.project, events, os.environ)
    if output is Format.json:
        sys.stdout.write(health_report.doctor_json(checks, events, problems))
    elif output is Format.prometheus:
        sys.stdout.write(health_report.prometheus(checks))
        for problem in problems:
            typer.echo(f"warning: {problem}", err=True)
    else:
        from azconf.cli.styled import print_lines

        print_lines(health_report.doctor_lines(checks, events, problems))
    worst = max((check.status for check in checks), default=Status.OK)
    failed = worst is Status.CRITICAL or (strict and worst is Status.WARNING)
    raise typer.Exit(EXIT_PROBLEMS if failed else EXIT_OK)


def _known(environments: list[str], chosen: list[str]) -> None:
    from azconf.errors import UsageError
    from azconf.problems import did_you_mean

    for name in chosen:
        if name not in environments:
            raise UsageError(
                f'unknown environment "{name}"{did_you_mean(name, environments)}',
                hint=f"environments: {', '.join(environments)}",
            )


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Resolved alerts too.")] = False,
    output: Annotated[Literal[Format.text, Format.json], format_option()] = Format.text,
) -> None:
    """List the open alerts (or all of them), oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    from azconf.cli.common import open_project
    from azconf.health.alerts import list_alerts
    from azconf.report import health_report

    found = list_alerts(open_project(ctx.find_root().obj), include_resolved=show_all)
    if output is Format.json:
        sys.stdout.write(health_report.alerts_json(found))
    else:
        from azconf.cli.styled import print_lines

        print_lines(health_report.alerts_lines(found))


@alerts_app.command("resolve")
def resolve(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(metavar="ID", help="The alert's number.")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why it is resolved (recorded).")],
    actor: Annotated[str | None, typer.Option("--actor", help="Who resolves it.")] = None,
) -> None:
    """Resolve an open alert by hand (who and why are recorded in the audit log)."""
    from azconf.cli.common import open_project
    from azconf.health.alerts import resolve_by_hand

    alert = resolve_by_hand(open_project(ctx.find_root().obj), alert_id, message=message, actor=actor)
    typer.echo(f"alert {alert.id} resolved by {alert.resolved_by}: {alert.title}")
