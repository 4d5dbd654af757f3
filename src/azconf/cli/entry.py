"""The ``azconf`` entry point: the one error boundary around the Typer app.

``azconf --version`` answers before Typer is even imported: it is what scripts and CI logs call most.
"""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    """Run the CLI; exit with its code (0 ok, 1 problems, 2 usage, 3 internal error)."""
    if sys.argv[1:] == ["--version"]:
        from azconf import __version__

        sys.stdout.write(f"azconf {__version__}\n")
        sys.exit(0)
    if _command(sys.argv[1:]) != "serve":  # a long-running server frees what it reloads (its runner)
        # One invocation is short-lived and its objects are acyclic trees: the cyclic collector would
        # only rescan them again and again while they are built (30 ms of a large validate).
        gc.disable()
    # pydantic scans every installed distribution's entry points for plugins on first use (~20 ms);
    # azconf uses none, and a short-lived CLI should not pay for them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

    import typer

    from azconf.cli.app import app
    from azconf.cli.boundary import run_with_boundary

    # The click command itself, not Typer's __call__: that one decorates every escaping exception
    # with an attribute, which fails on frozen exception classes and hides the real error.
    command = typer.main.get_command(app)
    code = run_with_boundary(lambda: command.main(prog_name="azconf"))
    # Leave without tearing down the interpreter: freeing the hundreds of thousands of objects of a
    # large config one by one takes longer than some commands. Every file and database write is
    # complete by now (atomic renames, committed transactions); only the output buffers remain.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


_VALUE_OPTIONS = frozenset({"-C", "--project", "--db"})  # the root options that take a value


def _command(argv: list[str]) -> str | None:
    """The command name in ``argv`` (the first word that is not a root option or its value)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            return word
    return None
