"""Render environments for the chosen targets: contexts in, every target's files synced or checked."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from azconf.background import Staged, TaskQueue, can_fork
from azconf.config.project import Project
from azconf.errors import DataError
from azconf.model.sections import Environment
from azconf.render import TARGETS, target
from azconf.render.base import RenderContext, RenderError, Reuse, TargetOptions
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


def render_all(
    project: Project,
    jobs: list[Job],
    names: list[str],
    *,
    check: bool,
    verdict: Callable[[], object] = lambda: None,
) -> list[Reports]:
    """Render every job for each target in ``names``; one list of reports per job, in order.

    Every target of every environment is built before any file is written, so a rule broken in one
    of them leaves every folder as it was. Building is pure and CPU-bound: the units of work (one
    target of one environment) are taken, largest first, by this process and a forked one on the
    second core (:class:`azconf.background.TaskQueue`); the child reports whether its units built
    cleanly, and writes them only once told that every unit did (:class:`azconf.background.Staged`).

    ``verdict`` finishes checking the sources (see :class:`azconf.render.sources.PendingSources`):
    the child starts building while this process runs it, and an error it raises stops the child
    before anything is written.
    """
    try:
        builder = _Builder(project, jobs, names)
    except DataError:
        verdict()  # an invalid environment is the first thing to fix
        raise
    if not can_fork() or len(builder.units) < 2 or len(builder.units) > TaskQueue.MAX_TASKS:
        verdict()
        violations, side = builder.build(builder.units), None
    else:
        queue = TaskQueue(len(builder.units))
        side = Staged(lambda: builder.build(builder.taken(queue)), lambda: builder.write(check))
        try:
            verdict()
        except BaseException:
            side.abandon()  # it has only built, in its own memory: nothing to undo
            queue.close()
            raise
        violations = builder.build(builder.taken(queue)) | side.first_result()
        queue.close()
    broken = [(job.source.env, found) for job, found in _by_job(jobs, names, violations) if found]
    if side is not None:
        side.proceed(go=not broken)
    if broken:
        raise _violations_error(broken, len(jobs))
    reports = builder.write(check)
    if side is not None:
        reports |= side.result()
    return [[(name, reports[(index, name)]) for name in names] for index in range(len(jobs))]


Unit = tuple[int, str]  # (index of the job, target name): one target of one environment


class _Builder:
    """Builds units and keeps their files until they are written (in whichever process built them)."""

    def __init__(self, project: Project, jobs: list[Job], names: list[str]) -> None:
        # Options are read (and bad ones reported) and every target imported here, before any fork:
        # a child only builds and writes, and imports nothing twice.
        self.options = {name: target_options(project, name) for name in names}
        # Largest first, so that the last units taken are small and both processes end together:
        # the targets in their documented order (kubernetes, about two thirds of the work, first).
        self.units: list[Unit] = [(index, name) for name in names for index in range(len(jobs))]
        self._project, self._jobs = project, jobs
        self._shared: list[dict[str, Any]] = [{} for _ in jobs]  # per environment, for all its targets
        self._reuse = Reuse()  # per item, for every environment and target this process builds
        self._built: dict[Unit, Built] = {}

    def taken(self, queue: TaskQueue) -> Iterator[Unit]:
        """The units this process takes from ``queue``, one at a time, until none is left."""
        while (number := queue.take()) is not None:
            yield self.units[number]

    def build(self, units: Iterable[Unit]) -> dict[Unit, list[str]]:
        """Build ``units``; the rules each one breaks (an empty list when it built cleanly)."""
        violations: dict[Unit, list[str]] = {}
        for index, name in units:
            context = render_context(
                self._project, self._jobs[index].source, self.options[name], self._shared[index], self._reuse
            )
            try:
                files = target(name).render(context)
            except RenderError as error:
                violations[(index, name)] = [f"{error.target}: {v}" for v in error.violations]
                continue
            folder = _folder(self._project, self._jobs[index], name, self.options[name])
            self._built[(index, name)] = Built(name, folder, files)
            violations[(index, name)] = []
        return violations

    def write(self, check: bool) -> dict[Unit, OutputReport]:
        """Sync (or with ``check`` compare) the folders of every unit this process built."""
        return {
            unit: sync_folder(built.folder, built.files, check=check) for unit, built in self._built.items()
        }


def _by_job(
    jobs: list[Job], names: list[str], violations: dict[Unit, list[str]]
) -> list[tuple[Job, list[str]]]:
    return [(job, [v for name in names for v in violations[(index, name)]]) for index, job in enumerate(jobs)]


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


def render_context(
    project: Project, source: Source, options: Any, shared: dict[str, Any], reuse: Reuse
) -> RenderContext:
    """What one target sees of ``source``: ``options`` are its :func:`target_options`, ``shared``
    the environment's dict for all its targets, ``reuse`` the run's (see RenderContext)."""
    return RenderContext(
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
        reuse=reuse,
    )


def _folder(project: Project, job: Job, name: str, options: TargetOptions) -> Path:
    if job.out is not None:
        return job.out / name
    return project.root / options.out.replace("{env}", job.source.env).replace("{target}", name)


def target_options(project: Project, name: str) -> Any:
    """The options of target ``name`` from ``render.<name>`` in azconf.yaml; a bad one is a DataError."""
    raw = next((value for key, value in project.manifest.render.items() if key == name), {})
    try:
        return target(name).options_model.model_validate(raw)
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
