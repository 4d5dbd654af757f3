"""``azconf schema export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from azconf.errors import EXIT_OK, EXIT_PROBLEMS, ProjectNotFound

schema_app = typer.Typer(help="JSON Schemas of azconf's own files.", no_args_is_help=True)


@schema_app.command("export")
def schema_export(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder to write to (default: the project's schemas/, else ./schemas).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the files are missing or stale."),
    ] = False,
) -> None:
    """Write JSON Schemas of azconf.yaml and of config files, for editors (yaml-language-server)."""
    raise typer.Exit(run(ctx.find_root().obj, out, check))


def run(project_dir: Path | None, out: Path | None, check: bool) -> int:
    """Write (or check) the schemas and say which files changed."""
    from azconf.config.project import find_project
    from azconf.schema_export import export

    if out is None:
        try:
            out = find_project(project_dir or Path.cwd()) / "schemas"
        except ProjectNotFound:
            out = Path("schemas")
    stale = export(out, check=check)
    verb = "stale" if check else "wrote"
    for name in stale:
        typer.echo(f"{verb}: {out / name}")
    if not stale:
        typer.echo(f"up to date: {out}")
    return EXIT_PROBLEMS if check and stale else EXIT_OK
