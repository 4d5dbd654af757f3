"""Writing to history: a new version with its changed items, and audit entries chained to the last one.

Everything here runs inside the caller's transaction (:meth:`Store.transaction`), so a version, its
entries and its audit entries land together or not at all.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

from azconf.history.actor import Who
from azconf.history.audit import entry_content, entry_hash, value_hash
from azconf.history.items import Item, Prepared, resource_type, snapshot_hash, value_item
from azconf.history.records import GENESIS, Change, Operation, Version
from azconf.history.redact import redact_items
from azconf.history.store import Held, NewEntry, Store

PAUSE_VARIABLE = "AZCONF_TEST_PAUSE_IN_COMMIT"
"""Tests only: ``POINT[:SECONDS]`` makes a commit stop at POINT inside its transaction (announced on
stderr), so a test can kill it there. Points: ``blobs``, ``version``, ``audit`` (just before COMMIT)."""


def pause(point: str) -> None:
    """Stop here if the test hook asks for this point (see :data:`PAUSE_VARIABLE`)."""
    wanted = os.environ.get(PAUSE_VARIABLE)
    if not wanted:
        return
    name, _, seconds = wanted.partition(":")
    if name == point:
        sys.stderr.write(f"azconf: test pause at {point}\n")
        sys.stderr.flush()
        time.sleep(float(seconds or 60))


@dataclass(frozen=True)
class Stored:
    """A value as the audit log refers to it: its blob and its content hash."""

    blob_id: int
    hash: str


@dataclass(frozen=True)
class Pending:
    """An audit entry about to be written."""

    resource_type: str
    resource_id: str
    old: Stored | None
    new: Stored | None


@dataclass(frozen=True)
class Content:
    """An environment's items ready to record: redacted, hashed, and what the latest version holds."""

    env: str
    latest: Version | None
    held: dict[str, Held]
    prepared: Prepared

    @property
    def unchanged(self) -> bool:
        """Whether the latest version already has exactly this content."""
        return self.latest is not None and self.latest.content_hash == self.prepared.content_hash


def content_of(store: Store, env: str, items: list[Item]) -> Content:
    """``items`` of ``env`` redacted and compared with its latest version (under the write lock)."""
    latest = store.latest(env)
    held = store.held(latest) if latest else {}
    safe = redact_items(items, stored=lambda item: _same(held.get(item.path), item))
    return Content(env, latest, held, Prepared(snapshot_hash(safe), safe))


def _same(before: Held | None, item: Item) -> bool:
    return before is not None and before.key == item.key


def write_version(
    store: Store,
    content: Content,
    *,
    message: str,
    who: Who,
    action: str,
    when: str,
    note: str | None = None,
) -> Version:
    """Record ``content`` as the version after its latest one, with one audit entry per changed item.

    The message and note are the user's words, kept as written except for anything that looks like a
    secret (a token pasted into ``-m``), which is masked like every value azconf shows."""
    from azconf.problems import redact

    held, items = content.held, content.prepared.items
    ids = store.item_ids(content.env, [item.path for item in items])
    rows: list[tuple[int, int | None]] = []
    changed: list[tuple[str, Held | None, Stored | None]] = []
    for item in items:
        before = held.get(item.path)
        if _same(before, item):
            continue  # unchanged: the item's earlier entry still holds
        blob = store.put_blob(item.key, item.canonical, item.json_text)
        rows.append((ids[item.path], blob))
        changed.append((item.path, before, Stored(blob, item.hash)))
    current = {item.path for item in items}
    for path, before in held.items():
        if before.blob_id is not None and path not in current:
            rows.append((before.item_id, None))  # removed: an entry without a blob
            changed.append((path, before, None))
    pause("blobs")
    version = store.add_version(
        content.env,
        content.prepared.content_hash,
        content.latest,
        message=redact(message),
        actor=who.actor,
        time=when,
        git_commit=who.git_commit,
        items=len(items),
        changes=len(rows),
    )
    store.add_entries(version, rows)
    pause("version")
    append_audit(
        store,
        operation(who, action, content.env, when=when, version=version, note=redact(note) if note else None),
        _pending(store, changed),
    )
    pause("audit")
    return version


def _pending(store: Store, changed: list[tuple[str, Held | None, Stored | None]]) -> list[Pending]:
    """Audit entries for changed items; an old value's hash is computed from what is stored."""
    old_ids = [b.blob_id for _, b, _ in changed if b is not None and b.blob_id is not None]
    texts = store.blob_texts(old_ids)
    pending = []
    for path, before, new in changed:
        old = None
        if before is not None and before.blob_id is not None:
            old = Stored(before.blob_id, value_hash(texts[before.blob_id]) or "")
        pending.append(Pending(resource_type(path), path, old, new))
    return pending


def operation(
    who: Who, action: str, env: str | None, *, when: str, version: Version | None, note: str | None = None
) -> Operation:
    """The operation of one command, as its audit entries record it."""
    return Operation(when, who.actor, action, env, who.host, who.user_agent, version, note)


def store_value(store: Store, value: Any) -> Stored | None:
    """Store a JSON value as an audit value (None, "absent", stays None)."""
    if value is None:
        return None
    item = value_item(value)
    return Stored(store.put_blob(item.key, item.canonical, item.json_text), item.hash)


def changes_to_pending(store: Store, changes: list[Change]) -> list[Pending]:
    """Audit entries for changes given as values (features other than commit record these)."""
    return [
        Pending(c.resource_type, c.resource_id, store_value(store, c.old), store_value(store, c.new))
        for c in changes
    ]


def append_audit(store: Store, operation: Operation, pending: list[Pending]) -> int:
    """Write the operation and its entries, each hashed over the one before; returns the operation's id."""
    operation_id = store.add_operation(operation)
    seq, prev = store.audit_head() or (0, GENESIS)
    version = operation.version.ref if operation.version else None
    entries: list[NewEntry] = []
    for change in pending:
        seq += 1
        entry_id = str(uuid.uuid4())
        content = entry_content(
            entry_id=entry_id,
            operation=operation,
            version=version,
            resource_type=change.resource_type,
            resource_id=change.resource_id,
            old=change.old.hash if change.old else None,
            new=change.new.hash if change.new else None,
        )
        prev = entry_hash(content, prev)
        entries.append(
            NewEntry(
                seq,
                entry_id,
                change.resource_type,
                change.resource_id,
                change.old.blob_id if change.old else None,
                change.new.blob_id if change.new else None,
                prev,
            )
        )
    store.add_audit(operation_id, entries)
    return operation_id
