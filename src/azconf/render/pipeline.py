"""Render one environment for the chosen targets: context in, every target's files synced or checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from azconf.config.project import Project
from azconf.errors import DataError
from azconf.model.sections import Environment
from azconf.render import TARGETS, target
from azconf.render.base import RenderContext, RenderError
from azconf.render.output import OutputReport, sync_folder


@dataclass(frozen=True)
class Source:
    """What to render: a valid environment's model and data, and how files should name it."""

    env: str
    model: Environment
    data: dict[str, Any]
    version: str
    content_hash: str


@dataclass(frozen=True)
class Job:
    """One environment to render: its source, and the folder that replaces the configured ones."""

    source: Source
    out: Path | None = None


@dataclass(frozen=True)
class Built:
    """One target's files for one environment, built but not yet written."""

    target: str
    folder: Path
    files: dict[str, str]


Reports = list[tuple[str, OutputReport]]


def render(
    project: Project, source: Source, names: list[str], *, out: Path | None, check: bool
) -> list[tuple[str, OutputReport]]:
    """Render ``source`` for each target in ``names`` (all of them are built before any is written)."""
    return render_all(project, [Job(source, out)], names, check=check)[0]


def render_all(project: Project, jobs: list[Job], names: list[str], *, check: bool) -> list[Reports]:
    """Render every job for each target in ``names``; one list of reports per job, in order.

    Every environment is built before any file is written, so a rule broken in one of them leaves
    every folder as it was. Building is pure and CPU-bound: with several environments, half of
    them are built in a forked process on the second core (:mod:`azconf.background`).
    """
    built = _build_all(project, jobs, names)
    broken = [
        (job.source.env, found) for job, found in zip(jobs, built, strict=True) if isinstance(found, str)
    ]
    if broken:
        raise _violations_error(broken, len(jobs))
    return [
        [(b.target, sync_folder(b.folder, b.files, check=check)) for b in found]
        for found in built
        if not isinstance(found, str)
    ]


def _build_all(project: Project, jobs: list[Job], names: list[str]) -> list[list[Built] | str]:
    """Each job's built targets, or the rules it breaks (one per line)."""
    from azconf.background import Background

    if len(jobs) < 2:
        return [_build_job(project, job, names) for job in jobs]
    side = Background(lambda: [_build_job(project, job, names) for job in jobs[1::2]])
    here = [_build_job(project, job, names) for job in jobs[0::2]]
    there = side.result()
    merged: list[list[Built] | str] = []
    for index in range(len(jobs)):
        merged.append(here[index // 2] if index % 2 == 0 else there[index // 2])
    return merged


def _build_job(project: Project, job: Job, names: list[str]) -> list[Built] | str:
    built: list[Built] = []
    violations: list[str] = []
    for name in names:
        try:
            folder, files = _build(project, job.source, name, job.out)
        except RenderError as error:
            violations += [f"{error.target}: {v}" for v in error.violations]
            continue
        built.append(Built(name, folder, files))
    return "\n".join(violations) if violations else built


def _violations_error(broken: list[tuple[str, str]], jobs: int) -> DataError:
    count = sum(len(found.splitlines()) for _, found in broken)
    if jobs == 1:
        ((env, found),) = broken
        return DataError(
            f"cannot render {env}: {count} rule(s) of the consuming tools broken",
            hint="\n  ".join(found.splitlines()),
        )
    lines = [f"{env}: {line}" for env, found in broken for line in found.splitlines()]
    envs = ", ".join(env for env, _ in broken)
    return DataError(
        f"cannot render {envs}: {count} rule(s) of the consuming tools broken; nothing was written",
        hint="\n  ".join(lines),
    )


def _build(project: Project, source: Source, name: str, out: Path | None) -> tuple[Path, dict[str, str]]:
    chosen = target(name)
    options = _options(project, name, chosen.options_model)
    context = RenderContext(
        project=project.manifest.project,
        env=source.env,
        model=source.model,
        data=source.data,
        version=source.version,
        content_hash=source.content_hash,
        options=options,
        environments=tuple(project.manifest.environments),
        root=project.root,
    )
    files = chosen.render(context)
    folder = (
        out / name
        if out
        else project.root / options.out.replace("{env}", source.env).replace("{target}", name)
    )
    return folder, files


def _options(project: Project, name: str, model: Any) -> Any:
    raw = next((value for key, value in project.manifest.render.items() if key == name), {})
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataError(
            f"azconf.yaml: render.{name}.{where}: {first['msg']}",
            hint=f"see docs/render.md for the options of the {name} target",
        ) from None


def all_targets() -> list[str]:
    """Every target name, in the documented order."""
    return list(TARGETS)
