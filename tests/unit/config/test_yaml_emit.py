"""The direct YAML emitter: libyaml's bytes where it claims them, and a faithful round trip always."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from azconf.config.yaml_emit import EntryTexts, emit_yaml
from azconf.config.yaml_io import parse_yaml, reads_as_another_type


class _Reference(yaml.CSafeDumper):
    """What azconf wrote before the emitter: libyaml, with every ambiguous string double-quoted."""


def _represent_str(dumper: Any, data: str) -> Any:
    if reads_as_another_type(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Reference.add_representer(str, _represent_str)


def reference(value: Any) -> str:
    """libyaml's output with folding off (``width=-1``), the emitter's documented twin."""
    return yaml.dump(
        value, Dumper=_Reference, sort_keys=False, allow_unicode=True, default_flow_style=False, width=-1
    )


# Strings of the kind rendered manifests hold, plus every character class that changes quoting.
_TRICKY = st.sampled_from(
    [
        "",
        " ",
        "on",
        "y",
        "0755",
        "1:30",
        "1e5",
        "~",
        "null",
        "2024-01-01",
        "2001-12-14 21:59:43.10 -5",
        "<<",
        "=",
        "- a",
        "a: b",
        "a:b",
        "a #b",
        "a#b",
        "#x",
        "---",
        "...x",
        "?x",
        "? x",
        ":x",
        "x:",
        "'q'",
        '"q"',
        "@x",
        "%x",
        "`x`",
        "{a}",
        "[a]",
        "a, b",
        "*x",
        "&x",
        "!x",
        "|x",
        ">x",
        "tab\there",
        "é",
        "\xa0",
        "\ufeff",
        "\x00",
        "\x7f",
        "\U0001f600",
        "trailing ",
        " leading",
        "sha256:3567bd65",
        "ghcr.io/azora/web:2.9.0",
        "http://x.svc.cluster.local:8080/a?b=c&d",
        "100m",
        "-1",
        "+1",
        ".5",
        "._",
        "0x1F",
        "0b101",
        "1_000",
    ]
)
_ONE_LINE = st.one_of(
    _TRICKY,
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x85\u2028\u2029"), max_size=20
    ),
)
_ANY_TEXT = st.one_of(
    _ONE_LINE,
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["a\nb", "a\n", "a\n\n", "\n", "\nx", " x\ny", "x \ny", "x\n y\n", "a\r\nb", "a\u2028b"]),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither (AZC0117)
)


def _data(text: st.SearchStrategy[str], keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.one_of(_SCALARS, text),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=20,
    )


_SHORT_KEYS = _ONE_LINE.filter(lambda key: len(key) <= 128)


@given(_data(_ONE_LINE, _SHORT_KEYS))
def test_one_line_strings_come_out_exactly_as_libyaml_writes_them(value: Any) -> None:
    assert emit_yaml(value) == reference(value)


def _same(left: Any, right: Any) -> bool:
    """Equality that tells 1 from 1.0 and True from 1 (a round trip must keep types)."""
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and list(left) == list(right)
            and all(_same(left[k], right[k]) for k in left)
        )
    if isinstance(left, list):
        return isinstance(right, list) and len(left) == len(right) and all(map(_same, left, right))
    return type(left) is type(right) and left == right


@given(_data(_ANY_TEXT, _ANY_TEXT))
def test_everything_reads_back_the_same_in_yaml_1_1_and_1_2(value: Any) -> None:
    text = emit_yaml(value)
    assert _same(yaml.load(text, Loader=yaml.CSafeLoader), value), text  # YAML 1.1, libyaml
    assert _same(yaml.load(text, Loader=yaml.SafeLoader), value), text  # YAML 1.1, pure Python
    document = parse_yaml(f"v:\n{_indented(text)}".encode(), "t.yaml")  # YAML 1.2, azconf's reader
    assert document.problems == [], text
    assert _same(document.data["v"], value), text


def _indented(text: str) -> str:
    # Only "\n" separates lines in the emitter's output; str.splitlines would also split at U+2028.
    lines = text.split("\n")
    return "\n".join(f"  {line}" if line else line for line in lines)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"script": "set -e\nmake test\n"}, "script: |\n  set -e\n  make test\n"),
        ({"pem": "a\nb"}, "pem: |-\n  a\n  b\n"),
        ({"kept": "a\n\n"}, "kept: |+\n  a\n\n"),
        ({"indented": " a\nb\n"}, "indented: |2\n   a\n  b\n"),
        ({"spaces": "a \nb"}, 'spaces: "a \\nb"\n'),
        ([{"a": "x\ny"}], "- a: |-\n    x\n    y\n"),
        (
            {"port": "5432", "mode": "on", "day": "2024-01-01"},
            'port: "5432"\nmode: "on"\nday: \'2024-01-01\'\n',
        ),
    ],
)
def test_multi_line_strings_are_literal_blocks_and_ambiguous_ones_quoted(value: Any, text: str) -> None:
    assert emit_yaml(value) == text
    assert yaml.safe_load(text) == value


def test_long_lines_are_never_folded() -> None:
    value = {"k": " ".join(["word"] * 60)}
    assert emit_yaml(value) == f"k: {value['k']}\n"
    folded = yaml.dump(value, Dumper=_Reference, width=100)
    assert folded.count("\n") > 1  # libyaml at width 100 folds it: the difference the emitter documents


def test_a_very_long_key_uses_the_explicit_form() -> None:
    key = "k" * 1100
    text = emit_yaml({key: [1, {"a": 2}]})
    assert text.startswith(f'? "{key}"\n:\n- 1\n')
    assert yaml.safe_load(text) == {key: [1, {"a": 2}]}


def test_special_floats_and_other_types() -> None:
    assert emit_yaml([math.inf, -math.inf, 1e16, 0.5]) == "- .inf\n- -.inf\n- 1.0e+16\n- 0.5\n"
    assert emit_yaml(math.nan) == ".nan\n"
    with pytest.raises(TypeError, match="set"):
        emit_yaml({"a": {1, 2}})


_MAPPINGS = st.dictionaries(_ANY_TEXT, _data(_ANY_TEXT, _ANY_TEXT), min_size=1, max_size=5)


@given(_MAPPINGS, _MAPPINGS)
def test_entries_written_once_join_into_what_emit_yaml_writes(outer: dict[str, Any], inner: Any) -> None:
    texts = EntryTexts()
    for _ in range(2):  # the second time, from what the first time kept
        assert "".join(texts.entry(key, value, 0) for key, value in outer.items()) == emit_yaml(outer)
        nested = "".join(texts.entry(key, value, 2) for key, value in inner.items())
        assert "m:\n" + nested == emit_yaml({"m": inner})


def test_entries_that_look_alike_but_are_written_differently_are_kept_apart() -> None:
    texts = EntryTexts()
    for value in ([1], [1.0], [True], ["1"], [float("nan")], [None], {"a": 1}, {"b": 1}):
        assert texts.entry("k", value, 0) == emit_yaml({"k": value})
    assert texts.entry("k", [1], 2) == "  k:\n  - 1\n"  # the indentation is part of the key
