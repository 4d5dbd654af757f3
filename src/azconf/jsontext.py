"""JSON for the files azconf writes: sorted keys, indented or compact, UTF-8, byte-stable.

The standard library encodes indented JSON in pure Python (its C accelerator only runs without
``indent``); a render writes megabytes of it, so orjson does the work. Its output equals
``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` except for floats below 1e-4,
which it spells without an exponent sign's padding (``0.00001``, not ``1e-05``): both are JSON for
the same number. Integers beyond 64 bits, which orjson refuses, go through the standard library.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_PRETTY = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def dumps_pretty(value: Any) -> str:
    """``value`` as indented JSON text with sorted keys and a trailing newline."""
    try:
        return orjson.dumps(value, option=_PRETTY).decode("utf-8") + "\n"
    except TypeError:  # an integer beyond 64 bits (a JSON number all the same)
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dumps_compact(value: Any) -> str:
    """``value`` as JSON text with sorted keys and no whitespace (no trailing newline).

    Not for content hashes: those use :func:`azconf.snapshot.canonical_json`, whose float spelling
    must never change.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
