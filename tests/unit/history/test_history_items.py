"""A snapshot as items and back; the content hash assembled from the items'; audit resource ids."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from azconf.config.yaml_io import parse_yaml
from azconf.history.items import item_name, join, make_item, prepare, resource_id, resource_type, split
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


names = st.text("abxy-_.", min_size=1, max_size=5)
config_values = st.recursive(  # what YAML reads back as written (no nulls: a null key is no key)
    st.booleans() | st.integers() | st.text("ab é1", max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(names, st.dictionaries(names, config_values, max_size=3) | config_values, max_size=4))
def test_resolved_data_splits_into_the_items_of_its_snapshot(data: dict[str, Any]) -> None:
    # Items of resolved data are hashed once and kept on their maps; twice in a row, they are still
    # exactly the items of the plain snapshot.
    located = parse_yaml(json.dumps(data, ensure_ascii=False).encode("utf-8"), "data.json").data
    expected = [(item.path, item.digest, item.value) for item in split(data)]
    for _ in range(2):
        assert [(item.path, item.digest, item.value) for item in split(located)] == expected


def test_scalars_equal_in_python_are_different_items() -> None:
    # True == 1 == 1.0 in Python, and scalar items are kept by value: the kept item must not be reused.
    digests = {split({"settings": {"x": value}})[0].canonical for value in (True, 1, 1.0, "1")}
    assert digests == {b"true", b"1", b"1.0", b'"1"'}


@given(st.text(min_size=1, max_size=12), st.sampled_from(["", ".state", ".variants.on", "[0]"]))
def test_an_items_resource_id_names_it_back(name: str, below: str) -> None:
    """Whatever the name (dots, quotes, brackets), the item and any path below it map back to it."""
    recorded = resource_id("flags", name)
    assert recorded == make_item("flags", name, True).path  # the id audit entries carry
    assert item_name("flags", recorded + below) == name
    assert item_name("routes", recorded) is None


def test_a_dotted_flag_name_is_quoted() -> None:
    assert resource_id("flags", "ui.dark-mode") == 'flags."ui.dark-mode"'
    assert item_name("flags", 'flags."ui.dark-mode".state') == "ui.dark-mode"
    assert item_name("flags", "flags.ui.dark-mode") == "ui"  # unquoted: the dot is a path step
    assert item_name("flags", "flags") is None
