"""A resolved environment as canonical data: what history stores, diff compares and render reads.

The snapshot is the resolved document as plain JSON-compatible data (mapping order kept, since people
read it); its content hash is over the canonical form (keys sorted, no whitespace), so the same
configuration always has the same hash however its files are laid out.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson

from azconf.config.located import plain
from azconf.config.resolve import Resolution


def snapshot(resolution: Resolution) -> dict[str, Any]:
    """The resolved document of one environment as plain data."""
    data: dict[str, Any] = plain(resolution.data)
    return data


_encode_string = json.encoder.encode_basestring  # what json.dumps uses for str (ensure_ascii=False)

# orjson spells a float below 1e-4 differently from Python (``1e-5`` or ``0.00001``, not ``1e-05``),
# and NaN and the infinities as ``null`` where Python refuses them. Its output holds one of these
# patterns whenever such a float is in it (checked against Python on generated floats by
# tests/unit/test_snapshot.py); such output, rare in configuration, is made again by the standard library.
_MAYBE_NOT_PYTHONS = re.compile(rb"e-[0-9]")
_ORJSON_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes: sorted keys, no insignificant whitespace, UTF-8.

    These bytes are hashed into history and the audit chain, so they must never change: they are
    exactly ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    allow_nan=False)``, made by orjson (four times faster) when its output is provably the same.
    """
    text = _orjson(value)
    if text is None or not _surely_pythons(text):
        return _stdlib_canonical(value)
    return text


def content_hash(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return _digest(canonical_json(value))


def assembled_hash(sections: dict[str, bytes | dict[str, bytes]]) -> str:
    """:func:`content_hash` of a snapshot from its parts' canonical JSON, without serialising it again.

    ``sections`` maps each section to its canonical JSON, or (for a non-empty mapping section) each
    item name to its item's canonical JSON. The bytes hashed are exactly ``canonical_json(snapshot)``.
    """
    return _digest(_assembled(sections))


def _orjson(value: Any) -> bytes | None:
    """orjson's compact, key-sorted JSON of ``value``; None where it refuses (a 65-bit integer,
    a key that is not a string, a float subclass, ...)."""
    try:
        return orjson.dumps(value, option=_ORJSON_CANONICAL)
    except TypeError:
        return None


def _surely_pythons(text: bytes) -> bool:
    """Whether orjson's ``text`` is certainly what the standard library writes for the same value."""
    return b"0.0000" not in text and b"null" not in text and _MAYBE_NOT_PYTHONS.search(text) is None


def _stdlib_canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _assembled(sections: dict[str, bytes | dict[str, bytes]]) -> bytes:
    parts = []
    for section in sorted(sections):
        body = sections[section]
        if isinstance(body, dict):
            inner = (_name_json(name) + b":" + body[name] for name in sorted(body))
            body = b"{" + b",".join(inner) + b"}"
        parts.append(_name_json(section) + b":" + body)
    return b"{" + b",".join(parts) + b"}"


def _name_json(name: str) -> bytes:
    # What json.dumps writes for a string with ensure_ascii=False (the same C function, called
    # directly: names are many and short).
    return _encode_string(name).encode("utf-8")


def _digest(text: bytes) -> str:
    return "sha256:" + hashlib.sha256(text).hexdigest()
