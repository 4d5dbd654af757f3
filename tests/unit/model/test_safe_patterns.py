"""``azconf.model.safe_patterns``: patterns matched in linear time, unusable ones found with their place."""

from __future__ import annotations

from azconf.model.safe_patterns import search, unusable_patterns


def test_search_finds_like_re_search_without_backtracking() -> None:
    assert search("b+", "abbc") and not search("^b", "abbc")
    assert not search("^(a+)+$", "a" * 5000 + "!")  # instant: the engine never backtracks


def test_unusable_patterns_are_listed_with_their_json_pointer() -> None:
    document = {
        "properties": {"name": {"pattern": "(?<=x)y"}, "ok": {"pattern": "^[a-z]+$"}},
        "patternProperties": {"(a)\\1": {"type": "string"}},
        "default": {"pattern": "(?<=not a schema)"},
    }
    found = unusable_patterns(document)
    assert [(pointer, pattern) for pointer, pattern, _ in found] == [
        ("/properties/name/pattern", "(?<=x)y"),
        ("/patternProperties/(a)\\1", "(a)\\1"),
    ]
