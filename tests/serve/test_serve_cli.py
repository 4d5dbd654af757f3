"""``azconf serve`` as a command: refusals are one-line messages with documented exit codes, and the
other commands never load the server stack."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from serve_helpers import Server, azconf_executable

SERVER_STACK = {"starlette", "uvicorn", "watchfiles", "prometheus_client", "anyio"}


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [azconf_executable(), *args], cwd=project, capture_output=True, text=True, timeout=60, check=False
    )


def imported_by(project: Path, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "azconf", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_other_commands_do_not_import_the_server_stack(project: Path) -> None:
    for args in (("--help",), ("validate",), ("show", "--env", "prod", "flags")):
        imported = imported_by(project, *args)
        assert "azconf" in imported and "typer" in imported  # the measurement works
        assert not imported & SERVER_STACK, (args, sorted(imported & SERVER_STACK))


def test_refuses_a_public_address_without_tokens(project: Path) -> None:
    done = run(project, "serve", "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 2
    assert "refusing to listen on 0.0.0.0 without tokens" in done.stderr
    assert "Traceback" not in done.stderr


def test_refuses_an_invalid_config_at_start(project: Path) -> None:
    flags = project / "config" / "envs" / "dev" / "flags.yaml"
    flags.write_text(flags.read_text().replace("state: ENABLED", "state: MAYBE"))
    done = run(project, "serve", "--env", "dev", "--port", "0")
    assert done.returncode == 1
    assert 'environment "dev" cannot be served' in done.stderr
    assert "config/envs/dev/flags.yaml:" in done.stderr  # the problem, located
    assert "Traceback" not in done.stderr


def test_usage_errors(project: Path, tmp_path: Path) -> None:
    unknown = run(project, "serve", "--env", "prd")
    assert unknown.returncode == 2 and 'unknown environment "prd" (did you mean "prod"?)' in unknown.stderr
    both = run(project, "serve", "--env", "prod", "--from", "prod@latest")
    assert both.returncode == 2 and "cannot be combined" in both.stderr
    bad_tokens = tmp_path / "tokens.yaml"
    bad_tokens.write_text("tokens:\n  ci:\n    sha256: abc\n")
    refused = run(project, "serve", "--env", "prod", "--tokens", str(bad_tokens))
    assert refused.returncode == 2 and "tokens.ci.sha256: expected 64 hex digits" in refused.stderr
    no_history = run(project, "serve", "--from", "prod@latest")
    assert no_history.returncode == 2 and "no history" in no_history.stderr


def test_doctor_sees_the_heartbeat_of_a_running_service(serve: Callable[..., Server], project: Path) -> None:
    beat = project / ".azconf" / "serve-heartbeat.json"
    server = serve("prod")
    body = json.loads(beat.read_text())
    assert (body["pid"], body["serving"]) == (server.process.pid, {"prod": "working tree"})
    done = run(project, "doctor", "prod", "--format", "json")
    (check,) = [c for c in json.loads(done.stdout)["checks"] if c["component"] == "serve"]
    assert (
        check["status"] == "ok" and f"pid {server.process.pid}, serving prod working tree" in check["message"]
    )
    server.stop()
    assert not beat.exists()  # a clean stop leaves no heartbeat to go stale
