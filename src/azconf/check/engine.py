"""One check of some environments: resolve them, type them, check them, and collect every problem.

A :class:`Check` resolves the environments when made and starts the checks listed in
:data:`SECOND_CORE` in a forked child (they read the resolved data only). This process meanwhile
types the environments (:meth:`Check.models`) and, in :meth:`Check.result`, checks the typed
models, then collects the child's problems. :meth:`Check.verdict` is the same result for a command
that needs every environment valid. Render builds files from the models before the verdict, and
writes them only once it passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from azconf.config.project import Project
from azconf.config.resolve import Resolution, Resolver
from azconf.model.build import build_environment
from azconf.model.checks import CheckCache, check_environment, check_names, check_rules
from azconf.model.sections import Environment
from azconf.problems import Problem, Severity, sorted_problems

if TYPE_CHECKING:
    from azconf.config.located import LocatedMap
    from azconf.environment import LoadedEnvironment


@dataclass(frozen=True, slots=True)
class ReviewedException:
    """A plaintext-secret finding allowed by ``secrets.allow`` or an inline marker: where, and why.

    It never carries the value: verbose output shows that the exception exists, not what it hides.
    """

    path: str
    reason: str


@dataclass
class Checked:
    """Every environment checked: the problems, the reviewed exceptions and each typed model."""

    problems: list[Problem]
    allowed: list[ReviewedException]
    models: dict[str, Environment]  # env -> its typed items (the invalid ones left out)


Found = tuple[list[Problem], list[ReviewedException]]


def _user_schemas(project: Project, resolutions: list[Resolution]) -> Found:
    """The user's JSON Schemas (schemas: in azconf.yaml) on each environment's data."""
    from azconf.model.user_schemas import SchemaChecker

    schemas = SchemaChecker(project)
    return list(schemas.problems) + _each(resolutions, schemas.check), []


def _targeting_rules(project: Project, resolutions: list[Resolution]) -> Found:
    """The flags' targeting rules (a rule shared by environments checked once)."""
    return _each(resolutions, check_rules), []


def _kubernetes_names(project: Project, resolutions: list[Resolution]) -> Found:
    """The names Kubernetes objects will carry."""
    return _each(resolutions, check_names), []


def _plaintext_secrets(project: Project, resolutions: list[Resolution]) -> Found:
    """Plaintext secrets, looked for in the files, each once: a secret written in an overlay is in
    the repository even where a later layer overrides it, and overlays are small."""
    from azconf.model import secret_checks

    allowed = [secret_checks.Allowed(a.path, a.reason) for a in project.manifest.secrets.allow]
    scanner = secret_checks.PlaintextScanner(allowed, project.source_line)
    files = dict.fromkeys(file for r in resolutions for layer in r.layers for file in layer.files)
    problems = [problem for file in files for problem in scanner.scan(project.read(file).data)]
    # One exception per path and reason: a shared item is scanned once, an overridden one again.
    unique = dict.fromkeys(ReviewedException(path, reason) for path, reason in scanner.exceptions)
    return problems, sorted(unique, key=lambda e: (e.path, e.reason))


# The checks that read the resolved data only, run in a forked child on the second core while this
# process types the environments and checks the typed models (about as long, on the large corpus).
SECOND_CORE: tuple[Callable[[Project, list[Resolution]], Found], ...] = (
    _user_schemas,
    _targeting_rules,
    _kubernetes_names,
    _plaintext_secrets,
)


def _second_core(project: Project, resolutions: list[Resolution]) -> Found:
    """Every check of :data:`SECOND_CORE`, in order: their problems and reviewed exceptions."""
    problems: list[Problem] = []
    allowed: list[ReviewedException] = []
    for check in SECOND_CORE:
        found, reviewed = check(project, resolutions)
        problems += found
        allowed += reviewed
    return problems, allowed


class Check:
    """Some environments of one project, resolved at once and checked in steps (see the module)."""

    def __init__(
        self,
        project: Project,
        envs: list[str],
        *,
        today: dt.date | None = None,
        resolver: Resolver | None = None,
        second_core: bool = True,
    ) -> None:
        from azconf.process.fork import Background

        self.envs = envs
        self.resolver = resolver or Resolver(project)
        self.resolutions = [self.resolver.resolve(env) for env in envs]
        # second_core=False runs them here, at once (for a small check, forking costs more).
        self._data_checks = Background(partial(_second_core, project, self.resolutions), fork=second_core)
        self._today = today or dt.date.today()
        self._typed: tuple[list[Problem], dict[str, Environment]] | None = None

    def models(self) -> dict[str, Environment]:
        """Each environment's typed items (the invalid ones left out), typed once."""
        if self._typed is None:
            self._typed = _typed_models(self.resolutions)
        return self._typed[1]

    def result(self) -> Checked:
        """Every problem: the files', the models' and (waiting for them) the second core's."""
        from azconf.model.root_causes import root_causes

        models = self.models()
        assert self._typed is not None
        problems = [problem for resolution in self.resolutions for problem in resolution.problems]
        model_problems = self._typed[0] + _model_checks(self.resolutions, models, self._today)
        data_problems, allowed = self._data_checks.result()
        derived = root_causes(model_problems + data_problems, self.resolutions)
        return Checked(problems + derived, allowed, models)

    def verdict(self) -> list[LoadedEnvironment]:
        """The valid environments; raises :class:`~azconf.environment.InvalidEnvironment` with the
        errors of all the others."""
        from azconf.environment import InvalidEnvironment, LoadedEnvironment, concerns

        checked = self.result()
        problems = sorted_problems(checked.problems)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            failing = [env for env in self.envs if any(concerns(p, env) for p in errors)]
            raise InvalidEnvironment(",".join(failing or self.envs), errors)
        return [
            LoadedEnvironment(
                resolution,
                checked.models[resolution.env],
                [p for p in problems if concerns(p, resolution.env)],
            )
            for resolution in self.resolutions
        ]


def _typed_models(resolutions: list[Resolution]) -> tuple[list[Problem], dict[str, Environment]]:
    """Each environment typed (items shared between environments typed once), and the problems."""
    problems: list[Problem] = []
    models: dict[str, Environment] = {}
    for resolution in resolutions:
        models[resolution.env], found = build_environment(resolution.data)
        problems += [in_env(problem, resolution.env) for problem in found]
    return problems, models


def _model_checks(
    resolutions: list[Resolution], models: dict[str, Environment], today: dt.date
) -> list[Problem]:
    """Names, references, routes, flags and secret references of each typed environment."""
    from azconf.model import secret_checks

    check_cache = CheckCache()
    problems: list[Problem] = []
    for resolution in resolutions:
        found = check_environment(
            models[resolution.env], resolution.data, today=today, flag_cache=check_cache
        )
        found += secret_checks.check_references(resolution.data)
        problems += [in_env(problem, resolution.env) for problem in found]
    return problems


def _each(resolutions: list[Resolution], check: Callable[[LocatedMap], Iterable[Problem]]) -> list[Problem]:
    """``check`` on each environment's data, each problem naming its environment."""
    return [in_env(problem, r.env) for r in resolutions for problem in check(r.data)]


def in_env(problem: Problem, env: str) -> Problem:
    """``problem``, naming ``env`` unless it names environments already."""
    return problem if problem.env else replace(problem, env=env)
