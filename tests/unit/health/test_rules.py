"""The rules of health checks and alerts, in-process: rating a value, planning alerts, webhook bodies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azconf.health.alerts import AlertEvent, _plan
from azconf.health.checks import Check
from azconf.health.notify import _payload, text_of
from azconf.health.thresholds import DEFAULTS, Levels, Status
from azconf.history.store import Alert


@given(st.floats(0, 1e6), st.one_of(st.none(), st.floats(0, 1e6)), st.one_of(st.none(), st.floats(0, 1e6)))
def test_a_rating_never_gets_better_as_the_value_grows(
    value: float, warning: float | None, critical: float | None
) -> None:
    levels = Levels(warning, critical, "x")
    assert levels.status(value) <= levels.status(value * 2 + 1)
    assert levels.status(0) is Status.OK  # zero is always ok, whatever the thresholds


@pytest.mark.parametrize(
    "value, expected",
    [(0, Status.OK), (0.5, Status.OK), (24, Status.WARNING), (100, Status.WARNING), (168, Status.CRITICAL)],
)
def test_the_uncommitted_defaults(value: float, expected: Status) -> None:
    assert DEFAULTS["uncommitted_hours"].status(value) is expected


def check(status: Status, key_metric: str = "expired_flags") -> Check:
    return Check("flags", "prod", key_metric, 1, 1, None, status, "1 expired: x", "")


def alert(severity: str, alert_id: int = 7) -> Alert:
    opened = ("flags/prod/expired_flags", "expired_flags", severity, "t", "m", "flags", "prod", "now")
    return Alert(*opened, id=alert_id, resolved=False, resolved_at=None, resolved_by=None, resolution=None)


def test_alert_planning() -> None:
    key = "flags/prod/expired_flags"
    assert _plan([check(Status.WARNING)], {}) == ([], [check(Status.WARNING)])  # opens
    assert _plan([check(Status.WARNING)], {key: alert("warning")}) == ([], [])  # stays open, once
    resolved, opened = _plan([check(Status.OK)], {key: alert("warning")})
    assert [a.id for a, _ in resolved] == [7] and opened == [] and "back to ok" in resolved[0][1]
    resolved, opened = _plan([check(Status.CRITICAL)], {key: alert("warning")})
    assert [(a.id, why) for a, why in resolved] == [(7, "escalated to critical")] and opened == [
        check(Status.CRITICAL)
    ]
    assert _plan([check(Status.WARNING)], {key: alert("critical")}) == ([], [])  # better, not ok: stays


def test_webhook_bodies_for_slack_and_json() -> None:
    event = AlertEvent("opened", alert("warning"))
    slack = _payload("slack", "azora", event)
    assert slack == {"text": "[azora] WARNING alert 7 opened: t. m"} == {"text": text_of("azora", event)}
    body = _payload("json", "azora", event)
    assert body["event"] == "opened" and body["alert"]["id"] == 7  # type: ignore[index]
    json.dumps(body)  # serialisable as it is
