"""The audit chain verifies, and every kind of tampering is caught and named."""

from __future__ import annotations

import uuid

import pytest

from azconf.history.actor import Who
from azconf.history.api import commit_snapshots
from azconf.history.audit import Link, Verdict, entry_content, entry_hash, verify
from azconf.history.records import GENESIS, Operation
from azconf.history.store import Store


def verdict(store: Store, anchor: str | None = None) -> Verdict:
    return verify([Link.of(stored) for stored in store.audit()], store.audit_head(), anchor)


@pytest.fixture
def history(store: Store, who: Who) -> Store:
    """Three commits: 3 created flags, then 1 changed, then 1 removed and 1 created (6 entries)."""
    commit_snapshots(store, {"prod": {"flags": {"a": True, "b": False, "c": True}}}, message="1", who=who)
    commit_snapshots(store, {"prod": {"flags": {"a": False, "b": False, "c": True}}}, message="2", who=who)
    commit_snapshots(store, {"prod": {"flags": {"a": False, "b": False, "d": "x"}}}, message="3", who=who)
    return store


def ids(store: Store) -> dict[int, str]:
    return {entry.seq: entry.id for entry in store.audit()}


def test_an_untouched_chain_verifies(history: Store) -> None:
    result = verdict(history)
    assert result.ok and result.entries == 6
    assert result.head == history.audit_head()[1]  # type: ignore[index]


def test_the_first_entry_follows_genesis(history: Store) -> None:
    first = next(history.audit())
    assert first.prev_hash == GENESIS
    assert Link.of(first).follows(GENESIS)


def test_an_edited_value_is_caught(history: Store) -> None:
    history.conn.execute("UPDATE blobs SET json = '\"x-tampered\"' WHERE json = '\"x\"'")
    result = verdict(history)
    assert (result.kind, result.seq) == ("edited", 5)  # d was created (#5) before c was removed (#6)
    assert f"entry #5 ({ids(history)[5]}) was edited" in str(result.message)


def test_an_edited_field_is_caught(history: Store) -> None:
    history.conn.execute("UPDATE audit SET resource_id = 'flags.zzz' WHERE seq = 4")
    assert (verdict(history).kind, verdict(history).seq) == ("edited", 4)


def test_an_edited_operation_is_caught_at_its_first_entry(history: Store) -> None:
    history.conn.execute("UPDATE operations SET actor = 'mallory' WHERE id = 2")
    assert (verdict(history).kind, verdict(history).seq) == ("edited", 4)


def test_a_deleted_entry_is_caught(history: Store) -> None:
    history.conn.execute("DELETE FROM audit WHERE seq = 3")
    result = verdict(history)
    assert (result.kind, result.seq) == ("deleted", 3)
    assert "entry #3 was deleted" in str(result.message)


def test_a_deleted_and_renumbered_entry_is_caught(history: Store) -> None:
    history.conn.execute("DELETE FROM audit WHERE seq = 3")
    history.conn.execute("UPDATE audit SET seq = seq - 1 WHERE seq > 3")
    history.conn.execute("UPDATE meta SET value = '5' WHERE key = 'audit_head_seq'")
    result = verdict(history)
    assert not result.ok and result.seq == 3


def test_deleting_the_last_entries_is_caught_by_the_head(history: Store) -> None:
    history.conn.execute("DELETE FROM audit WHERE seq >= 5")
    result = verdict(history)
    assert (result.kind, result.seq) == ("truncated", 5)


def _forge(store: Store, seq: int, prev: str, right_hash: bool) -> str:
    entry_id = str(uuid.uuid4())
    operation = Operation("2030-01-01T00:00:00.000000Z", "mallory", "commit", "prod", "h", "ua", None, None)
    store.conn.execute(
        "INSERT INTO operations (id, time, actor, action, environment, host, user_agent)"
        " VALUES (99, ?, 'mallory', 'commit', 'prod', 'h', 'ua')",
        (operation.time,),
    )
    content = entry_content(
        entry_id=entry_id,
        operation=operation,
        version=None,
        resource_type="flag",
        resource_id="flags.evil",
        old=None,
        new=None,
    )
    digest = entry_hash(content, prev) if right_hash else "ab" * 32
    store.conn.execute(
        "INSERT INTO audit (seq, id, operation_id, resource_type, resource_id, hash)"
        " VALUES (?, ?, 99, 'flag', 'flags.evil', ?)",
        (seq, uuid.UUID(entry_id).bytes, bytes.fromhex(digest)),
    )
    return entry_id


@pytest.mark.parametrize("right_hash", [False, True])
def test_an_entry_appended_outside_azconf_is_caught(history: Store, right_hash: bool) -> None:
    head = history.audit_head()
    assert head is not None
    forged = _forge(history, 7, head[1], right_hash)
    result = verdict(history)
    assert (result.kind, result.seq, result.entry_id) == ("inserted", 7, forged)


def test_an_entry_inserted_in_the_middle_is_caught(history: Store) -> None:
    history.conn.execute("UPDATE audit SET seq = seq + 100 WHERE seq >= 4")
    history.conn.execute("UPDATE audit SET seq = seq - 99 WHERE seq >= 104")
    history.conn.execute("UPDATE meta SET value = '7' WHERE key = 'audit_head_seq'")
    third = next(e for e in history.audit() if e.seq == 3)
    forged = _forge(history, 4, third.hash, right_hash=True)
    result = verdict(history)
    assert (result.kind, result.seq, result.entry_id) == ("inserted", 4, forged)


def test_swapped_entries_are_caught(history: Store) -> None:
    history.conn.execute("UPDATE audit SET seq = 100 WHERE seq = 4")
    history.conn.execute("UPDATE audit SET seq = 4 WHERE seq = 5")
    history.conn.execute("UPDATE audit SET seq = 5 WHERE seq = 100")
    result = verdict(history)
    assert (result.kind, result.seq) == ("reordered", 4)
    assert "it belongs after entry #5" in str(result.message)


def test_an_anchor_must_still_be_in_the_log(history: Store) -> None:
    head = verdict(history).head
    assert verdict(history, anchor=head).ok
    assert verdict(history, anchor="0" * 64).kind == "rewritten"


def test_an_empty_log_verifies() -> None:
    assert verify([], None).ok
    assert verify([], (3, "ab")).kind == "deleted"
