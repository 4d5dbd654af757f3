"""The strict YAML front end: YAML 1.2 typing, and every 1.1/1.2 disagreement reported."""

from __future__ import annotations

import math

import pytest

from azconf.config.yaml_io import parse_yaml


def value_and_codes(scalar: str) -> tuple[object, list[str]]:
    document = parse_yaml(f"v: {scalar}\n".encode(), "t.yaml")
    return document.data.get("v"), [p.code for p in document.problems]


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("12", 12),
        ("-3", -3),
        ("+4", 4),
        ("0", 0),
        ("0x1F", 31),
        ("1.5", 1.5),
        (".5", 0.5),
        ("-1.5e+3", -1500.0),
        ("1.4.2", "1.4.2"),
        ("100m", "100m"),
        ("2026-12-31", "2026-12-31"),
        ('"yes"', "yes"),
        ("'0755'", "0755"),
        ("!!str 123", "123"),
        ("!!int '12'", 12),
        ("hello world", "hello world"),
        ("Yesterday", "Yesterday"),
        ("._", "._"),  # PyYAML's float pattern needs a digit after the dot; this once crashed
    ],
)
def test_values_follow_the_yaml_1_2_core_schema(scalar: str, value: object) -> None:
    assert value_and_codes(scalar) == (value, [])


@pytest.mark.parametrize(
    ("scalar", "code"),
    [
        ("yes", "AZC0109"),
        ("No", "AZC0109"),
        ("on", "AZC0109"),
        ("OFF", "AZC0109"),
        ("y", "AZC0109"),
        ("n", "AZC0109"),
        ("0755", "AZC0110"),
        ("08", "AZC0110"),
        ("1_000", "AZC0110"),
        ("0b101", "AZC0110"),
        ("0o17", "AZC0110"),
        ("1e5", "AZC0110"),
        ("1:30", "AZC0111"),
        ("1:30.5", "AZC0111"),
    ],
)
def test_scalars_read_differently_by_yaml_1_1_are_reported_and_kept_as_text(scalar: str, code: str) -> None:
    assert value_and_codes(scalar) == (scalar, [code])


def test_the_message_gives_both_readings() -> None:
    problem = parse_yaml(b"mode: 0755\n", "t.yaml").problems[0]
    assert problem.message == '"0755" is the number 493 in YAML 1.1 but the number 755 in YAML 1.2'
    assert (problem.location.line, problem.location.column) == (1, 7)


def test_infinity_and_nan_are_read_but_reported() -> None:
    assert value_and_codes(".inf") == (math.inf, ["AZC0117"])
    assert value_and_codes("-.Inf") == (-math.inf, ["AZC0117"])
    nan, codes = value_and_codes(".NaN")
    assert isinstance(nan, float) and math.isnan(nan) and codes == ["AZC0117"]
    assert value_and_codes("1.0e+999") == (math.inf, ["AZC0117"])  # too large for a double
    assert value_and_codes("'.nan'") == (".nan", [])


def test_keys_are_checked_too() -> None:
    document = parse_yaml(b"variants:\n  on: true\n  'off': false\n", "t.yaml")
    assert [(p.code, p.location.line, p.location.column) for p in document.problems] == [("AZC0109", 2, 3)]
    assert list(document.data["variants"]) == ["on", "off"]


def test_duplicate_keys_name_both_places() -> None:
    problem = parse_yaml(b"a: 1\nb:\n  c: 1\n  c: 2\n", "t.yaml").problems[0]
    assert problem.code == "AZC0108"
    assert (problem.location.line, problem.location.column) == (4, 3)
    assert [(r.line, r.column) for r in problem.related] == [(3, 3)]


def test_billion_laughs_stops_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join(['*' + previous] * 10)}]")
    # 10^9 nodes if expanded: the budget stops expansion at 100,000 nodes, so this returns at all.
    document = parse_yaml("\n".join(lines).encode(), "t.yaml")
    assert [p.code for p in document.problems] == ["AZC0112"]
    assert document.data == {}


def test_small_aliases_are_fine() -> None:
    document = parse_yaml(b"base: &b {x: 1}\ncopy: *b\n", "t.yaml")
    assert document.problems == []
    assert document.data["copy"] == {"x": 1}


def test_positions_are_one_based_and_point_at_values() -> None:
    data = parse_yaml(b"# comment\nservices:\n  web:\n    replicas: 3\n", "t.yaml").data
    loc = data["services"]["web"].origins["replicas"][0]
    assert (loc.key_line, loc.key_column, loc.line, loc.column) == (4, 5, 4, 15)


def test_a_bom_is_accepted() -> None:
    assert parse_yaml("\ufeffa: 1\n".encode(), "t.yaml").data == {"a": 1}
