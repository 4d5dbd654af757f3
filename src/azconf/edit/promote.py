"""Promotion: make DST resolve to SRC's values for the selected paths, guarded by the chain."""

from __future__ import annotations

from typing import Any

from azconf.compare import Side
from azconf.config.project import Project
from azconf.diff import Change, Kind, diff, select
from azconf.edit.plan import ABSENT, Plan, Planner, excluded, lookup, strip_excluded
from azconf.errors import DataError, UsageError

MAX_PASSES = 4


def check_chain(project: Project, src: str, dst: str, *, skip_chain: bool) -> None:
    """Promotion goes to the next environment of ``environments`` only, unless ``skip_chain``."""
    order = project.manifest.environments
    if dst not in order:
        raise UsageError(f'unknown environment "{dst}"', hint=f"environments: {', '.join(order)}")
    if src == dst:
        raise UsageError("source and destination are the same environment")
    if skip_chain:
        return
    position = order.index(src) if src in order else -1
    expected = order[position + 1] if 0 <= position < len(order) - 1 else None
    if expected != dst:
        after = (
            f'the next environment after "{src}" is "{expected}"'
            if expected
            else f'"{src}" is the last environment'
        )
        raise UsageError(
            f"{src} -> {dst} skips the promotion chain ({after})",
            hint="promote one step at a time, or pass --skip-chain (it is recorded)",
        )


def plan_promotion(project: Project, source: Side, dst: str, selectors: list[tuple[str, ...]]) -> Plan:
    """The minimal overlay edits that make ``dst`` match ``source`` on the selected, promotable paths."""
    excludes = project.manifest.promotion.exclude
    planner = Planner(project, dst)
    current: dict[str, Any] = planner.before
    for _ in range(MAX_PASSES):
        pending = _pending(current, source.data, selectors, excludes)
        if not pending:
            return planner.plan()
        for path, value in pending:
            planner.want(path, value)
        current = planner.resolved()
    raise DataError(
        f"could not plan the promotion into {dst} (the overlay edits do not converge)",
        hint="promote narrower paths, or report this as a bug with the paths involved",
    )


def _pending(
    current: dict[str, Any], target: dict[str, Any], selectors: list[tuple[str, ...]], excludes: list[str]
) -> list[tuple[tuple[str, ...], Any]]:
    """(path, wanted value) for every selected difference still left."""
    wanted: dict[tuple[str, ...], Any] = {}
    for change in select(diff(current, target), [], list(selectors)):
        path = tuple(str(p) for p in change.path)
        deeper = [s for s in selectors if len(s) > len(path) and s[: len(path)] == path]
        for selector in deeper or [path]:
            if not excluded(selector, excludes):
                wanted[selector] = _wanted(change, selector, target, excludes)
    return [(p, v) for p, v in wanted.items() if not _already(current, p, v)]


def _wanted(change: Change, path: tuple[str, ...], target: dict[str, Any], excludes: list[str]) -> Any:
    if change.kind is Kind.REMOVED and path == tuple(change.path):
        return ABSENT
    value = lookup(target, path)
    return value if value is ABSENT else strip_excluded(path, value, excludes)


def _already(current: dict[str, Any], path: tuple[str, ...], value: Any) -> bool:
    have = lookup(current, path)
    if value is ABSENT or have is ABSENT:
        return value is have
    return not diff(have, value)
