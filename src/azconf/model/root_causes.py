"""One mistake, one error: problems that only follow from another one are left out.

- An environment whose layer has a file that cannot be read or parsed reports that file's problem
  only: everything else would be about the file's absence (40 "unknown service" and "missing key"
  errors for one missing bracket).
- A misspelt key (``prot:``, AZC0201 "did you mean port?") is reported where it is written, and the
  "missing required key port" it causes in every environment is left out.
- A value that YAML 1.1 and 1.2 read differently (``debug: yes``, AZC0109-AZC0111) is reported as
  that; the type error the 1.2 reading then causes at the same place is left out.
- An overlay item that no lower layer defines, but whose name is close to one (``paymnts``), is one
  AZC0205 "did you mean payments?" instead of every required key the new item lacks.
"""

from __future__ import annotations

import re

from azconf.config.located import format_path, parse_path
from azconf.config.resolve import Resolution
from azconf.model.locate import key_at
from azconf.problems import Problem, did_you_mean

UNREADABLE = frozenset({"AZC0101", "AZC0102", "AZC0103", "AZC0104", "AZC0106", "AZC0107"})
YAML_READINGS = frozenset({"AZC0109", "AZC0110", "AZC0111"})  # one value, two YAML versions' readings
_SUGGESTED = re.compile(r'did you mean "([^"]+)"\?')
_MISSING = re.compile(r'missing required key "([^"]+)"')
FOLLOWS_FROM_A_NEW_ITEM = frozenset({"AZC0202", "AZC0501"})


def root_causes(problems: list[Problem], resolutions: list[Resolution]) -> list[Problem]:
    """``problems`` (found by typing and checking ``resolutions``) without the ones that follow."""
    broken = {r.env for r in resolutions if any(p.code in UNREADABLE for p in r.problems)}
    kept = [p for p in problems if not (p.env and set(p.env.split(",")) <= broken)]
    readings = {p.location for r in resolutions for p in r.problems if p.code in YAML_READINGS}
    kept = [p for p in kept if p.location not in readings or p.code not in ("AZC0203", "AZC0501")]
    kept = _without_misspelling_consequences(kept)
    return _misspelt_overlay_items(kept, [r for r in resolutions if r.env not in broken])


def _without_misspelling_consequences(problems: list[Problem]) -> list[Problem]:
    """Drop "missing required key K" of an item that has a misspelt key suggesting K."""
    suggested: set[tuple[str, str]] = set()
    for problem in problems:
        match = _SUGGESTED.search(problem.message) if problem.code == "AZC0201" else None
        if match and "." in problem.path:
            suggested.add((problem.path.rsplit(".", 1)[0], match.group(1)))
    return [p for p in problems if not (p.code == "AZC0202" and _missing_key(p) in suggested)]


def _missing_key(problem: Problem) -> tuple[str, str] | None:
    match = _MISSING.search(problem.message)
    return (problem.path, match.group(1)) if match else None


def _misspelt_overlay_items(problems: list[Problem], resolutions: list[Resolution]) -> list[Problem]:
    by_env = {r.env: r for r in resolutions}
    replaced: dict[tuple[str, str], Problem] = {}
    for problem in problems:
        resolution = by_env.get(problem.env)
        item = _item(problem.path)
        if (
            problem.code != "AZC0202"
            or resolution is None
            or item is None
            or (problem.env, item[2]) in replaced
        ):
            continue
        cause = _misspelt(resolution, item)
        if cause is not None:
            replaced[(problem.env, item[2])] = cause
    if not replaced:
        return problems
    kept = [
        p
        for p in problems
        if not (
            p.code in FOLLOWS_FROM_A_NEW_ITEM
            and any(p.env == env and _under(p.path, path) for env, path in replaced)
        )
    ]
    return kept + list(replaced.values())


def _item(path: str) -> tuple[str, str, str] | None:
    """(section, name, dotted item path) of a problem's path, when it is inside an item."""
    parts = parse_path(path) if path else None
    if not parts or len(parts) < 2 or not isinstance(parts[1], str):
        return None
    return str(parts[0]), parts[1], format_path(parts[:2])


def _misspelt(resolution: Resolution, item: tuple[str, str, str]) -> Problem | None:
    """AZC0205 when only the environment's own overlay defines the item and a lower layer defines
    a similar name."""
    section, name, dotted = item
    *below, own = resolution.layers
    if not below or name not in (own.data.get(section) or {}):
        return None
    lower = {key for layer in below for key in (layer.data.get(section) or {})}
    if name in lower:
        return None
    suggestion = did_you_mean(name, sorted(lower))
    if not suggestion:
        return None
    kind = section.removesuffix("s")
    return Problem(
        "AZC0205",
        f'no {kind} "{name}" below this overlay{suggestion}',
        key_at(resolution.data, (section, name)),
        path=dotted,
        hint=f"an overlay changes the {section} below it: fix the name, or define the new {kind} whole",
        env=resolution.env,
    )


def _under(path: str, item: str) -> bool:
    return path == item or path.startswith(item + ".")
