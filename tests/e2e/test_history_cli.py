"""``azconf commit``, ``log``, ``show ENV@N``, ``audit`` and ``audit verify`` on real SQLite files.

Each test works on a copy of examples/azora in tmp_path and drives the installed command. The
reliability tests run commits side by side, kill them with SIGKILL inside their transaction, and
tamper with the database behind azconf's back.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from azconf_e2e import RunAzconf, azconf_executable

ACTOR = "e2e@example.com"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of every azconf run here: a fixed actor, no AZCONF_DB from outside."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AZCONF_")}
    return {**base, "AZCONF_ACTOR": ACTOR, "XDG_CACHE_HOME": str(tmp_path / ".cache"), "NO_COLOR": "1"}


def set_replicas(repo: Path, replicas: int) -> None:
    """Set prod's payments replicas (4 in the example) to ``replicas``."""
    path = repo / "config/envs/prod/services.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # The second "replicas:" of prod's services.yaml is payments'.
    index = [i for i, line in enumerate(lines) if line.strip().startswith("replicas:")][1]
    lines[index] = f"    replicas: {replicas}\n"
    path.write_text("".join(lines), encoding="utf-8")


def db_path(repo: Path) -> Path:
    return repo / ".azconf" / "history.db"


def versions(azconf: RunAzconf, repo: Path, env: dict[str, str], *extra: str) -> list[dict[str, object]]:
    run = azconf("-C", repo, "log", "--format", "json", *extra, env=env)
    assert run.returncode == 0, run.stderr
    found: list[dict[str, object]] = run.json()["versions"]
    return found


# --------------------------------------------------------------------------------------------------
# Commit, log, show


def test_commit_log_and_show_versions(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    first = azconf("-C", repo, "commit", "-m", "first", env=env)
    assert first.returncode == 0, first.stderr
    for line, name in zip(first.stdout.splitlines(), ("dev", "staging", "prod"), strict=True):
        assert line.startswith(f"{name}: recorded {name}@1 (sha256:") and "50 of 50 item(s) changed" in line
    again = azconf("-C", repo, "commit", env=env)
    assert again.stdout.splitlines() == [
        "dev: unchanged since dev@1",
        "staging: unchanged since staging@1",
        "prod: unchanged since prod@1",
    ]
    set_replicas(repo, 5)
    second = azconf(
        "-C", repo, "commit", "-e", "prod", "-m", "more replicas", "--actor", "alice@azora.dev", env=env
    )
    assert (
        second.stdout.startswith("prod: recorded prod@2 (sha256:")
        and "1 of 50 item(s) changed" in second.stdout
    )

    log = azconf("-C", repo, "log", "--env", "prod", env=env)
    lines = log.stdout.splitlines()
    assert lines[0].startswith("prod@2  ") and "alice@azora.dev  1 changed" in lines[0]
    assert lines[1].strip() == "more replicas"
    listed = versions(azconf, repo, env, "--env", "prod")
    assert [(v["ref"], v["parent"], v["actor"]) for v in listed] == [
        ("prod@2", 1, "alice@azora.dev"),
        ("prod@1", None, ACTOR),
    ]
    assert len(versions(azconf, repo, env, "--limit", "2")) == 2

    def show(ref: str) -> str:
        run = azconf("-C", repo, "show", "--env", ref, "services.payments.replicas", env=env)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    short = str(listed[1]["content_hash"])[7:]
    assert (show("prod"), show("prod@1"), show("prod@latest"), show("prod@latest~1")) == ("5", "4", "5", "4")
    assert show(f"prod@{short[:6]}") == show(f"@{short[:8]}") == show(short[:10]) == "4"
    whole = azconf("-C", repo, "show", "--env", "prod@1", "--format", "json", env=env)
    assert json.loads(whole.stdout)["services"]["payments"]["replicas"] == 4


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("prod@7", '"prod@7": prod has no version 7 (its versions are 1 to 1)'),
        ("prod@lates", '"prod@lates": unknown version "lates" (did you mean "latest"?)'),
        ("prd@1", '"prd@1": unknown environment "prd" (did you mean "prod"?)'),
        ("prod@latest~3", '"prod@latest~3" goes back 3 from prod@1, before prod@1'),
        ("prod@rendered", '"prod@rendered": prod has not been rendered yet'),
        ("prod@ffffff", '"prod@ffffff": no version of prod has a content hash starting with ffffff'),
        ("prod@", '"prod@": a version is missing after "@"'),
        ("@12", '"@12": say which environment'),
    ],
)
def test_bad_references_are_usage_errors(
    azconf: RunAzconf, repo: Path, env: dict[str, str], ref: str, message: str
) -> None:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    run = azconf("-C", repo, "show", "--env", ref, env=env)
    assert run.returncode == 2
    assert f"azconf: error: {message}" in run.stderr, run.stderr
    assert "  hint: " in run.stderr


