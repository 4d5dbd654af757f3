"""Secrets: references to where a secret lives, and plaintext caught before it lands.

azconf never holds a secret value. Config holds references (:mod:`azconf.secrets.refs`), and
``azconf validate`` fails on literals that look like secrets (:mod:`azconf.secrets.detect`).
Both are pure: no I/O, no provider SDKs, nothing printed; they are what this package exports.

The submodules used by ``azconf secrets`` and ``azconf run`` are imported by name, so that importing
this package stays cheap: :mod:`~azconf.secrets.usage` (where each reference is used),
:mod:`~azconf.secrets.resolve` (``env://`` and ``keyring://`` on this machine; keyring is imported
lazily), :mod:`~azconf.secrets.check` (``secrets check`` verdicts) and
:mod:`~azconf.secrets.exec_env` (the child environment of ``azconf run``).
"""

from azconf.secrets.detect import (
    PLAINTEXT_HINT,
    Finding,
    find_plaintext_secret,
    iter_plaintext_secrets,
    mask,
)
from azconf.secrets.refs import (
    SCHEMES,
    EnvRef,
    K8sRef,
    KeyringRef,
    ReferenceSyntaxError,
    SecretRef,
    VaultRef,
    looks_like_reference,
    parse_reference,
)

__all__ = [
    "PLAINTEXT_HINT",
    "SCHEMES",
    "EnvRef",
    "Finding",
    "K8sRef",
    "KeyringRef",
    "ReferenceSyntaxError",
    "SecretRef",
    "VaultRef",
    "find_plaintext_secret",
    "iter_plaintext_secrets",
    "looks_like_reference",
    "mask",
    "parse_reference",
]
