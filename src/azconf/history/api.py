"""What the CLI and other features call: commit, resolve and load versions, record renders, audit.

Each function opens the project's history database (see :func:`database_path`), does one job and
closes it. Writers redact sensitive values (:mod:`azconf.history.redact`) before anything is stored.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from azconf import progress
from azconf.config.project import Project
from azconf.errors import UsageError
from azconf.history import actor as actors
from azconf.history import refs
from azconf.history.audit import Link, Verdict, to_entry, verify
from azconf.history.errors import HistoryCorrupt
from azconf.history.items import join, prepare, split
from azconf.history.records import AuditEntry, Change, Committed, Version
from azconf.history.redact import redact_tree
from azconf.history.store import Store, connect
from azconf.history.writing import (
    append_audit,
    changes_to_pending,
    content_of,
    operation,
    write_version,
)
from azconf.problems import did_you_mean

__all__ = [
    "DB_VARIABLE",
    "audit_entries",
    "commit_environment",
    "commit_environments",
    "commit_snapshots",
    "commit_validated",
    "database_path",
    "is_latest",
    "last_changes",
    "load_ref",
    "load_snapshot",
    "open_history",
    "read_snapshot",
    "record_changes",
    "resolve_ref",
    "verify_audit",
    "versions",
    "working_tree_differs",
]

DB_VARIABLE = "AZCONF_DB"


def database_path(project: Project, db: Path | str | None = None) -> Path:
    """Where history lives: ``db`` (``--db``), else ``AZCONF_DB``, else ``history.path`` of azconf.yaml.

    The first two are relative to the current folder, the manifest's path to the project root.
    """
    chosen = db or os.environ.get(DB_VARIABLE)
    if chosen:
        return Path(chosen).expanduser().absolute()
    return project.root / project.manifest.history.path


@contextmanager
def open_history(
    project: Project, db: Path | str | None = None, *, create: bool = False
) -> Iterator[Store | None]:
    """The project's history store for a ``with`` block; None when there is none yet and not ``create``."""
    with connect(database_path(project, db), create=create) as store:
        yield store


# --------------------------------------------------------------------------------------------------
# Writing


def commit_environment(
    project: Project,
    env: str,
    *,
    message: str,
    actor: str | None = None,
    action: str = "commit",
    db: Path | str | None = None,
) -> Version | None:
    """Record ``env``'s working tree as a new version if it changed; None when it did not.

    An invalid environment is refused (:class:`azconf.environment.InvalidEnvironment`).
    """
    (outcome,) = commit_environments(project, [env], message=message, actor=actor, action=action, db=db)
    return outcome.version if outcome.recorded else None


def commit_environments(
    project: Project,
    envs: list[str],
    *,
    message: str,
    actor: str | None = None,
    action: str = "commit",
    db: Path | str | None = None,
) -> list[Committed]:
    """Commit each of ``envs`` (all of them valid, or none is recorded), in one transaction."""
    from azconf.config.resolve import Resolver
    from azconf.environment import load_environment
    from azconf.snapshot import snapshot

    resolver = Resolver(project)
    snapshots = {}
    for done, env in enumerate(envs):
        progress.report(f"checking {env}", done, len(envs))
        snapshots[env] = snapshot(load_environment(project, env, resolver=resolver).resolution)
    progress.report("recording in history")
    who = actors.who(project.root, actor)
    with open_history(project, db, create=True) as store:
        assert store is not None
        return commit_snapshots(store, snapshots, message=message, who=who, action=action)


def commit_validated(
    project: Project,
    env: str,
    data: dict[str, Any],
    *,
    message: str,
    actor: str | None = None,
    action: str = "commit",
    db: Path | str | None = None,
    note: str | None = None,
) -> Version | None:
    """Record ``data``, a snapshot of ``env`` the caller has already validated (the edit path checks
    its plan before writing), without validating it again; None when it equals the latest version.
    ``note`` goes on its audit entries (e.g. that a promotion skipped the chain)."""
    who = actors.who(project.root, actor)
    with open_history(project, db, create=True) as store:
        assert store is not None
        (outcome,) = commit_snapshots(store, {env: data}, message=message, who=who, action=action, note=note)
    return outcome.version if outcome.recorded else None