def test_a_reference_before_any_history(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    run = azconf("-C", repo, "show", "--env", "prod@1", env=env)
    assert run.returncode == 2
    assert 'no version "prod@1": there is no history at' in run.stderr
    assert azconf("-C", repo, "log", env=env).stdout == "no versions recorded yet\n"
    assert not db_path(repo).exists()


def test_an_ambiguous_hash_prefix(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    # Many versions (written through the API, for speed) until two share their first 4 hex digits.
    from azconf.history.actor import Who
    from azconf.history.api import commit_snapshots
    from azconf.history.store import connect

    seen: dict[str, str] = {}
    with connect(db_path(repo), create=True) as store:
        assert store is not None
        for n in range(1000):
            (outcome,) = commit_snapshots(
                store, {"prod": {"settings": {"n": n}}}, message="", who=Who("x", "h", "ua", None)
            )
            assert outcome.version is not None
            prefix = outcome.version.short_hash[:4]
            if prefix in seen:
                break
            seen[prefix] = outcome.version.ref
    run = azconf("-C", repo, "show", "--env", f"prod@{prefix}", env=env)
    assert run.returncode == 2
    assert f'"prod@{prefix}" is ambiguous: it matches ' in run.stderr and seen[prefix] in run.stderr
    assert "hint: use more hex digits" in run.stderr


def test_where_the_database_lives(azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path) -> None:
    # --db is the root's option: one place, one meaning (a command's own --db is refused, not ignored).
    refused = azconf("-C", repo, "commit", "-e", "dev", "--db", tmp_path / "flag.db", env=env)
    assert refused.returncode == 2 and "No such option: --db" in refused.stderr
    assert azconf("--db", tmp_path / "global.db", "-C", repo, "commit", "-e", "dev", env=env).returncode == 0
    assert (
        azconf(
            "-C", repo, "commit", "-e", "dev", env={**env, "AZCONF_DB": str(tmp_path / "env.db")}
        ).returncode
        == 0
    )
    manifest = repo / "azconf.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("path: .azconf/history.db", "path: var/versions.db"),
        encoding="utf-8",
    )
    assert azconf("-C", repo, "commit", "-e", "dev", env=env).returncode == 0
    assert not (tmp_path / "flag.db").exists()
    for path in (
        tmp_path / "global.db",
        tmp_path / "env.db",
        repo / "var" / "versions.db",
    ):
        assert path.is_file(), path
    assert not db_path(repo).exists()
    shown = azconf(
        "--db", tmp_path / "global.db", "-C", repo, "show", "--env", "dev@1", "flags.beta-banner", env=env
    )
    assert shown.returncode == 0 and shown.stdout.startswith("true")


# --------------------------------------------------------------------------------------------------
# Render records


def test_render_records_the_version_and_a_rollback(
    azconf: RunAzconf, repo: Path, env: dict[str, str]
) -> None:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    set_replicas(repo, 5)
    assert azconf("-C", repo, "render", "--env", "prod", "--target", "flagd", env=env).returncode == 0
    assert versions(azconf, repo, env)[0]["ref"] == "prod@2"  # the rendered content was new
    assert versions(azconf, repo, env)[0]["message"] == "render"
    rendered = azconf("-C", repo, "show", "--env", "prod@rendered", "services.payments.replicas", env=env)
    assert rendered.stdout.strip() == "5"
    back = azconf("-C", repo, "render", "--from", "prod@1", "--target", "flagd", env=env)
    assert back.returncode == 0, back.stderr
    rendered = azconf("-C", repo, "show", "--env", "prod@rendered", "services.payments.replicas", env=env)
    assert rendered.stdout.strip() == "4"
    targets = azconf("-C", repo, "audit", "--resource", "render", "--format", "json", env=env).json()[
        "entries"
    ]
    assert [(e["action"], e["resource_id"], e["version"], e["note"]) for e in targets] == [
        ("render", "render.flagd", "prod@2", "from the working tree"),
        ("render", "render.flagd", "prod@1", "from history: prod@1, a rollback"),
    ]
    assert targets[1]["old_value"] == {"version": "prod@2"}
    assert targets[1]["new_value"]["folder"] == "deploy/prod/flagd"
    assert azconf("-C", repo, "audit", "verify", env=env).returncode == 0


# --------------------------------------------------------------------------------------------------
# The audit log


def test_audit_lists_and_filters(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    azconf("-C", repo, "commit", "-e", "dev", "-e", "prod", env=env)
    set_replicas(repo, 5)
    azconf("-C", repo, "commit", "-e", "prod", "--actor", "bob", env=env)
    listing = azconf("-C", repo, "audit", "--actor", "bob", env=env)
    (line,) = listing.stdout.splitlines()
    assert line.startswith("#101  ") and line.endswith(
        "  bob  commit  service services.payments  changed  prod@2"
    )
    entries = azconf(
        "-C", repo, "audit", "--env", "prod", "--resource", "services.payments", "-f", "json", env=env
    )
    found = entries.json()["entries"]
    assert [e["version"] for e in found] == ["prod@1", "prod@2"]
    assert found[1]["old_value"]["replicas"] == 4 and found[1]["new_value"]["replicas"] == 5
    assert found[1]["prev_hash"] != found[1]["hash"] and len(found[1]["hash"]) == 64
    assert str(uuid.UUID(found[1]["id"])) == found[1]["id"]
    assert found[1]["user_agent"].startswith("azconf/")
    assert azconf("-C", repo, "audit", "--since", "1d", "-n", "3", env=env).stdout.count("\n") == 3
    assert azconf("-C", repo, "audit", "--since", "2999-01-01", env=env).stdout == "no audit entries\n"
    bad = azconf("-C", repo, "audit", "--since", "yesterday", env=env)
    assert bad.returncode == 2 and '--since "yesterday": not a time' in bad.stderr


def test_verify_an_intact_log_and_its_anchor(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    assert azconf("-C", repo, "audit", "verify", env=env).stdout == "audit log intact: no entries yet\n"
    azconf("-C", repo, "commit", env=env)
    ok = azconf("-C", repo, "audit", "verify", env=env)
    assert ok.returncode == 0 and ok.stdout.startswith("audit log intact: 150 entries, head ")
    head = ok.stdout.split()[-1]
    set_replicas(repo, 5)
    azconf("-C", repo, "commit", env=env)
    assert azconf("-C", repo, "audit", "verify", "--anchor", head, env=env).returncode == 0
    lost = azconf("-C", repo, "audit", "verify", "--anchor", "ab" * 32, "--format", "json", env=env)
    assert lost.returncode == 1 and lost.json()["problem"]["kind"] == "rewritten"


def _history_for_tampering(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> sqlite3.Connection:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    set_replicas(repo, 5)
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    set_replicas(repo, 6)
    azconf("-C", repo, "commit", "-e", "prod", env=env)  # 52 entries: 50 created, 2 changes
    return sqlite3.connect(db_path(repo), isolation_level=None)


def _entry_id(db: sqlite3.Connection, seq: int) -> str:
    return str(uuid.UUID(bytes=db.execute("SELECT id FROM audit WHERE seq = ?", (seq,)).fetchone()[0]))


TAMPERING = {
    "update a value": (
        "UPDATE blobs SET json = replace(json, '\"replicas\":5', '\"replicas\":50')"
        " WHERE id = (SELECT new_blob FROM audit WHERE seq = 51)",
        51,
        "edited",
    ),
    "update an actor": ("UPDATE operations SET actor = 'mallory' WHERE id = 3", 52, "edited"),
    "delete an entry": ("DELETE FROM audit WHERE seq = 20", 20, "deleted"),
    "delete the last entry": ("DELETE FROM audit WHERE seq = 52", 52, "truncated"),
    "swap two entries": (
        "UPDATE audit SET seq = 0 WHERE seq = 30; UPDATE audit SET seq = 30 WHERE seq = 31;"
        " UPDATE audit SET seq = 31 WHERE seq = 0",
        30,
        "reordered",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_caught_and_named(azconf: RunAzconf, repo: Path, env: dict[str, str], name: str) -> None:
    sql, seq, kind = TAMPERING[name]
    db = _history_for_tampering(azconf, repo, env)
    # Named: the entry at fault (for a swap, the one that now sits at the lower place).
    named = {"edited": seq, "reordered": seq + 1}.get(kind)
    named_id = _entry_id(db, named) if named else None
    db.executescript(sql)
    db.close()
    run = azconf("-C", repo, "audit", "verify", env=env)
    assert run.returncode == 1
    assert run.stderr.startswith("audit log broken: entr")
    assert f"#{seq}" in run.stderr
    if named_id:
        assert named_id in run.stderr
    document = azconf("-C", repo, "audit", "verify", "--format", "json", env=env).json()
    assert (document["ok"], document["problem"]["kind"], document["problem"]["seq"]) == (False, kind, seq)


def test_a_forged_entry_is_caught(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    db = _history_for_tampering(azconf, repo, env)
    forged = uuid.uuid4()
    db.execute(
        "INSERT INTO audit (seq, id, operation_id, resource_type, resource_id, new_blob, hash)"
        " VALUES (53, ?, 3, 'flag', 'flags.backdoor', 1, ?)",
        (forged.bytes, secrets.token_bytes(32)),
    )
    db.close()
    run = azconf("-C", repo, "audit", "verify", env=env)
    assert run.returncode == 1
    assert f"entry #53 ({forged}) was inserted" in run.stderr


# --------------------------------------------------------------------------------------------------
# Reliability: concurrent commits, SIGKILL


def _popen_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [azconf_executable(), "-C", str(repo), "commit", "-e", "prod", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _check_consistent(db: Path) -> list[int]:
    """PRAGMA integrity_check is ok, versions are 1..n, every version is whole; returns the numbers."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        numbers = [
            n for (n,) in conn.execute("SELECT number FROM versions WHERE env = 'prod' ORDER BY number")
        ]
        assert numbers == list(range(1, len(numbers) + 1))
        # No half version: every version has its entries and an operation with its audit entries.
        half = conn.execute(
            "SELECT v.number FROM versions AS v"
            " WHERE v.changes != (SELECT count(*) FROM entries WHERE version_id = v.id)"
            " OR NOT EXISTS (SELECT 1 FROM operations WHERE version_id = v.id)"
        ).fetchall()
        assert half == []
        audited = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        assert audited == conn.execute("SELECT coalesce(sum(changes), 0) FROM versions").fetchone()[0]
    return numbers


def test_two_commits_at_once(azconf: RunAzconf, repo: Path, env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(repo, other)
    shared = tmp_path / "shared.db"
    both = {**env, "AZCONF_DB": str(shared)}
    for round_ in range(4):
        set_replicas(repo, 10 + round_)
        set_replicas(other, 20 + round_)
        first, second = _popen_commit(repo, both), _popen_commit(other, both)
        for process in (first, second):
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode()
            assert b"recorded prod@" in out, out
    assert _check_consistent(shared) == list(range(1, 9))
    listed = versions(azconf, repo, both, "--env", "prod")
    assert [v["parent"] for v in reversed(listed)] == [None, 1, 2, 3, 4, 5, 6, 7]
    assert azconf("-C", repo, "audit", "verify", env=both).returncode == 0


def test_reading_history_does_not_import_sqlite_utils(
    azconf: RunAzconf, repo: Path, env: dict[str, str]
) -> None:
    # sqlite-utils scans every installed package for plugins when imported: only writes need it.
    assert azconf("-C", repo, "commit", env=env).returncode == 0
    for args in (["log"], ["show", "--env", "prod@latest", "services.web.replicas"], ["audit", "verify"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "azconf", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}
        assert "azconf.history.store" in imported  # the measurement works: history was read
        assert "sqlite_utils" not in imported, args


def test_many_first_commits_at_once_create_one_history(
    repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # Creating the database switches it to WAL, which needs it to itself; SQLite answered a collision
    # there with an immediate "locked" (about once in 20 pairs), which azconf now retries.
    copies = []
    for number in range(6):
        copy = tmp_path / f"copy{number}"
        shutil.copytree(repo, copy)
        set_replicas(copy, 40 + number)
        copies.append(copy)
    for attempt in range(3):
        shared = tmp_path / f"fresh{attempt}.db"
        both = {**env, "AZCONF_DB": str(shared)}
        processes = [_popen_commit(copy, both) for copy in copies]
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode()
        assert _check_consistent(shared) == list(range(1, len(copies) + 1))


def test_a_commit_waits_for_the_one_holding_the_lock(repo: Path, env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(repo, other)
    set_replicas(repo, 10)
    set_replicas(other, 20)
    holder = _popen_commit(repo, {**env, "AZCONF_TEST_PAUSE_IN_COMMIT": "version:2"})
    assert holder.stderr is not None and holder.stderr.readline() == b"azconf: test pause at version\n"
    waiter = _popen_commit(other, {**env, "AZCONF_DB": str(db_path(repo))})  # starts while the lock is held
    held_out, _ = holder.communicate(timeout=120)
    waited_out, waited_err = waiter.communicate(timeout=120)
    assert holder.returncode == 0 and held_out.startswith(b"prod: recorded prod@1 ")
    assert waiter.returncode == 0, waited_err.decode()
    assert waited_out.startswith(b"prod: recorded prod@2 ")
    assert _check_consistent(db_path(repo)) == [1, 2]


@pytest.mark.parametrize("point", ["blobs", "version", "audit"])
def test_sigkill_inside_the_transaction(
    azconf: RunAzconf, repo: Path, env: dict[str, str], point: str
) -> None:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    set_replicas(repo, 7)
    process = _popen_commit(repo, {**env, "AZCONF_TEST_PAUSE_IN_COMMIT": f"{point}:60"})
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line == f"azconf: test pause at {point}\n".encode(), line
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _check_consistent(db_path(repo)) == [1]  # the killed commit left nothing
    assert azconf("-C", repo, "audit", "verify", env=env).returncode == 0
    after = azconf("-C", repo, "commit", "-e", "prod", env=env)
    assert after.stdout.startswith("prod: recorded prod@2 "), after.stderr
    assert _check_consistent(db_path(repo)) == [1, 2]
    assert azconf("-C", repo, "audit", "verify", env=env).returncode == 0


def test_sigkill_at_random_moments(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    started = time.perf_counter()
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    typical = time.perf_counter() - started  # how long one commit runs here
    rng = random.Random(1234)
    for attempt in range(20):
        set_replicas(repo, 100 + attempt)
        process = _popen_commit(repo, env)
        time.sleep(rng.uniform(0.3, 1.1) * typical)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        _check_consistent(db_path(repo))
    assert azconf("-C", repo, "audit", "verify", env=env).returncode == 0
    set_replicas(repo, 99)
    after = azconf("-C", repo, "commit", "-e", "prod", env=env)
    assert after.returncode == 0 and " recorded prod@" in after.stdout
    assert azconf("-C", repo, "audit", "verify", env=env).returncode == 0


# --------------------------------------------------------------------------------------------------
# A database that cannot be used


def test_a_database_from_a_newer_azconf(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    with contextlib.closing(sqlite3.connect(db_path(repo), isolation_level=None)) as db:
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    for args in (("log",), ("commit",), ("show", "--env", "prod@1")):
        run = azconf("-C", repo, *args, env=env)
        assert run.returncode == 1
        assert "was written by a newer azconf" in run.stderr and "history schema 3" in run.stderr
        assert "hint: upgrade azconf" in run.stderr


def test_a_corrupt_file(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    db_path(repo).parent.mkdir()
    db_path(repo).write_bytes(os.urandom(8192))
    for args in (("log",), ("commit", "-e", "prod"), ("audit", "verify")):
        run = azconf("-C", repo, *args, env=env)
        assert run.returncode == 1
        assert "is not an azconf history database, or it is damaged" in run.stderr


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable; for root, whom permissions do not stop, with the immutable flag."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_location(azconf: RunAzconf, repo: Path, env: dict[str, str]) -> None:
    with read_only(repo):
        run = azconf("-C", repo, "commit", "-e", "prod", env=env)
    assert run.returncode == 1
    assert f"cannot create the history database {db_path(repo)}" in run.stderr
    azconf("-C", repo, "commit", "-e", "prod", env=env)
    set_replicas(repo, 5)
    with read_only(db_path(repo).parent):
        denied = azconf("-C", repo, "commit", "-e", "prod", env=env)
        readable = azconf("-C", repo, "log", env=env)  # reading a read-only checkout still works
        shown = azconf("-C", repo, "show", "--env", "prod@1", "services.payments.replicas", env=env)
    assert denied.returncode == 1
    assert f"cannot use the history database {db_path(repo)}" in denied.stderr
    assert "hint: check that the file and its folder can be written" in denied.stderr
    assert readable.returncode == 0 and readable.stdout.startswith("prod@1 ")
    assert shown.stdout.strip() == "4"


# --------------------------------------------------------------------------------------------------
# Redaction


def test_allow_listed_secrets_never_reach_the_database(
    azconf: RunAzconf, repo: Path, env: dict[str, str]
) -> None:
    listed, inline = "tok-" + secrets.token_hex(12), "pw-" + secrets.token_hex(12)
    with (repo / "azconf.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(
            "secrets:\n  allow:\n    - path: services.web.env.DEMO_TOKEN\n"
            "      reason: revoked demo token for the offline tutorial\n"
        )
    services = repo / "config/base/services.yaml"
    extra = (
        f"      NODE_ENV: production\n      DEMO_TOKEN: {listed}\n"
        f"      LOCAL_PASSWORD: {inline}   # azconf:allow-secret fake, dev-only\n"
    )
    services.write_text(
        services.read_text(encoding="utf-8").replace("      NODE_ENV: production\n", extra, 1),
        encoding="utf-8",
    )
    assert azconf("-C", repo, "validate", env=env).returncode == 0
    assert azconf("-C", repo, "commit", env=env).returncode == 0
    assert azconf("-C", repo, "render", "--env", "prod", "--target", "flagd", env=env).returncode == 0
    files = [p for p in db_path(repo).parent.iterdir() if p.name.startswith("history.db")]
    for path in files:
        data = path.read_bytes()
        assert listed.encode() not in data and inline.encode() not in data, path
    shown = azconf(
        "-C", repo, "show", "--env", "prod@1", "services.web.env", "--format", "json", env=env
    ).json()
    assert shown["DEMO_TOKEN"].startswith("<redacted sha256:") and shown["LOCAL_PASSWORD"].startswith(
        "<redacted"
    )
    log = azconf("-C", repo, "audit", "--format", "json", env=env).stdout
    assert listed not in log and inline not in log
