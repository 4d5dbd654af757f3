"""A history database azconf cannot read, or that someone edited, is a clear error naming the file
(issue 13, item 9): once PermissionError and OperationalError crashed diff, render, commit, show
and audit."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from azconf_e2e import RunAzconf, azconf_executable

COMMANDS = [
    ("diff", "prod@1", "prod"),
    ("commit", "-m", "again"),
    ("show", "--env", "prod@1"),
    ("audit",),
    ("log",),
]


def without_privileges() -> list[str]:
    """A prefix that runs a command without root's power to ignore file permissions.

    Root keeps its uid (the interpreter may live under /root) but loses every capability, so a
    folder of mode 000 is closed to it as to any user. Not root: permissions apply already.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot drop the capability to read anything")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unreadable_history_folder_is_a_clear_error(
    azconf: RunAzconf, repo: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = {"AZCONF_ACTOR": "ci@example.com"}
    assert azconf("-C", repo, "commit", "-m", "first", env=env).returncode == 0
    folder = repo / ".azconf"
    folder.chmod(0o000)
    try:
        prefix = without_privileges()
        done = subprocess.run(
            [*prefix, azconf_executable(), "-C", str(repo), *command],
            env={**os.environ, **env, "XDG_CACHE_HOME": str(tmp_path / "cache")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        folder.chmod(0o700)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert f"cannot use the history database {folder / 'history.db'}: Permission denied" in done.stderr


@pytest.mark.parametrize(
    ("command", "column"),
    [(("show", "--env", "prod@1"), "json"), (("diff", "prod@1", "prod"), "json"), (("audit",), "new_value")],
    ids=["show", "diff", "audit"],
)
def test_a_stored_value_that_is_not_utf8_is_a_clear_error(
    azconf: RunAzconf, repo: Path, command: tuple[str, ...], column: str
) -> None:
    assert azconf("-C", repo, "commit", "-m", "first").returncode == 0
    db = repo / ".azconf" / "history.db"
    with sqlite3.connect(db) as connection:  # an edit outside azconf: bytes that are not UTF-8
        connection.execute("UPDATE blobs SET json = CAST(x'7b22ff22' AS TEXT)")
    run = azconf("-C", repo, *command)
    assert run.returncode == 1, run.stderr
    assert f"{db} is damaged: a stored value (column {column}) is not valid UTF-8" in run.stderr
    verify = azconf("-C", repo, "audit", "verify")
    assert verify.returncode == 1 and str(db) in verify.stderr + verify.stdout
