"""The history database: one SQLite file, and the only module of azconf that speaks SQL.

Schema 1 (``docs/history.md`` has the full description)::

    meta        key -> value: schema_version, the azconf that wrote it, the audit log's head
    blobs       content-addressed values: id, key (first 8 bytes of the SHA-256, indexed), json
    items       every item path an environment ever had: id, env, path (flags.new-checkout)
    versions    id, env, number (1, 2, 3 ... per env), content_hash, parent_id, message, actor, time,
                azconf_version, git_commit, items, changes
    entries     (item_id, version_id) -> blob_id: the item's value from that version on (NULL: removed)
    renders     which version of an environment was rendered, and by which operation
    alerts      (schema 2) health alerts: check, severity, title, message, opened and resolved (when,
                by whom, why); opened and resolved by ``azconf doctor``, or resolved by hand
    notifications (schema 3) the alert webhook's outbox: one row per alert and event (opened,
                resolved), its delivery attempts, the last error, when it was sent
    operations  one row per command that wrote: time, actor, action, environment, host, user agent,
                version, note
    audit       seq (1, 2, 3 ... without gaps), id (UUID, 16 bytes), operation, resource type and id,
                old and new value (blobs), hash (32 bytes: SHA-256 over the entry and the previous hash)
    audit_log   a view: the audit entries flat, one row each, like the original ``audit_log`` table

A version stores only the items that changed, yet reading any version costs the same: for each item,
one index seek finds its latest entry at or before that version. Nothing is ever replayed.

Size is spent where it pays: a blob is found by the first 64 bits of its SHA-256 and confirmed by
comparing canonical JSON, so the full hash is never stored twice; audit ids and hashes are stored as
raw bytes and shown as text. An audit entry costs about 100 bytes plus its values, which it shares
with the versions.

Writers take the write lock up front (``BEGIN IMMEDIATE``), so two commits queue instead of failing
halfway; WAL mode lets readers run beside a writer. Every SQLite failure leaves this module as one of
the errors in :mod:`azconf.history.errors`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azconf import __version__
from azconf.history.errors import (
    HistoryBusy,
    HistoryCorrupt,
    HistoryError,
    HistoryTooNew,
    HistoryUnavailable,
)
from azconf.history.records import GENESIS, Operation, Version
from azconf.snapshot import canonical_json

if TYPE_CHECKING:
    from sqlite_utils import Database

SCHEMA_VERSION = 3
APPLICATION_ID = 0x617A6366  # "azcf" in the file header: tells an azconf history from other SQLite files
BUSY_TIMEOUT_SECONDS = 30.0
HINT = "use another file with --db PATH or AZCONF_DB, or history.path in azconf.yaml"
WRITE_HINT = "check that the file and its folder can be written, or " + HINT


@dataclass(frozen=True)
class Held:
    """What an item holds in a version: its row, and the blob (None once removed) with its key."""

    item_id: int
    blob_id: int | None
    key: int | None


@dataclass(frozen=True)
class StoredEntry:
    """One audit row as stored, with the operation it belongs to and its values' JSON text."""

    seq: int
    id: str
    operation: Operation
    resource_type: str
    resource_id: str
    old_json: str | None
    new_json: str | None
    version: str | None  # e.g. prod@12
    prev_hash: str  # the hash of the entry stored before this one (derived, not stored)
    hash: str


@dataclass(frozen=True)
class NewEntry:
    """An audit row to write."""

    seq: int
    id: str
    resource_type: str
    resource_id: str
    old_blob: int | None
    new_blob: int | None
    hash: str


@dataclass(frozen=True)
class Notification:
    """An announcement in the webhook's outbox, not sent yet."""

    id: int
    alert_id: int
    event: str  # opened | resolved
    attempts: int
    last_error: str | None


# --------------------------------------------------------------------------------------------------
# Opening


