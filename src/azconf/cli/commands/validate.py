"""``azconf validate``.

Its arguments are environments, or files: an argument with a ``.`` or a ``/`` (environment names have
neither) is a file, and every project that contains one of them is validated. That is how the
pre-commit hook, run from a repository's top, validates a project in a subfolder.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from azconf.cli.options import Format, format_option
from azconf.errors import EXIT_OK, EXIT_PROBLEMS, UsageError

if TYPE_CHECKING:
    from azconf.problems import Location, Problem
    from azconf.validate import ValidationResult


def validate(
    ctx: typer.Context,
    envs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ENV|FILE]...",
            help="Validate only these environments (default: all); or, given files, every project "
            "that contains one (the pre-commit hook does that).",
        ),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", help="Validate only this environment (repeatable; default: all)."),
    ] = None,
    output: Annotated[
        Literal[Format.text, Format.json, Format.github, Format.sarif], format_option("Report format.")
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list reviewed secret exceptions (path and reason).")
    ] = False,
) -> None:
    """Resolve every environment and report all problems, with file:line:col."""
    from azconf.cli.common import several_environments

    raise typer.Exit(run(ctx.obj, several_environments(env, envs or []), output.value, strict, verbose))


def run(
    project_dir: Path | None, arguments: list[str], output: str, strict: bool, verbose: bool = False
) -> int:
    """Validate and print the report; exit 1 when anything fails."""
    from azconf.cli.common import project_root
    from azconf.report import reporter
    from azconf.validate import validate

    files = [a for a in arguments if is_file_argument(a)]
    envs = [a for a in arguments if not is_file_argument(a)]
    if files and envs:
        raise UsageError("give environments or files, not both", hint="azconf validate [ENV]... or [FILE]...")
    roots = projects_of(files) if files else [project_root(project_dir)]
    if files and not roots:
        sys.stderr.write("azconf: no azconf project contains the given files; nothing to validate\n")
    if len(roots) > 1 and output in ("json", "sarif"):
        raise UsageError(f"the files belong to {len(roots)} projects; --format {output} reports one")
    ok = True
    for root in roots:
        result = validate(root, envs, strict=strict)
        result.verbose = verbose
        if output != "text" or files:  # machines, and hooks run from the repository's top
            result = repository_relative(result)
        _write(reporter(output)(result), colour=output == "text" and sys.stdout.isatty())
        ok &= result.ok
    return EXIT_OK if ok else EXIT_PROBLEMS


def _write(report: str, *, colour: bool) -> None:
    """Print a report; through rich (colour, unless NO_COLOR) only on a terminal: it costs an import."""
    if not colour:
        sys.stdout.write(report)
        return
    from azconf.cli.styled import print_lines
    from azconf.report.text import styled

    print_lines(styled(report))


def is_file_argument(argument: str) -> bool:
    """Whether an argument names a file rather than an environment (a DNS label: no dot, no slash)."""
    return "." in argument or "/" in argument


def projects_of(files: list[str]) -> list[Path]:
    """The project folders (with an azconf.yaml) that contain ``files``, each once, in order."""
    from azconf.config.manifest import MANIFEST_NAME

    roots: dict[Path, None] = {}
    for file in files:
        for folder in Path(file).absolute().parents:
            if (folder / MANIFEST_NAME).is_file():
                roots[folder] = None
                break
    return list(roots)


def repository_relative(result: ValidationResult) -> ValidationResult:
    """``result`` with paths relative to the git repository's top (where annotations and code
    scanning look for files), when the project is inside one; unchanged otherwise."""
    top = _repository_top(result.root.resolve())
    if top is None or top == result.root.resolve():
        return result
    prefix = result.root.resolve().relative_to(top).as_posix()

    def moved(location: Location) -> Location:
        file = f"{prefix}/{location.file}" if location.file else prefix
        return dataclasses.replace(location, file=file)

    def problem(found: Problem) -> Problem:
        related = tuple(moved(location) for location in found.related)
        return dataclasses.replace(found, location=moved(found.location), related=related)

    return dataclasses.replace(result, root=top, problems=[problem(p) for p in result.problems])


def _repository_top(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
