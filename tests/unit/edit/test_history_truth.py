"""Property: random sequences of set / unset / promote / restore / commit / hand edits keep history true.

After every azconf write, ``ENV@latest`` holds exactly what the files resolve to; at the end, folding
the audit entries (old -> new, in order) reproduces every recorded version. The writes keep their
parses between them, as the flags service does, so what was derived from an item one write did not
touch (its history item, its typed model) is reused by the next: it must never go stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azconf.config.located import plain
from azconf.config.project import ParsedFiles, Project
from azconf.config.resolve import Resolver
from azconf.diff.sides import Side
from azconf.edit.plan import ABSENT, Plan, Planner
from azconf.edit.promote import plan_promotion
from azconf.edit.restore import plan_restore
from azconf.edit.transaction import Recording, WriteOutcome, fresh_project, write_recorded
from azconf.edit.yaml_text import YamlText
from azconf.errors import DataError
from azconf.history import api
from azconf.history.items import join
from azconf.scaffold import create_project
from azconf.snapshot import snapshot

ENVS = ["dev", "staging", "prod"]
VALUES = {
    ("services", "web", "replicas"): st.integers(1, 9),
    ("services", "web", "env", "LOG_LEVEL"): st.sampled_from(["debug", "info", "warn"]),
    ("services", "web", "env", "EXTRA"): st.sampled_from(["a", "b"]),
    ("settings", "support_email"): st.sampled_from(["a@example.com", "b@example.com"]),
    ("flags", "dark-mode"): st.booleans(),
}
PATHS = st.sampled_from(sorted(VALUES))


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    chosen: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["set", "set", "unset", "promote", "restore", "commit", "hand"]))
        env = draw(st.sampled_from(ENVS))
        path = draw(PATHS)
        chosen.append((kind, env, path, draw(VALUES[path])))
    return chosen


def working_tree(root: Path, env: str) -> dict[str, Any]:
    project = fresh_project(root)
    return snapshot(Resolver(project).resolve(env))


def run_step(root: Path, step: tuple[Any, ...], kept: ParsedFiles) -> str | None:
    """Carry out one step; the environment azconf wrote files of, or None."""
    kind, env, path, value = step
    recording = Recording(f"{kind} {env}", "tester", kind)
    try:
        if kind in ("set", "unset"):
            wanted = {path: value if kind == "set" else ABSENT}
            return _written(write_recorded(root, lambda p: _set(p, env, wanted), recording, parsed=kept))
        if kind == "promote" and env != "prod":
            dst = ENVS[ENVS.index(env) + 1]
            return _written(write_recorded(root, lambda p: _promotion(p, env, dst), recording, parsed=kept))
        if kind == "restore":
            return _written(write_recorded(root, lambda p: _restore(p, env), recording, parsed=kept))
        if kind == "commit":
            api.commit_environments(fresh_project(root), ENVS, message="commit", actor="tester")
        if kind == "hand":
            _hand_edit(root, env, path, value)
    except DataError:
        return None  # refused (invalid result, nothing recorded yet): nothing was written
    return None


def _written(outcome: WriteOutcome) -> str | None:
    """The environment when the write changed files ("nothing to change" writes and records nothing)."""
    return outcome.env if outcome.files else None


def _set(project: Project, env: str, wanted: dict[tuple[str, ...], Any]) -> Plan:
    planner = Planner(project, env)  # what set_values plans
    for path, value in wanted.items():
        planner.want(path, value)
    return planner.plan()


def _promotion(project: Project, src: str, dst: str) -> Plan:
    source = Side(src, src, plain(snapshot(Resolver(project).resolve(src))))
    return plan_promotion(project, source, dst, [])


def _restore(project: Project, env: str) -> Plan:
    version, data = api.load_ref(project, f"{env}@1")
    return plan_restore(project, env, data, version.ref, [])


def _hand_edit(root: Path, env: str, path: tuple[str, ...], value: Any) -> None:
    overlay = root / "config" / "envs" / env / "services.yaml"
    text = YamlText(overlay.read_text(encoding="utf-8") if overlay.exists() else "")
    # A bool makes the environment invalid on purpose (replicas must be an integer): writes refuse then.
    text.set(("services", "web", "replicas"), value if isinstance(value, int) else 2)
    overlay.write_text(text.text(), encoding="utf-8")


def assert_audit_folds_into_every_version(root: Path) -> None:
    project = fresh_project(root)
    entries = [e for e in api.audit_entries(project) if e.action != "render"]
    items: dict[str, dict[str, Any]] = {env: {} for env in ENVS}
    by_version: dict[str, dict[str, Any]] = {}
    for entry in entries:
        assert entry.version is not None and entry.environment is not None
        state = items[entry.environment]
        if entry.new_value is None:
            state.pop(entry.resource_id, None)
        else:
            state[entry.resource_id] = entry.new_value
        by_version[entry.version] = join(state.items())
    versions = api.versions(project)
    assert {v.ref for v in versions} == set(by_version)
    for version in versions:
        assert by_version[version.ref] == api.load_snapshot(project, version), version.ref


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps())
def test_history_tells_the_truth_after_any_sequence_of_writes(
    tmp_path_factory: Any, chosen: list[Any]
) -> None:
    root = tmp_path_factory.mktemp("project")
    create_project(root, "shop")
    api.commit_environments(fresh_project(root), ENVS, message="base", actor="tester")
    kept = ParsedFiles()
    for step in chosen:
        written = run_step(root, step, kept)
        if written is not None:
            latest = api.load_ref(fresh_project(root), f"{written}@latest")[1]
            assert latest == working_tree(root, written), step
    assert_audit_folds_into_every_version(root)
