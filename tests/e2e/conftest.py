"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from azconf_e2e import EXAMPLE, Run, RunAzconf, run_azconf
from health_e2e import make_healthy
from webhook_receiver import Receiver, running


@pytest.fixture
def azconf(tmp_path: Path) -> RunAzconf:
    """``azconf(*args, cwd=...)``: the real command, with its crash log kept inside tmp_path."""
    base_env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".cache"), "NO_COLOR": "1"}

    def run(*args: str | os.PathLike[str], env: Mapping[str, str] | None = None, **kwargs: Any) -> Run:
        return run_azconf(*args, env={**base_env, **(env or {})}, **kwargs)

    return run


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example project (no history, no rendered output)."""
    root = tmp_path / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    return root


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback that accepts everything."""
    with running(Receiver()) as found:
        yield found


@pytest.fixture
def healthy(azconf: RunAzconf, repo: Path) -> Path:
    """The example with a health section, no expired flag, every environment committed, prod rendered."""
    return make_healthy(azconf, repo)
