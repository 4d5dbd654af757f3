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


def assembled_hash(sections: dict[str, bytes | dict[str, bytes]]) -> str:
    """:func:`content_hash` of a snapshot from its parts' canonical JSON, without serialising it again.

    ``sections`` maps each section to its canonical JSON, or (for a non-empty mapping section) each
    item name to its item's canonical JSON. The bytes hashed are exactly ``canonical_json(snapshot)``.
    """
    parts = []
    for section in sorted(sections):
        body = sections[section]
        if isinstance(body, dict):
            inner = (canonical_json(name) + b":" + body[name] for name in sorted(body))
            body = b"{" + b",".join(inner) + b"}"
        parts.append(canonical_json(section) + b":" + body)
    return "sha256:" + hashlib.sha256(b"{" + b",".join(parts) + b"}").hexdigest()


class SharedHashes:
    """Content hashes of several environments, each item serialised once however many share it.

    Layering reuses every subtree an overlay does not touch, so most items of one environment are the
    very objects of the next. Keep the documents alive while this object is used: entries are keyed
    by ``id()``.
    """

    def __init__(self) -> None:
        self._canonical: dict[int, bytes] = {}

    def content_hash(self, data: dict[str, Any]) -> str:
        """Like :func:`content_hash` (sorted keys at every level, no whitespace, UTF-8)."""
        sections: dict[str, bytes | dict[str, bytes]] = {}
        for section, content in data.items():
            if isinstance(content, dict) and content:
                sections[section] = {name: self._canonical_of(item) for name, item in content.items()}
            else:
                sections[section] = canonical_json(content)
        return assembled_hash(sections)

    def _canonical_of(self, value: Any) -> bytes:
        if not isinstance(value, dict | list):
            return canonical_json(value)
        found = self._canonical.get(id(value))
        if found is None:
            found = self._canonical[id(value)] = canonical_json(value)
        return found
