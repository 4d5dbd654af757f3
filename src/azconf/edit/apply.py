"""Validate a plan's result, then write its files atomically, refusing if a file changed meanwhile."""

from __future__ import annotations

import datetime as dt

from azconf.atomic import write_atomic
from azconf.config.project import Project
from azconf.edit.plan import Plan
from azconf.errors import DataError
from azconf.problems import Severity


def check_plan(project: Project, plan: Plan) -> None:
    """Raise :class:`DataError` with the problems if the edited environment does not validate."""
    from azconf.validate import validate_environments

    edited = project.with_pending({edit.file: edit.after for edit in plan.files})
    problems = validate_environments(edited, [plan.env], today=dt.date.today())
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise DataError(
            f'the result would not be valid: {len(errors)} error(s) in "{plan.env}"; nothing was written',
            hint="fix the source values or narrow the paths",
            problems=errors,
        )


def write_plan(project: Project, plan: Plan) -> None:
    """Write every edited file (each atomically) after checking none changed since it was read."""
    for edit in plan.files:
        path = project.root / edit.file
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != edit.before:
            raise DataError(
                f"{edit.file} changed on disk since it was read; nothing was written",
                hint="run the command again",
            )
    for edit in plan.files:
        write_atomic(project.root / edit.file, edit.after)
