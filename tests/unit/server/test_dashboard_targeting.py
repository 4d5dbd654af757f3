"""Targeting rules as the dashboard shows them: one readable line per rule."""

from __future__ import annotations

from azconf.server.dashboard.targeting import describe


def test_if_with_a_condition() -> None:
    rule = {"if": [{"ends_with": [{"var": "email"}, "@azora.dev"]}, "on", "off"]}
    assert describe(rule) == 'if email ends_with "@azora.dev" then "on" else "off"'


def test_in_and_or() -> None:
    rule = {"or": [{"in": [{"var": "country"}, ["de", "fr"]]}, {"==": [{"var": "plan"}, "pro"]}]}
    assert describe(rule) == 'country in ["de", "fr"] or plan == "pro"'


def test_fractional_with_and_without_a_bucketing_expression() -> None:
    assert describe({"fractional": [["on", 10], ["off", 90]]}) == 'split: "on" 10, "off" 90'
    rule = {"fractional": [{"var": "targetingKey"}, ["on", 10], ["off", 90]]}
    assert describe(rule) == 'split by targetingKey: "on" 10, "off" 90'


def test_chained_if_and_unknown_operations() -> None:
    rule = {"if": [{"!": {"var": "beta"}}, "a", {"sem_ver": [{"var": "v"}, ">=", "2.0.0"]}, "b", "c"]}
    assert describe(rule) == 'if not beta then "a" else if semver v >= "2.0.0" then "b" else "c"'
    assert describe({"custom": [1, 2]}) == "custom(1, 2)"
