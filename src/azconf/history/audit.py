"""The audit log's hash chain: how an entry is hashed, and how the chain is verified.

Each entry's hash is the SHA-256 of the canonical JSON of its content (its id, time, actor, action,
resource, environment, host, user agent, version, note, and the hashes of its old and new values)
together with the previous entry's hash; the first entry follows :data:`GENESIS`. Changing, removing,
adding or moving any entry breaks the chain at that entry, and :func:`verify` names it. The last
entry's number and hash are also recorded apart from the entries (the *head*), so removing entries
from the end, or appending forged ones, is caught too.

What a chain cannot do on its own: stop someone who rewrites every entry after the one they change
*and* the head. Keep the head printed by ``azconf audit verify`` somewhere else (a CI log, a git tag
message) and pass it to ``--anchor`` later to prove the log still contains it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from azconf.history.records import GENESIS, AuditEntry, Operation
from azconf.history.store import StoredEntry
from azconf.snapshot import canonical_json, content_hash


def entry_content(
    *,
    entry_id: str,
    operation: Operation,
    version: str | None,
    resource_type: str,
    resource_id: str,
    old: str | None,
    new: str | None,
) -> dict[str, Any]:
    """What an entry's hash covers; ``old`` and ``new`` are the values' content hashes."""
    return {
        "id": entry_id,
        "time": operation.time,
        "actor": operation.actor,
        "action": operation.action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "environment": operation.environment,
        "old_value": old,
        "new_value": new,
        "host": operation.host,
        "user_agent": operation.user_agent,
        "version": version,
        "note": operation.note,
    }


def entry_hash(content: dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 (hex) of an entry's content and the previous entry's hash."""
    return hashlib.sha256(canonical_json({**content, "prev_hash": prev_hash})).hexdigest()


def value_hash(text: str | None) -> str | None:
    """The content hash of a stored JSON value (a value that no longer parses hashes as its text)."""
    if text is None:
        return None
    try:
        return content_hash(json.loads(text))
    except ValueError:
        return "unparsable:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_entry(stored: StoredEntry) -> AuditEntry:
    """A stored row as the entry people read."""
    op = stored.operation
    return AuditEntry(
        seq=stored.seq,
        id=stored.id,
        time=op.time,
        actor=op.actor,
        action=op.action,
        resource_type=stored.resource_type,
        resource_id=stored.resource_id,
        environment=op.environment,
        old_value=_load(stored.old_json),
        new_value=_load(stored.new_json),
        host=op.host,
        user_agent=op.user_agent,
        version=stored.version,
        note=op.note,
        prev_hash=stored.prev_hash,
        hash=stored.hash,
    )


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class Link:
    """One entry as verification sees it: its place, id, recomputed content and stored hash."""

    seq: int
    id: str
    content: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, stored: StoredEntry) -> Link:
        """The link of a stored entry, its values hashed from the JSON actually stored."""
        content = entry_content(
            entry_id=stored.id,
            operation=stored.operation,
            version=stored.version,
            resource_type=stored.resource_type,
            resource_id=stored.resource_id,
            old=value_hash(stored.old_json),
            new=value_hash(stored.new_json),
        )
        return cls(stored.seq, stored.id, content, stored.hash)

    def follows(self, prev_hash: str) -> bool:
        """Whether this entry's hash is right when it comes after an entry hashed ``prev_hash``."""
        return entry_hash(self.content, prev_hash) == self.hash


