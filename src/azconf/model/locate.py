"""Find the place in the YAML that a problem at a config path should point at."""

from __future__ import annotations

from azconf.config.located import KeyPath, LocatedMap, chain_at, deepest_loc
from azconf.problems import Location


def value_at(root: LocatedMap, path: KeyPath, fallback: str = "") -> Location:
    """The location of the value at ``path`` (or its nearest ancestor)."""
    loc = deepest_loc(root, path)
    return Location(loc.file, loc.line, loc.column) if loc else Location(fallback)


def key_at(root: LocatedMap, path: KeyPath, fallback: str = "") -> Location:
    """The location of the key that names ``path`` (or of the value, for list items)."""
    chain = chain_at(root, path)
    if chain:
        return Location(chain[0].file, chain[0].key_line, chain[0].key_column)
    return value_at(root, path, fallback)
