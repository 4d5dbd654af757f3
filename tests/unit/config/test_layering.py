"""The layering rules: maps merge key by key, scalars and lists replace, null deletes, origins follow."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from azconf.config.layering import merge, merge_all
from azconf.config.located import LocatedList, LocatedMap, chain_at, plain
from azconf.config.yaml_io import parse_yaml


def doc(text: str, name: str) -> LocatedMap:
    """A located mapping parsed from YAML text, as a layer file named ``name``."""
    document = parse_yaml(text.encode(), name)
    assert document.problems == []
    return document.data


def test_maps_merge_key_by_key() -> None:
    base = doc("a: {p: 1, q: 2}\n", "base.yaml")
    overlay = doc("a: {q: 3, r: 4}\n", "over.yaml")
    assert plain(merge(base, overlay)) == {"a": {"p": 1, "q": 3, "r": 4}}


def test_lists_and_scalars_replace() -> None:
    base = doc("a: [1, 2, 3]\nb: one\n", "base.yaml")
    overlay = doc("a: [9]\nb: two\n", "over.yaml")
    assert plain(merge(base, overlay)) == {"a": [9], "b": "two"}


def test_a_map_replaces_a_scalar_and_back() -> None:
    base = doc("a: 1\nb: {x: 1}\n", "base.yaml")
    overlay = doc("a: {x: 2}\nb: 3\n", "over.yaml")
    assert plain(merge(base, overlay)) == {"a": {"x": 2}, "b": 3}


def test_null_deletes_and_is_remembered() -> None:
    base = doc("a: {p: 1, q: 2}\n", "base.yaml")
    overlay = doc("a: {p: null}\n", "over.yaml")
    merged = merge(base, overlay)
    assert plain(merged) == {"a": {"q": 2}}
    inner = merged["a"]
    assert inner.deleted is not None
    deleted = inner.deleted["p"]
    assert [(loc.file, loc.line) for loc in deleted] == [("over.yaml", 1), ("base.yaml", 1)]


def test_null_in_the_first_layer_means_absent() -> None:
    merged = merge_all([doc("a: {p: null, q: 1}\nb: null\n", "base.yaml")])
    assert plain(merged) == {"a": {"q": 1}}


def test_a_key_set_again_after_deletion_is_no_longer_deleted() -> None:
    merged = merge_all([doc("a: 1\n", "b.yaml"), doc("a: null\n", "o1.yaml"), doc("a: 2\n", "o2.yaml")])
    assert plain(merged) == {"a": 2}
    assert not merged.deleted or "a" not in merged.deleted


def test_origins_chain_newest_first() -> None:
    base = doc("s:\n  web:\n    replicas: 1\n", "base.yaml")
    prod = doc("s:\n  web:\n    replicas: 4\n", "prod.yaml")
    chain = chain_at(merge(base, prod), ("s", "web", "replicas"))
    assert [(loc.file, loc.line, loc.column) for loc in chain] == [("prod.yaml", 3, 15), ("base.yaml", 3, 15)]


def test_untouched_subtrees_are_shared_not_copied() -> None:
    base = doc("flags:\n  a: {state: ENABLED}\n  b: {state: DISABLED}\n", "base.yaml")
    overlay = doc("flags:\n  b: {state: ENABLED}\n", "over.yaml")
    merged = merge(base, overlay)
    assert merged["flags"]["a"] is base["flags"]["a"]
    assert merged["flags"]["b"] is not base["flags"]["b"]


def test_inputs_are_never_mutated() -> None:
    base = doc("a: {x: 1}\n", "base.yaml")
    overlay = doc("a: {x: null, q: 2}\n", "over.yaml")
    before = (plain(base), plain(overlay))
    merge(base, overlay)
    assert (plain(base), plain(overlay)) == before


def test_targeting_replaces_as_a_whole() -> None:
    base = doc("flags:\n  f:\n    targeting: {if: [true, 'on', 'off']}\n", "base.yaml")
    overlay = doc("flags:\n  f:\n    targeting: {fractional: [['on', 50], ['off', 50]]}\n", "over.yaml")
    merged = merge(base, overlay)
    assert list(merged["flags"]["f"]["targeting"]) == ["fractional"]


# -- properties -----------------------------------------------------------------------------------

keys = st.sampled_from(["a", "b", "c", "d"])
scalars = st.one_of(st.integers(-5, 5), st.sampled_from(["x", "y"]), st.booleans())
trees: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)
overlays: st.SearchStrategy[Any] = st.recursive(
    st.one_of(scalars, st.none()),
    lambda inner: st.one_of(
        st.lists(inner.filter(lambda v: v is not None), max_size=3), st.dictionaries(keys, inner, max_size=3)
    ),
    max_leaves=12,
)


def located(value: Any, file: str, line: list[int] | None = None) -> Any:
    """``value`` as located containers, every key given the next line number of ``file``."""
    line = line if line is not None else [0]
    if isinstance(value, dict):
        out = LocatedMap()
        for key, item in value.items():
            line[0] += 1
            from azconf.config.located import Loc

            out[key] = located(item, file, line)
            out.origins[key] = (Loc(file, line[0], 1, line[0], 4),)
        return out
    if isinstance(value, list):
        items = LocatedList()
        for item in value:
            from azconf.config.located import Loc

            line[0] += 1
            items.append(located(item, file, line))
            items.origins.append(Loc(file, line[0], 3, line[0], 3))
        return items
    return value


def reference_merge(base: Any, overlay: Any) -> Any:
    """The layering rules, written as plainly as possible."""
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return overlay
    out = dict(base)
    for key, value in overlay.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = reference_merge(out[key], value)
        else:
            out[key] = strip_nulls(value)
    return out


def strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    return value


@given(st.dictionaries(keys, trees, max_size=4))
def test_an_empty_overlay_is_the_identity(base: dict[str, Any]) -> None:
    merged = merge(located(base, "base.yaml"), LocatedMap())
    assert plain(merged) == base


@given(st.dictionaries(keys, trees, max_size=4), st.dictionaries(keys, overlays, max_size=4))
def test_merge_follows_the_rules(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    merged = merge(located(base, "base.yaml"), located(overlay, "over.yaml"))
    assert plain(merged) == reference_merge(base, overlay)


@given(st.dictionaries(keys, trees, max_size=4), st.dictionaries(keys, overlays, max_size=4))
def test_every_leaf_points_at_the_layer_that_set_it(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    merged = merge(located(base, "base.yaml"), located(overlay, "over.yaml"))
    for path, _ in leaves(plain(merged)):
        winner = chain_at(merged, path)[0].file
        assert winner == ("over.yaml" if has_path(overlay, path) else "base.yaml")


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in leaves(item, (*path, key))]
    return [(path, value)] if path else []


def has_path(value: Any, path: tuple[Any, ...]) -> bool:
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return False
    return True


@given(st.dictionaries(keys, overlays, max_size=4))
def test_null_deletes_whatever_the_base_had(overlay: dict[str, Any]) -> None:
    base = {key: {"kept": 1} for key in overlay}
    merged = plain(merge(located(base, "base.yaml"), located(overlay, "over.yaml")))
    for key, value in overlay.items():
        assert (key in merged) == (value is not None)


def test_a_shorthand_flag_is_overridden_by_its_long_form() -> None:
    base = doc("flags:\n  dark-mode: true\n", "base.yaml")
    prod = doc("flags:\n  dark-mode: {state: DISABLED}\n", "prod.yaml")
    merged = merge(base, prod)
    assert plain(merged)["flags"]["dark-mode"] == {
        "state": "DISABLED",
        "variants": {"on": True, "off": False},
        "defaultVariant": "on",
    }
    assert chain_at(merged, ("flags", "dark-mode", "defaultVariant"))[0].file == "base.yaml"
    assert chain_at(merged, ("flags", "dark-mode", "state"))[0].file == "prod.yaml"
    # Elsewhere a mapping still replaces a scalar whole.
    other = merge(doc("settings:\n  x: true\n", "b.yaml"), doc("settings:\n  x: {a: 1}\n", "o.yaml"))
    assert plain(other)["settings"]["x"] == {"a": 1}


items = st.dictionaries(
    keys, st.dictionaries(keys, trees, max_size=3), min_size=1, max_size=4
)  # name -> item


@given(
    items, items, st.dictionaries(keys, st.dictionaries(keys, overlays, max_size=3), min_size=1, max_size=4)
)
def test_a_kept_merge_is_reused_only_over_the_same_lower_layer(
    base: dict[str, Any], other_base: dict[str, Any], overlay: dict[str, Any]
) -> None:
    # The flags service merges the same parsed overlay again and again: an item merged over the same
    # lower item is the same object, and over another lower item (a base file edited) it is merged anew.
    upper = located(overlay, "over.yaml")
    lower, other = located(base, "base.yaml"), located(other_base, "base.yaml")
    first = merge(lower, upper)
    again = merge(lower, upper)
    merged_items = [key for key in upper if isinstance(upper[key], dict) and isinstance(lower.get(key), dict)]
    assert all(again[key] is first[key] for key in merged_items)
    assert plain(merge(other, upper)) == reference_merge(other_base, overlay)
    assert plain(merge(lower, upper)) == reference_merge(base, overlay)
    assert merge(lower, upper).origins == first.origins
