"""What the dashboard shows, as plain JSON-ready data: the flags table, one flag, stale flags, alerts.

The table reads what the service serves (the flagd documents already in memory), so the first load of
3,000 flags costs no YAML parsing. One flag's provenance reads the project through the core (resolve
+ explain, through the service's kept parses) and its history the audit log (that flag's entries
only), in a worker thread. Flag documents hold no secrets; audit values come from history, where
plaintext secrets are stored only as hashes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from typing import TYPE_CHECKING, Any

from azconf.server.dashboard.targeting import describe
from azconf.server.source import Served

if TYPE_CHECKING:
    from azconf.config.project import Project


def flags_table(served: dict[str, Served], today: dt.date) -> dict[str, Any]:
    """Every flag of every environment (in chain order), a cell per environment, differences marked,
    and the ETag of each environment the table was read from."""
    names = sorted({name for s in served.values() for name in s.document["flags"]})
    etags = {env: s.etag for env, s in served.items()}
    return {"envs": list(served), "etags": etags, "flags": flag_rows(served, names, today)}


def flag_rows(served: dict[str, Served], names: list[str], today: dt.date) -> list[dict[str, Any]]:
    """The table rows of ``names`` (as :func:`flags_table` builds them); a name that no environment
    defines has no row."""
    envs = list(served)
    rows = []
    for name in names:
        entries = [served[env].document["flags"].get(name) for env in envs]
        if any(entries):
            rows.append(_row(name, envs, entries, today))
    return rows


def _row(name: str, envs: list[str], entries: list[dict[str, Any] | None], today: dt.date) -> dict[str, Any]:
    meta = next((e.get("metadata") or {} for e in entries if e), {})
    cells: dict[str, Any] = {}
    previous: dict[str, Any] | None = None
    for index, (env, entry) in enumerate(zip(envs, entries, strict=True)):
        cell = {"state": entry["state"], "variant": entry.get("defaultVariant")} if entry else None
        # Marked when it differs from the environment before it in the chain (the first is never marked).
        cell_changed = index > 0 and cell != previous
        cells[env] = {**(cell or {"state": None, "variant": None}), "changed": cell_changed}
        previous = cell
    expires = meta.get("expires")
    return {
        "name": name,
        "description": meta.get("description") or "",
        "owner": meta.get("owner") or "",
        "expires": expires,
        "expired": bool(expires) and str(expires) < today.isoformat(),
        "differs": any(_definition(e) != _definition(entries[0]) for e in entries),
        "cells": cells,
    }


def _definition(entry: dict[str, Any] | None) -> Any:
    """What a flag does (its metadata aside): two environments agree when these are equal."""
    if entry is None:
        return None
    return {key: value for key, value in entry.items() if key != "metadata"}


def flag_detail(project: Project, served: dict[str, Served], name: str, db: Any) -> dict[str, Any] | None:
    """One flag in every environment: definition, readable targeting, provenance, history."""
    from azconf.config.resolve import Resolver

    resolver = Resolver(project)  # through the service's kept parses: files are read, not parsed again
    history = _history(project, name, db)
    envs = []
    for env, current in served.items():
        entry = current.document["flags"].get(name)
        envs.append(
            {
                "env": env,
                "flag": entry,
                "targeting": describe(entry["targeting"]) if entry and entry.get("targeting") else None,
                "sources": _sources(resolver, env, name) if entry else [],
                "history": history.get(env, []),
            }
        )
    if all(e["flag"] is None for e in envs):
        return None
    return {"name": name, "envs": envs}


def _sources(resolver: Any, env: str, name: str) -> list[dict[str, Any]]:
    """Where each value of the flag was set: the winning layer's file:line:col (as ``azconf explain``)."""
    from azconf.errors import AzconfError
    from azconf.explain import explain

    try:
        explanation = explain(resolver.resolve(env), ("flags", name))
    except AzconfError:
        return []
    # A mapping lists each leaf's winner; a shorthand flag (``name: true``) is one value.
    winner = explanation.settings[0].loc if explanation.settings else None
    leaves = explanation.leaves or [(("flags", name), winner)]
    sources = []
    for path, loc in leaves:
        if loc is None:
            continue
        dotted = ".".join(str(part) for part in path[2:]) or "(the flag)"
        sources.append({"path": dotted, "file": loc.file, "line": loc.line, "column": loc.column})
    return sources


def _history(project: Project, name: str, db: Any) -> dict[str, list[dict[str, Any]]]:
    """The flag's audit entries by environment, newest first, each with a text diff of old -> new."""
    from azconf.history.api import audit_entries
    from azconf.history.items import resource_id

    history: dict[str, list[dict[str, Any]]] = {}
    for e in reversed(audit_entries(project, resource=resource_id("flags", name), db=db)):
        history.setdefault(str(e.environment), []).append(
            {
                "seq": e.seq,
                "time": e.time,
                "actor": e.actor,
                "action": e.action,
                "resource": e.resource_id,
                "version": e.version,
                "note": e.note,
                "diff": value_diff(e.old_value, e.new_value),
            }
        )
    return history


def value_diff(old: Any, new: Any) -> str:
    """old -> new as a unified diff of their indented JSON (one line each for scalars)."""
    before = json.dumps(old, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    after = json.dumps(new, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    return "\n".join(difflib.unified_diff(before, after, "old", "new", lineterm="", n=2))


def evaluate(served: dict[str, Served], name: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    """``name`` evaluated for ``context`` in every environment, by the service's own engine."""
    answers = []
    for env, current in served.items():
        result = current.flags.evaluate(name, context)
        answers.append(
            {
                "env": env,
                "value": None if result.failed else _json_safe(result.value),
                "variant": result.variant,
                "reason": result.reason,
                "error": result.error_code and f"{result.error_code}: {result.error_details}",
            }
        )
    return answers


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return None  # the engine's "no value" marker: the caller's default applies
    return value


def alerts(project: Project, db: Any) -> list[dict[str, Any]]:
    """The open health alerts (``azconf alerts``)."""
    from azconf.health.alerts import list_alerts

    return [
        {
            "id": a.id,
            "severity": a.severity,
            "title": a.title,
            "message": a.message,
            "environment": a.environment,
            "opened": a.opened_at,
        }
        for a in list_alerts(project, db=db)
    ]
