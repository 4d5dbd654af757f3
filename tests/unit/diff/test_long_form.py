"""diff.in_long_form: a flag toggled between its shorthand and its full form reads field by field."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from azconf.config.layering import flag_shorthand
from azconf.diff import Change, Kind, diff, in_long_form


def test_a_shorthand_flag_turned_into_its_full_form_shows_only_the_fields_that_changed() -> None:
    full = {**flag_shorthand(True), "state": "DISABLED"}
    changes = in_long_form(diff({"flags": {"dark-mode": True}}, {"flags": {"dark-mode": full}}))
    assert changes == [Change(("flags", "dark-mode", "state"), Kind.CHANGED, "ENABLED", "DISABLED")]
    back = in_long_form(diff({"flags": {"dark-mode": full}}, {"flags": {"dark-mode": False}}))
    assert [(c.dotted, c.old, c.new) for c in back] == [
        ("flags.dark-mode.state", "DISABLED", "ENABLED"),
        ("flags.dark-mode.defaultVariant", "on", "off"),
    ]


def test_other_changes_are_left_as_they_are() -> None:
    changes = diff(
        {"flags": {"a": True, "b": {"state": "ENABLED"}}, "settings": {"x": True}},
        {"flags": {"a": False, "b": True}, "settings": {"x": {"y": 1}}},
    )
    # b was written in full but only partly: its long form differs in more than state, still by field
    assert in_long_form(changes)[0] == changes[0]  # true -> false stays one change
    assert in_long_form(changes)[-1] == changes[-1]  # settings are not flags


@given(st.booleans(), st.sampled_from(["ENABLED", "DISABLED"]), st.sampled_from(["on", "off"]))
def test_the_long_form_changes_turn_the_old_flag_into_the_new(old: bool, state: str, default: str) -> None:
    new = {**flag_shorthand(True), "state": state, "defaultVariant": default}
    for before, after in ((old, new), (new, old)):
        expected = flag_shorthand(after) if isinstance(after, bool) else after
        result = flag_shorthand(before) if isinstance(before, bool) else dict(before)
        for change in in_long_form(diff({"flags": {"f": before}}, {"flags": {"f": after}})):
            assert change.path[:2] == ("flags", "f") and len(change.path) == 3
            result[str(change.path[2])] = change.new
        assert result == expected
