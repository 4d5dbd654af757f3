"""Which keyring backends ``secrets set`` stores into, judged by name, and the store itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring_config import FILE_BACKEND, use_keyring_config

from azconf.secrets.keyring_store import ALLOW_FLAG, InsecureKeyring, judge, store, usable_backend
from azconf.secrets.refs import parse_reference

REF = parse_reference("keyring://azora/db")


@pytest.mark.parametrize(
    "name",
    [
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
        "keyrings.alt.file.EncryptedKeyring",
    ],
)
def test_os_stores_and_encrypted_files_are_fine(name: str) -> None:
    assert judge(name).unsafe is None and judge(name).can_store


@pytest.mark.parametrize("name", ["keyrings.alt.file.PlaintextKeyring", "keyrings.alt.pyfs.PlaintextKeyring"])
def test_plaintext_backends_are_unsafe_but_can_store(name: str) -> None:
    backend = judge(name)
    assert backend.unsafe is not None and "unencrypted" in backend.unsafe and backend.can_store


@pytest.mark.parametrize("name", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"])
def test_null_and_fail_cannot_store(name: str) -> None:
    assert not judge(name).can_store


def test_a_plaintext_keyring_is_refused_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, file_keyring: Path
) -> None:
    with pytest.raises(InsecureKeyring) as refused:
        usable_backend(REF)
    assert refused.value.backend.name == FILE_BACKEND and ALLOW_FLAG in refused.value.hint
    backend = usable_backend(REF, allow_insecure=True)
    store(REF, "s3cret-value", backend)
    assert file_keyring.exists()


def test_the_null_keyring_is_refused_even_when_allowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_keyring_config(monkeypatch, tmp_path, "keyring.backends.null.Keyring")
    with pytest.raises(InsecureKeyring) as refused:
        usable_backend(REF, allow_insecure=True)
    assert ALLOW_FLAG not in refused.value.hint
