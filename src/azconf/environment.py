"""Load one environment, typed and checked, for the commands that act on it (render, diff, promote).

``validate`` reports every problem of every environment; the commands that *use* an environment need
it valid, and stop with the problems when it is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from azconf.config.project import Project
from azconf.config.resolve import Resolution, Resolver
from azconf.errors import DataError
from azconf.model.sections import Environment
from azconf.problems import Problem, Severity, sorted_problems


class InvalidEnvironment(DataError):
    """The environment does not validate; ``problems`` says why."""

    def __init__(self, env: str, problems: list[Problem]) -> None:
        super().__init__(
            f'environment "{env}" is not valid ({len(problems)} error(s))',
            hint=f"run `azconf validate --env {env}` for the full report",
            problems=problems,
        )


def resolve_readable(resolver: Resolver, env: str) -> Resolution:
    """The resolved ``env``; raises :class:`DataError` when its files cannot be read or parsed cleanly.

    Commands that only look at values (show, explain, diff) need readable files, not a valid model.
    """
    resolution = resolver.resolve(env)
    errors = [p for p in resolution.problems if p.severity is Severity.ERROR]
    if errors:
        raise DataError(
            f'environment "{env}" cannot be resolved',
            hint="run `azconf validate` for the full report",
            problems=errors,
        )
    return resolution


@dataclass
class LoadedEnvironment:
    """A valid environment: its resolution (with provenance), its typed model and its problems."""

    resolution: Resolution
    model: Environment
    warnings: list[Problem]

    @property
    def name(self) -> str:
        """The environment's name."""
        return self.resolution.env


def load_environment(
    project: Project, env: str, *, resolver: Resolver | None = None, today: dt.date | None = None
) -> LoadedEnvironment:
    """Resolve, type and check ``env``; raises :class:`InvalidEnvironment` if it has errors."""
    from azconf.validate import validate_environments

    resolver = resolver or Resolver(project)
    resolution = resolver.resolve(env)
    found = validate_environments(project, [env], today=today or dt.date.today(), resolver=resolver)
    problems = sorted_problems(found)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise InvalidEnvironment(env, errors)
    from azconf.model.build import build_environment

    model, _ = build_environment(resolution.data)
    return LoadedEnvironment(resolution, model, problems)
