"""model/secret_checks.py: secret references follow their grammar; plaintext secrets are found,
unless a reviewed exception allows them."""

from __future__ import annotations

from pathlib import Path

from project_files import resolved

from azconf.model.secret_checks import Allowed, PlaintextScanner, check_references

PASSWORD = 'settings:\n  db_password: "correct-horse-battery-staple-42"\n'


def test_a_malformed_reference_points_into_the_value(tmp_path: Path) -> None:
    _, data = resolved(tmp_path, {"config/base/secrets.yaml": "secrets:\n  api: vault://kv/web\n"})
    (problem,) = check_references(data)
    assert (problem.code, problem.path) == ("AZC0701", "secrets.api")
    assert problem.location is not None and problem.location.line == 2
    assert "vault://kv/web" not in problem.message  # never repeats the text: it may be a pasted secret


def test_a_well_formed_reference_passes(tmp_path: Path) -> None:
    _, data = resolved(tmp_path, {"config/base/secrets.yaml": "secrets:\n  api: vault://kv/web#key\n"})
    assert list(check_references(data)) == []


def test_a_plaintext_password_is_found_and_an_allowed_one_is_recorded(tmp_path: Path) -> None:
    project, data = resolved(tmp_path, {"config/base/settings.yaml": PASSWORD})
    (problem,) = PlaintextScanner([], project.source_line).scan(data)
    assert (problem.code, problem.path) == ("AZC0702", "settings.db_password")
    assert "correct-horse" not in problem.message
    scanner = PlaintextScanner([Allowed("settings.db_password", "a test fixture")], project.source_line)
    assert scanner.scan(data) == []
    assert scanner.exceptions == [("settings.db_password", "a test fixture")]
