"""Fixtures of the history tests: a copy of the example project and an open store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from azconf.config.project import Project, load_project
from azconf.history.actor import Who
from azconf.history.store import Store, connect

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azora"
WHO = Who("tester@example.com", "testhost", "azconf/test", None)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A copy of examples/azora, its history in .azconf/history.db (AZCONF_DB unset)."""
    monkeypatch.delenv("AZCONF_DB", raising=False)
    monkeypatch.setenv("AZCONF_ACTOR", "tester@example.com")
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    loaded, _ = load_project(root)
    assert loaded is not None
    return loaded


@pytest.fixture
def who() -> Who:
    """Who the tests record as."""
    return WHO


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty history database."""
    with connect(tmp_path / "history.db", create=True) as opened:
        assert opened is not None
        yield opened
