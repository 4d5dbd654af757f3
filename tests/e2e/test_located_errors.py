"""Inputs that once crashed or were reported without a place (issue 13, items 9, 10 and 11): each is
now an error with ``file:line:col``, what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
from azconf_e2e import RunAzconf


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("literal", ["9" * 4301, "-" + "1" * 400, "!!int " + "7" * 5000])
def test_an_integer_too_long_for_any_consumer_is_located(azconf: RunAzconf, repo: Path, literal: str) -> None:
    append(repo / "config" / "base" / "settings.yaml", f"  big: {literal}\n")
    run = azconf("-C", repo, "validate")
    assert run.returncode == 1, run.stderr
    assert "config/base/settings.yaml:" in run.stdout and "AZC0117" in run.stdout
    assert "digits is beyond what JSON consumers hold" in run.stdout


def test_a_control_character_is_located_by_line_and_column(azconf: RunAzconf, repo: Path) -> None:
    append(repo / "config" / "base" / "settings.yaml", '  motto: "tab\x01here"\n')
    lines = (repo / "config" / "base" / "settings.yaml").read_text(encoding="utf-8").splitlines()
    line = len(lines)
    column = lines[-1].index("\x01") + 1
    run = azconf("-C", repo, "validate")
    assert run.returncode == 1
    assert f"config/base/settings.yaml:{line}:{column}: error AZC0104 control character U+0001" in run.stdout
    assert "position" not in run.stdout


def test_a_manifest_missing_a_required_key_points_at_the_file_s_first_key(
    azconf: RunAzconf, repo: Path
) -> None:
    manifest = repo / "azconf.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("project:")]
    manifest.write_text("".join(kept), encoding="utf-8")
    first = next(index for index, line in enumerate(kept, 1) if line[:1].isalpha())
    run = azconf("-C", repo, "validate")
    assert run.returncode == 1
    assert f'azconf.yaml:{first}:1: error AZC0202 missing required key "project"' in run.stdout


@pytest.mark.parametrize("value", ["99999999999", "2147483648"])
def test_replicas_are_bounded_as_kubernetes_bounds_them(
    azconf: RunAzconf, repo: Path, tmp_path: Path, value: str
) -> None:
    key, limit = "replicas", "2147483647"  # a Deployment's replicas is an int32
    services = repo / "config" / "envs" / "prod" / "services.yaml"
    services.write_text(
        services.read_text(encoding="utf-8").replace("    replicas: 6", f"    {key}: {value}", 1)
    )
    run = azconf("-C", repo, "validate", "--env", "prod")
    assert run.returncode == 1
    assert f"services.web.{key}: must be at most {limit}" in run.stdout
    assert "config/envs/prod/services.yaml:" in run.stdout
    out = tmp_path / "out"
    render = azconf(
        "-C", repo, "render", "--env", "prod", "--out", out, env={"AZCONF_DB": str(tmp_path / "h")}
    )
    assert render.returncode == 1 and not out.exists()
