"""Validate a project: every problem of the chosen environments, as one result for the reporters.

The resolve -> type -> check engine itself is :mod:`azconf.check.engine`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from azconf.check.engine import Check, ReviewedException
from azconf.config.project import Project, load_project
from azconf.config.resolve import Resolver
from azconf.problems import Problem, Severity, sorted_problems
from azconf.process.gcpause import gc_paused


@dataclass
class ValidationResult:
    """The outcome of validating some environments of one project."""

    root: Path
    environments: list[str]
    problems: list[Problem] = field(default_factory=list)
    strict: bool = False
    allowed: list[ReviewedException] = field(default_factory=list)  # reviewed plaintext exceptions
    verbose: bool = False  # the text reporter lists ``allowed`` only when asked

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
    problems = problems + _render_problems(project)
    with gc_paused():
        checked = Check(project, selected, today=today).result()
    problems = _everywhere(sorted_problems(problems + checked.problems), selected)
    return ValidationResult(root, selected, problems, strict, checked.allowed)


def _render_problems(project: Project) -> list[Problem]:
    """Every problem of ``render.*`` in azconf.yaml (unknown keys, bad options, per environment)."""
    from azconf.render.render_settings import RenderSettings

    return RenderSettings(project).problems


def validate_environments(
    project: Project, envs: list[str], *, today: dt.date, resolver: Resolver | None = None
) -> list[Problem]:
    """Every problem of each environment in ``envs``."""
    return Check(project, envs, today=today, resolver=resolver).result().problems


def _everywhere(problems: list[Problem], envs: list[str]) -> list[Problem]:
    """Drop the environment list from problems found in every validated environment."""
    from dataclasses import replace

    every = set(envs)
    return [
        replace(p, env="") if p.env and set(p.env.split(",")) == every and len(envs) > 1 else p
        for p in problems
    ]
