"""The rules of health checks and alerts, in-process: rating a value, planning alerts, webhook bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azconf.health.alerts import AlertEvent, _plan
from azconf.health.checks import Check, Measurement, Skipped
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


ENVS = ["dev", "prod"]


def plan(checks: list[Check], open_by_key: dict[str, Alert], **kwargs: Any) -> Any:
    measured = Measurement(checks, kwargs.get("envs", ENVS), kwargs.get("skipped", []))
    return _plan(measured, open_by_key, kwargs.get("environments", ENVS))


def test_alert_planning() -> None:
    key = "flags/prod/expired_flags"
    assert plan([check(Status.WARNING)], {}) == ([], [check(Status.WARNING)])  # opens
    assert plan([check(Status.WARNING)], {key: alert("warning")}) == ([], [])  # stays open, once
    resolved, opened = plan([check(Status.OK)], {key: alert("warning")})
    assert [a.id for a, _ in resolved] == [7] and opened == [] and "back to ok" in resolved[0][1]
    resolved, opened = plan([check(Status.CRITICAL)], {key: alert("warning")})
    assert [(a.id, why) for a, why in resolved] == [(7, "escalated to critical")] and opened == [
        check(Status.CRITICAL)
    ]
    assert plan([check(Status.WARNING)], {key: alert("critical")}) == ([], [])  # better, not ok: stays


def test_a_silent_check_resolves_only_when_it_was_measured() -> None:
    key = "flags/prod/expired_flags"
    gone = "no longer reported: the condition it measured is gone"
    open_alert = {key: alert("warning")}
    assert [why for _, why in plan([], open_alert)[0]] == [gone]  # prod measured, the check is gone
    assert plan([], open_alert, envs=["dev"]) == ([], [])  # prod not asked for this run
    skipped = [Skipped("flags/prod", "prod is not valid")]
    assert plan([], open_alert, skipped=skipped) == ([], [])  # prod's flags not measured
    assert [why for _, why in plan([], open_alert, envs=["dev"], environments=["dev"])[0]] == [gone]


def test_webhook_bodies_for_slack_and_json() -> None:
    event = AlertEvent("opened", alert("warning"))
    slack = _payload("slack", "azora", event)
    assert slack == {"text": "[azora] WARNING alert 7 opened: t. m"} == {"text": text_of("azora", event)}
    body = _payload("json", "azora", event)
    assert body["event"] == "opened" and body["alert"]["id"] == 7  # type: ignore[index]
    assert body["event_id"] == "azora/alerts/7/opened"
    json.dumps(body)  # serialisable as it is


KEYS = [
    ("flags", "prod", "expired_flags"),
    ("flags", "dev", "expired_flags"),
    ("serve", None, "serve_heartbeat_seconds"),
    ("secrets", "qa", "unresolved_secrets"),  # qa: an environment removed from the manifest
]


@given(
    st.dictionaries(st.sampled_from(range(len(KEYS))), st.sampled_from(list(Status))),
    st.sets(st.sampled_from(range(len(KEYS)))),
    st.lists(st.sampled_from(["dev", "prod"]), unique=True),
    st.sets(st.sampled_from(["flags/prod", "flags/dev", "serve"])),
)
def test_planning_keeps_what_was_not_measured_and_never_resolves_twice(
    reported: dict[int, Status], open_ones: set[int], envs: list[str], skipped: set[str]
) -> None:
    checks = [
        Check(KEYS[i][0], KEYS[i][1], KEYS[i][2], int(s), 1, 2, s, "m", "")
        for i, s in sorted(reported.items())
    ]
    alerts = {}
    for i in open_ones:
        component, env, metric = KEYS[i]
        key = "/".join(p for p in (component, env, metric) if p)
        alerts[key] = Alert(  # by keyword: the field order is not this test's concern
            id=i, check_key=key, type=metric, severity="warning", title="t", message="m",
            component=component, environment=env, opened_at="now",
            resolved=False, resolved_at=None, resolved_by=None, resolution=None,
        )  # fmt: skip
    measured = Measurement(checks, envs, [Skipped(prefix, "why") for prefix in skipped])
    resolved, opened = _plan(measured, alerts, ["dev", "prod"])
    resolved_keys = [alert.check_key for alert, _ in resolved]
    assert len(resolved_keys) == len(set(resolved_keys))  # at most once each
    reported_keys = {check.key for check in checks}
    for key in resolved_keys:
        if key not in reported_keys:  # resolved because silent: it must have been measured
            assert measured.not_measured(key) is None
            env = alerts[key].environment
            assert env is None or env in envs or env == "qa"
    for key, alert in alerts.items():  # a silent, measured check of a measured part always resolves
        gone = alert.environment is None or alert.environment in envs or alert.environment == "qa"
        if key not in reported_keys and measured.not_measured(key) is None and gone:
            assert key in resolved_keys
    assert {check.key for check in opened} <= {c.key for c in checks if c.status is not Status.OK}
