"""A snapshot as items, the unit history stores, diffs and audits, and back.

An item is one entry of a section (``flags.new-checkout``, ``services.web``, the top-level key
``settings.database``). A section that is not a non-empty mapping (``flags: {}``) is one item of its
own, named by the section, so that every snapshot comes back exactly as it went in.

Each item is stored once per distinct content, under the SHA-256 of its canonical JSON; a version
lists which content each item has. The snapshot's content hash is assembled from the items' canonical
JSON, so it equals :func:`azconf.snapshot.content_hash` of the whole snapshot without serialising it
twice.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from azconf.config.located import (
    LocatedList,
    LocatedMap,
    derived_once,
    format_path,
    parse_path,
    plain,
    scalar_kind,
)
from azconf.snapshot import assembled_hash, canonical_json

# The singular a resource type is named by; other sections keep their own name.
RESOURCE_TYPES = {
    "flags": "flag",
    "routes": "route",
    "secrets": "secret",
    "services": "service",
    "settings": "setting",
}


@dataclass(frozen=True)
class Item:
    """One item of a snapshot: where it sits, its value and its content hash."""

    section: str
    name: str | None  # None: the whole section is one item (it is not a non-empty mapping)
    path: str  # flags.new-checkout, or flags for a whole-section item
    value: Any
    canonical: bytes
    digest: bytes  # sha256 of ``canonical``, 32 bytes

    @property
    def hash(self) -> str:
        """``sha256:<hex>`` of the item's canonical JSON."""
        return "sha256:" + self.digest.hex()

    @property
    def key(self) -> int:
        """The first 8 bytes of the hash as a signed 64-bit integer: the indexed part of its address."""
        return int.from_bytes(self.digest[:8], "big", signed=True)

    def json_text(self) -> str:
        """The value as compact JSON in its authored key order (how it is stored and shown again)."""
        return json.dumps(self.value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def with_value(self, value: Any) -> Item:
        """The same item holding ``value``."""
        return make_item(self.section, self.name, value)


@dataclass(frozen=True)
class Prepared:
    """A snapshot split into items, with its content hash."""

    content_hash: str
    items: list[Item]


def split(data: dict[str, Any]) -> list[Item]:
    """The items of ``data`` (plain or resolved data), in authored order, each hashed.

    A resolved item (a located mapping or list) is hashed once and its item kept on it
    (:func:`~azconf.config.located.derived_once`): a write hashes only what it touched."""
    items: list[Item] = []
    for section, content in data.items():
        if isinstance(content, dict) and content:
            items += (_item(section, name, value) for name, value in content.items())
        else:
            items.append(_item(section, None, content))
    return items


def _item(section: str, name: str | None, value: Any) -> Item:
    if isinstance(value, LocatedMap | LocatedList):
        return derived_once(value, ("item", section, name), lambda: make_item(section, name, plain(value)))
    if isinstance(value, dict | list):
        return make_item(section, name, value)
    return _scalar_item(section, name, scalar_kind(value), value)


@functools.lru_cache(maxsize=1 << 16)
def _scalar_item(section: str, name: str | None, kind: str, value: Any) -> Item:
    """A scalar item (a flag's ``true``), hashed once per name and value (``kind`` tells ``True`` from
    ``1`` and ``-0.0`` from ``0.0``, which compare equal: see scalar_kind)."""
    return make_item(section, name, value)


def prepare(data: dict[str, Any]) -> Prepared:
    """``data`` as hashed items and its content hash."""
    items = split(data)
    return Prepared(snapshot_hash(items), items)


def snapshot_hash(items: list[Item]) -> str:
    """:func:`azconf.snapshot.content_hash` of the snapshot these items make, from their canonical JSON.

    The bytes are exactly those of ``canonical_json(snapshot)`` (keys sorted at both levels, no
    whitespace), assembled rather than serialising the whole snapshot a second time.
    """
    whole: dict[str, bytes] = {}
    members: dict[str, dict[str, bytes]] = {}
    for item in items:
        if item.name is None:
            whole[item.section] = item.canonical
        else:
            members.setdefault(item.section, {})[item.name] = item.canonical
    return assembled_hash({**whole, **members})


def make_item(section: str, name: str | None, value: Any) -> Item:
    """The item at ``section`` (and ``name``) holding ``value``."""
    canonical = canonical_json(value)
    path = format_path((section,)) if name is None else resource_id(section, name)
    return Item(section, name, path, value, canonical, hashlib.sha256(canonical).digest())


def value_item(value: Any) -> Item:
    """Any JSON value as an item of its own (how audit values other than items are stored)."""
    return make_item("", None, value)


def join(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The snapshot made of ``(path, value)`` items, sections in the order their items come."""
    data: dict[str, Any] = {}
    for text, value in items:
        path = parse_path(text)
        if path is None or not 1 <= len(path) <= 2:  # written by split(), so only corruption gets here
            raise ValueError(f"not an item path: {text!r}")
        if len(path) == 1:
            data[str(path[0])] = value
        else:
            data.setdefault(str(path[0]), {})[str(path[1])] = value
    return data


def resource_id(section: str, name: str) -> str:
    """The audit resource id of item ``name`` of ``section``, as recorded: ``flags."ui.dark-mode"``
    (a name holding a dot is quoted, so the id can be pasted into ``azconf set`` and parsed back)."""
    return format_path((section, name))


def item_name(section: str, resource: str) -> str | None:
    """The name of the ``section`` item an audit resource id is about (``flags."ui.dark-mode"`` and
    ``flags."ui.dark-mode".state`` are flag ``ui.dark-mode``); None for another section's."""
    path = parse_path(resource)
    if path is None or len(path) < 2 or path[0] != section:
        return None
    return str(path[1])


def resource_type(path: str) -> str:
    """The audit resource type of an item: ``flags.x`` is a ``flag``, ``settings.x`` a ``setting``."""
    parsed = parse_path(path)
    section = str(parsed[0]) if parsed else path
    return RESOURCE_TYPES.get(section, section)
