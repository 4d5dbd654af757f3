"""Sensitive values never reach the database in clear.

``azconf validate`` refuses plaintext secrets unless they are allow-listed (``secrets.allow`` in
azconf.yaml, or an ``# azconf:allow-secret`` comment). Those allow-listed values are still secrets, so
before a snapshot or an audit value is stored, every string that
:func:`azconf.secrets.find_plaintext_secret` flags is replaced by ``<redacted sha256:ab12cd34ef56>``:
the first 12 hex digits of the value's SHA-256. A changed secret still shows up as a change, and the
value cannot be read back (though a guessable value can be confirmed by hashing guesses; keep real
secrets in a secret store).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from azconf.history.items import Item
from azconf.secrets import iter_plaintext_secrets

_MARKER = re.compile(r"<redacted sha256:[0-9a-f]{12}>")

PathParts = tuple[str | int, ...]


def marker(value: str) -> str:
    """What a sensitive ``value`` is stored as."""
    return f"<redacted sha256:{hashlib.sha256(value.encode('utf-8')).hexdigest()[:12]}>"


def is_marker(text: str) -> bool:
    """Whether ``text`` is a redaction marker (a value stored only as its hash)."""
    return bool(_MARKER.fullmatch(text))


def redact_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every flagged string replaced; unflagged subtrees are shared, not copied."""
    redacted = dict(data)
    for section, content in data.items():
        if isinstance(content, dict):
            # Each item is judged under its own name, as validate judges it (``settings.db_password``).
            items = {name: redact_tree(value, (section, name)) for name, value in content.items()}
            if any(items[name] is not content[name] for name in content):
                redacted[section] = items
        else:
            redacted[section] = redact_tree(content, (section,))
    return redacted


def redact_tree(value: Any, path: PathParts) -> Any:
    """``value`` (found at ``path``) with its flagged strings replaced; ``value`` itself if none is."""
    result = value
    for found, _finding in iter_plaintext_secrets(value, path):
        result = _replace(result, found[len(path) :])
    return result


def _replace(tree: Any, path: PathParts) -> Any:
    """A copy of ``tree`` whose string at ``path`` is redacted (copying only the containers on the path)."""
    if not path:
        if isinstance(tree, str) and not _MARKER.fullmatch(tree):
            return marker(tree)
        return tree
    head, rest = path[0], path[1:]
    if isinstance(tree, dict) and isinstance(head, str):
        return {**tree, head: _replace(tree[head], rest)}
    if isinstance(tree, list) and isinstance(head, int):
        return [*tree[:head], _replace(tree[head], rest), *tree[head + 1 :]]
    return tree


def redact_items(items: list[Item], stored: Callable[[Item], bool]) -> list[Item]:
    """``items`` with flagged strings replaced.

    Items for which ``stored(item)`` is true are already in the database exactly as they are, and
    what is stored was redacted when it was written, so they are not scanned again: a commit of a
    large config scans only what changed.
    """
    out: list[Item] = []
    for item in items:
        if stored(item):
            out.append(item)
            continue
        path = (item.section,) if item.name is None else (item.section, item.name)
        value = redact_tree(item.value, path)
        out.append(item if value is item.value else item.with_value(value))
    return out
