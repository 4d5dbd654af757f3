"""A REST write, carried out by the core's edit path (no second way to edit config).

:func:`parse_changes` checks the request's shape; :func:`apply` plans the values as ``azconf set``
does (:class:`azconf.edit.plan.Planner`, the planner of :func:`azconf.edit.transaction.set_values`)
and writes them with :func:`azconf.edit.transaction.write_recorded`, with a precondition that compares
the environment's current ETag (the one served, whose files must still be those on disk, checked under
the edit lock) with ``If-Match``. A flag the overlay itself writes in shorthand (``dark-mode: true``)
is written out in full, since a field set in its place would drop what ``true`` says; a shorthand from
the layers below takes only the changed fields, which layering merges over its long form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azconf.config.located import format_path
from azconf.errors import DataError, UsageError
from azconf.server.responses import ApiError
from azconf.server.settings import ServeSettings
from azconf.server.source import Served, fingerprint

if TYPE_CHECKING:
    from azconf.config.project import ParsedFiles, Project
    from azconf.edit.plan import Plan
    from azconf.edit.transaction import WriteOutcome

FIELDS = ("state", "defaultVariant", "targeting")


@dataclass(frozen=True)
class FlagWrite:
    """One request's changes to one environment."""

    env: str
    changes: dict[str, dict[str, Any]]  # flag -> field -> value (None: remove the field)
    if_match: str
    message: str | None
    actor: str | None


def parse_changes(flags: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The changes of a request body; ApiError 400 for a field that cannot be changed here."""
    changes: dict[str, dict[str, Any]] = {}
    for name, fields in flags.items():
        where = format_path(("flags", name))  # as the CLI reads it: flags."a.b"
        if not isinstance(fields, dict) or not fields:
            raise ApiError(400, "INVALID_REQUEST", f'{where}: expected {{"state": "ENABLED"}} or similar')
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            message = f"{where}: cannot change {', '.join(unknown)} (only {', '.join(FIELDS)})"
            raise ApiError(400, "INVALID_REQUEST", message)
        changes[name] = dict(fields)
    return changes


def apply(
    settings: ServeSettings, served: Served, write: FlagWrite, parsed: ParsedFiles | None = None
) -> WriteOutcome:
    """Carry ``write`` out against ``served`` (what the client read); ApiError 404 (unknown flag), 409
    (stale ETag, or files changed since they were served) or 422 (the result would not be valid).
    ``parsed``: the service's parses of unchanged files."""
    from azconf.edit.transaction import Conflict, Recording, write_recorded

    summary = ", ".join(f"{name} {'/'.join(fields)}" for name, fields in write.changes.items())
    recording = Recording(write.message or f"serve: {summary}", write.actor, "set", settings.db)
    try:
        # Planned under the lock on the fresh files (the planner resolves the environment once; the
        # shorthand check reads the same resolution), after the precondition has passed.
        return write_recorded(
            settings.project_root,
            lambda project: plan_write(project, write),
            recording,
            precondition=unchanged_since(served, write.env, write.if_match),
            parsed=parsed,
        )
    except Conflict as error:
        raise ApiError(409, "CONFLICT", error.message) from None
    except DataError as error:
        raise data_error(error) from None
    except UsageError as error:
        raise ApiError(400, "INVALID_REQUEST", error.message) from None


def unchanged_since(served: Served, env: str, if_match: str) -> Callable[[Project], None]:
    """A write's precondition, checked under the edit lock: the client's ETag must be the one served,
    and the files must still be the ones it was served from (an edit not yet reloaded, or one refused
    as invalid, is a change)."""
    from azconf.edit.transaction import Conflict

    def precondition(project: Project) -> None:
        if if_match.removeprefix("W/") != served.etag:
            raise Conflict(f'"{env}" changed since you read it (ETag {served.etag}); nothing was written')
        if fingerprint(project.root, project.manifest.layer_folders(env)) != served.files:
            raise Conflict(f'the files of "{env}" changed since they were served; nothing was written')

    return precondition


def plan_write(project: Project, write: FlagWrite) -> Plan:
    """The plan of ``write``: the edits ``azconf set`` would make for each changed field."""
    from azconf.edit.plan import Planner

    planner = Planner(project, write.env)
    flags, below = planner.located_before.get("flags") or {}, planner.below.get("flags") or {}
    for path, value in planned_values(flags, write, below).items():
        planner.want(path, value)
    return planner.plan()


def planned_values(
    flags: dict[str, Any], write: FlagWrite, below: dict[str, Any] | None = None
) -> dict[tuple[str, ...], Any]:
    """The paths and values to set, given the resolved ``flags`` (and the ``below`` layers' flags):
    each changed field, or a shorthand flag the overlay itself writes, written in full (a field set
    on it would lose what its ``true`` or ``false`` says). A shorthand from the layers below takes
    the changed fields only, merged over it: toggled back, the override is removed again."""
    from azconf.edit.plan import ABSENT
    from azconf.model.sections import _expand_flag_shorthand as expand  # the model's own reading

    values: dict[tuple[str, ...], Any] = {}
    for name, fields in write.changes.items():
        current = flags.get(name)
        if current is None:
            raise ApiError(404, "FLAG_NOT_FOUND", f'flag "{name}" not found in "{write.env}"')
        if isinstance(current, bool) and not _same_bool((below or {}).get(name), current):
            full: dict[str, Any] = expand(current)  # type: ignore[assignment]  # a dict for a bool
            for field, value in fields.items():
                if value is None:
                    full.pop(field, None)
                else:
                    full[field] = value
            values[("flags", name)] = full
        else:
            for field, value in fields.items():
                values[("flags", name, field)] = ABSENT if value is None else value
    return values


def _same_bool(below: Any, current: bool) -> bool:
    return isinstance(below, bool) and below == current


def data_error(error: DataError) -> ApiError:
    """422 with the located problems; a file changed on disk meanwhile is a conflict (409)."""
    if not error.problems and "changed on disk" in error.message:
        return ApiError(409, "CONFLICT", error.message)
    problems = [
        {
            "file": p.location.file,
            "line": p.location.line,
            "column": p.location.column,
            "code": p.code,
            "message": p.message,
            "path": p.path,
        }
        for p in error.problems
    ]
    return ApiError(422, "INVALID_CONFIG", error.message, extra={"problems": problems})
