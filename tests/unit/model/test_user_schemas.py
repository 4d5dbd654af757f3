"""model/user_schemas.py: the user's JSON Schemas, bound by path in azconf.yaml, on resolved data."""

from __future__ import annotations

import json
from pathlib import Path

from project_files import MANIFEST, resolved

from azconf.config.located import LocatedMap
from azconf.model.user_schemas import SchemaChecker

BOUND = MANIFEST + "schemas:\n  services.*.settings: schemas/settings.schema.json\n"
SCHEMA = {
    "type": "object",
    "properties": {"log_level": {"enum": ["debug", "info"]}},
    "required": ["log_level"],
}


def service(settings: str) -> str:
    return f"services:\n  web:\n    image: ghcr.io/shop/web:1.0\n    port: 8080\n    settings: {settings}\n"


def checker_and_data(tmp_path: Path, settings: str) -> tuple[SchemaChecker, LocatedMap]:
    files = {
        "config/base/services.yaml": service(settings),
        "schemas/settings.schema.json": json.dumps(SCHEMA),
    }
    project, data = resolved(tmp_path, files, BOUND)
    return SchemaChecker(project), data


def test_a_value_outside_the_schema_is_reported_at_its_path(tmp_path: Path) -> None:
    checker, data = checker_and_data(tmp_path, "{log_level: loud}")
    (problem,) = checker.check(data)
    assert (problem.code, problem.path) == ("AZC0501", "services.web.settings.log_level")
    assert problem.location is not None and (problem.location.line, problem.location.column) == (5, 27)


def test_a_value_inside_the_schema_passes(tmp_path: Path) -> None:
    checker, data = checker_and_data(tmp_path, "{log_level: info}")
    assert checker.problems == [] and checker.check(data) == []


def test_a_schema_that_is_not_json_is_reported_once_and_checks_nothing(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    files = {"config/base/services.yaml": service("{log_level: loud}")}
    (tmp_path / "schemas/settings.schema.json").write_text("{not json", encoding="utf-8")
    project, data = resolved(tmp_path, files, BOUND)
    checker = SchemaChecker(project)
    assert [p.code for p in checker.problems] == ["AZC0502"]
    assert checker.check(data) == []
