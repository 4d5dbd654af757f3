"""A resolved environment as canonical data: what history stores, diff compares and render reads.

The snapshot is the resolved document as plain JSON-compatible data (mapping order kept, since people
read it); its content hash is over the canonical form (keys sorted, no whitespace), so the same
configuration always has the same hash however its files are laid out.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from azconf.config.located import plain
from azconf.config.resolve import Resolution


def snapshot(resolution: Resolution) -> dict[str, Any]:
    """The resolved document of one environment as plain data."""
    data: dict[str, Any] = plain(resolution.data)
    return data


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()
