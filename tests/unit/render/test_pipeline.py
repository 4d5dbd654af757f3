"""The render pipeline: building starts before the checks end, writing only after they pass, and the
units that two processes build and write make the same folders as one process does."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import Project, load_project
from azconf.errors import DataError
from azconf.render import target
from azconf.render.base import RenderContext
from azconf.render.inputs import sources_for
from azconf.render.output import digest
from azconf.render.pipeline import CHILD_TARGETS, Job, all_targets, render_all

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.delenv("AZCONF_JOBS", raising=False)  # the forked child is what is under test
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    return project


def jobs_for(project: Project, out: Path) -> list[Job]:
    return [Job(source, out / source.env) for source in sources_for(project, ["staging", "prod"], None)]


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_failing_verdict_stops_the_child_and_nothing_is_written(project: Project, tmp_path: Path) -> None:
    jobs = jobs_for(project, tmp_path)

    def verdict() -> None:
        time.sleep(0.3)  # the child has built its units, maybe all of them, by now
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


def folder_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_two_processes_write_what_one_process_writes(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked, inline = tmp_path / "forked", tmp_path / "inline"
    render_all(project, jobs_for(project, forked), all_targets(), check=False)
    monkeypatch.setenv("AZCONF_JOBS", "1")
    render_all(project, jobs_for(project, inline), all_targets(), check=False)
    written = folder_bytes(forked)
    assert written == folder_bytes(inline)
    # The kubernetes folder is built and written by the child, recorded by this process.
    assert "prod/kubernetes/.azconf-rendered.json" in written
    record = json.loads(written["prod/kubernetes/.azconf-rendered.json"])
    on_disk = [
        name.removeprefix("prod/kubernetes/") for name in written if name.startswith("prod/kubernetes/")
    ]
    assert sorted(record["files"]) == sorted(set(on_disk) - {".azconf-rendered.json"})
    assert "kustomization.yaml" in record["files"] and len(record["files"]) > 10


def test_a_folder_built_by_the_child_loses_its_stale_files_only(project: Project, tmp_path: Path) -> None:
    render_all(project, jobs_for(project, tmp_path), ["kubernetes"], check=False)
    folder = tmp_path / "prod" / "kubernetes"
    record = json.loads((folder / ".azconf-rendered.json").read_text(encoding="utf-8"))
    # Rendered once, no longer produced, and still holding what azconf wrote: stale.
    record["files"]["service-retired.yaml"] = digest(b"kind: Service\n")
    (folder / ".azconf-rendered.json").write_text(json.dumps(record), encoding="utf-8")
    (folder / "service-retired.yaml").write_text("kind: Service\n", encoding="utf-8")
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")  # not azconf's

    checked = dict(render_all(project, jobs_for(project, tmp_path), ["kubernetes"], check=True)[1])
    assert checked["kubernetes"].extra == ["service-retired.yaml"]
    assert not checked["kubernetes"].missing and not checked["kubernetes"].different
    synced = dict(render_all(project, jobs_for(project, tmp_path), ["kubernetes"], check=False)[1])
    assert synced["kubernetes"].removed == ["service-retired.yaml"]
    assert synced["kubernetes"].written == [] and len(synced["kubernetes"].unchanged) > 10
    assert not (folder / "service-retired.yaml").exists()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert no_child_left()


def signing(render: Callable[[RenderContext], dict[str, str]]) -> Any:
    """``render``, adding a file ``built-by`` with the building process's id."""

    def signed(context: RenderContext) -> dict[str, str]:
        return {**render(context), "built-by": f"{os.getpid()}\n"}

    return signed


def test_the_child_builds_the_declared_targets_and_this_process_the_others(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in all_targets():
        monkeypatch.setattr(target(name), "render", signing(target(name).render))
    render_all(project, jobs_for(project, tmp_path), all_targets(), check=False)
    for env in ("staging", "prod"):
        for name in all_targets():
            builder = (tmp_path / env / name / "built-by").read_text(encoding="utf-8")
            assert (builder == f"{os.getpid()}\n") == (name not in CHILD_TARGETS), (env, name)
    assert no_child_left()


def test_two_targets_or_environments_may_not_share_a_folder(project: Project, tmp_path: Path) -> None:
    render = {"kubernetes": {"out": "deploy/{env}"}, "flagd": {"out": "deploy/{env}"}}
    sharing = dataclasses.replace(
        project, root=tmp_path, manifest=project.manifest.model_copy(update={"render": render})
    )
    jobs = [Job(job.source) for job in jobs_for(project, tmp_path)]
    with pytest.raises(DataError, match=r"staging/kubernetes and staging/flagd would both be rendered into"):
        render_all(sharing, jobs, ["kubernetes", "flagd"], check=False)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_stops_the_render_before_any_file_is_written(
    project: Project, tmp_path: Path
) -> None:
    # Each folder's record lists the files about to be written before the first write: a folder
    # that cannot take its record fails there, and no folder is left half old, half new.
    (tmp_path / "prod").mkdir()
    (tmp_path / "prod" / "tyk").write_text("a file where a folder goes\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"cannot write .*prod/tyk"):
        render_all(project, jobs_for(project, tmp_path), all_targets(), check=False)
    written = [
        path for path in tmp_path.rglob("*") if path.is_file() and path.name != ".azconf-rendered.json"
    ]
    assert written == [tmp_path / "prod" / "tyk"]
    assert no_child_left()
