"""One mistake, one error: what follows from a mistake is not reported as more mistakes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from azconf_e2e import EXAMPLE, RunAzconf


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    return root


def errors(azconf: RunAzconf, root: Path, *envs: str) -> list[tuple[str, str, str]]:
    report = azconf("-C", root, "validate", *envs, "--format", "json").json()
    return [(p["code"], p["path"], p["message"]) for p in report["problems"] if p["severity"] == "error"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_yaml_syntax_error_is_the_only_error(azconf: RunAzconf, example: Path) -> None:
    edit(example / "config/base/services.yaml", "    replicas: 1\n", "    replicas: [1\n")
    found = errors(azconf, example)
    assert [code for code, _, _ in found] == ["AZC0104"]


def test_a_misspelt_key_is_one_error_where_it_is_written(azconf: RunAzconf, example: Path) -> None:
    edit(example / "config/base/services.yaml", "    port: 8080\n", "    prot: 8080\n")
    found = errors(azconf, example)
    assert len(found) == 1 and found[0][:2] == ("AZC0201", "services.payments.prot")
    assert 'did you mean "port"' in found[0][2]


def test_a_misspelt_overlay_item_suggests_the_item_below(azconf: RunAzconf, example: Path) -> None:
    edit(example / "config/envs/prod/services.yaml", "\n  payments:\n", "\n  paymnts:\n")
    assert errors(azconf, example, "prod") == [
        ("AZC0205", "services.paymnts", 'no service "paymnts" below this overlay (did you mean "payments"?)')
    ]


def test_a_new_overlay_item_without_a_close_name_reports_what_it_lacks(
    azconf: RunAzconf, example: Path
) -> None:
    (example / "config/envs/prod/extra.yaml").write_text("services:\n  ledger-reconciler:\n    replicas: 2\n")
    codes = {
        code for code, path, _ in errors(azconf, example, "prod") if path == "services.ledger-reconciler"
    }
    assert codes == {"AZC0202"}


def test_a_cors_wildcard_with_credentials_is_refused(azconf: RunAzconf, example: Path) -> None:
    (example / "config/envs/dev/cors.yaml").write_text(
        "routes:\n  analytics-reports:\n    cors: {origins: ['*'], allow_credentials: true}\n"
    )
    found = errors(azconf, example, "dev")
    assert [(code, path) for code, path, _ in found] == [("AZC0203", "routes.analytics-reports.cors.origins")]
    assert "refused by every browser" in found[0][2]


def test_schema_formats_are_enforced_in_azconf_words(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "shop").returncode == 0
    settings = tmp_path / "shop/config/base/settings.yaml"
    edit(settings, "support_email: support@example.com", "support_email: not-an-email")
    (found,) = errors(azconf, tmp_path / "shop")
    assert found == (
        "AZC0501",
        "settings.support_email",
        'must be an e-mail address such as ops@example.com (got "not-an-email")',
    )


@pytest.mark.parametrize(
    "fmt, good, bad",
    [
        ("hostname", "api.example.com", "-bad-.example"),
        ("uri", "https://example.com/x", "not a uri"),
        ("date-time", "2027-01-31T09:30:00Z", "2027-13-01T00:00:00Z"),
        ("ipv4", "10.0.0.1", "10.0.0.300"),
        ("ipv6", "2001:db8::1", "2001:db8:::1"),
    ],
)
def test_common_formats_both_ways(fmt: str, good: str, bad: str) -> None:
    from jsonschema import Draft202012Validator

    from azconf.model.schema_words import format_checker

    validator = Draft202012Validator({"type": "string", "format": fmt}, format_checker=format_checker())
    assert validator.is_valid(good) and not validator.is_valid(bad)
