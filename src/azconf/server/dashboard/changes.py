"""The dashboard's changes: a plan first (the exact text diff, validated), then the same write.

Two kinds, both through the core's edit path and the REST API's precondition:

- ``set``: state and/or default variant of one or several flags in one environment (a toggle, a new
  default, a bulk change) -- :func:`azconf.server.writes.apply`, exactly what ``POST /flags`` runs;
- ``promote``: one flag to the next environment of the chain -- :func:`plan_promotion` with the
  selector ``("flags", name)``, written by :func:`write_recorded`.

The plan carries the destination's ETag; the write sends it back, so a file changed in between is a
409 conflict rather than a silent overwrite of what the person did not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azconf.config.located import format_path
from azconf.config.project import parser
from azconf.diff import in_long_form
from azconf.edit.masked_diff import masked_diff
from azconf.errors import DataError, UsageError
from azconf.server import writes
from azconf.server.responses import ApiError
from azconf.server.settings import ServeSettings
from azconf.server.source import Served

if TYPE_CHECKING:
    from azconf.config.project import ParsedFiles, Project
    from azconf.edit.plan import Plan
    from azconf.edit.promote import HeldBack
    from azconf.edit.transaction import WriteOutcome

SET_FIELDS = ("state", "defaultVariant")  # what the dashboard changes; targeting stays in the files


@dataclass(frozen=True)
class Change:
    """One requested change, parsed: ``set`` (env + flag fields) or ``promote`` (flag, from, to)."""

    action: str
    env: str  # the environment written (promote: the destination)
    flags: dict[str, dict[str, Any]]
    source: str | None = None  # promote: where the flag comes from

    @property
    def summary(self) -> str:
        """A one-line description for the recorded version's message."""
        if self.action == "promote":
            flag = format_path(("flags", next(iter(self.flags))))  # as the CLI reads it: flags."a.b"
            return f"dashboard: promote {self.source} -> {self.env} {flag}"
        return "dashboard: " + ", ".join(f"{n} {'/'.join(f)}" for n, f in self.flags.items())


def parse_change(body: dict[str, Any], envs: list[str]) -> Change:
    """The change a request asks for; ApiError 400 for anything else."""
    action = body.get("action")
    if action == "promote":
        flag, source = body.get("flag"), body.get("from")
        if not isinstance(flag, str) or source not in envs:
            raise ApiError(400, "INVALID_REQUEST", 'promote needs "flag" and "from" (a served environment)')
        position = envs.index(source)
        if position + 1 >= len(envs):
            raise ApiError(400, "INVALID_REQUEST", f'"{source}" is the last environment served here')
        return Change("promote", envs[position + 1], {flag: {}}, source)
    if action != "set":
        raise ApiError(400, "INVALID_REQUEST", 'action must be "set" or "promote"')
    env, flags = body.get("env"), body.get("flags")
    if env not in envs:
        raise ApiError(404, "ENV_NOT_FOUND", f'environment "{env}" is not served here')
    if not isinstance(flags, dict) or not flags:
        raise ApiError(400, "INVALID_REQUEST", 'expected "flags": {"<flag>": {"state": "ENABLED"}}')
    changes = writes.parse_changes(flags)
    for name, fields in changes.items():
        if set(fields) - set(SET_FIELDS):
            message = f"{format_path(('flags', name))}: the dashboard changes state and defaultVariant"
            raise ApiError(400, "INVALID_REQUEST", message)
    return Change("set", str(env), changes)


def plan_change(
    settings: ServeSettings, served: Served, change: Change, parsed: ParsedFiles | None = None
) -> dict[str, Any]:
    """The plan of ``change``: each file's text diff, the changed paths, validation problems."""
    from azconf.process.gcpause import gc_paused

    with gc_paused():  # as a write: large acyclic trees (see azconf.process.gcpause)
        plan, problems = _planned(settings, change, parsed)
    parse = parser(parsed)  # both texts were parsed by the plan
    return {
        "env": change.env,
        "etag": served.etag,
        "files": [{"file": edit.file, "diff": masked_diff(edit, parse)} for edit in plan.files],
        "changes": [c.dotted for c in in_long_form(plan.changes)],
        "skipped": [f"{format_path(s.path)}: {s.reason}" for s in plan.skipped],
        "problems": problems,
    }


