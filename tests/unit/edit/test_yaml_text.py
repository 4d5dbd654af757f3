"""Comment-preserving edits: the edited value changes, every other byte stays."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azconf.config.located import plain
from azconf.config.yaml_io import parse_yaml
from azconf.edit.yaml_text import YamlText, delete_key, set_value
from azconf.errors import DataError

OVERLAY = """\
# Overlay for prod: what differs from the base.

services:
  web:
    replicas: 6        # peak traffic

    image: 'ghcr.io/azora/web:2.8.1'   # pinned
  payments:
    replicas: 4
routes:
  auth: {methods: [GET, POST], auth: jwt}   # tight
settings:
  public_hostname: app.azora.dev
  regions: [eu-west-1, eu-central-1]
"""


def data(text: str) -> Any:
    document = parse_yaml(text.encode(), "t.yaml")
    assert document.problems == []
    return plain(document.data)


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    import difflib

    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def test_a_scalar_keeps_its_comment_and_alignment() -> None:
    after = set_value(OVERLAY, ("services", "web", "replicas"), 8)
    assert changed_lines(OVERLAY, after) == (
        ["    replicas: 6        # peak traffic"],
        ["    replicas: 8        # peak traffic"],
    )


def test_a_single_quoted_string_stays_single_quoted() -> None:
    after = set_value(OVERLAY, ("services", "web", "image"), "ghcr.io/azora/web:2.9.0")
    assert "    image: 'ghcr.io/azora/web:2.9.0'   # pinned" in after.splitlines()


def test_a_flow_list_stays_a_flow_list() -> None:
    after = set_value(OVERLAY, ("settings", "regions"), ["eu-west-1"])
    assert "  regions: [eu-west-1]" in after.splitlines()


def test_a_new_key_goes_after_the_last_sibling() -> None:
    after = set_value(OVERLAY, ("services", "analytics", "replicas"), 2)
    assert changed_lines(OVERLAY, after) == ([], ["  analytics:", "    replicas: 2"])
    assert data(after)["services"]["analytics"] == {"replicas": 2}


def test_a_key_in_a_flow_mapping() -> None:
    after = set_value(OVERLAY, ("routes", "auth", "timeout_seconds"), 10)
    assert "  auth: {methods: [GET, POST], auth: jwt, timeout_seconds: 10}   # tight" in after.splitlines()


def test_a_block_value_replaces_a_scalar() -> None:
    after = set_value(OVERLAY, ("services", "payments", "replicas"), {"min": 2, "max": 4})
    assert data(after)["services"]["payments"]["replicas"] == {"min": 2, "max": 4}


def test_strings_that_would_change_type_are_quoted() -> None:
    for value in ["on", "0755", "1:30", "true", "y", ""]:
        after = set_value(OVERLAY, ("settings", "public_hostname"), value)
        assert data(after)["settings"]["public_hostname"] == value


def test_deleting_the_last_key_removes_its_emptied_parents() -> None:
    after = delete_key(OVERLAY, ("services", "payments", "replicas"))
    assert "payments" not in data(after)["services"]  # an empty mapping would read as null: delete
    assert changed_lines(OVERLAY, after)[1] == []


def test_deleting_from_a_flow_mapping() -> None:
    after = delete_key(OVERLAY, ("routes", "auth", "auth"))
    assert "  auth: {methods: [GET, POST]}   # tight" in after.splitlines()


def test_a_missing_key_is_left_alone() -> None:
    assert delete_key(OVERLAY, ("services", "nope")) == OVERLAY


def test_an_empty_file_gets_the_key() -> None:
    assert data(set_value("# only a comment\n", ("flags", "dark-mode"), True)) == {
        "flags": {"dark-mode": True}
    }


# -- property: only the edited lines change -------------------------------------------------------

names = st.sampled_from(["alpha", "beta", "gamma", "delta"])
scalars = st.one_of(
    st.integers(-100, 100), st.sampled_from(["x", "on", "a b", "0755", "web:1.2"]), st.booleans()
)
trees: st.SearchStrategy[Any] = st.recursive(
    scalars, lambda inner: st.dictionaries(names, inner, min_size=1, max_size=3), max_leaves=10
)


def render(value: dict[str, Any], indent: int = 0, counter: list[int] | None = None) -> str:
    """Block YAML with a unique comment on every line, so any rewritten line is noticed."""
    counter = counter if counter is not None else [0]
    out = ""
    for key, item in value.items():
        counter[0] += 1
        tag = f"  # c{counter[0]}"
        if isinstance(item, dict):
            out += f"{' ' * indent}{key}:{tag}\n" + render(item, indent + 2, counter)
        else:
            text = f'"{item}"' if isinstance(item, str) else str(item).lower()
            out += f"{' ' * indent}{key}: {text}{tag}\n"
    return out


def paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found += paths(item, (*prefix, key))
    return found


def with_value(value: dict[str, Any], path: tuple[str, ...], new: Any) -> dict[str, Any]:
    import copy

    result = copy.deepcopy(value)
    node = result
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = new
    return result


def entry_lines(text: str, path: tuple[str, ...]) -> list[str]:
    """The lines of the entry at ``path`` (its key line and any block under it); [] if absent."""
    from azconf.config.located import chain_at, walk_leaves

    located = parse_yaml(text.encode(), "t.yaml").data
    lines = text.splitlines()
    for size in range(len(path), 0, -1):  # a new key's nearest existing ancestor may be rewritten
        chain = chain_at(located, path[:size])
        if chain:
            node: Any = located
            for key in path[:size]:
                node = node[key]
            last = chain[0].key_line
            for leaf, _ in walk_leaves(node):
                leaf_chain = chain_at(located, (*path[:size], *leaf))
                if leaf_chain:
                    last = max(last, leaf_chain[0].line)
            return lines[chain[0].key_line - 1 : last]
    return []


@given(st.dictionaries(names, trees, min_size=1, max_size=3), st.data())
def test_set_changes_only_the_value(document: dict[str, Any], draw: st.DataObject) -> None:
    text = render(document)
    existing = paths(document)
    path = draw.draw(st.one_of(st.sampled_from(existing), st.tuples(names, names)))
    new = draw.draw(scalars)
    after = set_value(text, path, new)
    assert data(after) == with_value(document, path, new)
    removed, _ = changed_lines(text, after)
    # Only lines of the edited entry may change; every other line stays byte for byte.
    assert set(removed) <= set(entry_lines(text, path))


@given(st.dictionaries(names, trees, min_size=2, max_size=3), st.data())
def test_delete_removes_only_that_entry(document: dict[str, Any], draw: st.DataObject) -> None:
    text = render(document)
    path = draw.draw(st.sampled_from(paths(document)))
    after = delete_key(text, path)
    _, added = changed_lines(text, after)
    assert added == []
    remaining = data(after) or {}
    node: Any = remaining
    for key in path[:-1]:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    assert path[-1] not in node


def test_keep_markers_are_read_from_the_end_of_a_key_line() -> None:
    from azconf.edit.yaml_text import YamlText

    text = (
        "services:\n"
        "  auth:                 # azconf:keep the whole service is prod's\n"
        "    replicas: 4\n"
        "  web:\n"
        "    replicas: 6  # mandatory MFA (azconf:keep)\n"
        "    image: 'x:1'  # azconf:keep: pinned (for now)\n"
        "    port: 8080   # azconf:keeper is not the marker\n"
        "    note: '# azconf:keep inside a string is not a comment'\n"
        "    region: eu  # AZCONF:KEEP shouted, still the marker\n"
    )
    kept = [(k.path, k.line, k.reason) for k in YamlText(text, "prod.yaml").kept()]
    assert kept == [
        (("services", "auth"), 2, "the whole service is prod's"),
        (("services", "web", "replicas"), 5, "mandatory MFA"),
        (("services", "web", "image"), 6, "pinned (for now)"),
        (("services", "web", "region"), 9, "shouted, still the marker"),
    ]


def test_edits_parse_the_file_once_however_many_values_change() -> None:
    from unittest import mock

    from azconf.edit import yaml_text
    from azconf.edit.yaml_text import YamlText

    text = "flags:\n" + "".join(f"  f{n}:\n    state: ENABLED\n" for n in range(200))
    with mock.patch.object(yaml_text, "compose_nodes", wraps=yaml_text.compose_nodes) as compose:
        edited = YamlText(text)
        for n in range(200):
            edited.set(("flags", f"f{n}", "state"), "DISABLED")
        result = edited.text()
    assert compose.call_count == 1
    assert result.count("DISABLED") == 200


SHARED = (
    "flags:\n  beta-banner: &off\n    state: DISABLED\n  debug-toolbar: *off\n  other:\n    state: ENABLED\n"
)


def test_an_edit_that_touches_anchors_and_aliases_is_refused_naming_them() -> None:
    # One node shared by two keys: changing it in place would change both, so azconf refuses, says
    # where the anchor and the alias are, and how to get on.
    for edit in (
        lambda text: text.set(("flags", "beta-banner", "state"), "ENABLED"),
        lambda text: text.delete(("flags", "debug-toolbar")),
    ):
        edited = YamlText(SHARED, "flags.yaml")
        edit(edited)
        with pytest.raises(DataError) as refused:
            edited.text()
        assert "(&off at 2:16, *off at 4:18)" in refused.value.message
        assert "nothing was written" in refused.value.message
        assert refused.value.hint.startswith("write the aliased values out in full")
    elsewhere = YamlText(SHARED, "flags.yaml")
    elsewhere.set(("flags", "other", "state"), "DISABLED")
    assert elsewhere.text() == SHARED.replace("state: ENABLED", "state: DISABLED")
