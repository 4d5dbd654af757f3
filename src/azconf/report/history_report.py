"""Output of ``azconf commit``, ``log``, ``audit`` and ``audit verify``: text for people, JSON for tools.

The JSON documents carry ``version: 1``; keys are only ever added (docs/history.md lists them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from azconf import __version__

if TYPE_CHECKING:
    from azconf.history.audit import Verdict
    from azconf.history.records import AuditEntry, Committed, Version

FORMAT_VERSION = 1


def _document(**body: Any) -> str:
    head = {"version": FORMAT_VERSION, "tool": {"name": "azconf", "version": __version__}}
    return json.dumps({**head, **body}, indent=2, ensure_ascii=False) + "\n"


def _time(iso: str) -> str:
    """``2026-05-09T07:35:25.123456Z`` shown to the second."""
    return iso[:19] + "Z" if len(iso) >= 19 else iso


def committed(outcomes: Sequence[Committed]) -> str:
    """One line per environment: the version recorded, or that nothing changed."""
    lines = []
    for outcome in outcomes:
        version = outcome.version
        if version is None or not outcome.recorded:
            lines.append(f"{outcome.env}: unchanged" + (f" since {version.ref}" if version else ""))
        else:
            lines.append(
                f"{outcome.env}: recorded {version.ref} (sha256:{version.short_hash}, "
                f"{version.changes} of {version.items} item(s) changed)"
            )
    return "\n".join(lines) + "\n"


def log_text(versions: Sequence[Version]) -> str:
    """``azconf log``: newest first, one line per version and its message under it."""
    if not versions:
        return "no versions recorded yet\n"
    width = max(len(v.ref) for v in versions)
    lines = []
    for v in versions:
        marks = "  (rendered)" if v.rendered else ""
        lines.append(
            f"{v.ref:<{width}}  {v.short_hash}  {_time(v.time)}  {v.actor}  {v.changes} changed{marks}"
        )
        if v.message:
            lines.append(f"{'':<{width}}  {v.message}")
    return "\n".join(lines) + "\n"


def log_json(versions: Sequence[Version]) -> str:
    """``azconf log --format json``."""
    return _document(versions=[v.to_dict() for v in versions])


def audit_text(entries: Sequence[AuditEntry]) -> str:
    """``azconf audit``: oldest first, one line per entry."""
    if not entries:
        return "no audit entries\n"
    lines = []
    for e in entries:
        what = "created" if e.old_value is None else "removed" if e.new_value is None else "changed"
        where = f"  {e.version}" if e.version else f"  {e.environment}" if e.environment else ""
        note = f"  ({e.note})" if e.note else ""
        lines.append(
            f"#{e.seq}  {_time(e.time)}  {e.actor}  {e.action}  {e.resource_type} {e.resource_id}"
            f"  {what}{where}{note}"
        )
    return "\n".join(lines) + "\n"


def audit_json(entries: Sequence[AuditEntry]) -> str:
    """``azconf audit --format json``."""
    return _document(entries=[e.to_dict() for e in entries])


def verdict_text(verdict: Verdict) -> str:
    """``azconf audit verify``."""
    if verdict.ok:
        if not verdict.entries:
            return "audit log intact: no entries yet\n"
        return f"audit log intact: {verdict.entries} entries, head {verdict.head}\n"
    return f"audit log broken: {verdict.message}\n"


def verdict_json(verdict: Verdict) -> str:
    """``azconf audit verify --format json``."""
    return _document(**verdict.to_dict())
