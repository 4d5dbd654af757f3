"""model/build.py: typing an environment, keeping the valid items, and typing shared items once."""

from __future__ import annotations

from pathlib import Path

from project_files import resolved

from azconf.model.build import build_environment

SERVICES = "services:\n  web:\n    image: ghcr.io/shop/web:1.0\n    port: 8080\n"


def test_a_valid_environment_is_typed_item_by_item(tmp_path: Path) -> None:
    _, data = resolved(tmp_path, {"config/base/services.yaml": SERVICES})
    model, problems = build_environment(data)
    assert problems == []
    assert model.services["web"].port == 8080 and model.services["web"].image == "ghcr.io/shop/web:1.0"


def test_an_invalid_item_is_left_out_with_its_problem_located(tmp_path: Path) -> None:
    text = SERVICES + "  api:\n    image: ghcr.io/shop/api:1.0\n    port: many\n"
    _, data = resolved(tmp_path, {"config/base/services.yaml": text})
    model, problems = build_environment(data)
    assert list(model.services) == ["web"]
    assert [(p.code, p.path, p.location.line if p.location else None) for p in problems] == [
        ("AZC0203", "services.api.port", 7)
    ]


def test_an_unknown_key_is_an_error_not_ignored(tmp_path: Path) -> None:
    _, data = resolved(tmp_path, {"config/base/services.yaml": SERVICES + "    replics: 2\n"})
    _, problems = build_environment(data)
    assert [(p.code, p.path) for p in problems] == [("AZC0201", "services.web.replics")]


def test_an_item_equal_in_two_environments_is_typed_once(tmp_path: Path) -> None:
    _, data = resolved(tmp_path, {"config/base/services.yaml": SERVICES})
    first, _ = build_environment(data)
    second, _ = build_environment(data)
    assert first.services["web"] is second.services["web"]
