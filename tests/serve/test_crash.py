"""``kill -9`` of the server in the middle of a write leaves files and history consistent: the next
start finishes or undoes the write (the edit path's journal) before serving anything."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from serve_helpers import Server, azconf_executable, commit_all, etag_of

FLAGS = "config/envs/staging/flags.yaml"


def versions(project: Path) -> list[str]:
    done = subprocess.run(
        [azconf_executable(), "log", "--env", "staging", "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return [v["ref"] for v in json.loads(done.stdout)["versions"]]


def killed_in_write(serve: Callable[..., Server], project: Path, point: str) -> Server:
    """Start a server that pauses a write at ``point``, send the write, kill -9 it there."""
    server = serve("--env", "staging", env={"AZCONF_TEST_PAUSE_IN_EDIT": f"{point}:60"})
    etag = etag_of(server)
    # The write pauses in the server, where it is killed: the client gives up waiting.
    with httpx.Client(base_url=server.base, timeout=0.5) as client, contextlib.suppress(httpx.ReadTimeout):
        client.post("/flags/new-checkout", json={"defaultVariant": "on"}, headers={"If-Match": etag})
    deadline = time.monotonic() + 10
    while f"test pause at {point}" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    server.stopped = True
    return server


@pytest.mark.parametrize("point", ["journal", "file", "record"])
def test_killed_mid_write_is_rolled_back_at_the_next_start(
    serve: Callable[..., Server], project: Path, point: str
) -> None:
    commit_all(project)
    before = (project / FLAGS).read_text()
    killed_in_write(serve, project, point)
    restarted = serve("--env", "staging")
    assert "rolled back an interrupted write of staging" in restarted.log.read_text()
    assert (project / FLAGS).read_text() == before  # every file has its old text again
    assert versions(project) == ["staging@1"]  # and history never saw the write
    with restarted.client() as client:
        assert client.post("/ofrep/v1/evaluate/flags/new-checkout").json()["variant"] == "off"
        assert client.get("/readyz").status_code == 200
