"""The flags REST API against a live server: reads, audited writes through the edit path, optimistic
concurrency, located problems, and the change stream on every kind of change."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from serve_helpers import READER, WRITER, Server, azconf_executable, commit_all, etag_of, write_tokens
from sse_reader import EventReader

FLAGS = "config/envs/staging/flags.yaml"  # the overlay with comments


def azconf(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [azconf_executable(), *args], cwd=project, capture_output=True, text=True, check=False
    )


def test_write_is_recorded_with_the_token_as_actor(
    serve: Callable[..., Server], project: Path, tmp_path: Path
) -> None:
    commit_all(project)
    server = serve("--env", "staging", "--tokens", str(write_tokens(tmp_path)))
    auth = {"Authorization": f"Bearer {WRITER}"}
    events = EventReader(f"{server.base}/ofrep/v1/events?token={READER}")
    before = (server.project / FLAGS).read_text()
    etag = etag_of(server, headers=auth)
    with server.client(headers=auth) as client:
        response = client.post(
            "/flags/new-checkout",
            json={"defaultVariant": "on", "message": "incident 42"},
            headers={"If-Match": etag},
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["version"] == "staging@2" and result["files"] == [FLAGS]  # @1: the baseline
        assert result["changes"] == ["flags.new-checkout.defaultVariant"]
        evaluated = client.post("/ofrep/v1/evaluate/flags/new-checkout").json()
        assert evaluated["value"] is True  # served at once, not when the watcher notices
    assert events.wait_for(1)[0] == {
        "type": "refetchEvaluation",
        "etag": result["etag"],
        "lastModified": events.events[0]["lastModified"],
    }
    after = (server.project / FLAGS).read_text()
    # one line added under the flag; every other line, comments included, is kept as it was
    assert [line for line in after.splitlines() if line not in before.splitlines()] == [
        '    defaultVariant: "on"'
    ]
    assert all(line in after.splitlines() for line in before.splitlines())
    log = json.loads(azconf(server.project, "log", "--env", "staging", "--format", "json").stdout)["versions"]
    newest = log[0]
    assert (newest["ref"], newest["actor"], newest["message"]) == ("staging@2", "writer", "incident 42")
    assert len(log) == 2
    audit = json.loads(azconf(server.project, "audit", "--actor", "writer", "--format", "json").stdout)
    entries = [e for e in audit["entries"] if e["resource_id"] == "flags.new-checkout"]
    assert [(e["actor"], e["environment"], e["new_value"]["defaultVariant"]) for e in entries] == [
        ("writer", "staging", "on")
    ]


def test_stale_if_match_conflicts_and_writes_nothing(serve: Callable[..., Server], project: Path) -> None:
    commit_all(project)
    server = serve("--env", "staging")
    stale = etag_of(server)
    with server.client() as client:
        assert (
            client.post(
                "/flags/dark-mode", json={"state": "DISABLED"}, headers={"If-Match": stale}
            ).status_code
            == 200
        )
        before = (server.project / FLAGS).read_bytes()
        conflict = client.post("/flags/beta-banner", json={"state": "DISABLED"}, headers={"If-Match": stale})
        assert conflict.status_code == 409 and conflict.json()["errorCode"] == "CONFLICT"
        missing = client.post("/flags/beta-banner", json={"state": "DISABLED"})
        assert missing.status_code == 428
        assert (server.project / FLAGS).read_bytes() == before
    log = json.loads(azconf(server.project, "log", "--env", "staging", "--format", "json").stdout)
    assert len(log["versions"]) == 2  # the baseline and the one write


def test_invalid_change_is_422_with_located_problems(serve: Callable[..., Server]) -> None:
    server = serve("--env", "staging")
    before = (server.project / FLAGS).read_bytes()
    with server.client() as client:
        response = client.post(
            "/flags",
            json={"flags": {"new-checkout": {"defaultVariant": "maybe"}}},
            headers={"If-Match": etag_of(server)},
        )
        assert response.status_code == 422
        (problem,) = response.json()["problems"]
        assert problem["code"] == "AZC0402" and problem["file"] == FLAGS
        assert problem["line"] > 0 and problem["column"] > 0
        assert problem["path"] == "flags.new-checkout.defaultVariant"
        bad_field = client.post(
            "/flags/dark-mode", json={"variants": {}}, headers={"If-Match": etag_of(server)}
        )
        assert bad_field.status_code == 400
        unknown = client.post("/flags/nope", json={"state": "ENABLED"}, headers={"If-Match": etag_of(server)})
        assert unknown.status_code == 404
    assert (server.project / FLAGS).read_bytes() == before


def test_an_invalid_edit_on_disk_keeps_the_last_valid_config(serve: Callable[..., Server]) -> None:
    server = serve("--env", "staging")
    events = EventReader(f"{server.base}/ofrep/v1/events")
    path = server.project / FLAGS
    good = path.read_text()
    with server.client() as client:
        path.write_text(good.replace("state: ENABLED", "state: MAYBE"))
        assert _wait_until(lambda: client.get("/readyz").status_code == 503), client.get("/readyz").text
        report = client.get("/readyz").json()["environments"]["staging"]
        assert report["valid"] is False and report["serving"] == "working tree"
        (problem,) = report["problems"]
        assert (problem["file"], problem["line"]) == (FLAGS, 10) and problem["column"] > 0
        assert (
            client.post("/ofrep/v1/evaluate/flags/ai-recommendations").json()["reason"] == "STATIC"
        )  # still
        assert events.events == []  # nothing new was served, so nothing was announced
        # a write against what is served would overwrite an edit it never saw: refused, nothing written
        broken = path.read_bytes()
        refused = client.post(
            "/flags/beta-banner", json={"state": "DISABLED"}, headers={"If-Match": etag_of(server)}
        )
        assert (
            refused.status_code == 409 and "changed since they were served" in refused.json()["errorDetails"]
        )
        assert path.read_bytes() == broken
        metrics = client.get("/metrics").text
        assert re.search(r"^azconf_reloads_rejected_total [1-9]", metrics, re.M)  # one save may be seen twice
        assert 'azconf_config_valid{env="staging"} 0.0' in metrics
        path.write_text(good.replace("state: ENABLED", "state: DISABLED"))
        assert _wait_until(lambda: client.get("/readyz").status_code == 200)
        assert client.post("/ofrep/v1/evaluate/flags/ai-recommendations").json()["reason"] == "DISABLED"
    assert events.wait_for(1)[0]["type"] == "refetchEvaluation"  # the save that validated


def test_following_recorded_versions(serve: Callable[..., Server], project: Path) -> None:
    assert azconf(project, "commit", "--env", "prod", "-m", "first").returncode == 0
    server = serve("prod@latest")  # a version as an argument, like --from prod@latest
    events = EventReader(f"{server.base}/ofrep/v1/events")
    with server.client() as client:
        assert client.get("/flags").json()["version"] == "prod@1"
        refused = client.post(
            "/flags/dark-mode", json={"state": "DISABLED"}, headers={"If-Match": etag_of(server)}
        )
        assert refused.status_code == 405
        assert azconf(project, "set", "prod", "flags.beta-banner", "true", "--yes").returncode == 0
        assert _wait_until(lambda: client.get("/flags").json()["version"] == "prod@2")
        assert client.post("/ofrep/v1/evaluate/flags/beta-banner").json()["value"] is True
    assert events.wait_for(1)[0]["type"] == "refetchEvaluation"


def _wait_until(check: Callable[[], bool], timeout: float = 10) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False
