"""Storing a ``keyring://`` secret: which backend receives it, and refusing one that would not keep it safe.

The ``keyring`` library picks a backend on its own, and on a machine without an OS store it may pick
keyrings.alt's ``PlaintextKeyring`` (base64 in a file under your home folder) without a word. So
``azconf secrets set`` names the backend it stores into, and refuses:

- a plaintext backend (a class named ``PlaintextKeyring``), unless the caller allows it explicitly
  (``--allow-insecure-keyring``): fine on a throwaway machine, wrong on a laptop;
- the ``null`` backend, always: it discards every value, so nothing would be stored;
- the ``fail`` backend, always: there is no keyring at all (keyring's own error says so).

Nothing here prints; the messages never contain a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azconf.secrets.refs import KeyringRef
from azconf.secrets.resolve import SecretUnavailable, keyring_failure, load_keyring

ALLOW_FLAG = "--allow-insecure-keyring"
# Backends that cannot store at all, by module: the value would be dropped, or there is no keyring.
_CANNOT_STORE = {
    "keyring.backends.null": "it discards every value",
    "keyring.backends.fail": "no keyring backend is available on this machine",
}
_PLAINTEXT = "it keeps values unencrypted (base64) in a file any program running as you can read"
_CONFIGURE = (
    "choose a backend with PYTHON_KEYRING_BACKEND or a keyringrc.cfg "
    "(see docs/secrets.md, 'Keyring backends')"
)


@dataclass(frozen=True)
class Backend:
    """The keyring backend a value would be stored into, and why it is unsafe (None: it is fine)."""

    name: str  # module.Class, e.g. keyrings.alt.file.PlaintextKeyring
    unsafe: str | None = None
    can_store: bool = True


class InsecureKeyring(Exception):
    """The backend would not keep the value safe (or would not keep it at all); nothing was stored."""

    def __init__(self, backend: Backend, hint: str) -> None:
        super().__init__(f"refusing to store into the keyring backend {backend.name}: {backend.unsafe}")
        self.backend = backend
        self.hint = hint


def storing_backend() -> Backend:
    """The backend ``keyring.set_password`` would write to, named and judged."""
    backend: Any = load_keyring().get_keyring()
    chained = getattr(type(backend), "backends", None)
    if type(backend).__name__ == "ChainerBackend" and chained:
        backend = chained[0]  # the chainer writes to its first backend (highest priority)
    return judge(f"{type(backend).__module__}.{type(backend).__qualname__}")


def judge(name: str) -> Backend:
    """A backend by its ``module.Class`` name, with what makes it unsafe for secrets."""
    module, _, cls = name.rpartition(".")
    if module in _CANNOT_STORE:
        return Backend(name, _CANNOT_STORE[module], can_store=False)
    if "Plaintext" in cls:
        return Backend(name, _PLAINTEXT)
    return Backend(name)


def usable_backend(ref: KeyringRef, *, allow_insecure: bool = False) -> Backend:
    """The backend a value for ``ref`` would be stored into, once it is found fit to store it.

    Raises :class:`InsecureKeyring` for a backend :func:`judge` finds unsafe, unless
    ``allow_insecure`` and the backend can store at all; :class:`SecretUnavailable` when keyring
    cannot even pick one. Called before the value is asked for, so nobody types a secret in vain.
    """
    try:
        backend = storing_backend()
    except Exception as error:  # backend discovery can fail like any keyring call
        raise SecretUnavailable(ref, _written(keyring_failure(error))) from None
    if backend.unsafe is not None and not (allow_insecure and backend.can_store):
        allow = f"; or pass {ALLOW_FLAG} on a throwaway machine" if backend.can_store else ""
        raise InsecureKeyring(backend, _CONFIGURE + allow)
    return backend


def store(ref: KeyringRef, value: str, backend: Backend) -> None:
    """Store ``value`` under ``ref`` into ``backend``, from :func:`usable_backend`.

    Raises :class:`SecretUnavailable` when the keyring cannot be written.
    """
    # keyring picks its backend once per process: the one judged is the one written to.
    try:
        load_keyring().set_password(ref.service, ref.username, value)
    except Exception as error:  # see resolve._resolve_keyring
        reason = _written(keyring_failure(error))
        raise SecretUnavailable(ref, f"{reason}; backend {backend.name}") from None


def _written(reason: str) -> str:
    return reason.replace("could not be read", "could not be written")
