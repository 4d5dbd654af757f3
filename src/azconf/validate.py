"""``azconf validate``: resolve environments, type them, check them, and collect every problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from azconf.config.project import Project, load_project
from azconf.config.resolve import Resolver
from azconf.model.build import ItemCache, build_environment
from azconf.model.checks import check_environment
from azconf.problems import Problem, Severity, sorted_problems


@dataclass
class ValidationResult:
    """The outcome of validating some environments of one project."""

    root: Path
    environments: list[str]
    problems: list[Problem] = field(default_factory=list)
    strict: bool = False

    @property
    def errors(self) -> list[Problem]:
        """Problems that fail validation (warnings too, under ``--strict``)."""
        return [p for p in self.problems if p.severity is Severity.ERROR or self.strict]

    @property
    def ok(self) -> bool:
        """True when nothing fails validation."""
        return not self.errors


def validate(
    root: Path, envs: list[str] | None = None, *, strict: bool = False, today: dt.date | None = None
) -> ValidationResult:
    """Validate the named environments of the project at ``root`` (all of them when ``envs`` is empty)."""
    project, problems = load_project(root)
    if project is None:
        return ValidationResult(root, envs or [], sorted_problems(problems), strict)
    selected = envs or project.manifest.environments
    problems += validate_environments(project, selected, today=today or dt.date.today())
    return ValidationResult(root, selected, sorted_problems(problems), strict)


def validate_environments(project: Project, envs: list[str], *, today: dt.date) -> list[Problem]:
    """Every problem of each environment in ``envs``."""
    from azconf.model.user_schemas import SchemaChecker

    resolver = Resolver(project)
    cache = ItemCache()
    schemas = SchemaChecker(project)
    problems: list[Problem] = list(schemas.problems)
    for env in envs:
        resolution = resolver.resolve(env)
        environment, found = build_environment(resolution.data, cache)
        found += check_environment(environment, resolution.data, today=today)
        found += schemas.check(resolution.data)
        problems += resolution.problems
        problems += [_in_env(problem, env) for problem in found]
    return problems


def _in_env(problem: Problem, env: str) -> Problem:
    from dataclasses import replace

    return problem if problem.env else replace(problem, env=env)
