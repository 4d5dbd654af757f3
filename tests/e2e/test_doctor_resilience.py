"""``azconf doctor`` keeps reporting when something is broken: a damaged history database, an invalid
``health:`` block, a broken manifest. Each becomes a failing check beside every other check, so that
a cron job's metrics file always says what is wrong instead of going silent. Also: locations as
``validate`` prints them, the ``target`` label, and a fresh ``azconf init`` project being healthy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azconf_e2e import RunAzconf
from health_e2e import doctor, events, status
from webhook_receiver import Receiver


def prometheus_statuses(text: str) -> dict[tuple[str, str, str, str], float]:
    """``azconf_check_status`` by (component, env, target, metric), parsed by prometheus_client."""
    from prometheus_client.parser import text_string_to_metric_families

    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert set(families) == {"azconf_check_value", "azconf_check_status"}
    samples = families["azconf_check_status"].samples
    assert len(samples) == len(families["azconf_check_value"].samples)
    return {
        (s.labels["component"], s.labels["env"], s.labels["target"], s.labels["metric"]): s.value
        for s in samples
    }


def keys(report: dict[str, Any]) -> set[str]:
    return {check["key"] for check in report["checks"]}


def test_a_damaged_history_database_is_a_critical_check_beside_every_other(
    azconf: RunAzconf, healthy: Path, receiver: Receiver
) -> None:
    _, before = doctor(azconf, healthy, receiver)
    database = healthy / ".azconf/history.db"
    assert database.stat().st_size > 20000
    with database.open("r+b") as handle:  # truncate -s 20000
        handle.truncate(20000)

    run = azconf("-C", healthy, "doctor", "--format", "prometheus", env={"STRIPE_TEST_API_KEY": "x"})
    assert run.returncode == 1, run.stderr
    statuses = prometheus_statuses(run.stdout)
    assert statuses[("history", "", "", "history_damage")] == 2
    assert statuses[("config", "prod", "", "config_errors")] == 0
    assert statuses[("drift", "prod", "kubernetes", "drift_files")] == 0
    assert statuses[("flags", "prod", "", "expired_flags")] == 0
    assert "alerts not updated" in run.stderr and "damaged" in run.stderr

    run, report = doctor(azconf, healthy, receiver)
    assert run.returncode == 1
    (damage,) = [c for c in report["checks"] if c["key"] == "history/history_damage"]
    assert damage["status"] == "critical"
    assert "history.db" in damage["message"] and "damaged" in damage["message"]
    # What needs the history (uncommitted edits, undeployed versions, stale flags) is not measured;
    # everything else is.
    missing = keys(before) - keys(report)
    assert missing and all(
        key.startswith(("working-tree/", "deploy/")) or key.endswith("/stale_flags") for key in missing
    ), missing
    assert any("not measured" in problem for problem in report["problems"])

    text = azconf("-C", healthy, "doctor", env={"STRIPE_TEST_API_KEY": "x"})
    assert text.returncode == 1
    assert "critical  history/history_damage" in text.stdout
    assert "config/prod/config_errors" in text.stdout


def test_an_invalid_health_block_is_its_own_failing_check_and_defaults_apply(
    azconf: RunAzconf, repo: Path, receiver: Receiver
) -> None:
    manifest = repo / "azconf.yaml"
    original = manifest.read_text()
    line = original.count("\n") + 4  # the line of the misspelt metric
    manifest.write_text(original + "\nhealth:\n  thresholds:\n    uncommited_hours: {warning: 4}\n")
    run, report = doctor(azconf, repo, receiver)
    assert run.returncode == 1
    assert status(report, "manifest/manifest_errors") == "critical"
    (check,) = [c for c in report["checks"] if c["key"] == "manifest/manifest_errors"]
    assert f"azconf.yaml:{line}:5" in check["message"]
    assert 'did you mean "uncommitted_hours"' in check["message"]
    assert status(report, "config/prod/config_errors") == "ok"
    (expired,) = [c for c in report["checks"] if c["key"] == "flags/prod/expired_flags"]
    assert (expired["status"], expired["warning"]) == ("warning", 1)  # the default threshold
    assert ("opened", "manifest/manifest_errors", "critical") in events(report)

    manifest.write_text(original)
    run, report = doctor(azconf, repo, receiver)
    assert status(report, "manifest/manifest_errors") == "ok"
    assert ("resolved", "manifest/manifest_errors", "critical") in events(report)


def test_a_broken_manifest_still_gives_a_parseable_report(azconf: RunAzconf, repo: Path) -> None:
    manifest = repo / "azconf.yaml"
    manifest.write_text(manifest.read_text().replace("environments: [dev, staging, prod]", "environments: 3"))
    run = azconf("-C", repo, "doctor", "--format", "prometheus")
    assert run.returncode == 1, run.stderr
    assert prometheus_statuses(run.stdout) == {("manifest", "", "", "manifest_errors"): 2}
    text = azconf("-C", repo, "doctor")
    assert text.returncode == 1 and "azconf.yaml:5:15" in text.stdout, text.stdout


def test_config_errors_are_located_as_validate_locates_them(
    azconf: RunAzconf, healthy: Path, receiver: Receiver
) -> None:
    services = healthy / "config/envs/prod/services.yaml"
    services.write_text(services.read_text() + "  web: [broken\n")
    problem = azconf("-C", healthy, "validate", "prod", "--format", "json").json()["problems"][0]
    where = f"{problem['file']}:{problem['line']}:{problem['column']}"
    _, report = doctor(azconf, healthy, receiver, "prod")
    (check,) = [c for c in report["checks"] if c["key"] == "config/prod/config_errors"]
    assert f": {where}: " in check["message"], check["message"]


def test_rendered_targets_are_their_own_label(azconf: RunAzconf, healthy: Path, receiver: Receiver) -> None:
    run = azconf("-C", healthy, "doctor", "prod", "--format", "prometheus", env={"STRIPE_TEST_API_KEY": "x"})
    statuses = prometheus_statuses(run.stdout)
    assert {key[2] for key in statuses if key[0] == "drift"} == {"kubernetes", "terraform", "tyk", "flagd"}
    assert {key[1] for key in statuses} == {"prod", ""}
    _, report = doctor(azconf, healthy, receiver, "prod")
    (drift,) = [c for c in report["checks"] if c["key"] == "drift/prod/kubernetes/drift_files"]
    assert (drift["env"], drift["target"]) == ("prod", "kubernetes")


def test_a_fresh_project_is_healthy(azconf: RunAzconf, tmp_path: Path) -> None:
    project = tmp_path / "fresh"
    assert azconf("init", project).returncode == 0
    run = azconf("-C", project, "doctor", "--strict", "--format", "json")
    report = run.json()
    assert [(c["key"], c["message"]) for c in report["checks"] if c["status"] != "ok"] == []
    assert (run.returncode, report["alerts"]) == (0, [])
