"""Alerts that open and resolve themselves: the checks of a doctor run against the open alerts.

A check that is not ok and has no open alert opens one (severity = its status). A check that got worse
than its open alert's severity resolves that alert ("escalated") and opens a critical one. A check
back to ok resolves its alert with ``resolved_by: azconf``, and so does a check that no longer reports
although its component was measured (the condition is gone: see :mod:`azconf.health.checks`). Each
opened and resolved alert is also an audit entry (resource ``alerts.<id>``), and, when ``health.notify``
is set, a row of the webhook's outbox, written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from azconf.config.project import Project
from azconf.errors import UsageError
from azconf.health.checks import Check, Measurement
from azconf.health.thresholds import Status
from azconf.history.actor import Who
from azconf.history.store import Alert, NewAlert, Store

AUTOMATIC = "azconf"


@dataclass(frozen=True)
class AlertEvent:
    """An alert opened or resolved by this run (what the webhook announces)."""

    kind: str  # opened | resolved
    alert: Alert


def update_alerts(project: Project, measured: Measurement, *, db: Path | None = None) -> list[AlertEvent]:
    """Open and resolve alerts for a measurement; the events, in order (resolutions first)."""
    from azconf.history import actor as actors
    from azconf.history.api import open_history

    who = actors.who(project.root, AUTOMATIC)
    with open_history(project, db, create=True) as store:
        assert store is not None
        with store.transaction():
            when = actors.now()
            open_by_key = {alert.check_key: alert for alert in store.alerts()}
            resolved, opened = _plan(measured, open_by_key, project.manifest.environments)
            for alert, reason in resolved:
                store.resolve_alert(alert.id, when=when, by=AUTOMATIC, resolution=reason)
            new_ids = [store.open_alert(_new_alert(check, when)) for check in opened]
            _audit(store, who, when, [a.id for a, _ in resolved], new_ids)
            if project.manifest.health.notify is not None:
                for alert, _ in resolved:
                    store.queue_notification(alert.id, "resolved", when=when)
                for alert_id in new_ids:
                    store.queue_notification(alert_id, "opened", when=when)
            by_id = {alert.id: alert for alert in store.alerts(include_resolved=True)}
    events = [AlertEvent("resolved", by_id[alert.id]) for alert, _ in resolved]
    return events + [AlertEvent("opened", by_id[alert_id]) for alert_id in new_ids]


def _plan(
    measured: Measurement, open_by_key: dict[str, Alert], environments: list[str]
) -> tuple[list[tuple[Alert, str]], list[Check]]:
    resolved: list[tuple[Alert, str]] = []
    opened: list[Check] = []
    reported = {check.key for check in measured.checks}
    for key, silent in open_by_key.items():
        if key not in reported and _gone(silent, measured, environments):
            resolved.append((silent, "no longer reported: the condition it measured is gone"))
    for check in measured.checks:
        alert = open_by_key.get(check.key)
        if check.status is Status.OK:
            if alert is not None:
                resolved.append((alert, f"back to ok: {check.message}"))
        elif alert is None:
            opened.append(check)
        elif check.status > Status[alert.severity.upper()]:
            resolved.append((alert, f"escalated to {check.status.label}"))
            opened.append(check)
    return resolved, opened


def _gone(alert: Alert, measured: Measurement, environments: list[str]) -> bool:
    """Whether an alert's silent check is gone (resolve it) rather than not measured (keep it)."""
    if measured.not_measured(alert.check_key):
        return False  # skipped this run: nothing is known about it
    env = (alert.environment or "").split("/")[0]  # before targets had their own field: "prod/tyk"
    # Environment-less components (history, serve, manifest) are measured on every run; an
    # environment's checks when it was asked for, or when it no longer exists at all.
    return not env or env in measured.envs or env not in environments


def _new_alert(check: Check, when: str) -> NewAlert:
    where = f" in {check.env}" if check.env else ""
    where += f" ({check.target})" if check.target else ""
    title = f"{check.component}{where}: {check.metric} is {check.status.label} ({check.value:g})"
    message = check.message + (f". Action: {check.action}" if check.action else "")
    return NewAlert(
        check.key, check.metric, check.status.label, title, message, check.component, check.env, when
    )


def _audit(store: Store, who: Who, when: str, resolved_ids: list[int], opened_ids: list[int]) -> None:
    from azconf.history.writing import Pending, append_audit, operation, store_value

    alerts = {alert.id: alert for alert in store.alerts(include_resolved=True)}
    pending = []
    for alert_id in resolved_ids:
        alert = alerts[alert_id]
        old = store_value(store, {"severity": alert.severity, "resolved": False})
        new = store_value(
            store, {"severity": alert.severity, "resolved": True, "resolution": alert.resolution}
        )
        pending.append(Pending("alert", f"alerts.{alert_id}", old, new))
    for alert_id in opened_ids:
        alert = alerts[alert_id]
        new = store_value(store, {"severity": alert.severity, "title": alert.title, "check": alert.check_key})
        pending.append(Pending("alert", f"alerts.{alert_id}", None, new))
    if pending:
        append_audit(store, operation(who, "alert", None, when=when, version=None), pending)


def list_alerts(project: Project, *, include_resolved: bool = False, db: Path | None = None) -> list[Alert]:
    """Open alerts (or all), oldest first; [] when there is no history."""
    from azconf.history.api import open_history

    with open_history(project, db) as store:
        return store.alerts(include_resolved=include_resolved) if store else []


def resolve_by_hand(
    project: Project, alert_id: int, *, message: str, actor: str | None, db: Path | None = None
) -> Alert:
    """Resolve an open alert by hand (the actor and message are recorded, with an audit entry, and its
    announcement queued). The message is stored and shown with token-shaped text masked."""
    from azconf.history import actor as actors
    from azconf.history.api import open_history
    from azconf.problems import redact

    message = redact(message)  # a token pasted into a note must not reach history, a log or a webhook
    who = actors.who(project.root, actor)
    with open_history(project, db) as store:
        if store is None:
            raise UsageError(f"no alert {alert_id}: there is no history yet")
        with store.transaction():
            when = actors.now()
            if not store.resolve_alert(alert_id, when=when, by=who.actor, resolution=message):
                known = {alert.id for alert in store.alerts(include_resolved=True)}
                state = "is already resolved" if alert_id in known else "does not exist"
                raise UsageError(f"alert {alert_id} {state}", hint="`azconf alerts` lists the open ones")
            _audit(store, who, when, [alert_id], [])
            if project.manifest.health.notify is not None:
                store.queue_notification(alert_id, "resolved", when=when)
            return next(a for a in store.alerts(include_resolved=True) if a.id == alert_id)
