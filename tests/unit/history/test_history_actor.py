"""Who is recorded: --actor, else AZCONF_ACTOR, else git's user.email, else the OS user."""

from __future__ import annotations

import getpass
import subprocess
from pathlib import Path

import pytest

from azconf.history import actor


def git_repo(path: Path, email: str) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "config", "user.email", email], check=True)
    return path


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo", "git@example.com")
    monkeypatch.setenv("AZCONF_ACTOR", "env@example.com")
    assert actor.resolve_actor(repo, "flag@example.com") == "flag@example.com"
    assert actor.resolve_actor(repo) == "env@example.com"
    monkeypatch.delenv("AZCONF_ACTOR")
    assert actor.resolve_actor(repo) == "git@example.com"


def test_without_git_the_os_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZCONF_ACTOR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no git to be found
    assert actor.resolve_actor(tmp_path) == getpass.getuser()
    assert actor.git_commit(tmp_path) is None


def test_git_commit_of_the_project(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo", "git@example.com")
    assert actor.git_commit(repo) is None  # no commit yet
    (repo / "a").write_text("a", encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "add", "a"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "a"], check=True)
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    assert actor.git_commit(repo) == head.stdout.strip()


def test_the_user_agent_names_azconf_and_its_version() -> None:
    from azconf import __version__

    assert actor.user_agent().startswith(f"azconf/{__version__} (Python ")
    assert actor.now().endswith("Z") and len(actor.now()) == len("2026-01-01T00:00:00.000000Z")
