"""Restore: make an environment's working tree resolve to one of its recorded versions again.

The same path as promotion (a plan of minimal, comment-preserving overlay edits, validated before
anything is written, recorded as a new version), with the version's snapshot as the goal and nothing
protected: a restore brings back kept and excluded values too.
"""

from __future__ import annotations

import copy
from typing import Any

from azconf.config.located import format_path, walk_leaves
from azconf.config.project import Project
from azconf.edit.plan import ABSENT, Plan, Planner, StrPath, lookup, put
from azconf.edit.promote import converge, restrict, select_paths
from azconf.errors import DataError


def plan_restore(
    project: Project, env: str, snapshot: dict[str, Any], label: str, selectors: list[StrPath]
) -> Plan:
    """The overlay edits that make ``env`` resolve to ``snapshot`` (on ``selectors`` only, if any)."""
    planner = Planner(project, env)
    goal = unredacted(snapshot, planner.before, label)
    if selectors:
        goal = restrict(goal, planner.before, select_paths(selectors, [planner.before, goal], label, env))
    return converge(planner, goal)


def unredacted(snapshot: dict[str, Any], current: dict[str, Any], label: str) -> dict[str, Any]:
    """``snapshot`` with each redacted secret replaced by the working tree's value, which must match it.

    History stores allow-listed plaintext secrets only as a hash, so they cannot be brought back; a
    restore can only keep the value the working tree already has.
    """
    from azconf.history.redact import is_marker, marker

    goal = copy.deepcopy(snapshot)
    for path, value in walk_leaves(snapshot):
        if not (isinstance(value, str) and is_marker(value)):
            continue
        keys: StrPath = tuple(str(part) for part in path)
        have = lookup(current, keys) if all(isinstance(part, str) for part in path) else ABSENT
        if not isinstance(have, str) or marker(have) != value:
            raise DataError(
                f"cannot restore {label}: {format_path(keys)} was stored redacted (a secret-shaped literal) "
                "and the working tree's value differs",
                hint="restore the other paths (name them), and set that value by hand",
            )
        put(goal, keys, have)
    return goal
