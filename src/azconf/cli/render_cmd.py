"""``azconf render``: parse the options, pick the source, render, and report per target."""

from __future__ import annotations

from pathlib import Path

import typer

from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError
from azconf.problems import did_you_mean


def run(
    project_dir: Path | None,
    env: str | None,
    target: str,
    out: Path | None,
    from_ref: str | None,
    check: bool,
) -> int:
    """Render and print what happened to each file; with ``check``, exit 1 on drift."""
    from azconf.cli.common import open_project
    from azconf.render.pipeline import all_targets, render
    from azconf.render.sources import source_for

    names = all_targets() if target == "all" else [target]
    unknown = [n for n in names if n not in all_targets()]
    if unknown:
        raise UsageError(
            f'unknown target "{unknown[0]}"{did_you_mean(unknown[0], all_targets())}',
            hint=f"targets: {', '.join(all_targets())}, all",
        )
    if env is None and from_ref is None:
        raise UsageError("say which environment to render", hint="pass --env ENV or --from ENV@VERSION")
    project = open_project(project_dir)
    source = source_for(project, env, from_ref)
    reports = render(project, source, names, out=out, check=check)
    drift = False
    for name, report in reports:
        where = report.folder
        if check:
            for label, files in (
                ("missing", report.missing),
                ("different", report.different),
                ("extra", report.extra),
            ):
                for file in files:
                    typer.echo(f"{label}: {where / file}")
            drift |= report.drift
            state = "drift" if report.drift else "up to date"
            typer.echo(f"{name}: {state} ({where})")
        else:
            typer.echo(
                f"{name}: {len(report.written)} written, {len(report.unchanged)} unchanged, "
                f"{len(report.removed)} removed -> {where}"
            )
    if not check:
        from azconf.render.sources import record_render

        record_render(project, source, reports)
    return EXIT_PROBLEMS if drift else EXIT_OK
