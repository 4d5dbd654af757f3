"""Render environments for the chosen targets: contexts in, every target's files synced or checked."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from azconf.background import Staged, TaskQueue, can_fork, wait_for_leaving
from azconf.config.project import Project
from azconf.errors import DataError
from azconf.lifetime import keep_until_exit
from azconf.model.sections import Environment
from azconf.render import TARGETS, target
from azconf.render.base import RenderContext, RenderError, Reuse
from azconf.render.output import (
    FORCE_HINT,
    FilesReport,
    OutputReport,
    Plan,
    finish_folder,
    mark_pending,
    plan_files,
    read_record,
    record_written,
    write_planned,
)


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
    """One part of one target's files for one environment, built and compared, not yet written."""

    folder: Path
    plan: Plan


Reports = list[tuple[str, OutputReport]]


def render(
    project: Project, source: Source, names: list[str], *, out: Path | None, check: bool, force: bool = False
) -> list[tuple[str, OutputReport]]:
    """Render ``source`` for each target in ``names`` (all of them are built before any is written)."""
    return render_all(project, [Job(source, out)], names, check=check, force=force)[0]


def render_all(
    project: Project,
    jobs: list[Job],
    names: list[str],
    *,
    check: bool,
    force: bool = False,
    verdict: Callable[[], object] = lambda: None,
) -> list[Reports]:
    """Render every job for each target in ``names``; one list of reports per job, in order.

    Every target of every environment is built before any file is written, so a rule broken in one
    of them leaves every folder as it was. Building is pure and CPU-bound: the units of work (one
    part of a target for every environment, with the parts of other targets that share its work;
    see :func:`work_units`) are taken, largest first, by this process and a forked one on the second
    core (:class:`azconf.background.TaskQueue`). One process builds a part for every environment,
    so that what it derives from an item serves all of them (:class:`azconf.render.base.Reuse`).
    The child reports whether its units built cleanly, and writes them only once told that every
    unit did (:class:`azconf.background.Staged`); this process then removes stale files and
    records each folder.

    ``verdict`` finishes checking the sources (see :class:`azconf.render.sources.PendingSources`):
    the child starts building while this process runs it, and an error it raises stops the child
    before anything is written.

    Each part is compared with the disk as it is built (:func:`azconf.render.output.plan_files`): a
    file in the way that azconf did not write (unless ``force``), or a linked subfolder, stops the
    run before anything is written. Before the first write, each folder's record lists the files
    about to be written (:func:`azconf.render.output.mark_pending`).
    """
    try:
        builder = _Builder(project, jobs, names, check=check, force=force)
    except DataError:
        verdict()  # an invalid environment is the first thing to fix
        raise
    if not can_fork() or not 2 <= len(builder.units) <= TaskQueue.MAX_TASKS:
        verdict()
        outcomes, side = builder.build(builder.units), None
    else:
        queue = TaskQueue(len(builder.units))
        side = Staged(lambda: builder.build(builder.taken(queue)), builder.write)
        try:
            verdict()
        except BaseException:
            side.abandon()  # it has only built, in its own memory: nothing to undo
            queue.close()
            raise
        outcomes = builder.build(builder.taken(queue)) | side.first_result()
        queue.close()
    outcomes |= builder.finish(outcomes)  # before anything is written: it may break rules too
    broken = [(job.source.env, found) for job, found in _by_job(jobs, names, outcomes) if found]
    refused = sorted(message for outcome in outcomes.values() for message in outcome.refused)
    try:
        if broken:
            raise _violations_error(broken, len(jobs))
        if refused:
            raise _refused_error(refused, force=all(outcome.forceable for outcome in outcomes.values()))
        if not check:
            builder.mark_pending(outcomes)  # before the child, or this process, writes anything
    except BaseException:
        if side is not None:
            side.proceed(go=False)
        raise
    if side is not None:
        side.proceed(go=True)
    mine = builder.write()
    theirs = side.result() if side is not None else Written({}, None)
    # Each folder whose parts were all written is finished, even when some other one failed: a
    # file written and not recorded would never be removed, nor reported as extra by --check.
    reports = builder.folders(mine.reports | theirs.reports, check)
    wait_for_leaving()  # the child has been exiting while the folders were finished
    keep_until_exit(builder, outcomes, mine, theirs)  # every file's text: never freed one by one
    for failure in (mine.failure, theirs.failure):
        if failure is not None:
            raise DataError(failure[0], hint=failure[1])
    return [[(name, reports[(index, name)]) for name in names] for index in range(len(jobs))]


