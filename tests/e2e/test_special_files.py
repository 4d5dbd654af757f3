"""Only regular files are read, and never beyond a bound (issue 13, item 6): a config, schema or
manifest path that leads to ``/dev/zero``, ``/dev/urandom`` or a FIFO is a located error, at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from azconf_e2e import RunAzconf

SPECIAL = ["/dev/zero", "/dev/urandom", "fifo"]


def special(path: Path, kind: str) -> None:
    """Make ``path`` a symlink to the device ``kind``, or a FIFO nobody writes to."""
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind)


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_config_file_that_is_not_a_regular_file(azconf: RunAzconf, repo: Path, kind: str) -> None:
    special(repo / "config" / "base" / "flags.yaml", kind)
    run = azconf("-C", repo, "validate", timeout=10)
    assert run.returncode == 1, run.stderr
    assert "config/base/flags.yaml:" in run.stdout and "AZC0101" in run.stdout
    assert "not a regular file" in run.stdout


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_schema_file_that_is_not_a_regular_file(azconf: RunAzconf, repo: Path, kind: str) -> None:
    special(repo / "schemas" / "settings.schema.json", kind)
    run = azconf("-C", repo, "validate", timeout=10)
    assert run.returncode == 1, run.stderr
    assert "azconf.yaml:" in run.stdout and 'cannot read schema "schemas/settings.schema.json"' in run.stdout
    assert "not a regular file" in run.stdout


@pytest.mark.parametrize("kind", SPECIAL)
def test_a_manifest_that_is_not_a_regular_file(azconf: RunAzconf, repo: Path, kind: str) -> None:
    special(repo / "azconf.yaml", kind)
    run = azconf("-C", repo, "validate", timeout=10)
    assert run.returncode in (1, 2), run.stderr
    assert "azconf.yaml" in run.stdout + run.stderr and "not a regular file" in run.stdout + run.stderr


def test_a_render_record_that_is_a_device_is_not_read(azconf: RunAzconf, repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "flagd"
    folder.mkdir(parents=True)
    special(folder / ".azconf-rendered.json", "/dev/zero")
    env = {"AZCONF_DB": str(tmp_path / "h.db")}
    run = azconf("-C", repo, "render", "--env", "prod", "--out", tmp_path / "out", env=env, timeout=10)
    assert run.returncode == 0, run.stderr
    assert (folder / "flags.flagd.json").is_file()
