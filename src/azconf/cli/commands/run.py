"""``azconf run``: a service's environment, secrets resolved, handed to one child process."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

# Options stop at the first argument, so `azconf run ... python -c CODE` passes -c to python.
CONTEXT_SETTINGS = {"allow_interspersed_args": False}


def run_command(
    ctx: typer.Context,
    env: Annotated[str, typer.Option("--env", "-e", help="The environment.", show_default=False)],
    service: Annotated[str, typer.Option("--service", "-s", help="The service.", show_default=False)],
    command: Annotated[
        list[str],
        typer.Argument(help="The command and its arguments, after --.", metavar="-- CMD [ARGS]..."),
    ],
    allow_env: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-env",
            help="Let the config set this variable that picks the code to run (LD_PRELOAD, PATH, "
            "PYTHONPATH, ...; refused otherwise). Repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a command with a service's env vars, env:// and keyring:// secrets resolved into it only."""
    raise typer.Exit(run(ctx.obj, env, service, command, allow_env or []))


def run(
    project_dir: Path | None, env: str, service: str, command: list[str], allow_env: list[str] | None = None
) -> int:
    """Run ``command`` with the variables of ``service`` in ``env``; returns the command's exit code.

    Everything that can fail (an invalid environment, an unknown service, a secret that does not
    resolve, a variable that picks the code to run, such as ``LD_PRELOAD``, not in ``allow_env``)
    fails before the command starts. Secret values go into the child's environment only:
    azconf prints no value, and its own environment is left as it was.
    """
    from azconf.cli.common import open_project
    from azconf.environment import load_environment
    from azconf.secrets.exec_env import exec_environment, run_child

    loaded = load_environment(open_project(project_dir), env)
    prepared = exec_environment(
        loaded.model, loaded.resolution.data, env, service, environ=os.environ, allow_env=allow_env or []
    )
    for note in prepared.notes:
        sys.stderr.write(f"azconf: note: {note}\n")
    sys.stderr.flush()
    return run_child(command, prepared.merged(os.environ))