@dataclass(frozen=True)
class Verdict:
    """The result of verifying the chain: intact, or where and how it broke."""

    entries: int
    head: str | None  # the last entry's hash, to keep elsewhere as an anchor
    kind: str | None = None  # edited, deleted, inserted, reordered, truncated, rewritten, damaged
    seq: int | None = None  # the entry at fault (or, for deleted, the missing number)
    entry_id: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the chain is intact."""
        return self.kind is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``azconf audit verify --format json``)."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "problem": None
            if self.ok
            else {"kind": self.kind, "seq": self.seq, "id": self.entry_id, "message": self.message},
        }


def verify(links: Sequence[Link], head: tuple[int, str] | None, anchor: str | None = None) -> Verdict:
    """Check the chain of ``links`` (in stored order) against the recorded ``head`` and an ``anchor``."""
    prev, expected = GENESIS, 1
    for index, link in enumerate(links):
        if link.seq != expected:
            return _out_of_sequence(links, index, expected)
        if head is not None and link.seq > head[0]:
            break  # past the recorded head: _check_head names it
        if not link.follows(prev):
            return _broken(links, index, prev)
        prev, expected = link.hash, expected + 1
    verdict = _check_head(links, head)
    if verdict.ok and anchor is not None and not any(link.hash == anchor for link in links):
        return _fail(
            links, "rewritten", None, None, f"the anchor {anchor} is not in the log: it was rewritten"
        )
    return verdict


def _out_of_sequence(links: Sequence[Link], index: int, expected: int) -> Verdict:
    link = links[index]
    if link.seq > expected:
        missing = f"#{expected}" if link.seq == expected + 1 else f"#{expected} to #{link.seq - 1}"
        return _fail(
            links, "deleted", expected, None, f"entry {missing} was deleted (the log jumps to #{link.seq})"
        )
    return _fail(links, "inserted", link.seq, link.id, f"entry #{link.seq} ({link.id}) was inserted")


def _broken(links: Sequence[Link], index: int, prev: str) -> Verdict:
    """Say how entry ``index`` broke: moved, slipped in, or changed."""
    link = links[index]
    name = f"entry #{link.seq} ({link.id})"
    # Moved: it verifies after some other entry, so its content is intact but its place is not.
    for other in (GENESIS, *(candidate.hash for candidate in links)):
        if other != prev and link.follows(other):
            if index >= 2 and other == links[index - 2].hash:  # ...unless what came between was added
                forged = links[index - 1]
                message = f"entry #{forged.seq} ({forged.id}) was inserted: the chain skips it"
                return _fail(links, "inserted", forged.seq, forged.id, message)
            after = next((c.seq for c in links if c.hash == other), 0)
            where = f"after entry #{after}" if after else "first"
            return _fail(links, "reordered", link.seq, link.id, f"{name} was reordered: it belongs {where}")
    # Slipped in: the chain carries on past it as if it were not there.
    if index + 1 < len(links) and links[index + 1].follows(prev):
        return _fail(links, "inserted", link.seq, link.id, f"{name} was inserted: the chain skips it")
    return _fail(
        links, "edited", link.seq, link.id, f"{name} was edited: its hash does not match its content"
    )


def _check_head(links: Sequence[Link], head: tuple[int, str] | None) -> Verdict:
    last = links[-1] if links else None
    if last is None:
        if head is None:
            return Verdict(0, None)
        return _fail(links, "deleted", 1, None, f"entries #1 to #{head[0]} were deleted: the log is empty")
    if head is None:
        return _fail(links, "inserted", 1, links[0].id, "the log has entries but no recorded head")
    head_seq, head_hash = head
    if last.seq < head_seq:
        return _fail(
            links,
            "truncated",
            last.seq + 1,
            None,
            f"entries after #{last.seq} were deleted (the head is #{head_seq})",
        )
    if last.seq > head_seq:
        extra = links[head_seq] if head_seq < len(links) else last
        return _fail(
            links,
            "inserted",
            extra.seq,
            extra.id,
            f"entry #{extra.seq} ({extra.id}) was inserted after the head",
        )
    if last.hash != head_hash:
        return _fail(links, "edited", last.seq, last.id, f"entry #{last.seq} ({last.id}) was replaced")
    return Verdict(len(links), last.hash)


def _fail(links: Sequence[Link], kind: str, seq: int | None, entry_id: str | None, message: str) -> Verdict:
    return Verdict(len(links), links[-1].hash if links else None, kind, seq, entry_id, message)
