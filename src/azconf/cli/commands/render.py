"""``azconf render``: parse the options, pick the sources, render, and report per environment and target."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

if TYPE_CHECKING:
    from azconf.render.output import OutputReport

ENV_PLACEHOLDER = "{env}"


def render(
    ctx: typer.Context,
    envs: Annotated[
        list[str] | None, typer.Argument(help="Render these environments (default: all).")
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env", "-e", help="Render this environment (repeatable; default: all).", show_default=False
        ),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", "-t", help="kubernetes, terraform, tyk, flagd or all.")
    ] = "all",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write each target into OUT/<target> (default: render.<target>.out in azconf.yaml); "
            "with several environments OUT must hold {env}. A scratch copy: not recorded in history "
            "(ENV@rendered stays what the configured folders hold).",
        ),
    ] = None,
    from_ref: Annotated[
        str | None,
        typer.Option(
            "--from", help="Render a recorded version, e.g. prod@12 (a rollback).", show_default=False
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; print a unified diff of each missing, different or extra file and "
            "exit 1 if there is one (drift).",
        ),
    ] = False,
    stat: Annotated[
        bool, typer.Option("--stat", help="With --check: name the files out of date, without diffs.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace files in the output folders that azconf did not write (or that were "
            "edited since); never writes through a linked folder.",
        ),
    ] = False,
) -> None:
    """Write Kubernetes manifests, Terraform variables, Tyk API definitions and flagd flag files."""
    from azconf.cli.common import several_environments

    raise typer.Exit(
        run(
            ctx.obj,
            several_environments(env, envs or []),
            target,
            out,
            from_ref,
            check,
            force=force,
            stat=stat,
        )
    )


def run(
    project_dir: Path | None,
    envs: list[str],
    target: str,
    out: Path | None,
    from_ref: str | None,
    check: bool,
    *,
    force: bool = False,
    stat: bool = False,
) -> int:
    """Render and print what happened to each file; with ``check``, print a diff of each file out of
    date (names only with ``stat``) and exit 1 on drift.

    No ``envs`` and no ``from_ref``: every environment. All are validated before any is written.
    Only renders into the configured folders are recorded (they move ``ENV@rendered``): one into
    ``out`` is a scratch copy.
    """
    from azconf import progress
    from azconf.cli.common import open_project
    from azconf.cli.progress import shown
    from azconf.render.inputs import checked_sources
    from azconf.render.pipeline import Job, all_targets, render_all

    names = _targets(target, all_targets())
    if stat and not check:
        raise UsageError("--stat lists the files a --check finds out of date", hint="add --check")
    if from_ref is not None and len(envs) > 1:
        raise UsageError("--from renders one recorded version", hint="pass at most one --env with --from")
    project = open_project(project_dir)
    chosen = list(dict.fromkeys(envs)) or ([] if from_ref else list(project.manifest.environments))
    if out is not None and len(chosen) > 1 and ENV_PLACEHOLDER not in str(out):
        raise UsageError(
            f"--out {out} would receive {len(chosen)} environments",
            hint=f"put {ENV_PLACEHOLDER} in it (--out 'build/{ENV_PLACEHOLDER}'), or render one --env",
        )
    with shown("render"):
        # The environments are still being checked while the files are built: nothing is written
        # unless the verdict passes.
        progress.report(f"reading {len(chosen) or 1} environment(s)")
        sources, checking = checked_sources(project, chosen, from_ref)
        jobs = [
            Job(source, Path(str(out).replace(ENV_PLACEHOLDER, source.env)) if out is not None else None)
            for source in sources
        ]
        verdict = checking.verdict if checking is not None else lambda: None
        per_job = render_all(project, jobs, names, check=check, force=force, verdict=verdict)
    rendered = list(zip(jobs, per_job, strict=True))
    drift = False
    for job, reports in rendered:
        drift |= _print(job.source.env, reports, check=check, stat=stat, several=len(jobs) > 1)
    if not check:
        from azconf.render.recording import into_configured_folders, record_renders

        deployed = [(job.source, reports) for job, reports in rendered]
        with shown("render"):
            progress.report("recording in history")
            record_renders(project, [done for done in deployed if into_configured_folders(project, *done)])
    return EXIT_PROBLEMS if drift else EXIT_OK


def _targets(target: str, known: list[str]) -> list[str]:
    from azconf.problems import did_you_mean

    if target == "all":
        return known
    if target not in known:
        raise UsageError(
            f'unknown target "{target}"{did_you_mean(target, known)}',
            hint=f"targets: {', '.join(known)}, all",
        )
    return [target]


def _print(
    env: str, reports: list[tuple[str, OutputReport]], *, check: bool, stat: bool, several: bool
) -> bool:
    """Print one environment's reports; whether a check found drift."""
    prefix = f"{env}: " if several else ""
    if check:
        from azconf.cli.styled import print_lines
        from azconf.report.render_check import check_lines

        print_lines(
            [line for name, report in reports for line in check_lines(name, report, prefix=prefix, stat=stat)]
        )
        return any(report.drift for _, report in reports)
    for name, report in reports:
        typer.echo(
            f"{prefix}{name}: {len(report.written)} written, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed -> {report.folder}"
        )
    return False
