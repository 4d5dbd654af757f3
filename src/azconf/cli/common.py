"""Helpers shared by the command modules: finding the project, printing problems."""

from __future__ import annotations

from pathlib import Path

from azconf.config.project import Project, find_project, load_project
from azconf.config.resolve import Resolution
from azconf.errors import DataError
from azconf.lifetime import keep_until_exit
from azconf.problems import Problem, Severity


def open_project(project_dir: Path | None) -> Project:
    """The project at ``project_dir`` (or found from the current folder); a bad manifest stops here."""
    root = find_project(project_dir or Path.cwd())
    project, problems = load_project(root)
    if project is None:
        stop_on_problems(problems, "azconf.yaml is not valid")
    assert project is not None
    keep_until_exit(project)
    return project


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
