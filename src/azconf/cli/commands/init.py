"""``azconf init``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from azconf.errors import UsageError


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path("."),
    project_name: Annotated[
        str | None, typer.Option("--name", help="Project name (default: the folder's name).")
    ] = None,
) -> None:
    """Create a small, valid config repository: manifest, base layer, dev/staging/prod overlays."""
    raise typer.Exit(run(directory, project_name))


def run(directory: Path, name: str | None) -> int:
    """Create a project and say what to do next."""
    from azconf.scaffold import create_project

    project_name = name or _name_from_folder(directory)
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", project_name) or len(project_name) > 63:
        raise UsageError(
            f'"{project_name}" is not a valid project name',
            hint="use lowercase letters, digits and '-' (pass --name)",
        )
    written = create_project(directory, project_name)
    typer.echo(f"created {len(written)} files in {directory}")
    typer.echo(f"next: azconf -C {directory} validate")
    return 0


def _name_from_folder(directory: Path) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    return name or "config"
