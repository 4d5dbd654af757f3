"""Layering: maps merge key by key, scalars and lists replace, ``null`` deletes.

The merge never mutates its inputs and reuses every subtree an overlay does not touch, so resolving
several environments over one base costs only what the overlays change. Each key's chain of locations
grows by one entry per layer that set it, so provenance comes for free.
"""

from __future__ import annotations

from typing import Any

from azconf.config.located import Chain, LocatedMap, derived_once

FLAG_ITEM: dict[str, Any] = {"targeting": True}
ATOMIC: dict[str, Any] = {"flags": {"*": FLAG_ITEM}}
"""Mappings that an overlay replaces whole instead of merging: a targeting rule is one JsonLogic
expression, and merging two of them key by key would build an object with two operations."""


def flag_shorthand(value: bool) -> dict[str, Any]:
    """``name: true`` is a boolean flag, enabled, with variants on/off; ``false`` defaults to off."""
    return {
        "state": "ENABLED",
        "variants": {"on": True, "off": False},
        "defaultVariant": "on" if value else "off",
    }


def _located(value: Any, chain: Chain) -> Any:
    """Plain data as located data, every key set where ``chain`` says (a shorthand's expansion)."""
    if not isinstance(value, dict):
        return value
    located = LocatedMap()
    for key, item in value.items():
        located[key] = _located(item, chain)
        located.origins[key] = chain
    return located


def merge(base: LocatedMap, overlay: LocatedMap, atomic: Any = ATOMIC) -> LocatedMap:
    """``overlay`` applied on top of ``base``, as a new map.

    ``atomic`` is a tree of keys ("*" for any) whose mappings replace rather than merge.
    """
    result = LocatedMap()
    result.update(base)
    result.origins = dict(base.origins)
    result.deleted = dict(base.deleted) if base.deleted else None
    for key, value in overlay.items():
        chain = overlay.origins[key] + result.origins.get(key, ())
        if value is None:
            _delete(result, key, chain)
            continue
        old = result.get(key)
        inner = atomic.get(key, atomic.get("*")) if isinstance(atomic, dict) else None
        if isinstance(value, LocatedMap):
            if inner is FLAG_ITEM and isinstance(old, bool):  # a shorthand overridden by its long form
                old = _located(flag_shorthand(old), result.origins[key])
            if isinstance(old, LocatedMap) and inner is not True:
                result[key] = _merged(old, value, inner)
            else:
                result[key] = prune_nulls(value)
        else:
            result[key] = value
        result.origins[key] = chain
        if result.deleted:
            result.deleted.pop(key, None)
    return result


def _merged(old: LocatedMap, value: LocatedMap, atomic: Any) -> LocatedMap:
    """``merge(old, value, atomic)``, kept on ``value`` for as long as it is merged over the same
    ``old``: an overlay's item over an unchanged lower item is then the same object in every
    resolver, and so is all that is derived from it (see derived_once). The last merge is kept."""
    kept = value.derived.get(_MERGED) if value.derived else None
    if kept is not None and kept[0] is old and kept[1] is atomic:
        merged: LocatedMap = kept[2]
        return merged
    merged = merge(old, value, atomic)
    if value.derived is None:
        value.derived = {}
    value.derived[_MERGED] = (old, atomic, merged)  # holding ``old``: its id is never another's
    return merged


_MERGED = "merged over"


def prune_nulls(value: LocatedMap) -> LocatedMap:
    """``value`` without the keys set to null anywhere inside it (the same object if it has none).

    A null deletes what a lower layer set; where nothing was set it simply means "absent".
    """
    # Whether it has one is kept on the map (see derived_once): every resolver merges the base again,
    # and in the flags service a parsed map outlives many resolvers.
    if not derived_once(value, "has-null", lambda: _has_null(value)):
        return value
    return merge(LocatedMap(), value, None)


def _has_null(value: LocatedMap) -> bool:
    return any(item is None or (isinstance(item, LocatedMap) and _has_null(item)) for item in value.values())


def _delete(result: LocatedMap, key: str, chain: Chain) -> None:
    if key in result:
        del result[key]
        del result.origins[key]
    if result.deleted is None:
        result.deleted = {}
    result.deleted[key] = chain


def merge_all(layers: list[LocatedMap]) -> LocatedMap:
    """Every layer applied in order onto an empty map."""
    resolved = LocatedMap()
    for layer in layers:
        resolved = merge(resolved, layer)
    return resolved


def is_deleted(root: LocatedMap, path: tuple[str, ...]) -> Chain:
    """The chain of a key deleted by ``null`` at ``path`` (empty if it was not deleted)."""
    parent: Any = root
    for part in path[:-1]:
        if not isinstance(parent, LocatedMap) or part not in parent:
            return ()
        parent = parent[part]
    if isinstance(parent, LocatedMap) and parent.deleted:
        return parent.deleted.get(path[-1], ())
    return ()
