"""Local resolution: the value behind an ``env://`` or ``keyring://`` reference, on this machine only.

Two schemes resolve here: ``env://VAR`` from this process's environment, and
``keyring://service/username`` through the ``keyring`` library (imported lazily: most commands never
touch a keyring, and its backend discovery costs start-up time). ``vault://`` and ``k8s://`` live in
the cluster; they are never resolved locally, and saying so is part of the answer.

A resolved value is a :class:`SecretText`, whose ``repr`` and ``str`` are redacted, so that a value
which reaches a log line, an f-string or a traceback by mistake shows as ``***``. Only
:meth:`SecretText.reveal` gives the value, and only the code that hands it to a child process calls it.
Nothing in this module prints, and no message it builds contains a value.

Errors::

    SecretUnavailable    a reference that cannot be resolved here; ``reason`` says why
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from azconf.secrets.refs import EnvRef, KeyringRef, SecretRef


class SecretText:
    """A secret value that does not show itself: ``str()`` and ``repr()`` give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself; call it only to hand the value to its consumer."""
        return self._value

    def __repr__(self) -> str:
        return "SecretText('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretText) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SecretUnavailable(Exception):
    """A reference that cannot be resolved on this machine; ``reason`` never contains a value."""

    def __init__(self, ref: SecretRef, reason: str) -> None:
        super().__init__(f"{ref}: {reason}")
        self.ref = ref
        self.reason = reason


class State(StrEnum):
    """What a local check of one reference found."""

    AVAILABLE = "available"  # resolvable here
    MISSING = "missing"  # a local scheme, but nothing there
    REMOTE = "remote"  # vault:// or k8s://: resolved in the cluster, not here


@dataclass(frozen=True, slots=True)
class Availability:
    """The outcome of checking one reference locally: its state and a sentence (never the value)."""

    ref: SecretRef
    state: State
    detail: str


REMOTE_DETAIL = {
    "vault": "held in Vault and resolved in the cluster, not on this machine",
    "k8s": "held in a Kubernetes Secret and resolved in the cluster, not on this machine",
}


def resolve(ref: SecretRef, *, environ: Mapping[str, str] | None = None) -> SecretText:
    """The value behind a local reference; raises :class:`SecretUnavailable` when there is none."""
    if isinstance(ref, EnvRef):
        return _resolve_env(ref, os.environ if environ is None else environ)
    if isinstance(ref, KeyringRef):
        return _resolve_keyring(ref)
    raise SecretUnavailable(ref, REMOTE_DETAIL.get(ref.scheme, "not resolvable locally"))


def availability(ref: SecretRef, *, environ: Mapping[str, str] | None = None) -> Availability:
    """Whether ``ref`` resolves here, without handing out the value."""
    if not ref.local:
        return Availability(ref, State.REMOTE, REMOTE_DETAIL.get(ref.scheme, "not resolvable locally"))
    try:
        resolve(ref, environ=environ)
    except SecretUnavailable as missing:
        return Availability(ref, State.MISSING, missing.reason)
    return Availability(ref, State.AVAILABLE, _found_where(ref))


def _found_where(ref: SecretRef) -> str:
    if isinstance(ref, KeyringRef):
        return f"found in the keyring ({keyring_backend_name()})"
    return "set in the environment"


def _resolve_env(ref: EnvRef, environ: Mapping[str, str]) -> SecretText:
    value = environ.get(ref.var)
    if value is None:
        raise SecretUnavailable(ref, f"the environment variable {ref.var} is not set")
    # An empty secret is almost always an `export VAR=` gone wrong; failing here beats a service
    # that starts and then fails to authenticate.
    if value == "":
        raise SecretUnavailable(ref, f"the environment variable {ref.var} is set but empty")
    return SecretText(value)


def load_keyring() -> Any:
    """The ``keyring`` module, imported on first use."""
    import keyring  # lazily: backend discovery scans entry points and may talk to D-Bus

    return keyring


def keyring_backend_name() -> str:
    """The keyring backend in use, e.g. ``keyrings.alt.file.PlaintextKeyring``."""
    backend = load_keyring().get_keyring()
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _resolve_keyring(ref: KeyringRef) -> SecretText:
    try:
        value = load_keyring().get_password(ref.service, ref.username)
    except Exception as error:  # backends raise their own errors (D-Bus, locked stores, no backend)
        raise SecretUnavailable(ref, keyring_failure(error)) from None
    if value is None:
        reason = (
            f'no entry for service "{ref.service}", username "{ref.username}" in the keyring '
            f"({keyring_backend_name()}); store one with `azconf secrets set {ref}`"
        )
        raise SecretUnavailable(ref, reason)
    if value == "":
        raise SecretUnavailable(ref, "the keyring entry is empty")
    return SecretText(value)


def keyring_failure(error: Exception) -> str:
    """A sentence about a keyring that failed; the message of keyring's own errors is kept."""
    from keyring.errors import KeyringError, NoKeyringError

    if isinstance(error, NoKeyringError):
        return (
            "no keyring backend is available on this machine; install one or configure keyring "
            "(see docs/secrets.md, 'Keyring backends')"
        )
    # Keyring's own errors describe the store (locked, not initialised); other exceptions come from
    # backend internals, whose text we do not control, so only their type is shown.
    detail = str(error) if isinstance(error, KeyringError) and str(error) else type(error).__name__
    return f"the keyring could not be read ({detail})"