@contextmanager
def connect(path: Path, *, create: bool) -> Iterator[Store | None]:
    """The store at ``path`` for the length of a ``with`` block (None when absent and not ``create``).

    Every SQLite error raised inside the block becomes a :class:`HistoryError`.
    """
    store: Store | None = None
    try:
        with translate_errors(path):
            try:
                store = _open(path, create)
            except OSError as error:  # its folder cannot be searched or read (permissions)
                raise HistoryUnavailable(
                    f"cannot use the history database {path}: {error.strerror or error}", hint=WRITE_HINT
                ) from None
            yield store
    finally:
        if store is not None:
            store.close()


def _open(path: Path, create: bool) -> Store | None:
    if not path.exists():
        if not create:
            return None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_private(path)
        except OSError as error:
            raise HistoryUnavailable(
                f"cannot create the history database {path}: {error.strerror or error}", hint=WRITE_HINT
            ) from None
    try:
        return _connect(path, create, immutable=False)
    except sqlite3.OperationalError as error:
        # WAL mode needs a writable folder even to read (for the -shm file). A history that only
        # needs reading, from a read-only checkout, is read as it is on disk, if nothing of it
        # waits in a -wal file.
        readable = not create and _code(error) in _UNAVAILABLE and not Path(f"{path}-wal").exists()
        if not readable:
            raise
        return _connect(path, create, immutable=True)


