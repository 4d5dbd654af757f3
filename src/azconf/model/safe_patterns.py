"""Regular expressions from the user's schemas, matched in linear time.

A schema's ``pattern`` (or a ``patternProperties`` key) is user input. Python's ``re`` and other
backtracking engines take exponential time on patterns such as ``^(a+)+$``: 28 characters once took
validate 49 s. Every pattern is therefore matched by a linear-time engine, the Rust ``regex`` crate
that jsonschema-rs uses with :class:`jsonschema_rs.RegexOptions`, in both validators:

- the fast one (jsonschema-rs) is built with those options;
- the detailed one (jsonschema, which calls ``re.search`` in its pattern keywords) gets a ``re``
  whose ``search`` goes to the same engine (:func:`install`).

That engine has no look-around and no back-references: a pattern that uses them is reported, with
where it is in the schema file, when the schema is loaded (:func:`unusable_patterns`).
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Iterator
from typing import Any

_UNUSABLE = (
    "not a regular expression azconf can match in linear time (look-around and back-references are "
    "not supported)"
)
# Values of these keywords are data, not schemas: a "pattern" key in them is not a pattern.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


def options() -> Any:
    """The pattern options of every jsonschema-rs validator azconf builds."""
    import jsonschema_rs

    return jsonschema_rs.RegexOptions()


@functools.lru_cache(maxsize=4096)
def _matcher(pattern: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for({"type": "string", "pattern": pattern}, pattern_options=options())


class _Found:
    """What ``re.search`` returns for a match, as far as jsonschema looks at it (its truth)."""

    def __bool__(self) -> bool:
        return True


def search(pattern: str, string: str) -> _Found | None:
    """``re.search(pattern, string)``, in linear time (ECMA 262 semantics, as JSON Schema wants)."""
    return _Found() if _matcher(pattern).is_valid(string) else None


def install() -> None:
    """Make jsonschema's pattern keywords use :func:`search` instead of Python's backtracking ``re``."""
    from jsonschema import _keywords, _legacy_keywords, _utils

    linear = types.SimpleNamespace(
        **{name: getattr(re, name) for name in dir(re) if not name.startswith("__")}
    )
    linear.search = search
    for module in (_keywords, _legacy_keywords, _utils):
        module.re = linear  # type: ignore[attr-defined]


def unusable_patterns(document: Any) -> list[tuple[str, str, str]]:
    """Each pattern of ``document`` the linear-time engine cannot use: (JSON pointer, pattern, why)."""
    found = []
    for pointer, pattern in _patterns(document, ""):
        try:
            _matcher(pattern)
        except ValueError:
            found.append((pointer, pattern, _UNUSABLE))
    return found


def _patterns(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _patterns(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{pointer}/{_escape(str(key))}"
        if key == "pattern" and isinstance(value, str):
            yield where, value
        elif key == "patternProperties" and isinstance(value, dict):
            for pattern, sub in value.items():
                yield f"{where}/{_escape(pattern)}", pattern
                yield from _patterns(sub, f"{where}/{_escape(pattern)}")
        elif key not in _DATA_KEYWORDS:
            yield from _patterns(value, where)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
