"""Opening the database: creation, schema checks, and SQLite's failures as azconf's errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from azconf.history.errors import HistoryBusy, HistoryCorrupt, HistoryTooNew
from azconf.history.store import APPLICATION_ID, SCHEMA_VERSION, connect


def test_a_new_database_is_wal_with_foreign_keys_and_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "history.db"
    with connect(path, create=True) as store:
        assert store is not None
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION
        )
        assert store.integrity() == []


def test_reading_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    with connect(tmp_path / "none.db", create=False) as store:
        assert store is None
    assert not (tmp_path / "none.db").exists()


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with connect(path, create=True):
        pass
    with connect(path, create=False) as store:
        assert store is not None
        assert store.environments() == []


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with connect(path, create=True) as store:
        assert store is not None
        store.conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        store.conn.execute("UPDATE meta SET value = '9.0.0' WHERE key = 'written_by'")
    too_new = r"newer azconf \(azconf 9\.0\.0\): history schema 99"
    with pytest.raises(HistoryTooNew, match=too_new) as caught, connect(path, create=True):
        pass
    assert caught.value.exit_code == 1


def test_garbage_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not sqlite\n" * 300)
    with pytest.raises(HistoryCorrupt, match="not an azconf history database"), connect(path, create=False):
        pass


def test_another_sqlite_database_is_not_ours(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    with pytest.raises(HistoryCorrupt, match="not an azconf history"), connect(path, create=True):
        pass


def test_an_empty_file_is_no_history_until_written(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with connect(path, create=False) as store:
        assert store is None
    with connect(path, create=True) as store:
        assert store is not None


def test_a_lock_held_too_long_is_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import azconf.history.store as store_module

    path = tmp_path / "history.db"
    with connect(path, create=True):
        pass
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_SECONDS", 0.1)
    try:
        with pytest.raises(HistoryBusy, match="stayed locked"), connect(path, create=True) as store:
            assert store is not None
            with store.transaction():
                pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with connect(tmp_path / "history.db", create=True) as store:
        assert store is not None
        with pytest.raises(RuntimeError), store.transaction():
            store.conn.execute("INSERT INTO items (env, path) VALUES ('prod', 'flags.a')")
            raise RuntimeError("stop")
        assert store.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_rows_edited_by_hand_that_collide_are_inconsistent(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with connect(path, create=True) as store:
        assert store is not None
        store.conn.execute("INSERT INTO items (env, path) VALUES ('prod', 'flags.a')")
    with pytest.raises(HistoryCorrupt, match="is inconsistent"), connect(path, create=True) as store:
        assert store is not None
        store.conn.execute("INSERT INTO items (env, path) VALUES ('prod', 'flags.a')")
