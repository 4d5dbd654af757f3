"""``azconf doctor`` and ``azconf alerts`` output: a table for people, JSON, Prometheus text format."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from azconf.problems import redact, redacted

if TYPE_CHECKING:
    from azconf.health.alerts import AlertEvent
    from azconf.health.checks import Check
    from azconf.history.store import Alert

JSON_VERSION = 1
_STYLES = {"ok": "green", "warning": "yellow", "critical": "bold red"}


def doctor_lines(checks: list[Check], events: list[AlertEvent], problems: list[str]) -> list[tuple[str, str]]:
    """One line per check (status, check, value and thresholds, message, action), then the alerts."""
    width = max((len(c.key) for c in checks), default=0)
    lines: list[tuple[str, str]] = []
    for check in checks:
        label = check.status.label
        limits = _limits(check)
        lines.append(
            (
                f"{label:<8}  {check.key:<{width}}  {check.value:>8g} {limits:<12}  {check.message}",
                _STYLES[label],
            )
        )
        if check.action:
            lines.append((f"{'':<8}  {'':<{width}}  -> {check.action}", ""))
    for event in events:
        alert = event.alert
        lines.append((f"alert {alert.id} {event.kind}: {alert.title}", _STYLES.get(alert.severity, "")))
    lines += [(f"warning: {problem}", "yellow") for problem in problems]
    lines.append((_summary(checks), _STYLES[_worst(checks)]))
    return [(redact(text), style) for text, style in lines]


def _limits(check: Check) -> str:
    warning = "-" if check.warning is None else f"{check.warning:g}"
    critical = "-" if check.critical is None else f"{check.critical:g}"
    return f"[{warning}/{critical}]"


def _worst(checks: list[Check]) -> str:
    return max(checks, key=lambda c: c.status).status.label if checks else "ok"


def _summary(checks: list[Check]) -> str:
    labels = ("ok", "warning", "critical")
    tally = ", ".join(f"{sum(1 for c in checks if c.status.label == label)} {label}" for label in labels)
    return f"{_worst(checks)}: {len(checks)} check(s); {tally}"


def doctor_json(checks: list[Check], events: list[AlertEvent], problems: list[str]) -> str:
    """``{"version": 1, "status", "checks": [...], "alerts": [{"event", ...alert}], "problems"}``."""
    document = {
        "version": JSON_VERSION,
        "status": _worst(checks),
        "checks": [check.to_dict() for check in checks],
        "alerts": [{"event": event.kind, **event.alert.to_dict()} for event in events],
        "problems": problems,
    }
    return json.dumps(redacted(document), indent=2, ensure_ascii=False) + "\n"


def prometheus(checks: list[Check]) -> str:
    """The checks in Prometheus' text exposition format (for node_exporter's textfile collector)."""
    lines = [
        "# HELP azconf_check_value The value of an azconf doctor check's metric.",
        "# TYPE azconf_check_value gauge",
        *(f"azconf_check_value{_labels(c)} {c.value:g}" for c in checks),
        "# HELP azconf_check_status The status of an azconf doctor check: 0 ok, 1 warning, 2 critical.",
        "# TYPE azconf_check_status gauge",
        *(f"azconf_check_status{_labels(c)} {int(c.status)}" for c in checks),
    ]
    return redact("\n".join(lines)) + "\n"


def _labels(check: Check) -> str:
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in check.labels().items()) + "}"


def _escape(value: str) -> str:
    """A label value as the exposition format wants it: backslash, double quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def alerts_lines(alerts: list[Alert]) -> list[tuple[str, str]]:
    """One line per alert: id, severity, state, when, title (and how it was resolved)."""
    if not alerts:
        return [("no alerts", "")]
    lines = []
    for alert in alerts:
        state = f"resolved {alert.resolved_at} by {alert.resolved_by}" if alert.resolved else "open"
        style = "" if alert.resolved else _STYLES.get(alert.severity, "")
        lines.append(
            (f"{alert.id:>4}  {alert.severity:<8}  {alert.opened_at}  {state}  {alert.title}", style)
        )
        if alert.resolved and alert.resolution:
            lines.append((f"{'':>4}  {alert.resolution}", ""))
    return [(redact(text), style) for text, style in lines]


def alerts_json(alerts: list[Alert]) -> str:
    """``{"version": 1, "alerts": [...]}``."""
    document = {"version": JSON_VERSION, "alerts": [a.to_dict() for a in alerts]}
    return json.dumps(redacted(document), indent=2) + "\n"
