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
