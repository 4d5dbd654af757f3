"""Writes the file system refuses, links, and hand edits after a crash: a failed write leaves the
files and history as they were, with an error that names the file (issue 12's walkthrough)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

from azconf_e2e import RunAzconf, azconf_executable

JOURNAL = ".azconf/edit-journal.json"


def read_only(mounts: list[Path], args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run azconf with each of ``mounts`` bind-mounted read-only, in a mount namespace of its own
    (works for root too, which file modes do not stop)."""
    steps = [
        f"mount --bind {shlex.quote(str(m))} {shlex.quote(str(m))} && "
        f"mount -o remount,ro,bind {shlex.quote(str(m))}"
        for m in mounts
    ]
    command = " && ".join([*steps, shlex.join([azconf_executable(), *args])])
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def versions(azconf: RunAzconf, project: Path, env: str) -> list[int]:
    run = azconf("-C", project, "log", "--env", env, "--format", "json")
    assert run.returncode == 0, run.stderr
    return [v["number"] for v in run.json()["versions"]]


def prod_files(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "config/envs/prod").glob("*.yaml"))}


def test_a_read_only_overlay_is_a_clear_error_and_leaves_nothing_behind(
    azconf: RunAzconf, tmp_path: Path
) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    project = tmp_path / "p"
    assert azconf("-C", project, "commit", "-m", "base").returncode == 0
    before = prod_files(project)

    run = read_only(
        [project / "config/envs/prod"], ["set", "prod", "services.web.replicas", "8", "--yes"], project
    )

    assert run.returncode == 1, run.stderr
    assert "cannot write config/envs/prod/" in run.stderr and "Read-only file system" in run.stderr
    assert "nothing was written" in run.stderr and "Traceback" not in run.stderr
    assert not (project / JOURNAL).exists()
    after = azconf("-C", project, "validate")
    assert "interrupted" not in after.stderr + after.stdout
    assert prod_files(project) == before and versions(azconf, project, "prod") == [1]


def test_a_read_only_history_folder_is_a_clear_error(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    project = tmp_path / "p"
    assert azconf("-C", project, "commit", "-m", "base").returncode == 0

    run = read_only([project / ".azconf"], ["set", "prod", "services.web.replicas", "8", "--yes"], project)

    assert run.returncode == 1, run.stderr
    assert "cannot write .azconf/edit.lock: Read-only file system" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_write_refused_after_its_first_file_puts_that_file_back(azconf: RunAzconf, repo: Path) -> None:
    """`promote staging prod` writes flags.yaml, then services.yaml; the second is a read-only mount."""
    assert azconf("-C", repo, "commit", "-m", "base").returncode == 0
    before = prod_files(repo)
    services = repo / "config/envs/prod/services.yaml"

    run = read_only([services], ["promote", "staging", "prod", "--yes", "-m", "release"], repo)

    assert run.returncode == 1, run.stderr
    assert "cannot write config/envs/prod/services.yaml" in run.stderr
    assert prod_files(repo) == before  # flags.yaml was written, then given its old text again
    assert not (repo / JOURNAL).exists()
    assert versions(azconf, repo, "prod") == [1]


def test_a_symlinked_overlay_is_refused_not_replaced(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    project = tmp_path / "p"
    overlay = project / "config/envs/prod/services.yaml"
    shared = tmp_path / "shared.yaml"
    shared.write_text(overlay.read_text())
    overlay.unlink()
    overlay.symlink_to(shared)

    run = azconf("-C", project, "set", "prod", "services.web.replicas", "7", "--yes")

    assert run.returncode == 1
    assert "config/envs/prod/services.yaml is a symbolic link" in run.stderr
    assert overlay.is_symlink() and "replicas: 7" not in shared.read_text()


def test_a_hand_edit_after_a_crash_keeps_the_edit_and_undoes_the_rest(azconf: RunAzconf, repo: Path) -> None:
    """Killed after flags.yaml was written; the person then edits services.yaml (not yet written)."""
    assert azconf("-C", repo, "commit", "-m", "base").returncode == 0
    before = prod_files(repo)
    process = subprocess.Popen(
        [azconf_executable(), "-C", str(repo), "promote", "staging", "prod", "--yes"],
        stderr=subprocess.PIPE,
        env={**os.environ, "AZCONF_TEST_PAUSE_IN_EDIT": "file:30"},
    )
    assert process.stderr is not None and b"test pause" in process.stderr.readline()
    process.send_signal(signal.SIGKILL)
    process.wait()
    services = repo / "config/envs/prod/services.yaml"
    edited = services.read_text() + "# reviewed by hand\n"
    services.write_text(edited)

    run = azconf("-C", repo, "validate")

    assert run.returncode == 1
    assert "config/envs/prod/services.yaml changed by hand since" in run.stderr
    assert "other files were rolled back" in run.stderr
    assert services.read_text() == edited
    assert prod_files(repo)["flags.yaml"] == before["flags.yaml"]
    (repo / JOURNAL).unlink()  # what the hint says to do once the file is as wanted
    assert azconf("-C", repo, "validate").returncode == 0