def _create_private(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only: it holds the audit log.

    SQLite gives its -wal and -shm files the database file's mode, so they are private too.
    """
    with contextlib.suppress(FileExistsError):  # another commit created it meanwhile
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _connect(path: Path, create: bool, *, immutable: bool) -> Store | None:
    if immutable:
        uri = f"{path.absolute().as_uri()}?immutable=1"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    else:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    store = Store(path, connection)
    try:
        ready = store.prepare(create)
    except BaseException:
        store.close()
        raise
    if not ready:  # an empty file, and nothing to write: the same as no history yet
        store.close()
        return None
    return store


def _code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of ``error`` (https://sqlite.org/rescode.html)."""
    return int(getattr(error, "sqlite_errorcode", -1)) & 0xFF


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's errors into azconf's, each naming the file and what to do."""
    try:
        yield
    except HistoryError:
        raise
    except sqlite3.DatabaseError as error:
        raise _translated(path, error) from None


# The primary result codes (https://sqlite.org/rescode.html) and what they mean to a user.
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_INCONSISTENT = {19}  # SQLITE_CONSTRAINT: azconf's own writes collide only with rows edited by hand
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_UNAVAILABLE = {3, 8, 10, 13, 14}  # PERM, READONLY, IOERR, FULL, CANTOPEN


_NOT_UTF8 = re.compile(r"Could not decode to UTF-8 column '([^']*)'")


def _translated(path: Path, error: sqlite3.DatabaseError) -> HistoryError | sqlite3.DatabaseError:
    code = _code(error)
    not_utf8 = _NOT_UTF8.match(str(error))
    if not_utf8:  # Python's decoding of a row azconf did not write; its text is not quoted
        return HistoryCorrupt(
            f"{path} is damaged: a stored value (column {not_utf8[1]}) is not valid UTF-8",
            hint="it was modified outside azconf; restore it from a backup, or move it aside to start "
            "a new history",
        )
    if code in _CORRUPT:
        return HistoryCorrupt(
            f"{path} is not an azconf history database, or it is damaged ({error})",
            hint="restore it from a backup, or move it aside to start a new history",
        )
    if code in _INCONSISTENT:
        return HistoryCorrupt(
            f"{path} is inconsistent: {error}",
            hint="it was modified outside azconf; `azconf audit verify` says where",
        )
    if code in _BUSY:
        return HistoryBusy(
            f"{path} stayed locked by another azconf for {BUSY_TIMEOUT_SECONDS:.0f} s ({error})",
            hint="wait for the other command to finish and run this one again",
        )
    if code in _UNAVAILABLE:
        return HistoryUnavailable(f"cannot use the history database {path}: {error}", hint=WRITE_HINT)
    return error


# --------------------------------------------------------------------------------------------------
# The schema and its migrations


def _migration_1(db: Database) -> None:
    """The first schema (see the module docstring)."""
    db.create_table("meta", {"key": str, "value": str}, pk="key", not_null={"value"})
    db.create_table("blobs", {"id": int, "key": int, "json": str}, pk="id", not_null={"key", "json"})
    db.table("blobs").create_index(["key"], index_name="blobs_by_key")
    db.create_table("items", {"id": int, "env": str, "path": str}, pk="id", not_null={"env", "path"})
    db.table("items").create_index(["env", "path"], index_name="items_by_path", unique=True)
    db.create_table(
        "versions",
        {
            "id": int,
            "env": str,
            "number": int,
            "content_hash": str,
            "parent_id": int,
            "message": str,
            "actor": str,
            "time": str,
            "azconf_version": str,
            "git_commit": str,
            "items": int,
            "changes": int,
        },
        pk="id",
        not_null={"env", "number", "content_hash", "message", "actor", "time", "azconf_version"},
        foreign_keys=[("parent_id", "versions", "id")],
    )
    db.table("versions").create_index(["env", "number"], index_name="versions_by_number", unique=True)
    db.table("versions").create_index(["content_hash"], index_name="versions_by_hash")
    # WITHOUT ROWID: the primary key is the only index the seek needs, and rows stay ~10 bytes.
    db.execute(
        "CREATE TABLE entries ("
        " item_id INTEGER NOT NULL REFERENCES items(id),"
        " version_id INTEGER NOT NULL REFERENCES versions(id),"
        " blob_id INTEGER REFERENCES blobs(id),"
        " PRIMARY KEY (item_id, version_id)) WITHOUT ROWID"
    )
    db.create_table(
        "operations",
        {
            "id": int,
            "time": str,
            "actor": str,
            "action": str,
            "environment": str,
            "host": str,
            "user_agent": str,
            "version_id": int,
            "note": str,
        },
        pk="id",
        not_null={"time", "actor", "action", "host", "user_agent"},
        foreign_keys=[("version_id", "versions", "id")],
    )
    db.create_table(
        "renders",
        {"id": int, "env": str, "version_id": int, "operation_id": int},
        pk="id",
        not_null={"env", "version_id", "operation_id"},
        foreign_keys=[("version_id", "versions", "id"), ("operation_id", "operations", "id")],
    )
    db.table("renders").create_index(["env", "id"], index_name="renders_by_env")
    db.create_table(
        "audit",
        {
            "seq": int,
            "id": bytes,
            "operation_id": int,
            "resource_type": str,
            "resource_id": str,
            "old_blob": int,
            "new_blob": int,
            "hash": bytes,
        },
        pk="seq",
        not_null={"id", "operation_id", "resource_type", "resource_id", "hash"},
        foreign_keys=[
            ("operation_id", "operations", "id"),
            ("old_blob", "blobs", "id"),
            ("new_blob", "blobs", "id"),
        ],
    )
    db.execute(f"CREATE VIEW audit_log AS {_AUDIT_SELECT}")


def _migration_2(db: Database) -> None:
    """Health alerts, like the original system's ``alerts`` table."""
    db.create_table(
        "alerts",
        {
            "id": int,
            "check_key": str,  # component/env/metric: at most one open alert per check
            "type": str,  # the metric, e.g. uncommitted_hours
            "severity": str,  # warning | critical
            "title": str,
            "message": str,
            "component": str,
            "environment": str,
            "opened_at": str,
            "resolved": int,
            "resolved_at": str,
            "resolved_by": str,
            "resolution": str,
        },
        pk="id",
        not_null={"check_key", "type", "severity", "title", "message", "component", "opened_at", "resolved"},
    )
    db.table("alerts").create_index(["resolved", "check_key"], index_name="alerts_open")


def _migration_3(db: Database) -> None:
    """The alert webhook's outbox: what was announced, and what a later run must still send."""
    db.create_table(
        "notifications",
        {
            "id": int,
            "alert_id": int,
            "event": str,  # opened | resolved
            "queued_at": str,
            "attempts": int,  # runs that tried to send it (each with its own quick retries)
            "claimed_at": str,  # a run is sending it now (cleared when done): others leave it alone
            "last_error": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"alert_id", "event", "queued_at", "attempts"},
        defaults={"attempts": 0},
        foreign_keys=[("alert_id", "alerts", "id")],
    )
    # One row per alert and event: queuing twice is a no-op, so an event is never announced twice.
    db.table("notifications").create_index(["alert_id", "event"], index_name="notification_once", unique=True)


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_migration_1, _migration_2, _migration_3)
assert len(MIGRATIONS) == SCHEMA_VERSION

