"""The JSON of log, audit and audit verify: its keys are a contract (docs/history.md)."""

from __future__ import annotations

import json

from azconf.history.audit import Verdict
from azconf.history.records import AuditEntry, Version
from azconf.report import history_report

VERSION = Version(
    3, "prod", 2, "sha256:" + "ab" * 32, 1, "more replicas", "alice", "2026-05-09T07:35:25.123456Z",
    "0.1.0", None, 50, 2, rendered=True,
)  # fmt: skip
ENTRY = AuditEntry(
    7, "0f3c", "2026-05-09T07:35:25.123456Z", "alice", "commit", "service", "services.web", "prod",
    {"replicas": 1}, {"replicas": 2}, "host", "azconf/0.1.0", "prod@2", None, "00" * 32, "11" * 32,
)  # fmt: skip


def test_log_json_keys() -> None:
    document = json.loads(history_report.log_json([VERSION]))
    assert list(document) == ["version", "tool", "versions"]
    assert list(document["versions"][0]) == [
        "ref", "id", "env", "number", "content_hash", "parent", "message", "actor", "time",
        "azconf_version", "git_commit", "items", "changes", "rendered",
    ]  # fmt: skip


def test_audit_json_keys() -> None:
    document = json.loads(history_report.audit_json([ENTRY]))
    assert list(document) == ["version", "tool", "entries"]
    assert list(document["entries"][0]) == [
        "seq", "id", "time", "actor", "action", "resource_type", "resource_id", "environment",
        "old_value", "new_value", "host", "user_agent", "version", "note", "prev_hash", "hash",
    ]  # fmt: skip


def test_verify_json_keys() -> None:
    broken = Verdict(9, "ab", "edited", 4, "0f3c", "entry #4 (0f3c) was edited")
    document = json.loads(history_report.verdict_json(broken))
    assert list(document) == ["version", "tool", "ok", "entries", "head", "problem"]
    assert document["problem"] == {"kind": "edited", "seq": 4, "id": "0f3c", "message": broken.message}
    assert json.loads(history_report.verdict_json(Verdict(0, None)))["problem"] is None


def test_text() -> None:
    assert history_report.log_text([VERSION]) == (
        "prod@2  abababababab  2026-05-09T07:35:25Z  alice  2 changed  (rendered)\n        more replicas\n"
    )
    assert history_report.audit_text([ENTRY]) == (
        "#7  2026-05-09T07:35:25Z  alice  commit  service services.web  changed  prod@2\n"
    )
