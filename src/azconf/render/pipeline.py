"""Render environments for the chosen targets: every file built, then every file written, or none.

The whole flow is :func:`render_all`:

1. Each target's options and each output folder's record are read (a bad option, or two targets
   sharing a folder, stops the run here).
2. The units of work, one per (environment, target), are split statically: a forked child builds
   those of :data:`CHILD_TARGETS`, while this process finishes checking the sources (``verdict``)
   and then builds the others. Each process keeps one :class:`~azconf.render.base.Reuse`, so what
   a target derives from an item that several environments share is derived once.
3. Each unit's files are compared with the disk as they are built
   (:func:`~azconf.render.output.plan_files`). A broken rule in any unit, or a file in the way,
   stops the run before anything is written.
4. Otherwise each folder's record lists the files about to be written, each process writes what it
   built, and this process removes stale files and records each folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azconf import progress
from azconf.config.project import Project
from azconf.errors import DataError
from azconf.model.sections import Environment
from azconf.process.fork import Staged, can_fork
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
    write_planned,
)
from azconf.render.render_settings import render_settings

# The targets a forked child builds, for every environment, while this process checks the sources
# and builds the rest. Kubernetes is about two thirds of the building; flagd shares its flag
# document (RenderContext.shared) with it. Tyk stays here: building its definitions a second time
# costs no measurable CPU (they are small), and balances the two processes (large corpus, idle
# machine: 1,083 ms wall against 1,136 ms with tyk in the child; CPU 1,335 ms either way).
CHILD_TARGETS = frozenset({"kubernetes", "flagd"})


@dataclass(frozen=True)
class Source:
    """What to render: a valid environment's model and data, and how files should name it."""

    env: str
    model: Environment
    data: dict[str, Any]
    version: str
    content_hash: str
    working_tree: bool = (
        False  # the files on disk (then version names the recorded version it equals, if any)
    )


@dataclass(frozen=True)
class Job:
    """One environment to render: its source, and the folder that replaces the configured ones."""

    source: Source
    out: Path | None = None


Reports = list[tuple[str, OutputReport]]
Unit = tuple[int, str]  # (index of the job, target): one folder's files


def render(
    project: Project, source: Source, names: list[str], *, out: Path | None, check: bool, force: bool = False
) -> Reports:
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

    ``verdict`` finishes checking the sources: it runs while the child builds, and an error it
    raises stops the run before anything is written. See the module docstring for the flow.
    """
    try:
        run = _Run(project, jobs, names, check=check, force=force)
    except DataError:
        verdict()  # an invalid environment is the first thing to fix
        raise
    theirs = [unit for unit in run.units if unit[1] in CHILD_TARGETS]
    child = Staged(lambda: run.build(theirs), run.write) if theirs and can_fork() else None
    try:
        progress.report(f"checking {len(jobs)} environment(s)")
        verdict()
        mine = run.units if child is None else [unit for unit in run.units if unit[1] not in CHILD_TARGETS]
        outcomes = run.build(mine)
        if child is not None:
            step = f"building {', '.join(sorted(CHILD_TARGETS))} (second process)"
            progress.report(step, run.built, len(run.units))
            outcomes |= child.first_result()
        _stop_if_broken(jobs, run.units, outcomes)
        if not check:
            progress.report("writing files")
            run.mark_pending(outcomes)  # before either process writes anything
    except BaseException:
        if child is not None:
            child.abandon()  # it has only built, in its own memory: nothing to undo
        raise
    if child is not None:
        child.proceed(go=True)
    try:
        mine_written = run.write()
    finally:  # the child writes meanwhile: wait for it (and reap it) whatever happened here
        theirs_written = child.result() if child else Written({}, None)
    written = [mine_written, theirs_written]
    # Each folder that was written is finished, even when the other process failed: a file written
    # and not recorded would never be removed, nor reported as extra by --check.
    reports = run.finish({unit: files for part in written for unit, files in part.reports.items()})
    for failure in (part.failure for part in written):
        if failure is not None:
            raise DataError(failure[0], hint=failure[1])
    return [
        [(name, reports[(index, name)]) for name in names if (index, name) in reports]
        for index in range(len(jobs))
    ]


@dataclass(frozen=True)
class Written:
    """What one process wrote: a report per unit, or why it could not write (message, hint)."""

    reports: dict[Unit, FilesReport]
    failure: tuple[str, str | None] | None


@dataclass(frozen=True)
class Outcome:
    """How one unit built: the rules it broke, or the files in the way it may not replace and the
    hashes of the files it will write."""

    violations: list[str]
    refused: list[str] = field(default_factory=list)
    forceable: bool = True
    pending: dict[str, str] = field(default_factory=dict)


class _Run:
    """One render's units: built, kept until written (in whichever process built them), finished."""

    def __init__(
        self, project: Project, jobs: list[Job], names: list[str], *, check: bool, force: bool
    ) -> None:
        # Options are read (and bad ones reported) and every target imported before any fork:
        # a child only builds and writes, and imports nothing twice.
        settings = render_settings(project)
        self.units: list[Unit] = [
            (index, name)
            for name in names
            for index, job in enumerate(jobs)
            if name in settings.targets(job.source.env)
        ]
        self.options = {(i, name): settings.options(name, jobs[i].source.env) for i, name in self.units}
        # Every target's options of each job's environment: the Kubernetes target renders the Tyk
        # gateway from the tyk target's options, whether or not tyk itself is rendered.
        self.peers = [{name: settings.options(name, job.source.env) for name in TARGETS} for job in jobs]
        self._project, self._jobs = project, jobs
        self._folders = _distinct_folders(project, jobs, self.options)
        self._records = {folder: read_record(folder) for folder in self._folders.values()}
        self._shared: list[dict[str, Any]] = [{} for _ in jobs]  # per environment, for all its targets
        self._reuse = Reuse()  # per item, for every environment and target this process builds
        self._plans: dict[Unit, Plan] = {}
        self._check, self._force = check, force
        self.built = 0  # units built in this process so far

    def build(self, units: list[Unit]) -> dict[Unit, Outcome]:
        """Build and plan ``units``: how each built."""
        outcomes = {}
        for index, name in units:
            progress.report(f"building {self._jobs[index].source.env}/{name}", self.built, len(self.units))
            outcomes[(index, name)] = self._build(index, name)
            self.built += 1
        return outcomes

    def _build(self, index: int, name: str) -> Outcome:
        source = self._jobs[index].source
        options = self.options[(index, name)]
        context = render_context(
            self._project, source, options, self._shared[index], self._reuse, peers=self.peers[index]
        )
        try:
            files = target(name).render(context)
        except RenderError as error:
            return Outcome([f"{error.target}: {v}" for v in error.violations])
        folder = self._folders[(index, name)]
        plan = plan_files(folder, files, self._records[folder], check=self._check, force=self._force)
        self._plans[(index, name)] = plan
        pending = {name: plan.report.digests[name] for name in plan.report.written}
        return Outcome([], plan.refused, plan.forceable, pending)

    def mark_pending(self, outcomes: dict[Unit, Outcome]) -> None:
        """List in each folder's record the files about to be written there (from either process)."""
        for unit, outcome in outcomes.items():
            folder = self._folders[unit]
            mark_pending(folder, self._records[folder], outcome.pending)

    def write(self) -> Written:
        """Write the files of every unit this process built (nothing with check: it compared them)."""
        try:
            write_planned([write for plan in self._plans.values() for write in plan.writes])
        except DataError as error:  # nothing this process wrote counts as written
            return Written({}, (error.message, error.hint))
        return Written({unit: plan.report for unit, plan in self._plans.items()}, None)

    def finish(self, written: dict[Unit, FilesReport]) -> dict[Unit, OutputReport]:
        """Finish each folder that was written: stale files removed, files recorded."""
        reports = {}
        for unit, files in written.items():
            folder = self._folders[unit]
            version = self._jobs[unit[0]].source.version
            reports[unit] = finish_folder(
                folder, files, self._records[folder], check=self._check, version=version
            )
        return reports


