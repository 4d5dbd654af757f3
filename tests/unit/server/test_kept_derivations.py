"""Adversarial tests of what writes keep between them: kept parses, kept merges, what is derived from a
resolved item (its history item, typed model, rule and plaintext findings) and the flags compiled per
change. Each step goes through the real write path with the parses kept (the flags service's
``Source`` + :func:`azconf.server.writes.apply` + ``Source.written``, or ``write_recorded(...,
parsed=ParsedFiles())``), on a small project with real files and a real history database, and is then
compared with a computation from scratch: a fresh load, ``azconf validate`` and ``azconf commit`` in a
subprocess, history's latest version against the files' resolution (as canonical JSON, which tells
``True`` from ``1`` and ``-0.0`` from ``0.0``, as history's hashes do).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azconf.config.project import load_project
from azconf.config.resolve import Resolver
from azconf.edit.transaction import WriteOutcome
from azconf.history.api import commit_environments, load_ref
from azconf.server import writes
from azconf.server.responses import ApiError
from azconf.server.settings import ServeSettings
from azconf.server.source import Source
from azconf.snapshot import canonical_json, snapshot

MANIFEST = """\
version: 1
project: demo
environments: [dev, prod]
layers:
  - config/base
  - config/envs/{env}
"""
BASE_FLAGS = """\
flags:
  dark-mode: true
  layout:
    state: ENABLED
    variants: {"on": "on", "off": "off", "True": "True", "1": "1"}
    defaultVariant: "off"