_VERSION_SELECT = """
SELECT v.id, v.env, v.number, v.content_hash, p.number, v.message, v.actor, v.time, v.azconf_version,
       v.git_commit, v.items, v.changes,
       v.id IS (SELECT r.version_id FROM renders AS r WHERE r.env = v.env ORDER BY r.id DESC LIMIT 1)
FROM versions AS v LEFT JOIN versions AS p ON p.id = v.parent_id
"""

# A 16-byte UUID as its usual text, 8-4-4-4-12 lowercase hex digits.
_UUID_TEXT = (
    "lower(substr(hex(a.id), 1, 8) || '-' || substr(hex(a.id), 9, 4) || '-' || substr(hex(a.id), 13, 4)"
    " || '-' || substr(hex(a.id), 17, 4) || '-' || substr(hex(a.id), 21))"
)

_AUDIT_SELECT = f"""
SELECT a.seq, {_UUID_TEXT} AS id, o.time, o.actor, o.action, a.resource_type, a.resource_id, o.environment,
       old.json AS old_value, new.json AS new_value, o.host, o.user_agent,
       v.env || '@' || v.number AS version, o.note,
       coalesce((SELECT lower(hex(p.hash)) FROM audit AS p WHERE p.seq < a.seq ORDER BY p.seq DESC LIMIT 1),
                '{GENESIS}') AS prev_hash,
       lower(hex(a.hash)) AS hash
FROM audit AS a
JOIN operations AS o ON o.id = a.operation_id
LEFT JOIN versions AS v ON v.id = o.version_id
LEFT JOIN blobs AS old ON old.id = a.old_blob
LEFT JOIN blobs AS new ON new.id = a.new_blob
"""


