"""``azconf doctor`` and ``azconf alerts``: each component degraded on purpose, its check and alert
seen, the webhook received on a real loopback server, then the repair resolving the alert."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from azconf_e2e import RunAzconf
from health_e2e import doctor, events, status
from webhook_receiver import Receiver


def test_a_healthy_project_is_all_ok(azconf: RunAzconf, healthy: Path, receiver: Receiver) -> None:
    run, report = doctor(azconf, healthy, receiver)
    assert run.returncode == 0, run.stdout
    not_ok = [(c["key"], c["message"]) for c in report["checks"] if c["status"] != "ok"]
    assert not_ok == []
    assert report["alerts"] == [] and receiver.take() == []
    assert {c["component"] for c in report["checks"]} >= {
        "config",
        "history",
        "working-tree",
        "deploy",
        "drift",
        "flags",
        "secrets",
    }


DEGRADATIONS = [
    # (check key, status, how to break it, how to repair it, extra env)
    ("config/prod/config_errors", "critical", "break", "unbreak", {}),
    ("working-tree/prod/uncommitted_hours", "warning", "edit", "commit", {}),
    ("drift/prod/kubernetes/drift_files", "warning", "tamper-render", "rerender", {}),
    ("flags/prod/expired_flags", "warning", "expire", "unexpire", {}),
    ("history/history_damage", "critical", "tamper-audit", "untamper-audit", {}),
    ("secrets/dev/unresolved_secrets", "warning", "", "", {"STRIPE_TEST_API_KEY": ""}),
]


@pytest.mark.parametrize("key, level, breaking, repair, env", DEGRADATIONS, ids=[d[0] for d in DEGRADATIONS])
def test_a_degraded_component_opens_an_alert_and_its_repair_resolves_it(  # noqa: PLR0917
    azconf: RunAzconf,
    healthy: Path,
    receiver: Receiver,
    key: str,
    level: str,
    breaking: str,
    repair: str,
    env: dict[str, str],
) -> None:
    doctor(azconf, healthy, receiver)  # the baseline (deploy ages of never-rendered environments)
    receiver.take()
    saved = act(azconf, healthy, breaking, None)
    run, report = doctor(azconf, healthy, receiver, **env)
    assert status(report, key) == level, report
    assert run.returncode == (1 if level == "critical" else 0)
    assert ("opened", key, level) in events(report)
    sent = receiver.take()
    assert any(b["event"] == "opened" and b["alert"]["check_key"] == key for b in sent), sent
    assert all(b["text"].startswith("[azora] ") for b in sent)
    listed = azconf("-C", healthy, "alerts", "--format", "json").json()["alerts"]
    assert key in {a["check_key"] for a in listed}

    act(azconf, healthy, repair, saved)
    run, report = doctor(azconf, healthy, receiver)
    assert status(report, key) == "ok", report
    assert ("resolved", key, level) in events(report)
    resolved = [b for b in receiver.take() if b["event"] == "resolved" and b["alert"]["check_key"] == key]
    assert resolved and resolved[0]["alert"]["resolved_by"] == "azconf"
    audit = azconf("-C", healthy, "audit", "--format", "json").json()["entries"]
    alert_entries = [e for e in audit if e["action"] == "alert"]
    assert len(alert_entries) >= 2


def act(azconf: RunAzconf, root: Path, what: str, saved: Any) -> Any:
    """Break or repair one component; what a repair needs to put back."""
    services = root / "config/envs/prod/services.yaml"
    flags = root / "config/base/flags.yaml"
    rendered = root / "deploy/prod/kubernetes/kustomization.yaml"
    if what == "break":
        original = services.read_text()
        services.write_text(original + "  web: [broken\n")
        return original
    if what == "unbreak":
        services.write_text(saved)
    if what == "edit":
        services.write_text(services.read_text().replace("replicas: 6", "replicas: 7"))
    if what == "commit":
        assert azconf("-C", root, "commit", "-m", "seven").returncode == 0
    if what == "tamper-render":
        rendered.write_text(rendered.read_text() + "# edited by hand\n")
    if what == "rerender":  # a file edited by hand is replaced only when asked
        assert azconf("-C", root, "render", "prod").returncode == 1
        assert azconf("-C", root, "render", "prod", "--force").returncode == 0
    if what == "expire":
        flags.write_text(flags.read_text().replace("expires: 2027-03-31", "expires: 2020-03-31"))
    if what == "unexpire":
        flags.write_text(flags.read_text().replace("expires: 2020-03-31", "expires: 2027-03-31"))
    if what in ("tamper-audit", "untamper-audit"):
        with contextlib.closing(sqlite3.connect(root / ".azconf/history.db", isolation_level=None)) as db:
            if what == "tamper-audit":
                (resource,) = db.execute("SELECT resource_id FROM audit WHERE seq = 1").fetchone()
                db.execute("UPDATE audit SET resource_id = 'flags.forged' WHERE seq = 1")
                return resource
            db.execute("UPDATE audit SET resource_id = ? WHERE seq = 1", (saved,))
    return None


def test_prometheus_output_parses_and_has_a_status_per_check(azconf: RunAzconf, healthy: Path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    run = azconf("-C", healthy, "doctor", "prod", "--format", "prometheus", env={"STRIPE_TEST_API_KEY": "x"})
    families = {family.name: family for family in text_string_to_metric_families(run.stdout)}
    assert set(families) == {"azconf_check_value", "azconf_check_status"}
    statuses = {
        (s.labels["component"], s.labels["env"], s.labels["target"], s.labels["metric"]): s.value
        for s in families["azconf_check_status"].samples
    }
    assert statuses[("config", "prod", "", "config_errors")] == 0
    assert statuses[("drift", "prod", "kubernetes", "drift_files")] == 0
    assert len(statuses) == len(families["azconf_check_value"].samples) >= 8


def test_an_alert_resolved_by_hand_records_who_and_why(
    azconf: RunAzconf, healthy: Path, receiver: Receiver
) -> None:
    flags = healthy / "config/base/flags.yaml"
    flags.write_text(flags.read_text().replace("expires: 2027-03-31", "expires: 2020-03-31"))
    _, report = doctor(azconf, healthy, receiver)
    (alert_id,) = [a["id"] for a in report["alerts"] if a["check_key"] == "flags/prod/expired_flags"]
    run = azconf(
        "-C",
        healthy,
        "alerts",
        "resolve",
        str(alert_id),
        "-m",
        "rolled out; flag removal in PR 42",
        "--actor",
        "ana",
    )
    assert run.returncode == 0 and f"alert {alert_id} resolved by ana" in run.stdout
    again = azconf("-C", healthy, "alerts", "resolve", str(alert_id), "-m", "twice")
    assert again.returncode == 2 and "already resolved" in again.stderr
    everything = azconf("-C", healthy, "alerts", "--all", "--format", "json").json()["alerts"]
    mine = next(a for a in everything if a["id"] == alert_id)
    assert (mine["resolved_by"], mine["resolution"]) == ("ana", "rolled out; flag removal in PR 42")
    audit = azconf("-C", healthy, "audit", "--resource", f"alerts.{alert_id}", "--format", "json").json()[
        "entries"
    ]
    assert [e["actor"] for e in audit][-1] == "ana"


def test_a_dead_webhook_warns_and_never_shows_its_url(azconf: RunAzconf, healthy: Path) -> None:
    flags = healthy / "config/base/flags.yaml"
    flags.write_text(flags.read_text().replace("expires: 2027-03-31", "expires: 2020-03-31"))
    dead = "http://127.0.0.1:9/hooks/T000/secret-token"  # the discard port: nothing listens
    run = azconf("-C", healthy, "doctor", env={"AZCONF_TEST_WEBHOOK": dead, "STRIPE_TEST_API_KEY": "x"})
    assert "not sent to 127.0.0.1" in run.stdout
    assert "secret-token" not in run.stdout + run.stderr


def test_a_silent_flags_service_is_seen_through_its_heartbeat(azconf: RunAzconf, healthy: Path) -> None:
    import datetime as dt

    beat = healthy / ".azconf/serve-heartbeat.json"
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    beat.write_text(json.dumps({"time": old, "pid": 4242, "serving": {"prod": "prod@1"}}))
    run = azconf("-C", healthy, "doctor", "prod", "--format", "json", env={"STRIPE_TEST_API_KEY": "x"})
    (check,) = [c for c in run.json()["checks"] if c["component"] == "serve"]
    assert (check["status"], run.returncode) == ("critical", 1)
    assert "pid 4242, serving prod prod@1" in check["message"]
    beat.write_text(json.dumps({"time": dt.datetime.now(dt.UTC).isoformat(), "pid": 4242, "serving": {}}))
    run = azconf("-C", healthy, "doctor", "prod", "--format", "json", env={"STRIPE_TEST_API_KEY": "x"})
    assert [c["status"] for c in run.json()["checks"] if c["component"] == "serve"] == ["ok"]
