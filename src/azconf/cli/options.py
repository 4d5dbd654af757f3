"""Options that more than one command takes, declared once (only typer and the standard library here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class Format(StrEnum):
    """Every output format azconf writes. A command accepts a few of them: its ``--format`` option is
    typed ``Literal[Format.text, Format.json]`` (say), so ``--help`` lists exactly those."""

    text = "text"
    yaml = "yaml"
    json = "json"
    markdown = "markdown"
    github = "github"
    sarif = "sarif"
    prometheus = "prometheus"


def format_option(help: str = "Output format.") -> Any:
    """The ``--format``/``-f`` option (give it a ``Literal`` of :class:`Format` members)."""
    return typer.Option("--format", "-f", help=help)


ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "-C",
        "--project",
        help="The project folder (default: the nearest folder with an "
        "azconf.yaml at or above the current one).",
        show_default=False,
    ),
]
EnvOrVersionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--env",
        "-e",
        help="The environment, or a recorded version such as prod@12 (or give it as the first argument).",
        show_default=False,
    ),
]


def use_database(ctx: typer.Context, db: Path) -> None:
    """Make the global ``azconf --db PATH`` the database of every command in this run."""
    ctx.with_resource(_environment("AZCONF_DB", str(db.absolute())))


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    # Set for this run only, and put back afterwards (an in-process caller, such as a test, goes on).
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
