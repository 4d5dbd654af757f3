"""Config paths: formatting and parsing them, and finding locations along them."""

from __future__ import annotations

import copy
import pickle

from hypothesis import given
from hypothesis import strategies as st

from azconf.config.located import chain_at, deepest_loc, derived_once, format_path, parse_path
from azconf.config.yaml_io import parse_yaml

segments = st.one_of(st.text(min_size=1, max_size=8), st.integers(0, 50))


@given(st.lists(segments, max_size=6).filter(lambda parts: not parts or isinstance(parts[0], str)))
def test_format_and_parse_are_inverse(parts: list[str | int]) -> None:
    assert parse_path(format_path(tuple(parts))) == tuple(parts)


def test_dotted_keys_are_quoted() -> None:
    assert format_path(("flags", "new.checkout", "state")) == 'flags."new.checkout".state'
    assert parse_path('flags."new.checkout".state') == ("flags", "new.checkout", "state")


def test_malformed_paths_are_none() -> None:
    assert parse_path("a..b") is None
    assert parse_path(".a") is None
    assert parse_path("a[x]") is None


def test_list_items_have_their_own_location() -> None:
    data = parse_yaml(b"s:\n  web:\n    flags:\n      - a\n      - b\n", "t.yaml").data
    assert [(loc.line, loc.column) for loc in chain_at(data, ("s", "web", "flags", 1))][:1] == [(5, 9)]


def test_deepest_loc_falls_back_to_the_nearest_ancestor() -> None:
    data = parse_yaml(b"s:\n  web:\n    port: 80\n", "t.yaml").data
    loc = deepest_loc(data, ("s", "web", "missing"))
    assert loc is not None and (loc.key_line, loc.key_column) == (2, 3)


def test_what_is_derived_from_a_map_is_made_once_and_never_copied() -> None:
    data = parse_yaml(b"flags:\n  a: {state: ENABLED}\n", "f.yaml").data
    item = data["flags"]["a"]
    made: list[int] = []
    assert derived_once(item, "k", lambda: made.append(1) or "first") == "first"
    assert derived_once(item, "k", lambda: made.append(1) or "second") == "first"
    assert made == [1]
    # A copy may be edited, and a pickle is another process's: neither takes what was derived.
    for other in (copy.deepcopy(item), copy.copy(item), pickle.loads(pickle.dumps(item))):
        assert other == item and other.origins == item.origins
        assert derived_once(other, "k", lambda: "again") == "again"
