"""model/checks.py: references, route conflicts, flags and names, on a typed environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from project_files import resolved

from azconf.model.build import build_environment
from azconf.model.checks import check_environment, check_names, check_rules
from azconf.problems import Severity

SERVICE = "services:\n  web:\n    image: ghcr.io/shop/web:1.0\n    port: 8080\n"
TODAY = dt.date(2026, 6, 1)


def problems_of(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str]]:
    _, data = resolved(tmp_path, {f"config/base/{name}": text for name, text in files.items()})
    model, typing_problems = build_environment(data)
    assert typing_problems == []
    return [(p.code, p.path) for p in check_environment(model, data, today=TODAY)]


def test_a_reference_to_a_missing_flag_is_reported_where_it_is_made(tmp_path: Path) -> None:
    found = problems_of(tmp_path, {"services.yaml": SERVICE + "    flags: [dark-mode]\n"})
    assert found == [("AZC0301", "services.web.flags[0]")]


def test_two_routes_on_one_path_and_method_conflict(tmp_path: Path) -> None:
    routes = "routes:\n  a:\n    path: /api\n    service: web\n  b:\n    path: /api\n    service: web\n"
    found = problems_of(tmp_path, {"services.yaml": SERVICE, "routes.yaml": routes})
    assert {code for code, _ in found} == {"AZC0302"}


def test_an_expired_flag_is_a_warning_and_a_bad_default_variant_an_error(tmp_path: Path) -> None:
    flags = (
        "flags:\n  old:\n    state: ENABLED\n    variants: {a: true, b: false}\n    defaultVariant: a\n"
        "    expires: 2026-01-01\n  odd:\n    state: ENABLED\n    variants: {a: 1}\n    defaultVariant: z\n"
    )
    _, data = resolved(tmp_path, {"config/base/flags.yaml": flags})
    model, _ = build_environment(data)
    found = {p.code: p.severity for p in check_environment(model, data, today=TODAY)}
    assert found == {"AZC0404": Severity.WARNING, "AZC0402": Severity.ERROR}


def test_names_and_rules_need_only_the_resolved_data(tmp_path: Path) -> None:
    files = {
        "config/base/routes.yaml": "routes:\n  Bad_Name:\n    path: /x\n    service: web\n",
        "config/base/flags.yaml": "flags:\n  f:\n    state: ENABLED\n    variants: {a: true}\n"
        "    defaultVariant: a\n    targeting: {nope: []}\n",
    }
    _, data = resolved(tmp_path, files)
    assert [(p.code, p.path) for p in check_names(data)] == [("AZC0303", "routes.Bad_Name")]
    first = [(p.code, p.path) for p in check_rules(data)]
    assert first and {code for code, _ in first} == {"AZC0403"}
    assert [(p.code, p.path) for p in check_rules(data)] == first  # a kept answer, the same answer


def test_a_route_exposed_directly_is_a_warning_naming_what_the_gateway_no_longer_applies(
    tmp_path: Path,
) -> None:
    routes = (
        "routes:\n  open:\n    path: /open\n    service: web\n    auth: none\n    expose: direct\n"
        "  signed:\n    path: /signed\n    service: web\n    expose: direct\n"
        "    rate_limit: {rate: 5, per: 1}\n"
    )
    _, data = resolved(tmp_path, {"config/base/services.yaml": SERVICE, "config/base/routes.yaml": routes})
    model, _ = build_environment(data)
    (found,) = check_environment(model, data, today=TODAY)  # the open route loses nothing: no warning
    assert (found.code, found.severity, found.path) == ("AZC0305", Severity.WARNING, "routes.signed.expose")
    assert "auth: jwt, its rate limit" in found.message
    assert (found.location.line, found.location.column) == (10, 13)  # file:line:col of the opt-in


def test_scopes_need_oauth2_and_one_timeout_is_set_at_a_time(tmp_path: Path) -> None:
    routes = (
        "routes:\n  a:\n    path: /a\n    service: web\n    scopes: [reports:read]\n"
        "  b:\n    path: /b\n    service: web\n    auth: oauth2\n    scopes: [reports:read]\n"
        "    timeout_seconds: 5\n    timeout_ms: 500\n"
    )
    found = problems_of(tmp_path, {"services.yaml": SERVICE, "routes.yaml": routes})
    assert found == [("AZC0203", "routes.a.scopes"), ("AZC0203", "routes.b.timeout_ms")]
