"""A real keyring for the unit tests: keyrings.alt's file backend, chosen by keyring's own config file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring_config import FILE_BACKEND, use_keyring_config


@pytest.fixture
def file_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A PlaintextKeyring in tmp_path; yields the file it keeps its entries in."""
    use_keyring_config(monkeypatch, tmp_path / "keyring", FILE_BACKEND)
    assert type(keyring.get_keyring()).__name__ == "PlaintextKeyring"
    yield tmp_path / "keyring" / "data" / "python_keyring" / "keyring_pass.cfg"
