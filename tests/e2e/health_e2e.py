"""Helpers of the health tests: a healthy copy of the example, doctor runs, what a report says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azconf_e2e import Run, RunAzconf

HEALTH = """
health:
  thresholds:
    uncommitted_hours: {warning: 0}   # any uncommitted edit warns (the default waits a day)
  notify:
    url: env://AZCONF_TEST_WEBHOOK
    timeout_seconds: 2
    retries: 1
"""


def make_healthy(azconf: RunAzconf, repo: Path, health: str = HEALTH) -> Path:
    """The example with a health section, no expired flag, every environment committed, prod rendered."""
    manifest = repo / "azconf.yaml"
    manifest.write_text(manifest.read_text() + health)
    flags = repo / "config/base/flags.yaml"
    flags.write_text(flags.read_text().replace("expires: 2025-06-30", "expires: 2099-06-30"))
    assert azconf("-C", repo, "commit", "-m", "base").returncode == 0
    assert azconf("-C", repo, "render", "prod").returncode == 0
    return repo


def doctor(
    azconf: RunAzconf, project: Path, receiver: Any, *args: str, **env: str
) -> tuple[Run, dict[str, Any]]:
    """``azconf doctor --format json ARGS``, the receiver's URL and dev's secret set (``VAR=""`` unsets)."""
    variables = {"AZCONF_TEST_WEBHOOK": receiver.url, "STRIPE_TEST_API_KEY": "sk_test_doctor", **env}
    run = azconf(
        "-C", project, "doctor", "--format", "json", *args, env={k: v for k, v in variables.items() if v}
    )
    return run, run.json()


def status(report: dict[str, Any], key: str) -> str:
    """The status of the check ``key`` in a JSON report."""
    (check,) = [c for c in report["checks"] if c["key"] == key]
    return str(check["status"])


def events(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The alert events of a JSON report: (event, check key, severity)."""
    return [(a["event"], a["check_key"], a["severity"]) for a in report["alerts"]]
