"""One mistake, one error, in-process: the filters of azconf.model.root_causes on real resolutions."""

from __future__ import annotations

from pathlib import Path

from azconf.config.project import Project, load_project
from azconf.config.resolve import Resolver
from azconf.model.root_causes import root_causes
from azconf.problems import Location, Problem

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


def example() -> Project:
    project, _ = load_project(EXAMPLE)
    assert project is not None
    return project


def problem(
    code: str, path: str, message: str, env: str = "prod", *, file: str = "f.yaml", line: int = 1
) -> Problem:
    return Problem(code, message, Location(file, line, 1), path=path, env=env)


def test_a_misspelt_key_hides_the_missing_key_it_suggests_and_nothing_else() -> None:
    resolutions = [Resolver(example()).resolve("prod")]
    typo = problem("AZC0201", "services.web.prot", 'unknown key "prot" (did you mean "port"?)')
    follows = problem("AZC0202", "services.web", 'missing required key "port"', line=9)
    unrelated = problem("AZC0202", "services.web", 'missing required key "image"', line=9)
    assert root_causes([typo, follows, unrelated], resolutions) == [typo, unrelated]


def test_problems_of_other_environments_are_kept() -> None:
    resolutions = [Resolver(example()).resolve(env) for env in ("dev", "prod")]
    found = [
        problem("AZC0301", "routes.x.service", 'unknown service "y"', env=env) for env in ("dev", "prod")
    ]
    assert root_causes(found, resolutions) == found
