"""Announce opened and resolved alerts to a webhook (``health.notify`` in azconf.yaml).

One POST per event. ``format: json`` sends the alert as JSON with a ``text`` line and an ``event_id``
(the same on a resend, for receivers that drop duplicates); ``format: slack`` sends only
``{"text": ...}``, which Slack's incoming webhooks (and Mattermost, Rocket.Chat ...) take.

Events wait in the history database's outbox (queued with the alert change itself) until a POST
succeeds. Each run of ``doctor`` or ``alerts resolve`` sends what waits, oldest first; each attempt has
a timeout and is retried a few times with a short back-off. The first event that still fails ends the
run's sending (the receiver is down; the rest wait for the next run), so a dead receiver costs a
command at most ``(retries + 1) * timeout`` plus a second. An event is given up after
``MAX_ATTEMPTS`` runs failed to send it, and one that was sent is never sent again. A webhook URL
carries its token in the path: give it as ``env://VAR``, and it is never printed (errors name the host
only). Alerts hold check messages and masked notes, which never quote secret values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pathlib import Path

    from azconf.config.manifest import NotifySettings
    from azconf.config.project import Project
    from azconf.health.alerts import AlertEvent
    from azconf.history.store import Alert, Notification, Store

BACKOFF_SECONDS = 0.25
MAX_ATTEMPTS = 5  # runs of doctor (or alerts resolve) that try to send one event


def deliver_pending(project: Project, environ: Mapping[str, str], *, db: Path | None = None) -> list[str]:
    """Send every announcement that waits in the outbox; what went wrong, as sentences (never shows
    the URL). Raises only :class:`~azconf.history.errors.HistoryError`."""
    from azconf.history.api import open_history

    settings = project.manifest.health.notify
    if settings is None:
        return []
    with open_history(project, db) as store:
        pending = store.pending_notifications(MAX_ATTEMPTS) if store else []
        if store is None or not pending:
            return []
        url = _url(settings.url, environ)
        if url is None:
            variable = settings.url.removeprefix("env://")
            return [
                f"health.notify.url: {variable} is not set; {len(pending)} alert event(s) wait to be sent"
            ]
        return _send(store, settings, project.manifest.project, url, pending)


def _send(
    store: Store, settings: NotifySettings, project: str, url: str, pending: list[Notification]
) -> list[str]:
    alerts = {alert.id: alert for alert in store.alerts(include_resolved=True)}
    for index, item in enumerate(pending):
        if not _claim(store, item, settings):
            continue  # another run is sending it right now
        event = _event(item.event, alerts[item.alert_id])
        body = json.dumps(_payload(settings.format, project, event)).encode("utf-8")
        error = _post(url, body, settings.timeout_seconds, settings.retries)
        with store.transaction():
            store.finish_notification(item.id, when=_now(), error=error)
        if error:
            host = urlsplit(url).hostname
            attempt = item.attempts + 1
            given_up = "; given up" if attempt >= MAX_ATTEMPTS else "; a later run retries"
            waiting = len(pending) - index - 1
            later = f" ({waiting} more wait for the next run)" if waiting else ""
            return [
                f"alert {item.alert_id} ({item.event}) not sent to {host}: {error}"
                f" (attempt {attempt} of {MAX_ATTEMPTS}{given_up}){later}"
            ]
    return []


def _claim(store: Store, item: Notification, settings: NotifySettings) -> bool:
    """Count this attempt; False when another run is sending it (a claim older than the longest a
    delivery can take was left by a run that died)."""
    longest = (settings.retries + 1) * settings.timeout_seconds + settings.retries * BACKOFF_SECONDS * 3 + 5
    now = dt.datetime.now(dt.UTC)
    with store.transaction():
        return store.claim_notification(
            item.id, when=_stamp(now), unless_claimed_after=_stamp(now - dt.timedelta(seconds=longest))
        )


def _event(kind: str, alert: Alert) -> AlertEvent:
    """The event as it happened: an opened alert is announced as open, whatever it is now."""
    from azconf.health.alerts import AlertEvent

    if kind == "opened":
        alert = dataclasses.replace(
            alert, resolved=False, resolved_at=None, resolved_by=None, resolution=None
        )
    return AlertEvent(kind, alert)


def _now() -> str:
    return _stamp(dt.datetime.now(dt.UTC))


def _stamp(when: dt.datetime) -> str:
    """The history's time format (fixed width, so that strings sort as times)."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _url(configured: str, environ: Mapping[str, str]) -> str | None:
    if configured.startswith("env://"):
        value = environ.get(configured.removeprefix("env://"), "")
        return value if value.startswith(("http://", "https://")) else None
    return configured


def text_of(project: str, event: AlertEvent) -> str:
    """The one-line announcement of an event."""
    alert = event.alert
    if event.kind == "opened":
        return f"[{project}] {alert.severity.upper()} alert {alert.id} opened: {alert.title}. {alert.message}"
    return f"[{project}] alert {alert.id} resolved by {alert.resolved_by}: {alert.title} ({alert.resolution})"


def _payload(kind: str, project: str, event: AlertEvent) -> dict[str, object]:
    text = text_of(project, event)
    if kind == "slack":
        return {"text": text}
    event_id = f"{project}/alerts/{event.alert.id}/{event.kind}"
    return {
        "event": event.kind,
        "event_id": event_id,
        "project": project,
        "text": text,
        "alert": event.alert.to_dict(),
    }


def _post(url: str, body: bytes, timeout: float, retries: int) -> str | None:
    """POST ``body``; None on a 2xx answer, else the last error (without the URL)."""
    error = "no attempt"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(BACKOFF_SECONDS * attempt)
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # only http(s) URLs get here
                if 200 <= response.status < 300:
                    return None
                error = f"HTTP {response.status}"
        except urllib.error.HTTPError as failure:
            error = f"HTTP {failure.code}"
        except (urllib.error.URLError, OSError) as failure:
            reason = getattr(failure, "reason", failure)
            error = type(reason).__name__ if not isinstance(reason, str) else reason
    return error
