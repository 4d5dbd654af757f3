"""Every write azconf makes to a project's files: locked, validated, all-or-nothing, recorded.

One function, :func:`write_recorded`, carries out a plan for every writer (``set``, ``unset``,
``promote``, ``restore``, the flags service):

1. take the project's edit lock (``.azconf/edit.lock``), so writers queue instead of losing writes;
2. finish or undo a write that a crash interrupted (:func:`recover`);
3. read the files fresh and plan; refuse (:class:`Conflict`) if the plan differs from the one the
   user confirmed, or the caller's precondition fails;
4. validate the edited environment in memory;
5. record the working tree as it was, if it holds edits that history has not seen;
6. write a journal of every file's old and new text, then each file atomically;
7. record exactly one new version holding the content after the write, with its audit entries;
8. remove the journal.

A crash before step 7 is rolled back at the next start (every file gets its old text again); a crash
after it is rolled forward (the files get their new text): the files and history never disagree.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azconf import progress
from azconf.atomic import write_atomic
from azconf.config.project import ParsedFiles, Project, load_project
from azconf.edit.plan import ABSENT, FileEdit, Plan, Planner, StrPath
from azconf.errors import DataError
from azconf.process.gcpause import gc_paused

if TYPE_CHECKING:
    from azconf.diff import Change
    from azconf.environment import LoadedEnvironment
    from azconf.history.records import Version

LOCK_NAME = ".azconf/edit.lock"
JOURNAL_NAME = ".azconf/edit-journal.json"
LOCK_TIMEOUT_SECONDS = 60.0
PAUSE_VARIABLE = "AZCONF_TEST_PAUSE_IN_EDIT"
"""Tests only: ``POINT[:SECONDS]`` stops a write at POINT (``journal``, ``file``, ``record``) so a test
can kill it there; ``file`` stops after the first file is written."""


class Conflict(DataError):
    """The files changed since the plan was made (or the caller's precondition failed); nothing written."""


@dataclass(frozen=True)
class WriteOutcome:
    """What a write did: the files written ([] when nothing changed), the version it recorded, the
    changes to the environment's resolved values, and the environment as written (resolved, typed
    and validated: what the version holds; None when nothing was written)."""

    env: str
    files: list[str]
    version: Version | None
    changes: list[Change]
    written: LoadedEnvironment | None = None
    texts: dict[str, str] = field(default_factory=dict)  # each written file's new text


@dataclass(frozen=True)
class Recording:
    """How a write is recorded in history."""

    message: str
    actor: str | None
    action: str
    db: Path | None = None
    note: str | None = None  # on the audit entries, e.g. "backport: chain skipped"


def write_recorded(
    root: Path,
    build: Callable[[Project], Plan],
    recording: Recording,
    *,
    confirmed: Plan | None = None,
    precondition: Callable[[Project], None] | None = None,
    show: Callable[[Project, Plan], None] | None = None,
    parsed: ParsedFiles | None = None,
) -> WriteOutcome:
    """Plan with ``build`` on fresh files under the lock, then validate, write and record the plan.

    ``confirmed`` is the plan a person approved: the new plan must make the same edits. ``show`` is
    called with the plan before anything is written (after validation fails, nothing is shown).
    ``parsed`` keeps the parses of unchanged files between writes (a long-running caller's).
    """
    with project_lock(root), gc_paused():  # large acyclic trees: see azconf.process.gcpause
        recover(root, db=recording.db)
        project = fresh_project(root, parsed)
        if precondition is not None:
            precondition(project)
        plan = build(project)
        if show is not None:
            show(project, plan)
        if confirmed is not None and _edits(plan) != _edits(confirmed):
            raise Conflict(
                "the files changed after the plan was shown; nothing was written",
                hint="run the command again to see the new plan",
            )
        if plan.empty:
            return WriteOutcome(plan.env, [], None, [])
        written = check_plan(project, plan)
        progress.report(f"writing {len(plan.files)} file(s) and recording {plan.env}")
        _record_untracked_edits(project, plan, recording)
        version = _write_and_record(root, project, written, plan, recording)
        texts = {edit.file: edit.after for edit in plan.files}
        return WriteOutcome(plan.env, list(texts), version, plan.changes, written, texts)


def set_values(
    project_root: Path,
    env: str,
    values: dict[StrPath, Any],
    *,
    message: str,
    actor: str | None,
    action: str,
    db: Path | None = None,
    precondition: Callable[[Project], None] | None = None,
) -> WriteOutcome:
    """Make each path of ``values`` resolve to its value in ``env`` (ABSENT removes it), recorded."""

    def build(project: Project) -> Plan:
        planner = Planner(project, env)
        for path, value in values.items():
            planner.want(path, value)
        return planner.plan()

    return write_recorded(
        project_root, build, Recording(message, actor, action, db), precondition=precondition
    )


def check_plan(project: Project, plan: Plan) -> LoadedEnvironment:
    """The edited environment, validated (resolved through the plan's own resolver when it has one);
    raise :class:`DataError` with the problems if it does not validate."""
    import datetime as dt

    from azconf.check.engine import Check
    from azconf.config.resolve import Resolver
    from azconf.environment import LoadedEnvironment, concerns
    from azconf.problems import Severity

    progress.report(f"checking {plan.env} with {len(plan.changes)} change(s)")
    texts = {edit.file: edit.after for edit in plan.files}
    resolver = plan.resolver if plan.resolver is not None else Resolver(project.with_pending(texts))
    # In this process: a write checks one environment whose untouched items were mostly checked
    # before (their results are kept on them), and forking a large process, often a server's
    # thread, costs more than the second core saves (measured: benchmarks/dashboard_bench.py).
    check = Check(resolver.project, [plan.env], today=dt.date.today(), resolver=resolver, second_core=False)
    problems = check.result().problems
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise DataError(
            f'the result would not be valid: {len(errors)} error(s) in "{plan.env}"; nothing was written',
            hint="fix the values being written, or the files (`azconf validate` shows every error, "
            "including any that were there before)",
            problems=errors,
        )
    warnings = [p for p in problems if concerns(p, plan.env)]
    return LoadedEnvironment(check.resolutions[0], check.models()[plan.env], warnings)


def fresh_project(root: Path, parsed: ParsedFiles | None = None) -> Project:
    """The project as it is on disk now (its files read again; with ``parsed``, a file whose bytes
    have not changed is not parsed again)."""
    from azconf.problems import Severity

    project, problems = load_project(root)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if project is None or errors:
        # The same errors fail `azconf validate`; a write on top of them would record a broken project.
        raise DataError(
            "azconf.yaml is not valid; nothing was written", hint="fix it first", problems=errors or problems
        )
    project.parsed = parsed
    return project


# -- the lock ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def project_lock(root: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the project's edit lock (an advisory ``flock``, released even if the process dies)."""
    path = root / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise _unwritable(path, root, error) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DataError(
                        f"another azconf has held the write lock for {timeout:.0f} s; nothing written",
                        hint=f"wait for it to finish (the lock is {path})",
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


# -- journal, write, record -------------------------------------------------------------------------


def _write_and_record(
    root: Path, project: Project, written: LoadedEnvironment, plan: Plan, recording: Recording
) -> Version | None:
    from azconf.history.api import commit_validated

    journal = root / JOURNAL_NAME
    entries = [{"file": e.file, "before": e.before, "after": e.after} for e in plan.files]
    fields = {"message": recording.message, "actor": recording.actor, "action": recording.action}
    body = {"env": plan.env, "db": str(recording.db) if recording.db else None, **fields, "files": entries}
    _write_files(root, plan, json.dumps(body))
    _pause("record")
    version = commit_validated(
        project,
        plan.env,
        written.resolution.data,  # what check_plan validated before anything was written
        message=recording.message,
        actor=recording.actor,
        action=recording.action,
        db=recording.db,
        note=recording.note,
    )
    journal.unlink()
    return version


def _write_files(root: Path, plan: Plan, journal_text: str) -> None:
    """Write the journal, then each file; when the file system refuses one (read-only, permissions,
    full disk), put back the files already written, so a failed write leaves nothing behind."""
    _refuse_links(root, plan)
    journal = root / JOURNAL_NAME
    try:
        write_atomic(journal, journal_text)
    except OSError as error:
        raise _unwritable(journal, root, error) from None
    _pause("journal")
    written: list[FileEdit] = []
    for edit in plan.files:
        try:
            write_atomic(root / edit.file, edit.after)
        except OSError as error:
            _undo(root, written)
            journal.unlink()
            raise _unwritable(root / edit.file, root, error) from None
        written.append(edit)
        if len(written) == 1:
            _pause("file")


def _undo(root: Path, written: list[FileEdit]) -> None:
    """Give the files already written their old text again (if this fails too, the journal stays
    and the next command rolls the write back)."""
    for edit in written:
        if edit.before is None:
            (root / edit.file).unlink()
        else:
            write_atomic(root / edit.file, edit.before)


def _refuse_links(root: Path, plan: Plan) -> None:
    """Refuse to replace a symbolic link (or write below one): the atomic rename would turn a link
    into a plain file and leave the file it points to unchanged."""
    for edit in plan.files:
        path = root / edit.file
        for part in (path, *path.parents):
            if part == root:
                break
            if part.is_symlink():
                raise DataError(
                    f"{part.relative_to(root)} is a symbolic link; azconf does not write through links; "
                    "nothing was written",
                    hint="edit the file it points to by hand, or replace the link with a copy of the file",
                )


def _unwritable(path: Path, root: Path, error: OSError) -> DataError:
    where = path.relative_to(root) if path.is_relative_to(root) else path
    return DataError(
        f"cannot write {where}: {error.strerror or error}; nothing was written",
        hint="azconf writes the project's files and its .azconf/ folder: make them writable",
    )


def _record_untracked_edits(project: Project, plan: Plan, recording: Recording) -> None:
    """Record the working tree before the write if history has not seen it, so that the write's own
    version and audit entries hold only the write's changes."""
    from azconf.environment import InvalidEnvironment
    from azconf.history.api import commit_environment, is_latest

    env = plan.env
    if is_latest(project, env, db=recording.db, data=plan.before):
        return  # the common case: history already holds the files as they are (a hash)
    with contextlib.suppress(InvalidEnvironment):  # an invalid state cannot be recorded; the write can
        commit_environment(
            project,
            env,
            message=f"working tree before {recording.action} (edits not committed until then)",
            actor=recording.actor,
            action="commit",
            db=recording.db,
        )


def recover(root: Path, *, db: Path | None = None) -> str | None:
    """Finish or undo a write that was interrupted (call with the lock held); what was done, or None.

    Rolled forward when history already holds the write's result, rolled back otherwise. A file that
    has neither its old nor its new text was edited since: the journal stays and the error says so.
    """
    journal = root / JOURNAL_NAME
    if not journal.is_file():
        return None
    try:
        body = json.loads(journal.read_text(encoding="utf-8"))
        files = [(str(e["file"]), e["before"], str(e["after"])) for e in body["files"]]
        env, recorded_db = str(body["env"]), body.get("db")
    except (ValueError, KeyError, TypeError):
        journal.unlink()  # written atomically, so unreadable means not ours to act on
        return None
    project = fresh_project(root)
    after = project.with_pending({name: new for name, _, new in files})
    forward = _is_latest(after, env, Path(recorded_db) if recorded_db else db)
    done = "completed" if forward else "rolled back"
    edited = [entry for entry in files if _text(root / entry[0]) not in (entry[1], entry[2])]
    for name, old, new in files:
        if (name, old, new) not in edited:
            _put(root / name, new if forward else old)
    if edited:
        # The hand edit wins for its file; the journal keeps only those files until the person has
        # looked, so the rest of the project is never left half-written meanwhile.
        body["files"] = [e for e in body["files"] if (e["file"], e["before"], e["after"]) in edited]
        write_atomic(journal, json.dumps(body))
        names = ", ".join(name for name, _, _ in edited)
        raise DataError(
            f"a write of {env} was interrupted, and {names} changed by hand since; the write's other "
            f"files were {done}",
            hint=f"make sure {names} holds what you want (your edit is kept), then delete {JOURNAL_NAME}",
        )
    journal.unlink()
    return f"{done} an interrupted write of {env}"


def _text(path: Path) -> str | None:
    return path.read_bytes().decode("utf-8") if path.is_file() else None  # CRLF kept, as planned


def _put(path: Path, target: str | None) -> None:
    if _text(path) == target:
        return
    if target is None:
        path.unlink()
    else:
        write_atomic(path, target)


def _is_latest(project: Project, env: str, db: Path | None) -> bool:
    from azconf.history.api import is_latest

    return is_latest(project, env, db=db)


def _edits(plan: Plan) -> list[tuple[str, str | None, str]]:
    return [(edit.file, edit.before, edit.after) for edit in plan.files]


def _pause(point: str) -> None:
    wanted = os.environ.get(PAUSE_VARIABLE)
    if wanted and wanted.partition(":")[0] == point:
        sys.stderr.write(f"azconf: test pause at {point}\n")
        sys.stderr.flush()
        time.sleep(float(wanted.partition(":")[2] or 60))


__all__ = [
    "ABSENT",
    "Conflict",
    "Recording",
    "WriteOutcome",
    "check_plan",
    "recover",
    "set_values",
    "write_recorded",
]
