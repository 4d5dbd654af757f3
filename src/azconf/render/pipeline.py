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


Unit = tuple[int, str]  # (index of the job, target name): one target of one environment


def _build_all(project: Project, jobs: list[Job], names: list[str]) -> list[list[Built] | str]:
    """Each job's built targets, or the rules it breaks (one per line)."""
    from azconf.background import Background

    # Options are read (and bad ones reported) here, and every target module imported, before any
    # fork: a child only builds, and imports nothing twice.
    options = {name: _options(project, name, target(name).options_model) for name in names}
    units = [(index, name) for index in range(len(jobs)) for name in names]
    here, there = _halves(units, names)

    def build(chosen: list[Unit]) -> list[Built | list[str]]:
        return [_build_unit(project, jobs[index], name, options[name]) for index, name in chosen]

    side = Background(lambda: build(there)) if there else None
    results = dict(zip(here, build(here), strict=True))
    if side is not None:
        results.update(zip(there, side.result(), strict=True))
    merged: list[list[Built] | str] = []
    for index in range(len(jobs)):
        found = [results[(index, name)] for name in names]
        violations = [line for item in found if isinstance(item, list) for line in item]
        merged.append("\n".join(violations) if violations else [b for b in found if isinstance(b, Built)])
    return merged


def _halves(units: list[Unit], names: list[str]) -> tuple[list[Unit], list[Unit]]:
    """The units for this process and for a second one (empty: no second process is worth it).

    Every other environment goes to the second process; with one environment, its first target
    (kubernetes, the largest) stays here and the others go there.
    """
    jobs = {index for index, _ in units}
    if len(jobs) > 1:
        return [u for u in units if u[0] % 2 == 0], [u for u in units if u[0] % 2 == 1]
    if len(names) > 1:
        return [u for u in units if u[1] == names[0]], [u for u in units if u[1] != names[0]]
    return units, []


def _build_unit(project: Project, job: Job, name: str, options: Any) -> Built | list[str]:
    try:
        folder, files = _build(project, job.source, name, job.out, options)
    except RenderError as error:
        return [f"{error.target}: {v}" for v in error.violations]
    return Built(name, folder, files)


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


def _build(
    project: Project, source: Source, name: str, out: Path | None, options: Any
) -> tuple[Path, dict[str, str]]:
    chosen = target(name)
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
