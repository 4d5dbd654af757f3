"""A snapshot as items and back; the content hash assembled from the items'."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from azconf.history.items import join, make_item, prepare, resource_type, split
from azconf.snapshot import content_hash

ODD = {
    "flags": {"a.b": True, "": {"x": 1}, 'q"uote': False, "é": [1, 2]},
    "settings": {},
    "routes": {"web": {"path": "/"}},
    "extra": 3,
}

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


def test_split_and_join_round_trip_odd_keys() -> None:
    items = split(ODD)
    assert [item.path for item in items] == [
        'flags."a.b"',
        'flags.""',
        'flags."q\\"uote"',
        "flags.é",
        "settings",
        "routes.web",
        "extra",
    ]
    assert join((item.path, item.value) for item in items) == ODD


def test_content_hash_is_assembled_exactly() -> None:
    assert prepare(ODD).content_hash == content_hash(ODD)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=4))
def test_content_hash_matches_the_whole_snapshot(data: dict[str, Any]) -> None:
    prepared = prepare(data)
    assert prepared.content_hash == content_hash(data)
    assert join((item.path, item.value) for item in prepared.items) == data


def test_an_item_is_hashed_by_content_not_key_order() -> None:
    first = make_item("services", "web", {"image": "a", "port": 1})
    second = make_item("services", "web", {"port": 1, "image": "a"})
    assert first.digest == second.digest and first.key == second.key
    assert first.json_text() == '{"image":"a","port":1}'  # stored in authored order
    assert second.json_text() == '{"port":1,"image":"a"}'


def test_resource_types_are_singular() -> None:
    assert resource_type("flags.new-checkout") == "flag"
    assert resource_type("settings.database") == "setting"
    assert resource_type('services."a.b"') == "service"
    assert resource_type("extra") == "extra"