"""
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a GitHub token's shape (not a real one)


def make_project(root: Path, files: dict[str, str]) -> Path:
    """A project at ``root`` with ``files`` (relative path -> text) beside the manifest."""
    for name, text in {"azconf.yaml": MANIFEST, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for env in ("dev", "prod"):
        (root / "config" / "envs" / env).mkdir(parents=True, exist_ok=True)
    return root


def azconf(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in a fresh process (nothing kept from this one)."""
    return subprocess.run(
        [sys.executable, "-m", "azconf", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def fresh_snapshot(root: Path, env: str) -> bytes:
    """``env`` as its files resolve now, read from scratch, as canonical JSON."""
    project, _ = load_project(root)
    assert project is not None
    return canonical_json(snapshot(Resolver(project).resolve(env)))


def latest(root: Path, env: str) -> bytes:
    """``env@latest`` as canonical JSON."""
    project, _ = load_project(root)
    assert project is not None
    return canonical_json(load_ref(project, f"{env}@latest")[1])


def serve(root: Path) -> Source:
    source = Source(ServeSettings(root, ("prod",)))
    source.load_now()
    return source


def service_write(source: Source, changes: dict[str, dict[str, Any]]) -> WriteOutcome:
    """One write through the service's path, then served as the handlers serve it."""
    base = source.current("prod")
    assert base is not None
    request = writes.FlagWrite("prod", changes, base.etag, "test", "tester")
    outcome = writes.apply(source.settings, base, request, source.parsed)
    asyncio.run(source.written(outcome, base))
    return outcome


def assert_serves_the_files(source: Source) -> None:
    """What ``source`` serves is what a fresh load of the files serves, for every context tried."""
    served, again = source.current("prod"), serve(source.settings.project_root).current("prod")
    assert served is not None and again is not None
    assert canonical_json(served.document) == canonical_json(again.document)
    assert (served.etag, served.files, served.static_bodies) == (again.etag, again.files, again.static_bodies)
    for context in ({}, {"tier": "1"}, {"tier": "true"}, {"x": 1}, {"x": True}, {"x": 0}):
        assert served.flags.evaluate_all(context, now=0) == again.flags.evaluate_all(context, now=0)


def assert_history_tells_the_truth(root: Path, *, secrets: bool = False) -> None:
    """prod's latest version holds what its files resolve to (a fresh process finds it unchanged;
    without plaintext secrets, which history keeps redacted, it holds the very same JSON), and the
    audit chain verifies."""
    if not secrets:
        assert latest(root, "prod") == fresh_snapshot(root, "prod")
    committed = azconf(root, "commit", "-e", "prod", "-m", "check", "--actor", "tester")
    assert committed.returncode == 0 and "unchanged since" in committed.stdout, committed.stdout
    verified = azconf(root, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


# -- a literal's type inside a list (True == 1 == 1.0 in Python) -------------------------------------


def cat_rule(literal: Any) -> dict[str, Any]:
    """A rule whose answer depends on how ``literal`` is written: ``cat`` of ``true`` is "True" (as
    flagd's reference spells it), of ``1`` is "1" (both are variants of ``layout``)."""
    return {"cat": [literal]}


@pytest.mark.parametrize(("first", "then"), [(True, 1), (1, True), (1, 1.0), (0.0, -0.0)])
def test_a_literal_retyped_inside_a_rule_is_served(tmp_path: Path, first: Any, then: Any) -> None:
    # The service compiles only the flags a write changed, told by the plan's diff: a diff that finds
    # [true] equal to [1] leaves the old rule served while the files (and history) hold the new one.
    root = make_project(tmp_path / "p", {"config/base/flags.yaml": BASE_FLAGS})
    source = serve(root)
    service_write(source, {"layout": {"targeting": cat_rule(first)}})
    assert_serves_the_files(source)
    outcome = service_write(source, {"layout": {"targeting": cat_rule(then)}})
    assert outcome.files, "the file changed, so something was written"
    assert [c.dotted for c in outcome.changes] == ["flags.layout.targeting.cat"]
    assert_serves_the_files(source)
    assert_history_tells_the_truth(root)


def test_a_rule_written_over_an_equal_looking_lower_rule_is_kept(tmp_path: Path) -> None:
    # The base's rule holds `true`; prod asks for `1`: that is a different rule (another variant is
    # chosen), so prod's overlay must set it, not drop the override as "the same as below".
    base = BASE_FLAGS + "    targeting: {cat: [true]}\n"
    root = make_project(tmp_path / "p", {"config/base/flags.yaml": base})
    source = serve(root)
    service_write(source, {"layout": {"targeting": cat_rule(1)}})
    served = source.current("prod")
    assert served is not None
    assert served.flags.evaluate("layout", {}, now=0).variant == "1"
    assert_serves_the_files(source)
    assert_history_tells_the_truth(root)


# -- a property: any sequence of retyped literals, through the service --------------------------------

LITERALS = st.sampled_from([True, False, 1, 0, 1.0, 0.0, -0.0, "1", "true", None])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["layout", "dark-mode"]), LITERALS), min_size=1, max_size=4))
def test_after_any_retyped_rules_the_service_serves_the_files(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, Any]]
) -> None:
    root = make_project(tmp_path_factory.mktemp("kept") / "p", {"config/base/flags.yaml": BASE_FLAGS})
    project, _ = load_project(root)
    assert project is not None
    commit_environments(project, ["prod"], message="base", actor="tester")
    source = serve(root)
    for flag, literal in steps:
        rule = None if literal is None else {"if": [{"==": [{"var": "x"}, [literal]]}, "on", "off"]}
        try:
            service_write(source, {flag: {"targeting": rule}})
        except ApiError as error:
            assert error.status == 422, error.message
        assert_serves_the_files(source)
        assert latest(root, "prod") == fresh_snapshot(root, "prod")


# -- a scalar item typed and hashed once per value ---------------------------------------------------


def test_a_negative_zero_setting_is_recorded_as_written(tmp_path: Path) -> None:
    # -0.0 == 0.0 (and hashes the same), but canonical JSON writes "-0.0": the history item of a
    # scalar, kept per value, must not hand one environment's 0.0 to another's -0.0.
    root = make_project(
        tmp_path / "p",
        {
            "config/base/settings.yaml": "settings:\n  region: eu\n",
            "config/envs/dev/settings.yaml": "settings:\n  ratio: 0.0\n",
            "config/envs/prod/settings.yaml": "settings:\n  ratio: -0.0\n",
        },
    )
    committed = azconf(root, "commit", "-m", "both", "--actor", "tester")  # one process, both envs
    assert committed.returncode == 0, committed.stderr
    assert latest(root, "prod") == fresh_snapshot(root, "prod")
    again = azconf(root, "commit", "-e", "prod", "-m", "again", "--actor", "tester")
    assert "unchanged since prod@1" in again.stdout, again.stdout
