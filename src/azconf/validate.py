"""``azconf validate``: resolve environments, type them, check them, and collect every problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from azconf.config.project import Project, load_project
from azconf.config.resolve import Resolution, Resolver
from azconf.model.build import ItemCache, build_environment
from azconf.model.checks import CheckCache, check_environment, check_names, check_rules
from azconf.model.sections import Environment
from azconf.problems import Problem, Severity, sorted_problems
from azconf.process.gcpause import gc_paused


@dataclass(frozen=True, slots=True)
class ReviewedException:
    """A plaintext-secret finding allowed by ``secrets.allow`` or an inline marker: where, and why.

    It never carries the value: verbose output shows that the exception exists, not what it hides.
    """

    path: str
    reason: str


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
    with gc_paused():
        checked = check_environments(project, selected, today=today or dt.date.today())
    problems = _everywhere(sorted_problems(problems + checked.problems), selected)
    return ValidationResult(root, selected, problems, strict, checked.allowed)


def validate_environments(
    project: Project, envs: list[str], *, today: dt.date, resolver: Resolver | None = None
) -> list[Problem]:
    """Every problem of each environment in ``envs``."""
    return check_environments(project, envs, today=today, resolver=resolver).problems


@dataclass
class Checked:
    """Every environment checked: the problems, the reviewed exceptions and each typed model."""

    problems: list[Problem]
    allowed: list[ReviewedException]
    models: dict[str, Environment]  # env -> its typed items (the invalid ones left out)


def check_environments(
    project: Project, envs: list[str], *, today: dt.date, resolver: Resolver | None = None
) -> Checked:
    """Every problem of each environment in ``envs``, the reviewed exceptions and the typed models.

    The files are parsed once; then the value checks run in a background process (a second core)
    while this one types the environments and checks their references.
    """
    checking = EnvironmentCheck(project, envs, today=today, resolver=resolver)
    checking.models()
    return checking.finish()


class EnvironmentCheck:
    """:func:`check_environments` in steps, for a caller that uses the typed models before it ends.

    Made, it has resolved the environments and started the value checks on the second core;
    :meth:`models` types the environments; :meth:`finish` checks the models and collects every
    problem. Render builds files from the models while the checks finish, and writes them only
    if :meth:`finish` finds no error.
    """

    def __init__(
        self, project: Project, envs: list[str], *, today: dt.date, resolver: Resolver | None = None
    ) -> None:
        from azconf.process.fork import Background

        resolver = resolver or Resolver(project)
        self.resolutions = [resolver.resolve(env) for env in envs]
        resolutions = self.resolutions
        self._values = Background(lambda: _value_checks(project, resolutions))
        self._today = today
        self._typed: tuple[list[Problem], dict[str, Environment]] | None = None

    def models(self) -> dict[str, Environment]:
        """Each environment's typed items (the invalid ones left out), typed once."""
        if self._typed is None:
            self._typed = _typed_models(self.resolutions)
        return self._typed[1]

    def finish(self) -> Checked:
        """Every problem: the files', the models' and (waiting for them) the value checks'."""
        models = self.models()
        assert self._typed is not None
        from azconf.model.root_causes import root_causes

        problems = [problem for resolution in self.resolutions for problem in resolution.problems]
        model_problems = self._typed[0] + _model_checks(self.resolutions, models, self._today)
        value_problems, allowed = self._values.result()
        derived = root_causes(model_problems + value_problems, self.resolutions)
        return Checked(problems + derived, allowed, models)


def _typed_models(resolutions: list[Resolution]) -> tuple[list[Problem], dict[str, Environment]]:
    """Each environment typed (items shared between environments typed once), and the problems."""
    cache = ItemCache()
    problems: list[Problem] = []
    models: dict[str, Environment] = {}
    for resolution in resolutions:
        models[resolution.env], found = build_environment(resolution.data, cache)
        problems += [_in_env(problem, resolution.env) for problem in found]
    return problems, models


def _model_checks(
    resolutions: list[Resolution], models: dict[str, Environment], today: dt.date
) -> list[Problem]:
    """Names, references, routes, flags and secret references of each typed environment.

    (With the typing, split from :func:`_value_checks` so that the two take about as long: they
    run side by side.)
    """
    from azconf.model import secret_checks

    check_cache = CheckCache()
    problems: list[Problem] = []
    for resolution in resolutions:
        found = check_environment(
            models[resolution.env], resolution.data, today=today, flag_cache=check_cache
        )
        found += secret_checks.check_references(resolution.data)
        problems += [_in_env(problem, resolution.env) for problem in found]
    return problems


def _value_checks(
    project: Project, resolutions: list[Resolution]
) -> tuple[list[Problem], list[ReviewedException]]:
    """The user's JSON Schemas, flag targeting rules, Kubernetes names and plaintext secrets.

    This runs in a forked process whose only way back is its return value, so the reviewed
    exceptions the scanner collected travel back with the problems.
    """
    from azconf.model import secret_checks
    from azconf.model.user_schemas import SchemaChecker

    schemas = SchemaChecker(project)
    allowed = [secret_checks.Allowed(a.path, a.reason) for a in project.manifest.secrets.allow]
    plaintext = secret_checks.PlaintextScanner(allowed, project.source_line)
    problems: list[Problem] = list(schemas.problems)
    rules = CheckCache()
    for resolution in resolutions:
        found = schemas.check(resolution.data) + list(check_rules(resolution.data, rules))
        found += check_names(resolution.data)
        problems += [_in_env(problem, resolution.env) for problem in found]
    # Plaintext secrets are looked for in the files, each once: a secret written in an overlay is in
    # the repository even where a later layer overrides it, and overlays are small.
    files = dict.fromkeys(file for r in resolutions for layer in r.layers for file in layer.files)
    for file in files:
        problems += plaintext.scan(project.read(file).data)
    # One exception per path and reason: a shared item is scanned once, an overridden one again.
    unique = dict.fromkeys(ReviewedException(path, reason) for path, reason in plaintext.exceptions)
    return problems, sorted(unique, key=lambda e: (e.path, e.reason))


def _everywhere(problems: list[Problem], envs: list[str]) -> list[Problem]:
    """Drop the environment list from problems found in every validated environment."""
    from dataclasses import replace

    every = set(envs)
    return [
        replace(p, env="") if p.env and set(p.env.split(",")) == every and len(envs) > 1 else p
        for p in problems
    ]


def _in_env(problem: Problem, env: str) -> Problem:
    from dataclasses import replace

    return problem if problem.env else replace(problem, env=env)
