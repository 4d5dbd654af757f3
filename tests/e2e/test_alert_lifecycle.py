"""The life of an alert beyond open-and-repair: resolved by hand (webhook sent, note redacted), its
check gone (resolved) or not run this time (kept open), and a failed webhook retried by a later run."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from azconf_e2e import RunAzconf
from health_e2e import doctor, events, status
from webhook_receiver import Receiver, running

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # token-shaped: redact() masks it


def expire_a_flag(project: Path) -> None:
    flags = project / "config/base/flags.yaml"
    flags.write_text(flags.read_text().replace("expires: 2027-03-31", "expires: 2020-03-31"))


def database_bytes(project: Path) -> bytes:
    """The history database with its WAL, as stored on disk."""
    base = project / ".azconf/history.db"
    return b"".join(
        Path(f"{base}{suffix}").read_bytes() for suffix in ("", "-wal") if Path(f"{base}{suffix}").exists()
    )


def test_resolving_by_hand_sends_the_webhook_and_redacts_the_note(
    azconf: RunAzconf, healthy: Path, receiver: Receiver
) -> None:
    expire_a_flag(healthy)
    _, report = doctor(azconf, healthy, receiver)
    (alert_id,) = [a["id"] for a in report["alerts"] if a["check_key"] == "flags/prod/expired_flags"]
    receiver.take()

    note = f"rotated; the old one was {TOKEN}"
    run = azconf(
        "-C", healthy, "alerts", "resolve", str(alert_id), "-m", note, "--actor", "ana",
        env={"AZCONF_TEST_WEBHOOK": receiver.url},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (body,) = receiver.take()
    assert (body["event"], body["alert"]["id"], body["alert"]["resolved_by"]) == ("resolved", alert_id, "ana")
    assert body["alert"]["resolution"].startswith("rotated; the old one was ghp_")
    assert f"alert {alert_id} resolved by ana" in body["text"]

    listed = azconf("-C", healthy, "alerts", "--all", "--format", "json").json()["alerts"]
    audit = azconf("-C", healthy, "audit", "--resource", f"alerts.{alert_id}", "--format", "json")
    shown = run.stdout + run.stderr + json.dumps(body) + json.dumps(listed) + audit.stdout
    assert TOKEN not in shown
    assert TOKEN.encode() not in database_bytes(healthy)
    assert next(a for a in listed if a["id"] == alert_id)["resolution"] == body["alert"]["resolution"]


def test_an_alert_whose_check_is_gone_resolves(azconf: RunAzconf, healthy: Path, receiver: Receiver) -> None:
    beat = healthy / ".azconf/serve-heartbeat.json"
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    beat.write_text(json.dumps({"time": old, "pid": 4242, "serving": {"prod": "prod@1"}}))
    _, report = doctor(azconf, healthy, receiver)
    assert ("opened", "serve/serve_heartbeat_seconds", "critical") in events(report)
    assert "remove a stale heartbeat file" in report["checks"][-1]["action"]
    receiver.take()

    beat.unlink()  # as the alert's action says (a clean stop of serve removes it too)
    run, report = doctor(azconf, healthy, receiver)
    assert run.returncode == 0
    assert "serve/serve_heartbeat_seconds" not in {c["key"] for c in report["checks"]}
    assert ("resolved", "serve/serve_heartbeat_seconds", "critical") in events(report)
    (resolved,) = [a for a in report["alerts"] if a["event"] == "resolved"]
    assert resolved["resolved_by"] == "azconf" and "no longer reported" in resolved["resolution"]
    assert [b["event"] for b in receiver.take()] == ["resolved"]
    assert azconf("-C", healthy, "alerts", "--format", "json").json()["alerts"] == []


def test_an_alert_whose_check_did_not_run_stays_open(
    azconf: RunAzconf, healthy: Path, receiver: Receiver
) -> None:
    _, report = doctor(azconf, healthy, receiver, STRIPE_TEST_API_KEY="")
    assert ("opened", "secrets/dev/unresolved_secrets", "warning") in events(report)
    expire_a_flag(healthy)
    _, report = doctor(azconf, healthy, receiver, STRIPE_TEST_API_KEY="")
    assert ("opened", "flags/prod/expired_flags", "warning") in events(report)

    # dev is not checked by `doctor prod`: its alert is not touched.
    _, report = doctor(azconf, healthy, receiver, "prod", STRIPE_TEST_API_KEY="")
    assert report["alerts"] == []
    # prod does not resolve: its flags are not measured, which says nothing about them.
    services = healthy / "config/envs/prod/services.yaml"
    original = services.read_text()
    services.write_text(original + "  web: [broken\n")
    _, report = doctor(azconf, healthy, receiver, STRIPE_TEST_API_KEY="")
    assert status(report, "config/prod/config_errors") == "critical"
    assert "flags/prod/expired_flags" not in {c["key"] for c in report["checks"]}
    assert [e for e in events(report) if e[0] == "resolved"] == []
    opened = {a["check_key"] for a in azconf("-C", healthy, "alerts", "--format", "json").json()["alerts"]}
    assert {"secrets/dev/unresolved_secrets", "flags/prod/expired_flags"} <= opened

    services.write_text(original)
    _, report = doctor(azconf, healthy, receiver)
    assert ("resolved", "secrets/dev/unresolved_secrets", "warning") in events(report)
    assert ("resolved", "config/prod/config_errors", "critical") in events(report)
    assert not any(e[1] == "flags/prod/expired_flags" for e in events(report))  # still expired, still open


def test_a_failed_webhook_is_sent_by_a_later_run_once(azconf: RunAzconf, healthy: Path) -> None:
    expire_a_flag(healthy)  # in the base layer, not committed: six alerts (expired, uncommitted)
    # retries: 1 in the fixture: the first run's two attempts fail, then the receiver recovers.
    with running(Receiver(failures=2)) as flaky:
        run, report = doctor(azconf, healthy, flaky)
        opened = {key for event, key, _ in events(report) if event == "opened"}
        assert len(opened) == 6 and "flags/prod/expired_flags" in opened
        assert flaky.take() == [] and flaky.refused == 2
        (problem,) = report["problems"]  # the first failure stops this run's sending
        assert "not sent to 127.0.0.1: HTTP 500 (attempt 1 of 5; a later run retries)" in problem
        assert "5 more wait for the next run" in problem
        assert "secret-token" not in run.stdout + run.stderr

        run, report = doctor(azconf, healthy, flaky)
        assert report["alerts"] == [] and report["problems"] == []
        bodies = flaky.take()
        assert sorted(b["alert"]["check_key"] for b in bodies) == sorted(opened)
        assert {(b["event"], b["alert"]["resolved"]) for b in bodies} == {("opened", False)}

        doctor(azconf, healthy, flaky)
        assert flaky.take() == []  # delivered once, never again
    with closing(sqlite3.connect(healthy / ".azconf/history.db")) as db:
        rows = db.execute("SELECT event, attempts, sent_at IS NOT NULL FROM notifications ORDER BY id")
        assert rows.fetchall() == [("opened", 2, 1)] + [("opened", 1, 1)] * 5
