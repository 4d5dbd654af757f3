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

    Every target of every environment is built before any file is written, so a rule broken in one
    of them leaves every folder as it was. Building is pure and CPU-bound, so the units of work (a
    target of an environment) are split between this process and a forked one on the second core,
    which builds its half, reports whether it built cleanly, and writes its half only once told
    that every unit did (:class:`azconf.background.Staged`).
    """
    from azconf.background import Staged

    # Options are read (and bad ones reported) here, and every target module imported, before the
    # fork: the child only builds and writes, and imports nothing twice.
    options = {name: _options(project, name, target(name).options_model) for name in names}
    units = [(index, name) for index in range(len(jobs)) for name in names]
    here, there = _halves(units, names)
    shared: list[dict[str, Any]] = [{} for _ in jobs]  # per environment, for all of its targets
    built_there: list[Built | list[str]] = []  # filled in the child

    def build(chosen: list[Unit]) -> list[Built | list[str]]:
        return [_build_unit(project, jobs[i], name, options[name], shared[i]) for i, name in chosen]

    def build_there() -> list[list[str]]:
        built_there.extend(build(there))
        return [item if isinstance(item, list) else [] for item in built_there]  # only the violations

    def write_there() -> list[OutputReport]:
        return [_sync(item, check) for item in built_there if isinstance(item, Built)]

    side = Staged(build_there, write_there) if there else None
    built_here = build(here)
    violations = dict(zip(here, (item if isinstance(item, list) else [] for item in built_here), strict=True))
    if side is not None:
        violations.update(zip(there, side.first_result(), strict=True))
    broken = [
        (jobs[i].source.env, [v for name in names for v in violations[(i, name)]]) for i in range(len(jobs))
    ]
    broken = [(env, found) for env, found in broken if found]
    if side is not None:
        side.proceed(go=not broken)
    if broken:
        raise _violations_error(broken, len(jobs))
    reports = dict(
        zip(here, (_sync(item, check) for item in built_here if isinstance(item, Built)), strict=True)
    )
    if side is not None:
        reports.update(zip(there, side.result(), strict=True))
    return [[(name, reports[(i, name)]) for name in names] for i in range(len(jobs))]


Unit = tuple[int, str]  # (index of the job, target name): one target of one environment


def _sync(built: Built, check: bool) -> OutputReport:
    return sync_folder(built.folder, built.files, check=check)


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


def _build_unit(
    project: Project, job: Job, name: str, options: Any, shared: dict[str, Any]
) -> Built | list[str]:
    try:
        folder, files = _build(project, job, name, options, shared)
    except RenderError as error:
        return [f"{error.target}: {v}" for v in error.violations]
    return Built(name, folder, files)


def _violations_error(broken: list[tuple[str, list[str]]], jobs: int) -> DataError:
    count = sum(len(found) for _, found in broken)
    if jobs == 1:
        ((env, found),) = broken
        return DataError(
            f"cannot render {env}: {count} rule(s) of the consuming tools broken", hint="\n  ".join(found)
        )
    lines = [f"{env}: {line}" for env, found in broken for line in found]
    envs = ", ".join(env for env, _ in broken)
    return DataError(
        f"cannot render {envs}: {count} rule(s) of the consuming tools broken; nothing was written",
        hint="\n  ".join(lines),
    )


def _build(
    project: Project, job: Job, name: str, options: Any, shared: dict[str, Any]
) -> tuple[Path, dict[str, str]]:
    source, out = job.source, job.out
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
        shared=shared,
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
