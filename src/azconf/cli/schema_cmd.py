"""``azconf schema export``."""

from __future__ import annotations

from pathlib import Path

import typer

from azconf.errors import EXIT_OK, EXIT_PROBLEMS, ProjectNotFound


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
