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
    return PendingEnvironments(project, envs, resolver=resolver, today=today).verdict()


class PendingEnvironments:
    """:func:`load_environments` in two steps: the typed models first, the verdict later.

    Made, it has resolved ``envs`` and started their value checks on the second core. A command
    may work on :meth:`models` meanwhile (render builds its files), but must act on that work only
    after :meth:`verdict` returned: the models of an invalid environment leave its invalid items out.
    """

    def __init__(
        self,
        project: Project,
        envs: list[str],
        *,
        resolver: Resolver | None = None,
        today: dt.date | None = None,
    ) -> None:
        from azconf.validate import EnvironmentCheck

        self._envs = envs
        self._resolver = resolver or Resolver(project)
        self._check = EnvironmentCheck(project, envs, today=today or dt.date.today(), resolver=self._resolver)

    @property
    def resolutions(self) -> list[Resolution]:
        """The resolved environments, in the order asked for."""
        return self._check.resolutions

    def models(self) -> dict[str, Environment]:
        """Each environment's typed items (those that do not validate left out)."""
        return self._check.models()

    def verdict(self) -> list[LoadedEnvironment]:
        """The valid environments; raises :class:`InvalidEnvironment` with the errors of all others."""
        checked = self._check.finish()
        problems = sorted_problems(checked.problems)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            failing = [env for env in self._envs if any(_concerns(p, env) for p in errors)]
            raise InvalidEnvironment(",".join(failing or self._envs), errors)
        return [
            LoadedEnvironment(
                self._resolver.resolve(env), checked.models[env], [p for p in problems if _concerns(p, env)]
            )
            for env in self._envs
        ]


def _concerns(problem: Problem, env: str) -> bool:
    """Whether ``problem`` is one of ``env``'s (a problem without environments is everyone's)."""
    return not problem.env or env in problem.env.split(",")
