"""``azconf explain-code``."""

from __future__ import annotations

from typing import Annotated

import typer

from azconf.errors import UsageError


def explain_code(
    code: Annotated[str | None, typer.Argument(help="A problem code such as AZC0301.")] = None,
) -> None:
    """Describe a problem code and how to fix it (all codes when none is given)."""
    raise typer.Exit(run(code))


def run(code: str | None) -> int:
    """Print one code's entry, or a one-line index of all codes."""
    from azconf.codes import CODES
    from azconf.problems import did_you_mean

    if code is None:
        for entry in CODES.values():
            typer.echo(f"{entry.code}  {entry.title}")
        return 0
    found = CODES.get(code.upper())
    if found is None:
        raise UsageError(
            f'unknown problem code "{code}"{did_you_mean(code.upper(), CODES)}',
            hint="`azconf explain-code` lists every code",
        )
    typer.echo(f"{found.code}: {found.title}\n\n{found.explanation}\n\nFix: {found.fix}")
    return 0
