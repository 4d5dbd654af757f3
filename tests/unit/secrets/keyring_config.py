"""Choosing a keyring backend the way a user does: a keyringrc.cfg under XDG_CONFIG_HOME."""

from __future__ import annotations

from pathlib import Path

import keyring.core
import pytest

FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"


def use_keyring_config(monkeypatch: pytest.MonkeyPatch, home: Path, backend: str) -> None:
    """Point keyring at ``home`` and a keyringrc.cfg naming ``backend``, then let it choose again."""
    config = home / "config" / "python_keyring"
    config.mkdir(parents=True, exist_ok=True)
    (config / "keyringrc.cfg").write_text(f"[backend]\ndefault-keyring={backend}\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    # keyring caches its backend in a module global; monkeypatch restores the old one afterwards.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.core.init_backend()
