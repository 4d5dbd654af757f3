"""Helpers shared by the command modules: finding the project, printing problems."""

from __future__ import annotations

from pathlib import Path

from azconf.config.project import Project, find_project, load_project
from azconf.config.resolve import Resolution
from azconf.errors import DataError, UsageError
from azconf.problems import Problem, Severity


def open_project(project_dir: Path | None) -> Project:
    """The project at ``project_dir`` (or found from the current folder); a bad manifest stops here."""
    root = project_root(project_dir)
    project, problems = load_project(root)
    if project is None:
        stop_on_problems(problems, "azconf.yaml is not valid")
    assert project is not None
    return project


def project_root(project_dir: Path | None) -> Path:
    """The project's folder (``-C`` or found from the current one), its files consistent: a write
    that was killed halfway is finished or undone before any command reads them."""
    root = find_project(project_dir or Path.cwd())
    _finish_interrupted_write(root)
    return root


def _finish_interrupted_write(root: Path) -> None:
    """A write killed halfway left a journal: put its files back to all-old or all-new first."""
    from azconf.edit.transaction import JOURNAL_NAME

    try:
        if not (root / JOURNAL_NAME).exists():
            return  # the common case costs one stat
    except OSError:
        return  # an unreadable .azconf/: the history layer reports it, naming the database
    import typer

    from azconf.edit.transaction import project_lock, recover

    with project_lock(root):
        done = recover(root)
    if done:
        typer.echo(f"azconf: {done}", err=True)


def stop_on_problems(problems: list[Problem], summary: str) -> None:
    """Print the errors among ``problems`` and stop with exit 1 if there are any."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise DataError(summary, hint="run `azconf validate` for the full report", problems=errors)


def resolve_or_stop(project: Project, env: str) -> Resolution:
    """The resolved environment; stops (exit 1) when its files cannot be read or parsed cleanly."""
    from azconf.config.resolve import Resolver
    from azconf.environment import resolve_readable

    return resolve_readable(Resolver(project), env)


def one_environment(options: list[str] | None, arguments: list[str], usage: str) -> tuple[str, list[str]]:
    """The one environment (or version) a command reads, from ``--env`` or its first argument, and the
    arguments left. Naming it twice is an error: "the last one wins" would hide a mistake."""
    given = options or []
    if len(given) > 1:
        raise UsageError(
            f"--env given {len(given)} times ({', '.join(given)}); this command reads one environment",
            hint=f"usage: azconf {usage}",
        )
    if given:
        return given[0], arguments
    if not arguments:
        raise UsageError("name the environment", hint=f"usage: azconf {usage}")
    return arguments[0], arguments[1:]


def several_environments(options: list[str] | None, arguments: list[str]) -> list[str]:
    """Environments named with ``--env`` and as arguments, each once, in the order given."""
    return list(dict.fromkeys([*(options or []), *arguments]))


def at_most_one(rest: list[str], usage: str) -> str | None:
    """The one argument left after the environment, if any."""
    if len(rest) > 1:
        raise UsageError(
            f"too many arguments: {' '.join(rest)} (an environment given twice?)",
            hint=f"usage: azconf {usage}",
        )
    return rest[0] if rest else None
