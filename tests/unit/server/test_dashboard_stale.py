"""Audit resources mapped back to flags, dotted names included."""

from __future__ import annotations

from azconf.server.dashboard.stale import _flag_of


def test_the_longest_known_flag_name_wins() -> None:
    names = {"fraud", "fraud.dynamic-import", "dark-mode"}
    assert _flag_of("fraud.dynamic-import.state", names) == "fraud.dynamic-import"
    assert _flag_of("fraud.state", names) == "fraud"
    assert _flag_of("dark-mode", names) == "dark-mode"
    assert _flag_of("removed-flag.state", names) is None
