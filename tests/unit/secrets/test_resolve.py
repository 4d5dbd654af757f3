"""Local resolution of env:// and keyring:// references, against a real file keyring."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring_config import use_keyring_config

from azconf.secrets.keyring_store import judge, store, usable_backend
from azconf.secrets.refs import KeyringRef, parse_reference
from azconf.secrets.resolve import (
    SecretText,
    SecretUnavailable,
    State,
    availability,
    keyring_backend_name,
    resolve,
)


def keyring_ref(text: str) -> KeyringRef:
    ref = parse_reference(text)
    assert isinstance(ref, KeyringRef)
    return ref


# -- SecretText ----------------------------------------------------------------------------------


def test_secret_text_hides_its_value_everywhere_but_reveal() -> None:
    text = SecretText("hunter2-value")
    assert text.reveal() == "hunter2-value"
    shown_as = (
        str(text),
        repr(text),
        f"{text}",
        f"{text!r}",
        format(text),
        str([text]),
        str({"k": text}),
    )
    for shown in shown_as:
        assert "hunter2" not in shown
    assert SecretText("a") == SecretText("a") != SecretText("b")


# -- env:// --------------------------------------------------------------------------------------


def test_env_reference_resolves_from_the_given_environment() -> None:
    ref = parse_reference("env://DB_PASSWORD")
    assert resolve(ref, environ={"DB_PASSWORD": "pw-1"}).reveal() == "pw-1"


def test_env_reference_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZCONF_TEST_SECRET", "from-os")
    assert resolve(parse_reference("env://AZCONF_TEST_SECRET")).reveal() == "from-os"


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({}, "the environment variable DB_PASSWORD is not set"),
        ({"DB_PASSWORD": ""}, "the environment variable DB_PASSWORD is set but empty"),
    ],
)
def test_env_reference_missing_or_empty(environ: dict[str, str], reason: str) -> None:
    ref = parse_reference("env://DB_PASSWORD")
    with pytest.raises(SecretUnavailable) as caught:
        resolve(ref, environ=environ)
    assert caught.value.reason == reason
    assert availability(ref, environ=environ).state is State.MISSING


def test_availability_never_carries_the_value() -> None:
    found = availability(parse_reference("env://TOKEN"), environ={"TOKEN": "tok-value-123"})
    assert found.state is State.AVAILABLE
    assert found.detail == "set in the environment"
    assert "tok-value-123" not in repr(found)


# -- vault:// and k8s:// -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [("vault://kv/azora/db#password", "held in Vault"), ("k8s://app-secrets/KEY", "Kubernetes Secret")],
)
def test_remote_references_are_not_resolved_locally(text: str, where: str) -> None:
    ref = parse_reference(text)
    with pytest.raises(SecretUnavailable) as caught:
        resolve(ref, environ={})
    assert where in caught.value.reason
    assert "not on this machine" in caught.value.reason
    found = availability(ref, environ={})
    assert (found.state, found.detail) == (State.REMOTE, caught.value.reason)


# -- keyring:// with a real backend -----------------------------------------------------------------


def test_store_then_resolve_through_the_file_keyring(file_keyring: Path) -> None:
    ref = keyring_ref("keyring://azora/db-password")
    backend = usable_backend(ref, allow_insecure=True)  # a plaintext file: allowed for the test
    assert backend.name == "keyrings.alt.file.PlaintextKeyring"
    store(ref, "s3cret value", backend)
    assert file_keyring.is_file()
    assert "s3cret value" not in file_keyring.read_text(encoding="utf-8")  # base64 in this backend
    assert resolve(ref).reveal() == "s3cret value"
    found = availability(ref)
    assert (found.state, found.detail) == (
        State.AVAILABLE,
        "found in the keyring (keyrings.alt.file.PlaintextKeyring)",
    )


def test_absent_keyring_entry(file_keyring: Path) -> None:
    ref = keyring_ref("keyring://azora/nobody")
    with pytest.raises(SecretUnavailable) as caught:
        resolve(ref)
    assert caught.value.reason == (
        'no entry for service "azora", username "nobody" in the keyring '
        "(keyrings.alt.file.PlaintextKeyring); store one with `azconf secrets set keyring://azora/nobody`"
    )


def test_empty_keyring_entry_is_missing(file_keyring: Path) -> None:
    ref = keyring_ref("keyring://azora/empty")
    store(ref, "", usable_backend(ref, allow_insecure=True))
    assert availability(ref).detail == "the keyring entry is empty"


def test_no_keyring_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_keyring_config(monkeypatch, tmp_path, "keyring.backends.fail.Keyring")
    ref = keyring_ref("keyring://azora/db")
    for attempt in (lambda: resolve(ref), lambda: store(ref, "value", judge(keyring_backend_name()))):
        with pytest.raises(SecretUnavailable) as caught:
            attempt()
        assert "no keyring backend is available on this machine" in caught.value.reason
    assert keyring_backend_name() == "keyring.backends.fail.Keyring"


def test_a_failing_backend_shows_its_error_type_not_its_text(
    monkeypatch: pytest.MonkeyPatch, file_keyring: Path
) -> None:
    import keyring

    def broken(_service: str, _username: str) -> str:
        raise OSError("backend internals: /run/user/0/bus")

    monkeypatch.setattr(keyring.get_keyring(), "get_password", broken)
    with pytest.raises(SecretUnavailable) as caught:
        resolve(keyring_ref("keyring://azora/db"))
    assert caught.value.reason == "the keyring could not be read (OSError)"
