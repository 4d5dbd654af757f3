"""The render pipeline's verdict: building starts before the checks end, writing only after they pass."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from azconf.config.project import Project, load_project
from azconf.errors import DataError
from azconf.render.pipeline import Job, all_targets, render_all
from azconf.render.sources import pending_sources

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.delenv("AZCONF_JOBS", raising=False)  # the forked child is what is under test
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    return project


def jobs_for(project: Project, out: Path) -> list[Job]:
    pending = pending_sources(project, ["staging", "prod"], None)
    pending.verdict()
    return [Job(source, out / source.env) for source in pending.sources]


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_failing_verdict_stops_the_child_and_nothing_is_written(project: Project, tmp_path: Path) -> None:
    jobs = jobs_for(project, tmp_path)

    def verdict() -> None:
        time.sleep(0.3)  # the child has taken units, maybe all of them, by now
        raise DataError("environment is not valid")

    with pytest.raises(DataError, match="not valid"):
        render_all(project, jobs, all_targets(), check=False, verdict=verdict)
    assert list(tmp_path.iterdir()) == []
    assert no_child_left()


def test_a_passing_verdict_writes_every_target_of_every_job(project: Project, tmp_path: Path) -> None:
    calls: list[int] = []
    reports = render_all(
        project, jobs_for(project, tmp_path), all_targets(), check=False, verdict=lambda: calls.append(1)
    )
    assert calls == [1]
    assert [[name for name, _ in job] for job in reports] == [all_targets(), all_targets()]
    assert all(report.written for job in reports for _, report in job)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prod", "staging"]
    assert no_child_left()


def test_an_invalid_environment_is_reported_before_a_bad_render_option(
    project: Project, tmp_path: Path
) -> None:
    broken = project.manifest.model_copy(update={"render": {"kubernetes": {"namespace": 3}}})
    bad_options = dataclasses.replace(project, manifest=broken)

    def verdict() -> None:
        raise DataError("environment is not valid")

    with pytest.raises(DataError, match="not valid"):
        render_all(bad_options, jobs_for(project, tmp_path), all_targets(), check=False, verdict=verdict)
    with pytest.raises(DataError, match=r"render\.kubernetes\.namespace"):
        render_all(bad_options, jobs_for(project, tmp_path), all_targets(), check=False)
