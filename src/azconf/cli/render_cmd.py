"""``azconf render``: parse the options, pick the sources, render, and report per environment and target."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError
from azconf.problems import did_you_mean
from azconf.render.output import OutputReport

if TYPE_CHECKING:
    from azconf.config.project import Project

ENV_PLACEHOLDER = "{env}"


def run(
    project_dir: Path | None,
    envs: list[str],
    target: str,
    out: Path | None,
    from_ref: str | None,
    check: bool,
    *,
    force: bool = False,
) -> int:
    """Render and print what happened to each file; with ``check``, exit 1 on drift.

    No ``envs`` and no ``from_ref``: every environment. All are validated before any is written.
    """
    from azconf.cli.common import open_project
    from azconf.render.inputs import checked_sources
    from azconf.render.pipeline import Job, all_targets, render_all

    names = _targets(target, all_targets())
    if from_ref is not None and len(envs) > 1:
        raise UsageError("--from renders one recorded version", hint="pass at most one --env with --from")
    project = open_project(project_dir)
    chosen = list(dict.fromkeys(envs)) or ([] if from_ref else list(project.manifest.environments))
    if out is not None and len(chosen) > 1 and ENV_PLACEHOLDER not in str(out):
        raise UsageError(
            f"--out {out} would receive {len(chosen)} environments",
            hint=f"put {ENV_PLACEHOLDER} in it (--out 'build/{ENV_PLACEHOLDER}'), or render one --env",
        )
    if envs and target != "all":
        _refuse_unrendered(project, chosen, names[0])
    # The environments are still being checked while the files are built: nothing is written
    # unless the verdict passes.
    # A render records its input as a version: its files (and --check) name that version from the
    # start, so the render after it rewrites nothing.
    sources, checking = checked_sources(project, chosen, from_ref, predict=True)
    jobs = [
        Job(source, Path(str(out).replace(ENV_PLACEHOLDER, source.env)) if out is not None else None)
        for source in sources
    ]
    verdict = checking.verdict if checking is not None else lambda: None

    per_job = render_all(project, jobs, names, check=check, force=force, verdict=verdict)
    rendered = list(zip(jobs, per_job, strict=True))
    drift = False
    for job, reports in rendered:
        drift |= _print(job.source.env, reports, check=check, several=len(jobs) > 1)
        _print_skipped(job.source.env, names, reports)
    if not check:
        from azconf.render.recording import record_renders

        record_renders(project, [(job.source, reports) for job, reports in rendered])
    return EXIT_PROBLEMS if drift else EXIT_OK


def _refuse_unrendered(project: Project, envs: list[str], name: str) -> None:
    """A usage error when ``--env`` and ``--target`` name a target an environment does not render."""
    from azconf.render.render_settings import render_settings

    settings = render_settings(project)
    for env in envs:
        if name not in settings.targets(env):
            raise UsageError(
                f"{env} does not render {name}",
                hint=f"render.environments.{env}.targets in azconf.yaml lists the targets it renders",
            )


def _print_skipped(env: str, names: list[str], reports: list[tuple[str, OutputReport]]) -> None:
    done = {name for name, _ in reports}
    for name in names:
        if name not in done:
            typer.echo(f"{env}: {name}: not rendered for {env} (render.environments.{env}.targets)")


def _targets(target: str, known: list[str]) -> list[str]:
    if target == "all":
        return known
    if target not in known:
        raise UsageError(
            f'unknown target "{target}"{did_you_mean(target, known)}',
            hint=f"targets: {', '.join(known)}, all",
        )
    return [target]


def _print(env: str, reports: list[tuple[str, OutputReport]], *, check: bool, several: bool) -> bool:
    """Print one environment's reports; whether a check found drift."""
    drift = False
    prefix = f"{env}: " if several else ""
    for name, report in reports:
        where = report.folder
        if check:
            if report.interrupted:
                typer.echo(
                    f"interrupted: the last render of {where} did not finish; the files below are stale"
                )
            for label, files in (
                ("missing", report.missing),
                ("different", report.different),
                ("extra", report.extra),
                ("temporary", report.temporary),
            ):
                for file in files:
                    typer.echo(f"{label}: {where / file}")
            drift |= report.drift
            state = "drift" if report.drift else "up to date"
            typer.echo(f"{prefix}{name}: {state} ({where})")
        else:
            typer.echo(
                f"{prefix}{name}: {len(report.written)} written, {len(report.unchanged)} unchanged, "
                f"{len(report.removed)} removed -> {where}"
            )
    return drift
