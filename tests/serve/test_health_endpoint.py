"""``GET /health`` and the check gauges of ``/metrics``: azconf doctor's checks in a live service."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from serve_helpers import Server, azconf_executable


def test_health_reports_doctors_checks_and_the_open_alerts(
    serve: Callable[..., Server], project: Path
) -> None:
    subprocess.run(
        [azconf_executable(), "-C", str(project), "commit", "-m", "base"], check=True, capture_output=True
    )
    doctor = subprocess.run(
        [azconf_executable(), "-C", str(project), "doctor", "prod"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "alert 1 opened: flags in prod: expired_flags is warning (1)" in doctor.stdout
    server = serve("prod")
    with server.client() as client:
        body = client.get("/health").json()
        metrics = client.get("/metrics").text
    checks = {check["key"]: check for check in body["checks"]}
    assert body["status"] == "warning"
    assert checks["config/prod/config_errors"]["status"] == "ok"
    assert checks["flags/prod/expired_flags"]["message"] == "1 expired: legacy-login"
    assert checks["serve/serve_heartbeat_seconds"]["status"] == "ok"  # its own heartbeat
    assert [(a["id"], a["check_key"]) for a in body["alerts"]] == [(1, "flags/prod/expired_flags")]

    from prometheus_client.parser import text_string_to_metric_families

    families = {family.name: family for family in text_string_to_metric_families(metrics)}
    statuses = {
        (s.labels["component"], s.labels["env"], s.labels["metric"]): s.value
        for s in families["azconf_check_status"].samples
    }
    assert statuses[("flags", "prod", "expired_flags")] == 1
    assert statuses[("config", "prod", "config_errors")] == 0
    assert len(statuses) == len(body["checks"])


def test_a_killed_service_alerts_and_a_clean_restart_resolves_it(
    serve: Callable[..., Server], project: Path
) -> None:
    import json
    import time

    manifest = project / "azconf.yaml"  # warn after 1 s instead of 30: the test need not wait
    manifest.write_text(
        manifest.read_text() + "health:\n  thresholds:\n    serve_heartbeat_seconds: {warning: 1}\n"
    )
    beat = project / ".azconf/serve-heartbeat.json"

    def doctor() -> dict[str, object]:
        done = subprocess.run(
            [azconf_executable(), "-C", str(project), "doctor", "prod", "--format", "json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    def beating(server: Server) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if beat.exists() and json.loads(beat.read_text())["pid"] == server.process.pid:
                return
            time.sleep(0.05)
        raise AssertionError("no heartbeat")

    killed = serve("prod")
    beating(killed)
    killed.process.kill()  # kill -9: the heartbeat file stays behind
    killed.process.wait(timeout=10)
    killed.stopped = True
    time.sleep(1.5)
    report = doctor()
    opened = [(a["event"], a["check_key"]) for a in report["alerts"]]  # type: ignore[attr-defined]
    assert ("opened", "serve/serve_heartbeat_seconds") in opened, report

    again = serve("prod")
    beating(again)
    again.stop()  # SIGTERM: a clean stop removes the heartbeat
    assert not beat.exists()
    report = doctor()
    resolved = [(a["event"], a["check_key"]) for a in report["alerts"]]  # type: ignore[attr-defined]
    assert ("resolved", "serve/serve_heartbeat_seconds") in resolved, report