def _distinct_folders(project: Project, jobs: list[Job], options: dict[Unit, Any]) -> dict[Unit, Path]:
    """Each (job, target)'s output folder; a DataError if two would share one (each would remove
    the other's files as stale)."""
    folders: dict[Unit, Path] = {}
    owner: dict[Path, Unit] = {}
    for (index, name), option in options.items():
        job = jobs[index]
        if job.out is not None:
            folder = Path(os.path.normpath(job.out / name))
        else:
            folder = configured_folder(project, job.source.env, name, option)
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


def configured_folder(project: Project, env: str, name: str, options: Any = None) -> Path:
    """Target ``name``'s output folder for ``env`` from ``render.<name>.out`` in azconf.yaml."""
    out = (options or target_options(project, name, env)).out
    return Path(os.path.normpath(project.root / out.replace("{env}", env).replace("{target}", name)))


def _stop_if_broken(jobs: list[Job], units: list[Unit], outcomes: dict[Unit, Outcome]) -> None:
    """A DataError if any unit broke a rule, or found a file in the way it may not replace."""
    broken = []
    for index, job in enumerate(jobs):
        rules = [rule for unit in units if unit[0] == index for rule in outcomes[unit].violations]
        if rules:
            broken.append((job.source.env, list(dict.fromkeys(rules))))
    if broken:
        raise _violations_error(broken, len(jobs))
    refused = sorted(message for outcome in outcomes.values() for message in outcome.refused)
    if refused:
        raise _refused_error(refused, force=all(outcome.forceable for outcome in outcomes.values()))


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
    project: Project,
    source: Source,
    options: Any,
    shared: dict[str, Any],
    reuse: Reuse,
    *,
    peers: dict[str, Any] | None = None,
) -> RenderContext:
    """What one target sees of ``source``: ``options`` are its :func:`target_options`, ``shared``
    the environment's dict for all its targets, ``reuse`` the run's, ``peers`` every target's
    options (see RenderContext)."""
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
        peer_options=peers or {},
    )


def target_options(project: Project, name: str, env: str) -> Any:
    """The options of target ``name`` for ``env`` (see :mod:`azconf.render.render_settings`); bad
    render settings are a DataError listing every problem."""
    return render_settings(project).options(name, env)


def all_targets() -> list[str]:
    """Every target name, in the documented order."""
    return list(TARGETS)
