"""Announce opened and resolved alerts to a webhook (``health.notify`` in azconf.yaml).

One POST per event. ``format: json`` sends the alert as JSON with a ``text`` line; ``format: slack``
sends only ``{"text": ...}``, which Slack's incoming webhooks (and Mattermost, Rocket.Chat ...) take.
Each attempt has a timeout and failures are retried a few times with a short back-off, so a dead
receiver costs a command at most ``(retries + 1) * timeout`` plus a second. A webhook URL carries its
token in the path: give it as ``env://VAR``, and it is never printed (errors name the host only).
Alerts hold check messages, which never quote secret values.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from azconf.config.manifest import NotifySettings
    from azconf.health.alerts import AlertEvent

BACKOFF_SECONDS = 0.25


def notify(
    settings: NotifySettings | None, project: str, events: list[AlertEvent], environ: Mapping[str, str]
) -> list[str]:
    """Post every event; what went wrong, as sentences (never raises, never shows the URL)."""
    if settings is None or not events:
        return []
    url = _url(settings.url, environ)
    if url is None:
        return [f"health.notify.url: {settings.url.removeprefix('env://')} is not set; no alert was sent"]
    problems = []
    for event in events:
        body = json.dumps(_payload(settings.format, project, event)).encode("utf-8")
        error = _post(url, body, settings.timeout_seconds, settings.retries)
        if error:
            problems.append(
                f"alert {event.alert.id} ({event.kind}) not sent to {urlsplit(url).hostname}: {error}"
            )
    return problems


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
    return {"event": event.kind, "project": project, "text": text, "alert": event.alert.to_dict()}


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