def _audit_where(
    *, env: str | None = None, actor: str | None = None, since: str | None = None, resource: str | None = None
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of an audit query over ``a`` (audit) and ``o`` (operations)."""
    conditions: list[str] = []
    params: list[Any] = []
    for column, value in (("o.environment = ?", env), ("o.actor = ?", actor), ("o.time >= ?", since)):
        if value is not None:
            conditions.append(column)
            params.append(value)
    if resource is not None:
        conditions.append("(a.resource_id = ? OR substr(a.resource_id, 1, ?) = ?)")
        params.extend([resource, len(resource) + 1, resource + "."])
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


# For each item of the environment, its latest entry at or before the version: one seek per item.
_ITEMS_AT = """
SELECT i.id, i.path, e.blob_id, b.key{json}
FROM items AS i
JOIN entries AS e ON e.item_id = i.id AND e.version_id = (
    SELECT version_id FROM entries
    WHERE item_id = i.id AND version_id <= :version ORDER BY version_id DESC LIMIT 1)
LEFT JOIN blobs AS b ON b.id = e.blob_id
WHERE i.env = :env
ORDER BY i.id
"""


def _version(row: tuple[Any, ...]) -> Version:
    (id_, env, number, content_hash, parent, message, actor, time, azconf_version, git_commit) = row[:10]
    items, changes, rendered = row[10:13]
    return Version(
        id_,
        env,
        number,
        content_hash,
        parent,
        message,
        actor,
        time,
        azconf_version,
        git_commit,
        items,
        changes,
        rendered=bool(rendered),
    )


# --------------------------------------------------------------------------------------------------
# The store


class Store:
    """An open history database."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @cached_property
    def db(self) -> Database:
        """sqlite-utils over the same connection, for creating tables and inserting rows.

        Made on first use: importing sqlite-utils scans every installed package for plugins, and
        reading history (show, log, audit, a render of recorded content) needs only plain SQL.
        """
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    # --- set-up -----------------------------------------------------------------------------------

    def prepare(self, create: bool) -> bool:
        """Check the file is an azconf history of a known schema and migrate it forward.

        Returns False for an empty file when ``create`` is false (nothing to read yet).
        """
        self.conn.execute("PRAGMA foreign_keys = ON")
        # One statement, so one snapshot: read apart, another process creating the history could
        # commit between the two reads (no id yet, tables already) and it would look foreign.
        application_id, tables = self.conn.execute(
            "SELECT (SELECT application_id FROM pragma_application_id()),"
            " (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
        if application_id != APPLICATION_ID and tables:
            raise HistoryCorrupt(f"{self.path} is an SQLite database, but not an azconf history", hint=HINT)
        if not tables and not create:
            return False
        self._check_not_newer(self._schema_version())
        if self._schema_version() < SCHEMA_VERSION:
            self._migrate()
        return True

    def _schema_version(self) -> int:
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise HistoryCorrupt(f"{self.path} has no schema version", hint=HINT)
        return int(row[0])

    def _check_not_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'written_by'").fetchone()
            by = f" (azconf {row[0]})" if row else ""
            raise HistoryTooNew(
                f"{self.path} was written by a newer azconf{by}: history schema {version}, "
                f"this azconf {__version__} knows schema {SCHEMA_VERSION} and older",
                hint="upgrade azconf to read and write this history",
            )

    def _migrate(self) -> None:
        self._enable_wal()
        with self.transaction():
            current = self._schema_version()  # again, under the lock: another process may have won
            self._check_not_newer(current)
            for number in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[number - 1](self.db)
                self._set_meta("schema_version", str(number))
            self._set_meta("written_by", __version__)
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _enable_wal(self) -> None:
        """Switch the database to WAL, outside any transaction (the journal mode cannot change in one).

        Two processes creating one history at once meet here: the switch needs the database to itself,
        and SQLite answers the collision with an immediate "database is locked", without calling the
        busy handler (seen about once in 20 concurrent first commits). So a busy answer is retried, up
        to the usual lock timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as error:
                if _code(error) not in _BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, holding the write lock from its start (others wait, up to the timeout)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- versions ---------------------------------------------------------------------------------

    def latest(self, env: str) -> Version | None:
        """The newest version of ``env``."""
        return self._one(f"{_VERSION_SELECT} WHERE v.env = ? ORDER BY v.number DESC LIMIT 1", (env,))

    def version(self, env: str, number: int) -> Version | None:
        """Version ``number`` of ``env``."""
        return self._one(f"{_VERSION_SELECT} WHERE v.env = ? AND v.number = ?", (env, number))

    def versions(self, env: str | None = None, limit: int | None = None) -> list[Version]:
        """Versions, newest first (of one environment, or of all)."""
        where, params = ("WHERE v.env = ?", [env]) if env else ("", [])
        sql = f"{_VERSION_SELECT} {where} ORDER BY v.id DESC LIMIT ?"
        return [_version(row) for row in self.conn.execute(sql, [*params, -1 if limit is None else limit])]

    def versions_with_hash(self, prefix: str, env: str | None = None) -> list[Version]:
        """Versions whose content hash starts with ``sha256:<prefix>``, newest first."""
        low = f"sha256:{prefix}"
        where = "v.content_hash >= ? AND v.content_hash < ?" + (" AND v.env = ?" if env else "")
        params = [low, low + "\x7f", *([env] if env else [])]
        rows = self.conn.execute(f"{_VERSION_SELECT} WHERE {where} ORDER BY v.id DESC", params)
        return [_version(row) for row in rows]

    def rendered(self, env: str) -> Version | None:
        """The version of ``env`` rendered most recently."""
        latest = "SELECT version_id FROM renders WHERE env = ? ORDER BY id DESC LIMIT 1"
        return self._one(f"{_VERSION_SELECT} WHERE v.id = ({latest})", (env,))

    def environments(self) -> list[str]:
        """Every environment with at least one version."""
        return [row[0] for row in self.conn.execute("SELECT DISTINCT env FROM versions ORDER BY env")]

    def _one(self, sql: str, params: Any) -> Version | None:
        row = self.conn.execute(sql, params).fetchone()
        return _version(row) if row else None

    def add_version(
        self,
        env: str,
        content_hash: str,
        parent: Version | None,
        *,
        message: str,
        actor: str,
        time: str,
        git_commit: str | None,
        items: int,
        changes: int,
    ) -> Version:
        """Insert the next version of ``env`` (numbered here, under the write lock)."""
        number = (parent.number if parent else 0) + 1
        row = {
            "env": env,
            "number": number,
            "content_hash": content_hash,
            "parent_id": parent.id if parent else None,
            "message": message,
            "actor": actor,
            "time": time,
            "azconf_version": __version__,
            "git_commit": git_commit,
            "items": items,
            "changes": changes,
        }
        version_id = self.db.table("versions").insert(row).last_pk
        assert isinstance(version_id, int)
        return Version(
            version_id,
            env,
            number,
            content_hash,
            parent.number if parent else None,
            message,
            actor,
            time,
            __version__,
            git_commit,
            items,
            changes,
        )

    def add_render(self, version: Version, operation_id: int) -> None:
        """Record that ``version`` was rendered by the operation."""
        self.conn.execute(
            "INSERT INTO renders (env, version_id, operation_id) VALUES (?, ?, ?)",
            (version.env, version.id, operation_id),
        )

    # --- content ----------------------------------------------------------------------------------

    def held(self, version: Version) -> dict[str, Held]:
        """What each item path holds in ``version`` (removed items included, with no blob)."""
        rows = self.conn.execute(_ITEMS_AT.format(json=""), {"env": version.env, "version": version.id})
        return {path: Held(item_id, blob_id, key) for item_id, path, blob_id, key in rows}

    def contents(self, version: Version) -> Iterator[tuple[str, str]]:
        """``(path, json)`` of every item present in ``version``, in the order items first appeared."""
        sql = _ITEMS_AT.format(json=", b.json")
        for _, path, blob_id, _, text in self.conn.execute(sql, {"env": version.env, "version": version.id}):
            if blob_id is not None:
                yield path, text

    def item_ids(self, env: str, paths: list[str]) -> dict[str, int]:
        """The row of each item path of ``env``, creating the missing ones."""
        known = dict(self.conn.execute("SELECT path, id FROM items WHERE env = ?", (env,)).fetchall())
        for path in paths:
            if path not in known:
                cursor = self.conn.execute("INSERT INTO items (env, path) VALUES (?, ?)", (env, path))
                assert cursor.lastrowid is not None
                known[path] = cursor.lastrowid
        return known

    def put_blob(self, key: int, canonical: bytes, text: Callable[[], str]) -> int:
        """The blob whose canonical JSON is ``canonical``, stored now (as ``text()``) unless it is there.

        ``key`` is the first 64 bits of its SHA-256; a blob with the same key is the same blob only if
        its canonical JSON is the same (a different one would be a collision, stored beside it).
        """
        for blob_id, stored in self.conn.execute("SELECT id, json FROM blobs WHERE key = ?", (key,)):
            if canonical_json(json.loads(stored)) == canonical:
                return int(blob_id)
        cursor = self.conn.execute("INSERT INTO blobs (key, json) VALUES (?, ?)", (key, text()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def blob_texts(self, ids: list[int]) -> dict[int, str]:
        """The stored JSON of each blob in ``ids``."""
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):  # SQLite limits the parameters of one statement
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.conn.execute(f"SELECT id, json FROM blobs WHERE id IN ({marks})", chunk))
        return found

    def add_entries(self, version: Version, rows: list[tuple[int, int | None]]) -> None:
        """Record ``(item_id, blob_id)`` changes as of ``version`` (a None blob: the item was removed)."""
        self.conn.executemany(
            "INSERT INTO entries (item_id, version_id, blob_id) VALUES (?, ?, ?)",
            [(item_id, version.id, blob_id) for item_id, blob_id in rows],
        )

    # --- audit ------------------------------------------------------------------------------------

    def add_operation(self, operation: Operation) -> int:
        """Insert an operation; its entries refer to it."""
        cursor = self.conn.execute(
            "INSERT INTO operations (time, actor, action, environment, host, user_agent, version_id, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                operation.time,
                operation.actor,
                operation.action,
                operation.environment,
                operation.host,
                operation.user_agent,
                operation.version.id if operation.version else None,
                operation.note,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def audit_head(self) -> tuple[int, str] | None:
        """The sequence number and hash of the last audit entry, as recorded with it."""
        rows = dict(self.conn.execute("SELECT key, value FROM meta WHERE key LIKE 'audit_head_%'").fetchall())
        if "audit_head_seq" not in rows:
            return None
        return int(rows["audit_head_seq"]), str(rows["audit_head_hash"])

    def add_audit(self, operation_id: int, entries: list[NewEntry]) -> None:
        """Append entries and move the recorded head to the last one, in the caller's transaction."""
        self.conn.executemany(
            "INSERT INTO audit (seq, id, operation_id, resource_type, resource_id, old_blob, new_blob, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.seq,
                    uuid.UUID(e.id).bytes,
                    operation_id,
                    e.resource_type,
                    e.resource_id,
                    e.old_blob,
                    e.new_blob,
                    bytes.fromhex(e.hash),
                )
                for e in entries
            ],
        )
        if entries:
            self._set_meta("audit_head_seq", str(entries[-1].seq))
            self._set_meta("audit_head_hash", entries[-1].hash)

    def audit(
        self,
        *,
        env: str | None = None,
        actor: str | None = None,
        since: str | None = None,
        resource: str | None = None,
    ) -> Iterator[StoredEntry]:
        """Audit entries in order, optionally of one environment, by one actor, from a time on, or of
        one resource id and what is below it (``flags.x``: also ``flags.x.state``)."""
        where, params = _audit_where(env=env, actor=actor, since=since, resource=resource)
        for row in self.conn.execute(f"{_AUDIT_SELECT} {where} ORDER BY a.seq", params):
            operation = Operation(row[2], row[3], row[4], row[7], row[10], row[11], None, row[13])
            yield StoredEntry(row[0], row[1], operation, *row[5:7], *row[8:10], *row[12:13], *row[14:16])

    def last_changes(self, *, env: str | None = None, resource: str) -> dict[str, str]:
        """The time of the newest audit entry of each resource id at or below ``resource``, without
        reading the entries' values (the stale-flags views need only when)."""
        where, params = _audit_where(env=env, resource=resource)
        query = (
            "SELECT a.resource_id, max(o.time) FROM audit AS a JOIN operations AS o ON o.id = a.operation_id"
            f" {where} GROUP BY a.resource_id"
        )
        return dict(self.conn.execute(query, params).fetchall())

    def integrity(self) -> list[str]:
        """SQLite's own check of the file: ``[]`` when it is sound."""
        rows = [str(row[0]) for row in self.conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    # -- the alert webhook's outbox (schema 3) -------------------------------------------------------

    def queue_notification(self, alert_id: int, event: str, *, when: str) -> None:
        """Queue the announcement of ``event`` (opened | resolved) of an alert; once per alert and event."""
        self.conn.execute(
            "INSERT OR IGNORE INTO notifications (alert_id, event, queued_at, attempts) VALUES (?, ?, ?, 0)",
            (alert_id, event, when),
        )

    def pending_notifications(self, max_attempts: int) -> list[Notification]:
        """Announcements not sent yet and tried fewer than ``max_attempts`` times, oldest first."""
        rows = self.conn.execute(
            "SELECT id, alert_id, event, attempts, last_error FROM notifications"
            " WHERE sent_at IS NULL AND attempts < ? ORDER BY id",
            (max_attempts,),
        ).fetchall()
        return [Notification(*row) for row in rows]

    def claim_notification(self, notification_id: int, *, when: str, unless_claimed_after: str) -> bool:
        """Count an attempt and claim it; False when it was sent meanwhile, or another run claimed it
        after ``unless_claimed_after`` and is still sending it (an older claim was a run that died)."""
        cursor = self.conn.execute(
            "UPDATE notifications SET attempts = attempts + 1, claimed_at = ?"
            " WHERE id = ? AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?)",
            (when, notification_id, unless_claimed_after),
        )
        return cursor.rowcount == 1

    def finish_notification(self, notification_id: int, *, when: str, error: str | None) -> None:
        """Record the outcome of an attempt, sent (``error`` None) or why not, and release its claim."""
        sent_at = when if error is None else None
        self.conn.execute(
            "UPDATE notifications SET sent_at = ?, last_error = ?, claimed_at = NULL WHERE id = ?",
            (sent_at, error, notification_id),
        )

    # -- alerts (schema 2) ---------------------------------------------------------------------------

    def alerts(self, *, include_resolved: bool = False) -> list[Alert]:
        """Alerts, oldest first: the open ones, or all."""
        where = "" if include_resolved else " WHERE resolved = 0"
        rows = self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts{where} ORDER BY id").fetchall()
        return [_alert(row) for row in rows]

    def open_alert(self, alert: NewAlert) -> int:
        """Record a newly opened alert; its id."""
        cursor = self.conn.execute(
            f"INSERT INTO alerts ({', '.join(_NEW_ALERT_COLUMNS)}, resolved)"
            f" VALUES ({', '.join('?' for _ in _NEW_ALERT_COLUMNS)}, 0)",
            tuple(getattr(alert, name) for name in _NEW_ALERT_COLUMNS),
        )
        return int(cursor.lastrowid or 0)

    def resolve_alert(self, alert_id: int, *, when: str, by: str, resolution: str) -> bool:
        """Mark an open alert resolved; False when there is no such open alert."""
        cursor = self.conn.execute(
            "UPDATE alerts SET resolved = 1, resolved_at = ?, resolved_by = ?, resolution = ?"
            " WHERE id = ? AND resolved = 0",
            (when, by, resolution, alert_id),
        )
        return cursor.rowcount == 1


def _alert(row: tuple[Any, ...]) -> Alert:
    alert_id, *opened, resolved, resolved_at, resolved_by, resolution = row
    return Alert(*opened, id=alert_id, resolved=bool(resolved), resolved_at=resolved_at,
                 resolved_by=resolved_by, resolution=resolution)  # fmt: skip


@dataclass(frozen=True)
class NewAlert:
    """An alert to open."""

    check_key: str
    type: str
    severity: str
    title: str
    message: str
    component: str
    environment: str | None
    opened_at: str


@dataclass(frozen=True, kw_only=True)
class Alert(NewAlert):
    """One row of ``alerts``: an opened alert, with its id and its resolution."""

    id: int
    resolved: bool
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None

    def to_dict(self) -> dict[str, Any]:
        """The alert as JSON-ready data (``azconf alerts --format json``)."""
        return {"id": self.id} | {name: getattr(self, name) for name in self.__dataclass_fields__}


_NEW_ALERT_COLUMNS = tuple(NewAlert.__dataclass_fields__)
_ALERT_COLUMNS = ", ".join(
    ("id", *_NEW_ALERT_COLUMNS, "resolved", "resolved_at", "resolved_by", "resolution")
)
