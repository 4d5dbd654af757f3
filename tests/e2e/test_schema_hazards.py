"""User schemas that once hung or crashed validate (issue 13, items 7 and 9): a pattern with
catastrophic backtracking, a pattern the linear engine cannot run, a schema nested 1,000 deep."""

from __future__ import annotations

import json
from pathlib import Path

from azconf_e2e import RunAzconf


def bind(repo: Path, schema: object, value: str) -> None:
    """Bind ``schema`` (or JSON text) to ``settings.codename`` and set that value in the base layer."""
    text = schema if isinstance(schema, str) else json.dumps(schema)
    (repo / "schemas" / "codename.schema.json").write_text(text, encoding="utf-8")
    manifest = repo / "azconf.yaml"
    text = manifest.read_text(encoding="utf-8")
    anchor = "  settings: schemas/settings.schema.json\n"
    manifest.write_text(text.replace(anchor, anchor + "  settings.codename: schemas/codename.schema.json\n"))
    settings = repo / "config" / "base" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"  codename: {json.dumps(value)}\n")


def test_a_catastrophic_pattern_answers_at_once_with_the_value_located(azconf: RunAzconf, repo: Path) -> None:
    bind(repo, {"type": "string", "pattern": "^(a+)+$"}, "a" * 40 + "!")
    run = azconf("-C", repo, "validate", "--format", "json", timeout=10)
    assert run.returncode == 1, run.stderr
    found = [p for p in run.json()["problems"] if p["path"] == "settings.codename"]
    assert found, run.stdout
    assert found[0]["message"].startswith("does not have the form the schema requires")
    assert "^(a+)+$" not in found[0]["message"]  # azconf's words, not the pattern
    assert found[0]["file"] == "config/base/settings.yaml" and found[0]["line"] > 0


def test_a_pattern_with_look_around_is_reported_with_where_it_is(azconf: RunAzconf, repo: Path) -> None:
    bind(repo, {"type": "string", "properties": {}, "pattern": "(?<=x)y"}, "xy")
    run = azconf("-C", repo, "validate", timeout=10)
    assert run.returncode == 1, run.stderr
    assert 'schema "schemas/codename.schema.json": pattern "(?<=x)y" at /pattern:' in run.stdout
    assert "azconf.yaml:" in run.stdout and "AZC0502" in run.stdout


def test_a_schema_nested_a_thousand_deep_is_a_located_error(azconf: RunAzconf, repo: Path) -> None:
    bind(repo, '{"anyOf": [' * 1000 + '{"type": "string"}' + "]}" * 1000, "x")
    run = azconf("-C", repo, "validate", timeout=10)
    assert run.returncode == 1, run.stderr
    assert 'schema "schemas/codename.schema.json" is nested more than 128 levels deep' in run.stdout
    assert "azconf.yaml:" in run.stdout