Piece = tuple[str, int, tuple[int, ...]]  # (target, part, indices of the jobs)
Unit = tuple[Piece, ...]  # built in one process, piece by piece
Key = tuple[int, str, int]  # (index of the job, target, part): one part of one environment's files
FINISH = -1  # the part of the files a target makes from the names of all the others


@dataclass(frozen=True)
class Written:
    """What one process wrote: a report per part, or why it could not write (message, hint)."""

    reports: dict[Key, FilesReport]
    failure: tuple[str, str | None] | None


@dataclass(frozen=True)
class Outcome:
    """How one part of one environment built: the rules it broke, or the names of its files, the
    files in the way it may not replace, and the hashes of those it will write."""

    violations: list[str]
    files: list[str]
    refused: list[str] = field(default_factory=list)
    forceable: bool = True
    pending: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def broken(error: RenderError) -> Outcome:
        """The outcome of a part that broke the rules ``error`` lists, each named by its target."""
        return Outcome([f"{error.target}: {v}" for v in error.violations], [])

    @staticmethod
    def planned(files: dict[str, str], plan: Plan) -> Outcome:
        """The outcome of a part built into ``files`` and compared with the disk as ``plan``."""
        pending = {name: plan.report.digests[name] for name in plan.report.written}
        return Outcome([], list(files), plan.refused, plan.forceable, pending)


class _Builder:
    """Builds units and keeps their files until they are written (in whichever process built them)."""

    def __init__(
        self, project: Project, jobs: list[Job], names: list[str], *, check: bool, force: bool
    ) -> None:
        # Options are read (and bad ones reported) and every target imported here, before any fork:
        # a child only builds and writes, and imports nothing twice.
        self.options = {name: target_options(project, name) for name in names}
        self.units = work_units(names, len(jobs))
        self._project, self._jobs = project, jobs
        self._shared: list[dict[str, Any]] = [{} for _ in jobs]  # per environment, for all its targets
        self._reuse = Reuse()  # per item, for every environment and target this process builds
        self._built: dict[Key, Built] = {}
        self._folders = _distinct_folders(project, jobs, self.options)
        self._expected: dict[tuple[int, str], set[Key]] = {}  # the parts of each folder's files
        # Each folder's record as it was before this run (read before any fork, once).
        self._records = {folder: read_record(folder) for folder in self._folders.values()}
        self._check, self._force = check, force

    def taken(self, queue: TaskQueue) -> Iterator[Unit]:
        """The units this process takes from ``queue``, one at a time, until none is left."""
        while (number := queue.take()) is not None:
            yield self.units[number]

    def build(self, units: Iterable[Unit]) -> dict[Key, Outcome]:
        """Build ``units``: how each part of each environment built."""
        outcomes: dict[Key, Outcome] = {}
        for name, part, indices in (piece for unit in units for piece in unit):
            for index in indices:
                try:
                    files = target(name).render_part(self._context(index, name), part)
                except RenderError as error:
                    outcomes[(index, name, part)] = Outcome.broken(error)
                    continue
                plan = self._plan(index, name, files)
                self._built[(index, name, part)] = Built(self._folders[(index, name)], plan)
                outcomes[(index, name, part)] = Outcome.planned(files, plan)
        return outcomes

    def finish(self, outcomes: dict[Key, Outcome]) -> dict[Key, Outcome]:
        """Build, in this process, the files each target makes from the names of all its parts'
        files (a kustomization): how each built, as part ``FINISH``."""
        names: dict[tuple[int, str], list[str]] = {}
        for (index, name, _), outcome in outcomes.items():
            names.setdefault((index, name), []).extend(outcome.files)
        finished: dict[Key, Outcome] = {}
        for (index, name), files in names.items():
            key = (index, name, FINISH)
            try:
                made = target(name).finish(self._context(index, name), sorted(files))
            except RenderError as error:
                finished[key] = Outcome.broken(error)
                continue
            plan = self._plan(index, name, made)
            finished[key] = Outcome.planned(made, plan)
            if made:
                self._built[key] = Built(self._folders[(index, name)], plan)
        # What each folder holds: every part, and the finished files if there are any.
        for key in [*outcomes, *(key for key in finished if key in self._built)]:
            self._expected.setdefault((key[0], key[1]), set()).add(key)
        return finished

    def _plan(self, index: int, name: str, files: dict[str, str]) -> Plan:
        folder = self._folders[(index, name)]
        return plan_files(folder, files, self._records[folder], check=self._check, force=self._force)

    def mark_pending(self, outcomes: dict[Key, Outcome]) -> None:
        """List in each folder's record the files about to be written there (from either process)."""
        pending: dict[Path, dict[str, str]] = {}
        for (index, name, _), outcome in outcomes.items():
            pending.setdefault(self._folders[(index, name)], {}).update(outcome.pending)
        for folder, digests in pending.items():
            mark_pending(folder, self._records[folder], digests)

    def write(self) -> Written:
        """Write the files of every part this process built (nothing with check: it compared them)."""
        try:
            write_planned([write for built in self._built.values() for write in built.plan.writes])
        except DataError as error:  # nothing this process wrote counts as written
            return Written({}, (error.message, error.hint))
        return Written({key: built.plan.report for key, built in self._built.items()}, None)

    def folders(self, written: dict[Key, FilesReport], check: bool) -> dict[tuple[int, str], OutputReport]:
        """Finish each folder whose parts were all written: stale files removed, files recorded.

        A folder that some part could not be written to only has what was written recorded.
        """
        reports = {}
        for (index, name), keys in self._expected.items():
            folder = self._folders[(index, name)]
            parts = [written[key] for key in sorted(keys) if key in written]
            if keys <= written.keys():
                reports[(index, name)] = finish_folder(folder, parts, self._records[folder], check=check)
            elif not check:
                record_written(folder, parts)
        return reports

    def _context(self, index: int, name: str) -> RenderContext:
        source = self._jobs[index].source
        return render_context(self._project, source, self.options[name], self._shared[index], self._reuse)