def _planned(
    settings: ServeSettings, change: Change, parsed: ParsedFiles | None
) -> tuple[Plan, list[dict[str, Any]]]:
    """The plan of ``change`` on the project as it is now, and the plan's validation problems."""
    from azconf.edit.promote import HeldBack
    from azconf.edit.transaction import check_plan, fresh_project

    try:
        project = fresh_project(settings.project_root, parsed)
        plan = _build(project, change, settings)
    except HeldBack as error:
        raise held_back(error) from None
    except UsageError as error:
        raise ApiError(400, "INVALID_REQUEST", error.message) from None
    except DataError as error:
        raise writes.data_error(error) from None
    try:
        check_plan(project, plan)
    except DataError as error:
        return plan, writes.data_error(error).extra.get("problems", [])
    return plan, []


def apply_change(
    settings: ServeSettings,
    served: Served,
    change: Change,
    etag: str,
    actor: str | None,
    *,
    parsed: ParsedFiles | None = None,
) -> WriteOutcome:
    """Write ``change`` if ``served`` (ETag ``etag``) is still what is on disk; ApiError 409/422 else."""
    if change.action == "set":
        request = writes.FlagWrite(change.env, change.flags, etag, change.summary, actor)
        return writes.apply(settings, served, request, parsed)
    from azconf.edit.promote import HeldBack
    from azconf.edit.transaction import Conflict, Recording, write_recorded

    try:
        return write_recorded(
            settings.project_root,
            lambda project: _build(project, change, settings),
            Recording(change.summary, actor, "promote", settings.db),
            precondition=writes.unchanged_since(served, change.env, etag),
            parsed=parsed,
        )
    except Conflict as error:
        raise ApiError(409, "CONFLICT", error.message) from None
    except HeldBack as error:
        raise held_back(error) from None
    except UsageError as error:
        raise ApiError(400, "INVALID_REQUEST", error.message) from None
    except DataError as error:
        raise writes.data_error(error) from None


def held_back(error: HeldBack) -> ApiError:
    """409 for a promotion of a flag its destination keeps (``# azconf:keep``) or excludes: the
    destination's own files say it is not promoted, so it is changed there, not by promotion."""
    path = format_path(error.path)
    if error.kept is None:
        return ApiError(409, "HELD_BACK", f"{path} is not promoted into {error.env}: it is {error.reason}")
    marker = f"{error.kept.file}:{error.kept.line}" + (f" ({error.kept.reason})" if error.kept.reason else "")
    return ApiError(
        409,
        "HELD_BACK",
        f"{path} is kept in {error.env} by the azconf:keep marker at {marker}: promotion leaves it "
        f"alone; change it in {error.env}, or remove the marker. Nothing was written",
    )


def _build(project: Project, change: Change, settings: ServeSettings) -> Plan:
    """The plan of ``change`` on ``project`` as it is now."""
    if change.action == "promote":
        return _promotion(project, change, settings)
    return writes.plan_write(project, writes.FlagWrite(change.env, change.flags, "", None, None))


def _promotion(project: Project, change: Change, settings: ServeSettings) -> Plan:
    from azconf.config.resolve import Resolver
    from azconf.diff.sides import load_side
    from azconf.edit.promote import check_chain, plan_promotion

    assert change.source is not None
    check_chain(project, change.source, change.env, skip_chain=False)
    side = load_side(project, Resolver(project), change.source, db=settings.db)
    return plan_promotion(project, side, change.env, [("flags", next(iter(change.flags)))])
