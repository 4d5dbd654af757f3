"""``azconf render``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the render command to ``app``."""

    @app.command()
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
        from azconf.cli.render_cmd import run

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
