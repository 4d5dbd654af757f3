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
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_source_written import write as service_write  # a write through the service's path

from azconf.check.engine import Check
from azconf.config.located import LocatedList, LocatedMap, same_data
from azconf.config.project import ParsedFiles, load_project
from azconf.config.resolve import Resolver
from azconf.config.yaml_io import parse_yaml
from azconf.edit.plan import Plan, Planner
from azconf.edit.transaction import Recording, WriteOutcome, fresh_project, write_recorded
from azconf.errors import DataError
from azconf.history.api import commit_environments, load_ref
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


def assert_serves_the_files(source: Source) -> None:
    """What ``source`` serves is what a fresh load of the files serves, for every context tried."""
    served, again = source.current("prod"), serve(source.settings.project_root).current("prod")
    assert served is not None and again is not None
    assert canonical_json(served.document) == canonical_json(again.document)
    assert (served.etag, served.files, served.static_bodies) == (again.etag, again.files, again.static_bodies)
    for context in ({}, {"tier": "1"}, {"tier": "true"}, {"x": 1}, {"x": True}, {"x": 0}):
        assert served.flags.evaluate_all(context, now=0) == again.flags.evaluate_all(context, now=0)
    assert_parses_untouched(source.parsed)


def assert_parses_untouched(parsed: ParsedFiles) -> None:
    """Every kept parse is still what its bytes parse to, locations included: nothing derived from
    it, merged over it or built from it changed it (the premise of keeping what is derived)."""
    for display, texts in parsed.kept.items():
        for data, document in texts:
            assert located_equal(document.data, parse_yaml(data, display).data), display


def located_equal(left: Any, right: Any) -> bool:
    """The same data with the same locations, all the way down."""
    if isinstance(left, LocatedMap):
        return (
            isinstance(right, LocatedMap)
            and (left.origins, left.deleted) == (right.origins, right.deleted)
            and left.keys() == right.keys()
            and all(located_equal(item, right[key]) for key, item in left.items())
        )
    if isinstance(left, LocatedList):
        return (
            isinstance(right, LocatedList)
            and left.origins == right.origins
            and len(left) == len(right)
            and all(map(located_equal, left, right))
        )
    return same_data(left, right)


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


# -- the file lines an inline `# azconf:allow-secret` is read from -----------------------------------

ALLOWED_BELOW = """\
flags:
  beta: false
settings:
  legacy:
    password: "Xk9#mQ2$vL7pR4tZ"   # azconf:allow-secret reviewed: a fake for the demo
"""


def set_value(root: Path, env: str, path: tuple[str, ...], value: Any, kept: ParsedFiles) -> WriteOutcome:
    def build(project: Any) -> Plan:
        planner = Planner(project, env)
        planner.want(path, value)
        return planner.plan()

    return write_recorded(root, build, Recording("set", "tester", "set"), parsed=kept)


def test_an_allowed_secret_stays_allowed_when_a_write_moves_its_line(tmp_path: Path) -> None:
    # The marker is on the secret's line in the written text; the old text has another line there.
    root = make_project(
        tmp_path / "p",
        {"config/base/flags.yaml": BASE_FLAGS, "config/envs/prod/flags.yaml": ALLOWED_BELOW},
    )
    assert azconf(root, "validate").returncode == 0
    kept = ParsedFiles()
    outcome = set_value(root, "prod", ("flags", "gamma"), True, kept)
    assert outcome.version is not None
    assert azconf(root, "validate").returncode == 0
    set_value(root, "prod", ("flags", "delta"), False, kept)  # the kept parse of the written text
    assert_history_tells_the_truth(root, secrets=True)
    assert_parses_untouched(kept)
    cli = azconf(root, "set", "prod", "flags.epsilon", "true", "-y")
    assert cli.returncode == 0, cli.stderr


def marked_comments(count: int) -> str:
    """Comment lines that each carry an allow marker (a note about the file, not about a value)."""
    return "".join(f"# azconf:allow-secret note {i}: the fakes are in settings.yaml\n" for i in range(count))


def test_a_secret_written_where_the_old_text_had_a_marker_is_refused_and_stays_refused(
    tmp_path: Path,
) -> None:
    # A write puts a token in a rule, on a line that held an allow marker before the write. The
    # marker is not on the token's line: the write must be refused (422), and no kept finding may
    # say otherwise later.
    prod = "flags:\n  layout:\n    state: ENABLED\n" + marked_comments(20)
    files = {"config/base/flags.yaml": BASE_FLAGS, "config/envs/prod/flags.yaml": prod}
    root = make_project(tmp_path / "p", files)
    assert azconf(root, "validate").returncode == 0
    source = serve(root)
    rule = {"if": [{"==": [{"var": "token"}, TOKEN]}, "on", "off"]}
    with pytest.raises(ApiError) as refused:
        service_write(source, {"layout": {"targeting": rule}})
    assert refused.value.status == 422
    assert [p["code"] for p in refused.value.extra["problems"]] == ["AZC0702"]
    path = root / "config/envs/prod/flags.yaml"
    assert TOKEN not in path.read_text(encoding="utf-8")
    # The same text saved by hand: its parse is the one the write checked (kept), and so is what
    # was found in it; the service must refuse it as `azconf validate` does.
    rule_text = f"    targeting:\n      if:\n        - ==:\n            - var: token\n            - {TOKEN}\n"
    path.write_text(prod.replace("ENABLED\n", "ENABLED\n" + rule_text + '        - "on"\n        - "off"\n'))
    assert source.stale({str(path)}) == ["prod"]
    assert asyncio.run(source.reload(["prod"])) == []
    assert [p.code for p in source.envs["prod"].problems] == ["AZC0702"]
    assert azconf(root, "validate").returncode == 1


