"""``azconf diff``: parse the sides and filters, compare, print."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from azconf.cli.options import Format, format_option
from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

if TYPE_CHECKING:
    from azconf.diff import Change
    from azconf.diff.sides import Side


@dataclass(frozen=True)
class DiffRequest:
    """The diff command's arguments."""

    arguments: list[str]
    worktree: str | None
    output: str
    only: str | None
    stat: bool
    exit_code: bool


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
        Literal[Format.text, Format.json, Format.markdown],
        format_option("Output format (markdown: a pull-request comment)."),
    ] = Format.text,
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated sections, e.g. flags,routes.")
    ] = None,
    stat: Annotated[bool, typer.Option("--stat", help="Counts per section only.")] = False,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when there are differences (for CI).")
    ] = False,
) -> None:
    """Show semantic differences between environments and versions, with where each value came from."""
    request = DiffRequest(sides or [], worktree, output.value, only, stat, exit_code)
    raise typer.Exit(run(ctx.obj, request))


def run(project_dir: Path | None, request: DiffRequest) -> int:
    """Print the differences; exit 1 with --exit-code when there are any."""
    from azconf.cli.common import open_project
    from azconf.config.resolve import Resolver
    from azconf.diff import diff, select
    from azconf.diff.sides import latest_side, load_side

    project = open_project(project_dir)
    resolver = Resolver(project)
    if request.worktree:
        old = latest_side(project, request.worktree)
        new = load_side(project, resolver, request.worktree)
        filters = request.arguments
    else:
        if len(request.arguments) < 2:
            raise UsageError(
                "diff needs two sides",
                hint="azconf diff staging prod, azconf diff prod@12 prod, or azconf diff --worktree prod",
            )
        old = load_side(project, resolver, request.arguments[0])
        new = load_side(project, resolver, request.arguments[1])
        filters = request.arguments[2:]
    changes = select(diff(old.data, new.data), _sections(request.only), [_path(f) for f in filters])
    _print(old, new, changes, request)
    return EXIT_PROBLEMS if request.exit_code and changes else EXIT_OK


def _sections(only: str | None) -> list[str]:
    from azconf.model import SECTIONS
    from azconf.problems import did_you_mean

    chosen = [s.strip() for s in (only or "").split(",") if s.strip()]
    for section in chosen:
        if section not in SECTIONS:
            raise UsageError(
                f'unknown section "{section}"{did_you_mean(section, SECTIONS)}',
                hint=f"sections: {', '.join(SECTIONS)}",
            )
    return chosen


def _path(text: str) -> tuple[str | int, ...]:
    from azconf.config.located import parse_path

    path = parse_path(text)
    if not path:
        raise UsageError(f'malformed path "{text}"', hint="write it like services.web.replicas")
    return path


def _print(old: Side, new: Side, changes: list[Change], request: DiffRequest) -> None:
    from azconf.report import diff_report

    if request.output == "json":
        sys.stdout.write(diff_report.render_json(old, new, changes))
    elif request.output == "markdown":
        sys.stdout.write(diff_report.render_markdown(old, new, changes))
    elif request.stat:
        sys.stdout.write(diff_report.render_stat(changes))
    else:
        from azconf.cli.styled import print_lines

        print_lines(diff_report.render_text(old, new, changes))
