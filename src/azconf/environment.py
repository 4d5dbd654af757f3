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
from azconf.problems import Problem, Severity


class InvalidEnvironment(DataError):
    """The environment (or several) does not validate; ``problems`` says why."""

    def __init__(self, env: str, problems: list[Problem]) -> None:
        several = "," in env
        names = ", ".join(f'"{name}"' for name in env.split(","))
        super().__init__(
            f"{'environments' if several else 'environment'} {names} {'are' if several else 'is'} "
            f"not valid ({len(problems)} error(s))",
            hint=f"run `azconf validate{'' if several else ' --env ' + env}` for the full report",
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
    (loaded,) = load_environments(project, [env], resolver=resolver, today=today)
    return loaded


def load_environments(
    project: Project, envs: list[str], *, resolver: Resolver | None = None, today: dt.date | None = None
) -> list[LoadedEnvironment]:
    """Resolve, type and check every one of ``envs`` in one pass (files parsed once, shared items
    typed once); raises :class:`InvalidEnvironment` with the errors of all that have any."""
    from azconf.check.engine import Check

    return Check(project, envs, resolver=resolver, today=today).verdict()


def concerns(problem: Problem, env: str) -> bool:
    """Whether ``problem`` is one of ``env``'s (a problem without environments is everyone's)."""
    return not problem.env or env in problem.env.split(",")