def _distinct_folders(
    project: Project, jobs: list[Job], options: dict[str, Any]
) -> dict[tuple[int, str], Path]:
    """Each (job, target)'s output folder; a DataError if two would share one (each would remove
    the other's files as stale)."""
    folders: dict[tuple[int, str], Path] = {}
    owner: dict[Path, tuple[int, str]] = {}
    for index, job in enumerate(jobs):
        for name, option in options.items():
            if job.out is not None:
                folder = job.out / name
            else:
                folder = project.root / option.out.replace("{env}", job.source.env).replace("{target}", name)
            folder = Path(os.path.normpath(folder))
            if folder in owner:
                other_index, other = owner[folder]
                raise DataError(
                    f"{jobs[other_index].source.env}/{other} and {job.source.env}/{name} would both be "
                    f"rendered into {folder}",
                    hint="give each environment and target its own folder: put {env} and {target} in "
                    "render.<target>.out in azconf.yaml",
                )
            owner[folder] = (index, name)
            folders[(index, name)] = folder
    return folders


def work_units(names: list[str], jobs: int) -> list[Unit]:
    """Each part of each target for every job; the biggest first, so that both processes end together.

    The biggest first: the targets in their documented order (kubernetes, about two thirds of the
    work, first). Parts that share work (:meth:`azconf.render.base.Target.shares`) form one unit,
    built in one process. The last unit is split by job: the work ends in small pieces.
    """
    every = tuple(range(jobs))
    units: list[Unit] = []
    if not names:
        return units
    unit_of: dict[str, int] = {}  # what parts share -> the index of their unit
    for name in names:
        for part in range(target(name).parts):
            shared = target(name).shares(part)
            if shared in unit_of:
                units[unit_of[shared]] += ((name, part, every),)
                continue
            if shared is not None:
                unit_of[shared] = len(units)
            units.append(((name, part, every),))
    last = units.pop()
    units += [tuple((name, part, (index,)) for name, part, _ in last) for index in every]
    return units


def _by_job(jobs: list[Job], names: list[str], outcomes: dict[Key, Outcome]) -> list[tuple[Job, list[str]]]:
    """Each job's broken rules: every target's, part by part, each rule once."""
    found = []
    for index, job in enumerate(jobs):
        keys = [(index, name, part) for name in names for part in [*range(target(name).parts), FINISH]]
        rules = [rule for key in keys if key in outcomes for rule in outcomes[key].violations]
        found.append((job, list(dict.fromkeys(rules))))
    return found


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


def _refused_error(refused: list[str], *, force: bool) -> DataError:
    """The error of a render that found files in the way it may not replace; nothing was written."""
    return DataError(
        f"cannot render: {len(refused)} file(s) in the way that azconf may not replace; nothing was written",
        hint="\n  ".join([*refused, FORCE_HINT if force else "replace each link by a real folder"]),
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
