"""Property: after promoting paths P from SRC to DST, DST matches SRC on P and nothing else moved."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azconf.config.located import plain
from azconf.config.project import Project, load_project
from azconf.config.resolve import Resolver
from azconf.diff import diff, select
from azconf.diff.sides import Side
from azconf.edit.plan import Planner
from azconf.edit.promote import Protection, plan_promotion

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"
PAIRS = [("dev", "staging"), ("staging", "prod")]


def fresh_copy(tmp: Path) -> Project:
    root = tmp / "azora"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("deploy", ".azconf"))
    project, _ = load_project(root)
    assert project is not None
    return project


def resolved(project: Project, env: str) -> dict[str, Any]:
    fresh, _ = load_project(project.root)
    assert fresh is not None
    return plain(Resolver(fresh).resolve(env).data)  # type: ignore[no-any-return]


def promotable_paths(project: Project, src: str, dst: str) -> list[tuple[str, ...]]:
    changes = diff(resolved(project, dst), resolved(project, src))
    protection = Protection(project.manifest.promotion.exclude, Planner(project, dst).kept())
    paths = [tuple(str(p) for p in c.path) for c in changes]
    return sorted({p for p in paths if protection.reason(p) is None})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(PAIRS), st.data())
def test_promoting_paths_changes_exactly_those_paths(
    tmp_path: Path, pair: tuple[str, str], data: st.DataObject
) -> None:
    src, dst = pair
    project = fresh_copy(tmp_path)
    candidates = promotable_paths(project, src, dst)
    chosen = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=4, unique=True))
    before = resolved(project, dst)
    source = Side(src, src, resolved(project, src))
    plan = plan_promotion(project, source, dst, chosen)
    for edit in plan.files:
        (project.root / edit.file).write_text(edit.after, encoding="utf-8")
    after = resolved(project, dst)
    # DST now matches SRC on the chosen paths...
    assert select(diff(after, source.data), [], list(chosen)) == []
    # ...and every other value of DST is what it was.
    moved = [c.path for c in diff(before, after)]
    assert all(any(tuple(m[: len(p)]) == p for p in chosen) for m in moved), moved
