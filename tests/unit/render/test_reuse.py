"""What the targets keep for the other environments of a run changes no byte of any environment's files.

The example's overlays change flags, secrets and services, so that shared service items meet
environment-dependent inputs (a flag's static value, where a secret lives) on the way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from azconf.config.project import Project, load_project
from azconf.render import TARGETS, target
from azconf.render.base import RenderError, Reuse
from azconf.render.pipeline import Source, render_context, target_options
from azconf.render.sources import sources_for

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


@pytest.fixture(scope="module")
def project() -> Project:
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    return project


def built(project: Project, source: Source, name: str, reuse: Reuse) -> dict[str, str] | list[str]:
    """The files of one target for one environment, or the rules it breaks."""
    context = render_context(project, source, target_options(project, name), {}, reuse)
    try:
        return target(name).render(context)
    except RenderError as error:
        return error.violations


@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("order", ["promotion order", "reversed"])
def test_a_run_that_reuses_renders_every_environment_as_a_fresh_one(
    project: Project, name: str, order: str
) -> None:
    sources = sources_for(project, list(project.manifest.environments), None)
    if order == "reversed":
        sources.reverse()
    reuse = Reuse()
    for source in sources:
        assert built(project, source, name, reuse) == built(project, source, name, Reuse()), source.env


def test_reuse_computes_once_per_function_object_and_inputs() -> None:
    reuse, calls = Reuse(), []

    def make(item: dict[str, int], *inputs: str) -> int:
        calls.append((item, inputs))
        return len(calls)

    def other(item: dict[str, int]) -> int:
        return -1

    item, twin = {"a": 1}, {"a": 1}
    assert reuse.item(make, item) == reuse.item(make, item) == 1
    assert reuse.item(make, twin) == 2  # equal, but another object: computed again
    assert reuse.item(make, item, "other input") == 3
    assert calls[-1] == (item, ("other input",))  # the inputs reach the function
    assert reuse.item(make, item, "other " + "input") == 3  # inputs compare by value
    assert reuse.item(other, item) == -1  # another function: its own result
    assert reuse.item(make, item) == 1


def test_a_failure_is_not_kept() -> None:
    reuse, attempts = Reuse(), []

    def failing(item: object) -> int:
        attempts.append(item)
        raise ValueError("bad item")

    item = object()
    for _ in range(2):
        with pytest.raises(ValueError, match="bad item"):
            reuse.item(failing, item)
    assert len(attempts) == 2
