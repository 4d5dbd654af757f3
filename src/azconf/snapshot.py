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

# orjson (3.11.7 and later) writes what the standard library writes for JSON data (dicts, lists,
# strings, integers, floats, booleans, None, and their subclasses) with two exceptions: a float
# below 1e-4 (``1e-5`` or ``0.00001`` where Python writes ``1e-05``), and NaN or an infinity, which
# orjson writes as null where Python refuses it. Output that holds such a float (a digit, then
# ``e-``; or ``0.0000``) or a null token is made again by the standard library: rare in
# configuration, and exact either way. tests/unit/test_snapshot.py checks both claims on generated
# data; _ORJSON_AGREES checks the installed orjson on the floats where versions differed.
_EXPONENT = re.compile(rb"e-[0-9]")
_NULL = re.compile(rb"null")
_DIGITS = b"0123456789"
_BEFORE_VALUE = (b"", b":", b",", b"[")  # what may precede a value in compact JSON
_AFTER_VALUE = (b"", b",", b"]", b"}")
_ORJSON_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_PROBES = [1e16, 1.5e300, 1.2345678901234568e17, 1e22, 0.1, 0.0001, -0.0, 2.5, 'é\u2028\x7f\x00"\\']


def _orjson_agrees() -> bool:
    """Whether the installed orjson writes the probes as the standard library does (older orjson
    wrote 1e16 where Python writes 1e+16)."""
    try:
        return all(orjson.dumps(p, option=_ORJSON_CANONICAL) == _stdlib_canonical(p) for p in _PROBES)
    except (TypeError, ValueError):
        return False


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes: sorted keys, no insignificant whitespace, UTF-8.

    These bytes are hashed into history and the audit chain, so they must never change: they are
    exactly ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    allow_nan=False)`` for JSON data, made by orjson (four times faster) where its output is
    certainly the same (see above). A value that is not JSON data (a UUID, an enum) may be written
    where the standard library raises ``TypeError``: azconf's data holds none.
    """
    text = _orjson(value) if _ORJSON_AGREES else None
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
    """Whether orjson's ``text`` is certainly what the standard library writes for the same value.

    A match inside a string (``"route-1e-3"``, ``"/dev/null"``) only costs the slower path.
    """
    if b"0.0000" in text:
        return False
    for found in _EXPONENT.finditer(text):
        if found.start() > 0 and text[found.start() - 1] in _DIGITS:
            return False
    for found in _NULL.finditer(text):  # a null token, not part of a string such as "nullable"
        start, end = found.start(), found.end()
        if text[start - 1 : start] in _BEFORE_VALUE and text[end : end + 1] in _AFTER_VALUE:
            return False
    return True


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


_ORJSON_AGREES = _orjson_agrees()
