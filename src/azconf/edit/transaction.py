"""TEMPORARY ADAPTER (branch serve): the interface of issue 12's edit path, until it lands on main.

The lead's ``azconf.edit.transaction`` replaces this file when main is merged; only the signature
and the behaviour below are relied on by ``azconf serve``. Built on the existing Planner,
check_plan, write_plan and commit_environment with a fresh Project, under an exclusive file lock.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azconf.config.project import Project, load_project
from azconf.diff import Change
from azconf.errors import DataError
from azconf.history.records import Version


class Conflict(DataError):
    """A precondition of the write failed (e.g. a stale ETag): nothing was written."""


@dataclass
class WriteOutcome:
    """What a write did: the files it wrote, the version it recorded, the resolved changes."""

    env: str
    files: list[str] = field(default_factory=list)
    version: Version | None = None
    changes: list[Change] = field(default_factory=list)


def set_values(
    project_root: Path,
    env: str,
    values: Mapping[tuple[str, ...], Any],
    *,
    message: str,
    actor: str | None,
    action: str,
    db: Path | None = None,
    precondition: Callable[[Project], None] | None = None,
) -> WriteOutcome:
    """Set ``values`` (path -> value, ABSENT removes) in ``env``'s overlay: validated, written, recorded."""
    from azconf.edit.apply import check_plan, write_plan
    from azconf.edit.plan import Planner
    from azconf.history.api import commit_environment

    with _edit_lock(project_root):
        project = _fresh(project_root)
        if precondition is not None:
            precondition(project)
        planner = Planner(project, env)
        for path, value in values.items():
            planner.want(path, value)
        plan = planner.plan()
        if plan.empty:
            return WriteOutcome(env, [], None, plan.changes)
        check_plan(project, plan)
        write_plan(project, plan)
        # A fresh read: ``project`` caches the files as they were before the write.
        written = _fresh(project_root)
        version = commit_environment(written, env, message=message, actor=actor, action=action, db=db)
        return WriteOutcome(env, [edit.file for edit in plan.files], version, plan.changes)


def _fresh(root: Path) -> Project:
    project, problems = load_project(root)
    if project is None:
        raise DataError("azconf.yaml is not valid", problems=problems)
    return project


@contextmanager
def _edit_lock(root: Path) -> Iterator[None]:
    folder = root / ".azconf"
    folder.mkdir(exist_ok=True)
    with (folder / "edit.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
