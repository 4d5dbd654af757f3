"""Plain records read from and written to the history database (no SQL, no I/O)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first audit entry


@dataclass(frozen=True)
class Version:
    """One recorded version of an environment."""

    id: int  # the database row: global and increasing, so it orders versions of all environments
    env: str
    number: int  # 1, 2, 3 ... per environment, without gaps
    content_hash: str  # ``sha256:<hex>`` of the (redacted) snapshot's canonical JSON
    parent: int | None  # the number of the version it was recorded on top of
    message: str
    actor: str
    time: str  # ISO 8601, UTC
    azconf_version: str
    git_commit: str | None  # HEAD of the project's git repository, when there is one
    items: int  # items in the snapshot
    changes: int  # items added, changed or removed against the parent
    rendered: bool = False  # whether this is the version most recently rendered

    @property
    def ref(self) -> str:
        """The reference that names this version, e.g. ``prod@12``."""
        return f"{self.env}@{self.number}"

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the content hash."""
        return self.content_hash.removeprefix("sha256:")[:12]

    @property
    def label(self) -> str:
        """How rendered files name this version: ``prod@12 sha256:ab12cd34ef56``."""
        return f"{self.ref} sha256:{self.short_hash}"

    def to_dict(self) -> dict[str, Any]:
        """The version as JSON-ready data (the keys of ``azconf log --format json``)."""
        return {"ref": self.ref, **asdict(self)}


@dataclass(frozen=True)
class Committed:
    """What a commit did for one environment: recorded a new version, or found it unchanged."""

    env: str
    version: Version | None  # the new version, or the latest one when unchanged (None: no history)
    recorded: bool


@dataclass(frozen=True)
class Operation:
    """One command that wrote to history: who ran it, from where, and what it did."""

    time: str
    actor: str
    action: str  # commit, render, promote, ...
    environment: str | None
    host: str
    user_agent: str
    version: Version | None = None
    note: str | None = None


@dataclass(frozen=True)
class Change:
    """One audited change of one resource; ``None`` stands for "absent" (created or removed)."""

    resource_type: str  # flag, route, secret, service, setting, target ...
    resource_id: str  # flags.new-checkout, render.kubernetes ...
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log, as shown to people and written as JSON."""

    seq: int
    id: str
    time: str
    actor: str
    action: str
    resource_type: str
    resource_id: str
    environment: str | None
    old_value: Any
    new_value: Any
    host: str
    user_agent: str
    version: str | None  # e.g. prod@12
    note: str | None
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (the keys of ``azconf audit --format json``)."""
        return asdict(self)
