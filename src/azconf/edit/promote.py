"""Promotion: make DST resolve to SRC's values for the selected paths, guarded by the chain.

Two things are never promoted, and every plan lists what they held back:

- **kept** keys: a key in DST's overlay whose line ends in ``# azconf:keep [reason]`` belongs to DST.
  Promotion never overwrites or removes it, even when SRC removes its parent.
- **excluded** paths: globs under ``promotion.exclude`` in azconf.yaml (``services.*.replicas``). Their
  values are never copied; when SRC removes the whole parent, the parent goes with them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from azconf import progress
from azconf.config.located import format_path
from azconf.config.project import Project
from azconf.diff import diff
from azconf.diff.sides import Side
from azconf.edit.plan import (
    ABSENT,
    Plan,
    Planner,
    Skipped,
    StrPath,
    expand,
    is_glob,
    lookup,
    matching_pattern,
    put,
    split_pattern,
)
from azconf.edit.yaml_text import Kept
from azconf.errors import DataError, UsageError

MAX_PASSES = 4


class HeldBack(DataError):
    """A path named for promotion is one promotion leaves alone in ``env``: kept there (``kept``: its
    marker), or excluded by ``promotion.exclude``; nothing was written."""

    def __init__(
        self, message: str, *, hint: str, path: StrPath, env: str, reason: str, kept: Kept | None
    ) -> None:
        super().__init__(message, hint=hint)
        self.path, self.env, self.reason, self.kept = path, env, reason, kept


def check_chain(project: Project, src: str, dst: str, *, skip_chain: bool) -> str | None:
    """Promotion goes to the next environment of ``environments`` only, unless ``skip_chain``; what
    the promotion does against the chain (for its audit note), or None for one step up."""
    order = project.manifest.environments
    if dst not in order:
        raise UsageError(f'unknown environment "{dst}"', hint=f"environments: {', '.join(order)}")
    if src == dst:
        raise UsageError("source and destination are the same environment")
    position = order.index(src) if src in order else -1
    expected = order[position + 1] if 0 <= position < len(order) - 1 else None
    if expected == dst:
        return None
    backport = position >= 0 and order.index(dst) < position
    if skip_chain:
        return (
            f"chain skipped: {src} -> {dst} is a {'backport' if backport else 'jump'} ({' -> '.join(order)})"
        )
    if backport:
        raise UsageError(
            f"{src} -> {dst} goes against the promotion chain ({' -> '.join(order)}): a backport",
            hint="pass --skip-chain if that is what you mean (it is recorded)",
        )
    after = (
        f'the next environment after "{src}" is "{expected}"'
        if expected
        else f'"{src}" is the last environment'
    )
    raise UsageError(
        f"{src} -> {dst} skips the promotion chain ({after})",
        hint="promote one step at a time, or pass --skip-chain (it is recorded)",
    )


@dataclass(frozen=True)
class Protection:
    """What promotion into one environment leaves alone: its kept keys and the excluded paths."""

    excludes: list[str]
    kept: list[Kept]

    def kept_at(self, path: StrPath) -> Kept | None:
        """The kept key ``path`` is (or is under), if any."""
        return next((kept for kept in self.kept if path[: len(kept.path)] == kept.path), None)

    def reason(self, path: StrPath) -> str | None:
        """Why ``path`` is not promoted, or None when it is."""
        kept = self.kept_at(path)
        if kept is not None:
            because = f" ({kept.reason})" if kept.reason else ""
            return f"kept by {kept.file}:{kept.line}{because}"
        pattern = matching_pattern(path, self.excludes)
        return f'excluded by promotion.exclude "{pattern}"' if pattern else None


def plan_promotion(project: Project, source: Side, dst: str, selectors: list[StrPath]) -> Plan:
    """The minimal overlay edits that make ``dst`` match ``source`` on the selected, promotable paths."""
    progress.report(f"planning {source.label} -> {dst}")
    planner = Planner(project, dst)
    protection = Protection(project.manifest.promotion.exclude, planner.kept())
    _refuse_protected(selectors, protection, dst)
    goal, skipped = protected_goal(source.data, planner.before, protection)
    if selectors:
        paths = select_paths(selectors, [planner.before, goal], source.label, dst)
        goal = restrict(goal, planner.before, paths)
        skipped = [s for s in skipped if any(_related(s.path, p) for p in paths)]
    plan = converge(planner, goal)
    plan.skipped = skipped
    return plan


def protected_goal(
    target: dict[str, Any], current: dict[str, Any], protection: Protection
) -> tuple[dict[str, Any], list[Skipped]]:
    """``target`` with every protected path holding ``current``'s value, and what that held back."""
    goal = copy.deepcopy(target)
    held: dict[StrPath, str] = {}
    for kept in protection.kept:
        held[kept.path] = protection.reason(kept.path) or ""
    for pattern in protection.excludes:
        for path in expand(split_pattern(pattern), [current, target]):
            if len(path) > 1 and lookup(target, path[:-1]) is ABSENT:
                continue  # the source removes the whole parent: it goes, excluded keys and all
            held.setdefault(path, f'excluded by promotion.exclude "{pattern}"')
    skipped = []
    for path, reason in held.items():
        have, want = lookup(current, path), lookup(target, path)
        put(goal, path, have)
        if have is not want and (have is ABSENT or want is ABSENT or diff(have, want)):
            skipped.append(Skipped(path, reason))
    return goal, skipped


def select_paths(selectors: list[StrPath], trees: list[Any], source: str, dst: str) -> list[StrPath]:
    """The concrete paths the selectors name (globs expanded); a selector matching nothing is an error."""
    paths: dict[StrPath, None] = {}  # ordered, without repeats
    for selector in selectors:
        found = [p for p in expand(selector, trees) if any(lookup(t, p) is not ABSENT for t in trees)]
        if not found:
            raise UsageError(
                f'"{format_path(selector)}" matches nothing in {source} or {dst}',
                hint="check the path with `azconf show`; quote globs so the shell leaves them alone",
            )
        paths.update(dict.fromkeys(found))
    return list(paths)


def restrict(goal: dict[str, Any], current: dict[str, Any], paths: list[StrPath]) -> dict[str, Any]:
    """``current`` with only ``paths`` taken from ``goal``."""
    result = copy.deepcopy(current)
    for path in paths:
        put(result, path, lookup(goal, path))
    return result


def converge(planner: Planner, goal: dict[str, Any]) -> Plan:
    """Plan edits until the environment resolves to ``goal`` (a few passes: removing an override can
    reveal a lower layer's value that needs its own edit)."""
    current = planner.before
    for _ in range(MAX_PASSES):
        changes = diff(current, goal)
        if not changes:
            return planner.plan()
        for change in changes:
            path = tuple(str(part) for part in change.path)
            planner.want(path, lookup(goal, path))
        current = planner.resolved()
    raise DataError(
        f"could not plan the edit of {planner.env} (the overlay edits do not converge)",
        hint="edit narrower paths, or report this as a bug with the paths involved",
    )


def _refuse_protected(selectors: list[StrPath], protection: Protection, dst: str) -> None:
    for selector in selectors:
        reason = None if is_glob(selector) else protection.reason(selector)
        if reason:
            raise HeldBack(
                f"{format_path(selector)} is not promoted: it is {reason}; nothing was written",
                hint="change it in that environment with `azconf set`, or remove the marker/exclusion",
                path=selector,
                env=dst,
                reason=reason,
                kept=protection.kept_at(selector),
            )


def _related(path: StrPath, other: StrPath) -> bool:
    shortest = min(len(path), len(other))
    return path[:shortest] == other[:shortest]
