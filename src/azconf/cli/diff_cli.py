"""``azconf diff``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the diff command to ``app``."""

    @app.command()
    def diff(
        ctx: typer.Context,
        sides: Annotated[
            list[str] | None,
            typer.Argument(
                help="A B [PATH]...: environments (working trees) or versions such as prod@12, then "
                "optional path filters such as services.web.",
                show_default=False,
            ),
        ] = None,
        worktree: Annotated[
            str | None,
            typer.Option("--worktree", help="Compare ENV's latest recorded version with its working tree."),
        ] = None,
        output: Annotated[
            str, typer.Option("--format", "-f", help="text, json, or markdown (a pull-request comment).")
        ] = "text",
        only: Annotated[
            str | None, typer.Option("--only", help="Comma-separated sections, e.g. flags,routes.")
        ] = None,
        stat: Annotated[bool, typer.Option("--stat", help="Counts per section only.")] = False,
        exit_code: Annotated[
            bool, typer.Option("--exit-code", help="Exit 1 when there are differences (for CI).")
        ] = False,
        db: Annotated[Path | None, typer.Option("--db", help="The history database.")] = None,
    ) -> None:
        """Show semantic differences between environments and versions, with where each value came from."""
        from azconf.cli.diff_cmd import DiffRequest, run

        request = DiffRequest(sides or [], worktree, output, only, stat, exit_code, db)
        raise typer.Exit(run(ctx.obj, request))
