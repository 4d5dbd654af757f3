"""File modes (issue 13, item 5): the history (it holds the audit log) and the crash log are private;
rendered files get the mode any tool's new files get under the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from azconf_e2e import RunAzconf


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_the_history_and_its_wal_are_private_whatever_the_umask(
    azconf: RunAzconf, repo: Path, tmp_path: Path, umask: int
) -> None:
    db = tmp_path / "state" / "history.db"
    run = azconf(
        "-C", repo, "commit", "-m", "first", env={"AZCONF_DB": str(db)}, preexec_fn=lambda: os.umask(umask)
    )
    assert run.returncode == 0, run.stderr
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700
    for companion in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        if companion.exists():
            assert mode(companion) == 0o600, companion


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_rendered_files_honour_the_umask(
    azconf: RunAzconf, repo: Path, tmp_path: Path, umask: int, expected: int
) -> None:
    out = tmp_path / "out"
    run = azconf(
        "-C", repo, "render", "--env", "prod", "--out", out,
        env={"AZCONF_DB": str(tmp_path / "h.db")}, preexec_fn=lambda: os.umask(umask),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    files = [path for path in out.rglob("*") if path.is_file()]
    assert len(files) > 40
    assert {mode(path) for path in files} == {expected}


def test_an_existing_rendered_file_keeps_its_mode(azconf: RunAzconf, repo: Path, tmp_path: Path) -> None:
    out, env = tmp_path / "out", {"AZCONF_DB": str(tmp_path / "h.db")}
    assert azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env).returncode == 0
    chosen = out / "kubernetes" / "kustomization.yaml"
    chosen.chmod(0o640)
    services = repo / "config" / "envs" / "prod" / "services.yaml"
    services.write_text(services.read_text(encoding="utf-8").replace("replicas: 6", "replicas: 5", 1))
    assert azconf("-C", repo, "render", "--env", "prod", "--out", out, env=env).returncode == 0
    assert mode(chosen) == 0o640


def test_the_crash_log_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from azconf.cli import boundary

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    old = tmp_path / "cache" / "azconf" / "crash.log"
    old.parent.mkdir(parents=True)
    old.write_text("old\n")
    old.chmod(0o644)
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        log = boundary._write_crash_log()
    assert log == old and mode(log) == 0o600 and "a bug" in log.read_text()
