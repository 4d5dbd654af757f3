"""The check engine in-process: one Check resolves, types and checks; every kind of problem is found,
in this process or on the second core, and the verdict names the failing environments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from azconf.check.engine import SECOND_CORE, Check
from azconf.config.project import Project, load_project
from azconf.environment import InvalidEnvironment

MANIFEST = """\
version: 1
project: shop
environments: [dev, prod]
layers: [config/base, "config/envs/{env}"]
schemas:
  settings: schemas/settings.schema.json
"""
VALID = {
    "services.yaml": "services:\n  web:\n    image: ghcr.io/shop/web:1.0\n    port: 8080\n"
    "    flags: [dark-mode]\n    secrets: [api-key]\n",
    "flags.yaml": "flags:\n  dark-mode: true\n",
    "secrets.yaml": "secrets:\n  api-key: vault://kv/shop/web#api_key\n",
    "settings.yaml": "settings:\n  port: 8080\n",
}
SCHEMA = {"type": "object", "properties": {"port": {"type": "integer"}}}


def write_project(root: Path, base: dict[str, str], prod: dict[str, str] | None = None) -> Project:
    """A project of two environments: ``base`` under config/base, ``prod`` as prod's overlay."""
    for folder in ("config/base", "config/envs/dev", "config/envs/prod", "schemas"):
        (root / folder).mkdir(parents=True)
    (root / "azconf.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "schemas/settings.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    for folder, files in (("config/base", base), ("config/envs/prod", prod or {})):
        for name, text in files.items():
            (root / folder / name).write_text(text, encoding="utf-8")
    project, problems = load_project(root)
    assert project is not None, problems
    return project


def test_a_valid_project_passes_with_every_environment_typed(tmp_path: Path, mode: str) -> None:
    check = Check(write_project(tmp_path, VALID), ["dev", "prod"], today=dt.date(2026, 1, 1))
    loaded = check.verdict()
    assert [env.name for env in loaded] == ["dev", "prod"]
    assert loaded[0].model.services["web"].port == 8080
    assert check.models()["prod"].flags["dark-mode"] is loaded[1].model.flags["dark-mode"]


def test_every_kind_of_problem_is_found_on_either_core(tmp_path: Path, mode: str) -> None:
    broken = {
        **VALID,
        "services.yaml": VALID["services.yaml"].replace("[dark-mode]", "[dark-mode, no-such-flag]"),
        "routes.yaml": "routes:\n  Bad_Route:\n    path: /api\n    service: web\n",
        "flags.yaml": "flags:\n  dark-mode: true\n  rollout:\n    state: ENABLED\n"
        '    variants: {"on": true, "off": false}\n    defaultVariant: "off"\n'
        "    targeting: {no_such_operation: [1]}\n",
        "secrets.yaml": "secrets:\n  api-key: vault://missing-key\n",
        "settings.yaml": 'settings:\n  port: "8080"\n  db_password: "correct-horse-battery-staple-42"\n',
    }
    problems = Check(write_project(tmp_path, broken), ["dev"], today=dt.date(2026, 1, 1)).result().problems
    codes = {problem.code for problem in problems}
    # This process: an unknown reference and a malformed secret reference; the second core: a
    # Kubernetes name, a targeting rule, the user's schema and a plaintext secret.
    assert {"AZC0301", "AZC0701", "AZC0303", "AZC0403", "AZC0501", "AZC0702"} <= codes, codes


def test_the_verdict_names_only_the_failing_environment(tmp_path: Path, mode: str) -> None:
    project = write_project(tmp_path, VALID, prod={"settings.yaml": "settings:\n  port: eighty\n"})
    with pytest.raises(InvalidEnvironment, match='environment "prod" is not valid') as raised:
        Check(project, ["dev", "prod"]).verdict()
    assert [problem.code for problem in raised.value.problems] == ["AZC0501"]
    assert raised.value.problems[0].path == "settings.port"


def test_the_second_core_runs_the_declared_checks_of_the_resolved_data() -> None:
    names = [check.__name__ for check in SECOND_CORE]
    assert names == ["_user_schemas", "_targeting_rules", "_kubernetes_names", "_plaintext_secrets"]
