"""The alert webhook's outbox, in-process on a real history file and a real loopback receiver: an event
is tried on a bounded number of runs, and an older database gains the outbox when it is opened."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from azconf.config.project import Project, load_project
from azconf.health.alerts import update_alerts
from azconf.health.checks import Check, Measurement
from azconf.health.notify import MAX_ATTEMPTS, deliver_pending
from azconf.health.thresholds import Status
from azconf.history.store import SCHEMA_VERSION, connect

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"


@pytest.fixture
def refusing() -> Iterator[list[int]]:
    """A receiver on loopback that answers 503 to every POST; yields [port, requests so far]."""
    seen = [0, 0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen[1] += 1
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    seen[0] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield seen
    server.shutdown()
    server.server_close()


def project_with_webhook(tmp_path: Path, port: int) -> Project:
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    manifest = root / "azconf.yaml"
    notify = f"\nhealth:\n  notify:\n    url: http://127.0.0.1:{port}/hook\n    retries: 0\n"
    manifest.write_text(manifest.read_text() + notify)
    project, problems = load_project(root)
    assert project is not None, problems
    return project


def failing_check() -> Check:
    return Check("flags", "prod", "expired_flags", 1, 1, None, Status.WARNING, "1 expired: x", "remove it")


def test_an_event_is_tried_on_a_bounded_number_of_runs(tmp_path: Path, refusing: list[int]) -> None:
    project = project_with_webhook(tmp_path, refusing[0])
    (event,) = update_alerts(project, Measurement([failing_check()], ["prod"], []))
    for run in range(1, MAX_ATTEMPTS + 1):
        (problem,) = deliver_pending(project, {})
        assert f"alert {event.alert.id} (opened) not sent to 127.0.0.1: HTTP 503" in problem
        assert f"attempt {run} of {MAX_ATTEMPTS}" in problem
        assert refusing[1] == run  # retries: 0, so one request per run
    assert "given up" in problem
    assert deliver_pending(project, {}) == []  # given up: no further request
    assert refusing[1] == MAX_ATTEMPTS


def test_an_event_is_queued_once_however_often_it_is_planned(tmp_path: Path, refusing: list[int]) -> None:
    project = project_with_webhook(tmp_path, refusing[0])
    update_alerts(project, Measurement([failing_check()], ["prod"], []))
    update_alerts(project, Measurement([failing_check()], ["prod"], []))  # still open: nothing new
    with contextlib.closing(sqlite3.connect(project.root / ".azconf/history.db")) as db:
        assert db.execute("SELECT alert_id, event, attempts FROM notifications").fetchall() == [
            (1, "opened", 0)
        ]


def test_a_schema_2_database_gains_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with connect(path, create=True):
        pass
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("DROP TABLE notifications")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with connect(path, create=False) as store:
        assert store is not None
        assert store.pending_notifications(MAX_ATTEMPTS) == []
        version = store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION) == "3"