def commit_snapshots(
    store: Store,
    snapshots: dict[str, dict[str, Any]],
    *,
    message: str,
    who: actors.Who,
    action: str = "commit",
    note: str | None = None,
) -> list[Committed]:
    """Record resolved snapshots (env -> data) as versions where they changed, in one transaction."""
    split_up = {env: split(data) for env, data in snapshots.items()}  # hashing, before taking the lock
    results: list[Committed] = []
    with store.transaction():
        when = actors.now()
        for env, items in split_up.items():
            content = content_of(store, env, items)  # under the write lock: numbering cannot race
            if content.unchanged:
                results.append(Committed(env, content.latest, recorded=False))
            else:
                version = write_version(
                    store, content, message=message, who=who, action=action, when=when, note=note
                )
                results.append(Committed(env, version, recorded=True))
    return results


def record_changes(
    project: Project,
    *,
    action: str,
    env: str | None,
    changes: list[Change],
    note: str | None = None,
    actor: str | None = None,
    db: Path | str | None = None,
) -> None:
    """Append audit entries for changes made outside a commit (a flag toggled in the service ...)."""
    who = actors.who(project.root, actor)
    safe = [
        Change(
            c.resource_type, c.resource_id, _redacted(c.resource_id, c.old), _redacted(c.resource_id, c.new)
        )
        for c in changes
    ]
    with open_history(project, db, create=True) as store:
        assert store is not None
        with store.transaction():
            pending = changes_to_pending(store, safe)
            append_audit(
                store, operation(who, action, env, when=actors.now(), version=None, note=note), pending
            )


def _redacted(resource_id: str, value: Any) -> Any:
    from azconf.config.located import parse_path

    path = parse_path(resource_id) or (resource_id,)
    return redact_tree(value, tuple(str(part) for part in path))


# --------------------------------------------------------------------------------------------------
# Reading


def resolve_ref(project: Project, ref: str, db: Path | str | None = None) -> Version:
    """The version ``ref`` names (``prod@12``, ``prod@latest~2``, ``@3fa2c1`` ...); UsageError if none."""
    parsed = refs.parse_ref(ref)
    with _reading(project, ref, db) as store:
        return refs.resolve(store, parsed, project.manifest.environments)


def load_snapshot(project: Project, version: Version, db: Path | str | None = None) -> dict[str, Any]:
    """The stored snapshot of ``version`` (sensitive values redacted), checked against its hash."""
    with _reading(project, version.ref, db) as store:
        return read_snapshot(store, version)


def load_ref(project: Project, ref: str, db: Path | str | None = None) -> tuple[Version, dict[str, Any]]:
    """The version ``ref`` names and its snapshot, read through one connection."""
    parsed = refs.parse_ref(ref)
    with _reading(project, ref, db) as store:
        version = refs.resolve(store, parsed, project.manifest.environments)
        return version, read_snapshot(store, version)


@contextmanager
def _reading(project: Project, ref: str, db: Path | str | None) -> Iterator[Store]:
    with open_history(project, db) as store:
        if store is None:
            raise UsageError(
                f'no version "{ref}": there is no history at {database_path(project, db)} yet',
                hint="record versions with `azconf commit`",
            )
        yield store


def read_snapshot(store: Store, version: Version) -> dict[str, Any]:
    """The snapshot of ``version`` from an open store; any change to its stored content is caught."""
    data = join((path, json.loads(text)) for path, text in store.contents(version))
    if prepare(data).content_hash != version.content_hash:
        raise HistoryCorrupt(
            f"{store.path}: the stored content of {version.ref} no longer matches its hash",
            hint="the database was modified outside azconf; `azconf audit verify` says where",
        )
    return data


