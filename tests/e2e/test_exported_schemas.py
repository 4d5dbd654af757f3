"""The committed JSON Schemas (schemas/) are usable by other tools: jsonschema accepts real files.

Editors read layer files through yaml-language-server, a YAML 1.2 reader in which ``2027-03-31`` is a
string; the loader below is PyYAML without its YAML 1.1 timestamp rule, so that it reads them the same
way (and independently of azconf's own parser).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from azconf_e2e import EXAMPLE, REPO, RunAzconf
from jsonschema import Draft202012Validator

SCHEMAS = REPO / "schemas"
ENVIRONMENTS = ("dev", "staging", "prod")
LAYER_FILES = sorted(EXAMPLE.glob("config/**/*.yaml"))


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with dates left as strings as in YAML 1.2."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(name: str, document: Any) -> list[str]:
    """Every error as "path: message", including those under anyOf branches (overlays are nullable)."""
    found: list[str] = []
    pending = list(validator(name).iter_errors(document))
    while pending:
        error = pending.pop(0)
        found.append(f"{'/'.join(map(str, error.absolute_path))}: {error.message}")
        pending += error.context or []
    return found


def test_the_loader_keeps_dates_as_strings() -> None:
    assert yaml.load("expires: 2027-03-31\n", Loader=Yaml12Loader) == {"expires": "2027-03-31"}


@pytest.mark.parametrize("path", LAYER_FILES, ids=[str(p.relative_to(EXAMPLE)) for p in LAYER_FILES])
def test_example_layer_files_match_the_config_schema(path: Path) -> None:
    assert errors("azconf-config.schema.json", load_yaml(path)) == []


def test_example_manifest_matches_the_manifest_schema() -> None:
    assert errors("azconf-manifest.schema.json", load_yaml(EXAMPLE / "azconf.yaml")) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_resolved_environments_match_the_resolved_schema(azconf: RunAzconf, env: str) -> None:
    run = azconf("-C", EXAMPLE, "show", "--env", env, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert errors("azconf-resolved.schema.json", run.json()) == []


def test_init_project_matches_the_schemas(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "fresh", cwd=tmp_path).returncode == 0
    root = tmp_path / "fresh"
    assert errors("azconf-manifest.schema.json", load_yaml(root / "azconf.yaml")) == []
    for path in sorted(root.glob("config/**/*.yaml")):
        assert errors("azconf-config.schema.json", load_yaml(path)) == [], path


@pytest.mark.parametrize(
    ("schema", "document", "where"),
    [
        ("azconf-config.schema.json", {"services": {"web": {"port": "8080"}}}, "services/web/port"),
        ("azconf-config.schema.json", {"services": {"web": {"replicaz": 2}}}, "services/web"),
        ("azconf-config.schema.json", {"flags": {"f": {"state": "ON"}}}, "flags/f"),
        ("azconf-resolved.schema.json", {"services": {"web": {"image": "x:1"}}}, "services/web"),
        ("azconf-manifest.schema.json", {"project": "demo", "environments": "dev"}, "environments"),
    ],
    ids=["wrong-type", "unknown-key", "bad-flag-state", "missing-port", "environments-not-a-list"],
)
def test_the_schemas_reject_bad_documents(schema: str, document: Any, where: str) -> None:
    found = errors(schema, document)
    assert found, f"{schema} accepted {document}"
    assert any(error.startswith(f"{where}: ") for error in found), found
