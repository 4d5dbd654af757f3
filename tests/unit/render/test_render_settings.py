"""Per-environment render settings: overrides deep-merged over render.<target>, {env}/{project} in every
string option, per-environment targets, and located problems for anything wrong under render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from azconf.config.project import load_project
from azconf.errors import DataError
from azconf.render import TARGETS
from azconf.render.render_settings import RenderSettings, merge

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "azora"


def project_with(tmp_path: Path, render_yaml: str) -> RenderSettings:
    """The example with its ``render:`` block replaced by ``render_yaml``; its settings, unchecked."""
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    manifest = root / "azconf.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text[: text.index("render:")] + render_yaml, encoding="utf-8")
    project, problems = load_project(root)
    assert project is not None, problems
    return RenderSettings(project)


def test_merge_follows_the_layering_rules() -> None:
    base = {"a": {"x": 1, "y": 2}, "list": [1, 2], "gone": 3}
    override = {"a": {"y": 5}, "list": [3], "gone": None, "new": True}
    assert merge(base, override) == {"a": {"x": 1, "y": 5}, "list": [3], "new": True}
    assert base == {"a": {"x": 1, "y": 2}, "list": [1, 2], "gone": 3}  # untouched


def test_every_string_option_is_templated_and_overrides_apply_per_environment(tmp_path: Path) -> None:
    settings = project_with(
        tmp_path,
        """render:
  kubernetes:
    namespace: "{project}-{env}"
    labels: {env: "{env}"}
    gateway: {name: gw, namespace: "{project}-gateways"}
  tyk:
    api_id: "{project}-{env}-{route}"
  environments:
    prod:
      kubernetes:
        gateway: {section_name: https}
        labels: null
""",
    )
    assert settings.problems == []
    dev, prod = settings.options("kubernetes", "dev"), settings.options("kubernetes", "prod")
    assert (dev.namespace, prod.namespace) == ("azora-dev", "azora-prod")
    assert dev.labels == {"env": "dev"} and prod.labels == {}
    assert dev.gateway.namespace == prod.gateway.namespace == "azora-gateways"
    assert (dev.gateway.section_name, prod.gateway.section_name) == (None, "https")
    assert settings.options("tyk", "dev").api_id == "azora-dev-{route}"  # {route} is Tyk's own
    assert settings.targets("dev") == list(TARGETS)


def test_equal_options_are_one_object_so_targets_keep_sharing_across_environments(tmp_path: Path) -> None:
    settings = project_with(tmp_path, "render:\n  kubernetes: {namespace: azora}\n")
    assert settings.options("kubernetes", "dev") is settings.options("kubernetes", "prod")


def test_targets_per_environment_keep_the_documented_order(tmp_path: Path) -> None:
    settings = project_with(tmp_path, "render:\n  environments:\n    dev: {targets: [flagd, terraform]}\n")
    assert settings.targets("dev") == ["terraform", "flagd"]
    assert settings.targets("prod") == list(TARGETS)


def test_problems_point_at_the_line_that_set_the_value(tmp_path: Path) -> None:
    settings = project_with(
        tmp_path,
        """render:
  kubernetes:
    refresh_interval: soon
  environments:
    staging:
      kubernetes:
        namespce: x
      targets: kubernetes
""",
    )
    found = {(p.location.line, p.path, p.env): p.message for p in settings.problems}
    first = next(iter(found))
    assert first[0] > 1
    messages = list(found.values())
    assert any('unknown key "namespce" (did you mean "namespace"?)' in m for m in messages)
    assert any(m.startswith("must be a list of targets") for m in messages)
    assert any("refresh_interval" in path for _, path, _ in found)
    # A problem of render.kubernetes is reported once, not once per environment.
    assert sum("refresh_interval" in path for _, path, _ in found) == 1
    staging = [key for key in found if "namespce" in key[1]]
    assert staging == [(staging[0][0], "render.environments.staging.kubernetes.namespce", "staging")]
    with pytest.raises(DataError, match="render"):
        settings.raise_problems()