def working_tree_differs(project: Project, env: str, db: Path | str | None = None) -> bool:
    """Whether ``env``'s files differ from its latest recorded version (False when none is recorded)."""
    from azconf.config.resolve import Resolver
    from azconf.environment import resolve_readable
    from azconf.snapshot import snapshot

    with open_history(project, db) as store:
        if store is None or store.latest(env) is None:
            return False
        items = split(snapshot(resolve_readable(Resolver(project), env)))
        return not content_of(store, env, items).unchanged


def is_latest(
    project: Project, env: str, db: Path | str | None = None, *, data: dict[str, Any] | None = None
) -> bool:
    """Whether ``env``'s latest recorded version holds exactly what its files resolve to now.

    ``data`` is that resolution (resolved or plain data), when the caller has already made it.
    """
    from azconf.config.resolve import Resolver
    from azconf.environment import resolve_readable

    with open_history(project, db) as store:
        if store is None or store.latest(env) is None:
            return False
        if data is None:
            data = resolve_readable(Resolver(project), env).data
        return content_of(store, env, split(data)).unchanged


def versions(
    project: Project, env: str | None = None, limit: int | None = None, db: Path | str | None = None
) -> list[Version]:
    """Recorded versions, newest first ([] when there is no history)."""
    with open_history(project, db) as store:
        _check_env(project, store, env)
        return store.versions(env, limit) if store else []


def _check_env(project: Project, store: Store | None, env: str | None) -> None:
    """Refuse an environment that neither the manifest nor the history knows (a typo)."""
    known = {*project.manifest.environments, *(store.environments() if store else [])}
    if env is not None and env not in known:
        raise UsageError(
            f'unknown environment "{env}"{did_you_mean(env, sorted(known))}',
            hint=f"environments: {', '.join(sorted(known))}",
        )


def audit_entries(
    project: Project,
    *,
    env: str | None = None,
    resource: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    limit: int | None = None,
    db: Path | str | None = None,
) -> list[AuditEntry]:
    """Audit entries, oldest first; ``resource`` is an id, a glob (``flags.*``) or a prefix (``flags``)."""
    with open_history(project, db) as store:
        _check_env(project, store, env)
        if store is None:
            return []
        # A plain id is looked up by the database (a flag's history among thousands of entries); a glob
        # is matched here.
        glob = resource is not None and _is_glob(resource)
        found = [
            to_entry(stored)
            for stored in store.audit(env=env, actor=actor, since=since, resource=None if glob else resource)
            if not glob or _matches(str(resource), stored.resource_id)
        ]
    return found[-limit:] if limit else found


def last_changes(
    project: Project, resource: str, *, env: str | None = None, db: Path | str | None = None
) -> dict[str, str]:
    """When each resource id at or below ``resource`` (an id, not a glob) last changed: the time of
    its newest audit entry (in ``env``), as ISO 8601 UTC."""
    with open_history(project, db) as store:
        _check_env(project, store, env)
        return {} if store is None else store.last_changes(env=env, resource=resource)


def _is_glob(pattern: str) -> bool:
    return any(char in pattern for char in "*?[")


def _matches(pattern: str, resource_id: str) -> bool:
    return fnmatch.fnmatchcase(resource_id, pattern) or resource_id.startswith(pattern + ".")


def verify_audit(project: Project, *, anchor: str | None = None, db: Path | str | None = None) -> Verdict:
    """Check the database file, then the audit chain, its recorded head and an optional anchor hash."""
    with open_history(project, db) as store:
        if store is None:
            return Verdict(0, None)
        damage = store.integrity()
        if damage:
            return Verdict(0, None, "damaged", None, None, f"the database file is damaged: {damage[0]}")
        links = [Link.of(stored) for stored in store.audit()]
        return verify(links, store.audit_head(), anchor)
