"""Property: any sequence of sets and deletes on a file of mixed block and flow styles gives text that
parses to exactly the edited data, and lines of untouched keys stay byte for byte."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from azconf.config.located import plain
from azconf.config.yaml_io import parse_yaml
from azconf.edit.yaml_text import YamlText, flow_text, key_text, scalar_text

KEYS = st.sampled_from(["a", "b", "c", "web", "my.key", "on", "x y"])
SCALARS = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.sampled_from(["text", "yes", "0755", "", "a: b", "# not a comment", "it's"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=6,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=4)


def render(value: dict[str, Any], styles: st.DataObject, indent: int = 0) -> list[str]:
    """Block YAML lines for ``value``, with some nested collections drawn in flow style."""
    lines = []
    pad = " " * indent
    for key, item in value.items():
        comment = styles.draw(st.sampled_from(["", "   # note"]))
        if isinstance(item, dict) and item and not styles.draw(st.booleans()):
            lines.append(f"{pad}{key_text(key)}:{comment}")
            lines += render(item, styles, indent + 2)
        elif isinstance(item, list) and item and styles.draw(st.booleans()):
            lines.append(f"{pad}{key_text(key)}:{comment}")
            lines += [f"{pad}  - {flow_text(entry)}" for entry in item]
        else:
            lines.append(f"{pad}{key_text(key)}: {scalar_text(item)}{comment}")
    return lines


def parsed(text: str) -> Any:
    document = parse_yaml(text.encode(), "t.yaml")
    assert document.problems == [], text
    return plain(document.data)


PATHS = st.lists(KEYS, min_size=1, max_size=3).map(tuple)
OPERATIONS = st.lists(st.tuples(st.sampled_from(["set", "delete"]), PATHS, VALUES), min_size=1, max_size=8)


@given(DOCUMENTS, OPERATIONS, st.data())
def test_edits_of_mixed_styles_give_exactly_the_edited_data(
    document: dict[str, Any], operations: list[tuple[str, tuple[str, ...], Any]], styles: st.DataObject
) -> None:
    text = "# header\n" + "\n".join(render(document, styles)) + "\n"
    assert parsed(text) == document
    edited = YamlText(text, "t.yaml")
    expected = copy.deepcopy(document)
    for kind, path, value in operations:
        if kind == "set":
            edited.set(path, value)
            _set(expected, path, value)
        else:
            edited.delete(path)
            _delete(expected, path)
    result = edited.text()
    assert parsed(result) == expected == edited.data
    assert result.startswith("# header\n")


@given(DOCUMENTS, PATHS, VALUES, st.data())
def test_one_set_leaves_the_lines_of_other_top_level_keys_alone(
    document: dict[str, Any], path: tuple[str, ...], value: Any, styles: st.DataObject
) -> None:
    lines = render(document, styles)
    text = "\n".join(lines) + "\n"
    edited = YamlText(text, "t.yaml")
    edited.set(path, value)
    result = edited.text().splitlines()
    others = [line for line in lines if line and not line.startswith(" ") and not _is_key_line(line, path[0])]
    for line in others:
        assert line in result


def _is_key_line(line: str, key: str) -> bool:
    return line.startswith(key_text(key) + ":")


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    data[path[-1]] = copy.deepcopy(value)


def _delete(data: dict[str, Any], path: tuple[str, ...]) -> None:
    trail = [data]
    for key in path[:-1]:
        child = trail[-1].get(key)
        if not isinstance(child, dict):
            return
        trail.append(child)
    if path[-1] not in trail[-1]:
        return
    del trail[-1][path[-1]]
    for depth in range(len(trail) - 1, 0, -1):
        if trail[depth]:
            break
        del trail[depth - 1][path[depth - 1]]