# -- what the manifest, the day and the files' hand edits say, between kept writes -------------------


def test_a_manifest_allow_list_change_between_kept_writes(tmp_path: Path) -> None:
    prod = 'settings:\n  legacy:\n    password: "Xk9#mQ2$vL7pR4tZ"\n'
    allow = "secrets:\n  allow:\n    - {path: settings.legacy.password, reason: a fake}\n"
    root = make_project(
        tmp_path / "p",
        {"config/base/flags.yaml": BASE_FLAGS, "config/envs/prod/settings.yaml": prod},
    )
    (root / "azconf.yaml").write_text(MANIFEST + allow, encoding="utf-8")
    kept = ParsedFiles()
    set_value(root, "prod", ("flags", "a"), True, kept)
    (root / "azconf.yaml").write_text(MANIFEST, encoding="utf-8")  # the exception withdrawn by hand
    with pytest.raises(DataError) as refused:
        set_value(root, "prod", ("flags", "b"), True, kept)
    assert [p.code for p in refused.value.problems] == ["AZC0702"]
    (root / "azconf.yaml").write_text(MANIFEST + allow, encoding="utf-8")
    set_value(root, "prod", ("flags", "c"), True, kept)
    assert_history_tells_the_truth(root, secrets=True)
    assert_parses_untouched(kept)


def test_an_inline_marker_added_by_hand_between_kept_writes(tmp_path: Path) -> None:
    settings_file = "config/envs/prod/settings.yaml"
    prod = 'settings:\n  legacy:\n    password: "Xk9#mQ2$vL7pR4tZ"\n'
    root = make_project(tmp_path / "p", {"config/base/flags.yaml": BASE_FLAGS, settings_file: prod})
    kept = ParsedFiles()
    with pytest.raises(DataError):
        set_value(root, "prod", ("flags", "a"), True, kept)
    path = root / settings_file
    path.write_text(prod.replace('tZ"', 'tZ"  # azconf:allow-secret a fake'), encoding="utf-8")
    set_value(root, "prod", ("flags", "a"), True, kept)
    path.write_text(prod, encoding="utf-8")  # and taken back out
    with pytest.raises(DataError):
        set_value(root, "prod", ("flags", "b"), True, kept)
    assert azconf(root, "validate").returncode == 1


def test_an_expiry_is_judged_by_each_check_s_day(tmp_path: Path) -> None:
    flags = BASE_FLAGS + "    expires: 2030-01-01\n"
    root = make_project(tmp_path / "p", {"config/base/flags.yaml": flags})
    kept = ParsedFiles()

    def warnings(today: dt.date) -> list[str]:
        project = fresh_project(root, kept)
        return [p.code for p in Check(project, ["prod"], today=today).result().problems]

    assert warnings(dt.date(2029, 12, 31)) == []
    assert warnings(dt.date(2030, 1, 2)) == ["AZC0404"]
    assert warnings(dt.date(2029, 12, 31)) == []


def test_hand_edits_of_the_base_between_service_writes(tmp_path: Path) -> None:
    # Between two writes the base changes by hand: a shorthand written out in full and back, a flag
    # deleted in prod by null and restored, an item shared through a YAML alias edited on one side.
    base = (
        BASE_FLAGS
        + "  aliased: &shared\n    state: ENABLED\n    variants: {a: 1, b: 2}\n"
        + ("    defaultVariant: a\n  copy: *shared\n")
    )
    root = make_project(tmp_path / "p", {"config/base/flags.yaml": base})
    project, _ = load_project(root)
    assert project is not None
    commit_environments(project, ["prod"], message="base", actor="tester")
    source = serve(root)
    base_file, prod_file = root / "config/base/flags.yaml", root / "config/envs/prod/flags.yaml"
    hand_edits = [
        (base_file, base.replace("dark-mode: true", "dark-mode: {state: ENABLED, variants: {x: 1}}")),
        (prod_file, "flags:\n  dark-mode: null\n"),
        (base_file, base.replace("dark-mode: true", "dark-mode: false")),
        (prod_file, "flags:\n  dark-mode: {state: DISABLED}\n"),
        (base_file, base),
        (prod_file, "flags:\n  copy: {defaultVariant: b}\n"),
    ]
    for path, text in hand_edits:
        path.write_text(text, encoding="utf-8")
        assert source.stale({str(path)}) in (["prod"], None)  # what the watcher asks, then reloads
        asyncio.run(source.reload(["prod"]))
        assert_serves_the_files(source)
        # Each write changes something (and so records the hand edit before it, as any write does).
        flip(source, "layout", ("on", "off"))
        flip(source, "aliased", ("a", "b"))
        assert_serves_the_files(source)
        assert_history_tells_the_truth(root)


def flip(source: Source, flag: str, variants: tuple[str, str]) -> None:
    """A service write of ``flag``'s default variant: the one of ``variants`` it is not now."""
    served = source.current("prod")
    assert served is not None
    now = served.document["flags"][flag]["defaultVariant"]
    service_write(source, {flag: {"defaultVariant": variants[now == variants[0]]}})
