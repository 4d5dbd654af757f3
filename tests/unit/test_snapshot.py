"""Canonical JSON and content hashes: byte for byte the standard library's, however they are made.

History and the audit chain store these hashes, so the bytes may never change. ``canonical_json``
lets orjson do the work where its output is provably Python's; these tests hold it to that on
generated data, with the floats, strings and integers where the two disagree.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azconf import snapshot as snapshot_module
from azconf.config.project import load_project
from azconf.config.resolve import Resolver
from azconf.history.items import prepare
from azconf.snapshot import assembled_hash, canonical_json, content_hash, snapshot

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "azora"


def python_canonical(value: Any) -> bytes:
    """The definition: what every stored hash was computed from."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


_FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-3, max_value=1e-3, allow_nan=False),  # where orjson's spelling differs
    st.sampled_from([1e-5, 1e-4, 0.0001, 1e16, 1e15, -0.0, 5e-324, 1.7976931348623157e308, 0.1]),
    st.integers(min_value=0, max_value=2**64 - 1).map(lambda n: struct.unpack("d", struct.pack("Q", n))[0]),
).filter(math.isfinite)
_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(
        [
            "null",
            ":null,",
            "/dev/null",
            "0.0000",
            "e-5",
            "1e-05",
            "route-1e-3",
            "\x7f",
            "\u2028",
            '"\\',
            "é\U0001f600",
        ]
    ),
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63), _FLOATS, _TEXT)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=1500, deadline=None)
@given(_DATA)
def test_canonical_json_is_the_standard_librarys(value: Any) -> None:
    assert canonical_json(value) == python_canonical(value)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(_TEXT, st.dictionaries(_TEXT, _DATA, max_size=4), max_size=4))
def test_an_assembled_hash_is_the_hash_of_the_whole(data: dict[str, Any]) -> None:
    assert prepare(data).content_hash == content_hash(data) == "sha256:" + _sha(python_canonical(data))


def test_orjson_really_differs_where_the_guard_says() -> None:
    # The reason for the guard. If orjson ever spells these like Python, the guard costs a little
    # speed and no correctness; if it starts to differ elsewhere, the property test above fails.
    assert orjson.dumps(1e-5) == b"0.00001" != python_canonical(1e-5) == b"1e-05"
    assert orjson.dumps(1.5e-7) == b"1.5e-7" != python_canonical(1.5e-7)
    assert orjson.dumps(float("nan")) == b"null"


def test_the_installed_orjson_agrees_on_the_floats_where_versions_differed() -> None:
    # orjson before 3.11.7 wrote 1e16 where Python writes 1e+16; azconf then falls back to the
    # standard library everywhere (exact, and slower). pyproject.toml asks for 3.11.7 or later.
    assert snapshot_module._ORJSON_AGREES


def test_an_orjson_that_disagrees_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "_ORJSON_AGREES", False)
    monkeypatch.setattr(snapshot_module.orjson, "dumps", lambda *_, **__: b"wrong")
    assert canonical_json({"a": [1e16, "x"]}) == b'{"a":[1e+16,"x"]}'


def test_what_json_refuses_is_still_refused() -> None:
    for bad in (float("nan"), float("inf"), {"a": [float("-inf")]}):
        with pytest.raises(ValueError):
            canonical_json(bad)
    with pytest.raises(TypeError):
        canonical_json({"when": object()})
    with pytest.raises(UnicodeEncodeError):
        canonical_json("\ud800")  # a lone surrogate is not UTF-8


def test_keys_that_are_not_strings_are_written_as_python_does() -> None:
    assert canonical_json({1: "a", 2: "b"}) == b'{"1":"a","2":"b"}'
    assert canonical_json({True: 1}) == b'{"true":1}'


def test_every_environment_of_the_example_hashes_as_its_plain_snapshot() -> None:
    project, problems = load_project(EXAMPLE)
    assert project is not None and not problems
    resolver = Resolver(project)
    seen = set()
    for env in project.manifest.environments:
        resolution = resolver.resolve(env)
        expected = "sha256:" + _sha(python_canonical(snapshot(resolution)))
        assert content_hash(resolution.data) == expected  # the resolved document, uncopied
        seen.add(expected)
    assert len(seen) == len(project.manifest.environments)  # the environments differ, and so do hashes


def test_an_assembled_hash_covers_whole_section_values_and_empty_sections() -> None:
    data = {"settings": {"a": [1, {"b": None}]}, "flags": {}, "routes": {"r": {"path": "/"}}, "z": 3}
    parts: dict[str, bytes | dict[str, bytes]] = {
        "settings": {"a": canonical_json([1, {"b": None}])},
        "flags": b"{}",
        "routes": {"r": canonical_json({"path": "/"})},
        "z": b"3",
    }
    assert assembled_hash(parts) == content_hash(data)


def _sha(text: bytes) -> str:
    import hashlib

    return hashlib.sha256(text).hexdigest()
