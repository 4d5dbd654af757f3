"""Secret references: where a secret lives, never the secret itself.

Four schemes, each with a precise grammar::

    vault://<mount>/<path>#<key>      a key of a Vault KV v2 secret     vault://kv/azora/db#password
    k8s://<secret-name>/<key>         a key of a Kubernetes Secret      k8s://app-secrets/DB_PASSWORD
    env://<VAR>                       an environment variable           env://DB_PASSWORD
    keyring://<service>/<username>    an entry of the OS keyring        keyring://azora/db-password

:func:`parse_reference` turns a string into one of the :class:`SecretRef` subclasses, or raises
:class:`ReferenceSyntaxError` carrying the 0-based offset of the first character at fault (so the
caller can point at ``file:line:col``) and a hint stating the scheme's grammar. Error messages never
repeat the text they were given, which may be a pasted secret; they quote at most one character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar

from azconf.errors import UsageError
from azconf.problems import did_you_mean

SCHEMES = ("vault", "k8s", "env", "keyring")

HINTS = {
    "vault": "vault://<mount>/<path>#<key>: the mount is one segment and the path one or more, "
    "separated by '/'; a segment is letters, digits, '.', '_' and '-', starting with a letter or "
    "digit; the key is letters, digits, '.', '_' and '-' (e.g. vault://kv/azora/db#password)",
    "k8s": "k8s://<secret-name>/<key>: the secret name is a DNS-1123 subdomain (lowercase letters, "
    "digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters); the "
    "key is letters, digits, '.', '_' and '-' (e.g. k8s://app-secrets/DB_PASSWORD)",
    "env": "env://<VAR>: VAR is a letter or '_' followed by letters, digits and '_' (e.g. env://DB_PASSWORD)",
    "keyring": "keyring://<service>/<username>: the service is letters, digits, '.', '_' and '-', "
    "starting with a letter or digit; the username is letters, digits and '.', '_', '-', '@', '+' "
    "(e.g. keyring://azora/db-password)",
}
ANY_HINT = (
    "a secret reference is vault://<mount>/<path>#<key>, k8s://<secret-name>/<key>, env://<VAR> "
    "or keyring://<service>/<username>"
)

# Names people reach for that difflib would not match to a scheme.
_ALIASES = {"kubernetes": "k8s", "kube": "k8s", "k8": "k8s", "environ": "env", "environment": "env"}


class ReferenceSyntaxError(UsageError):
    """A secret reference that does not follow its scheme's grammar."""

    def __init__(self, message: str, column_offset: int, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.column_offset = column_offset  # 0-based, into the text given to parse_reference


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A parsed reference; each scheme's subclass adds that scheme's parts as fields."""

    scheme: ClassVar[str] = ""
    local: ClassVar[bool] = False  # resolvable on the developer's own machine
    raw: str

    @property
    def parts(self) -> tuple[str, ...]:
        """The scheme's parts in grammar order, e.g. ``("kv", "azora/db", "password")``."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.name != "raw")

    def __str__(self) -> str:
        return self.raw


@dataclass(frozen=True, slots=True)
class VaultRef(SecretRef):
    """``vault://<mount>/<path>#<key>``: ``path`` keeps its inner slashes (``azora/db``)."""

    scheme: ClassVar[str] = "vault"
    mount: str
    path: str
    key: str


@dataclass(frozen=True, slots=True)
class K8sRef(SecretRef):
    """``k8s://<secret-name>/<key>``: a key of a Secret in the workload's namespace."""

    scheme: ClassVar[str] = "k8s"
    name: str
    key: str


@dataclass(frozen=True, slots=True)
class EnvRef(SecretRef):
    """``env://<VAR>``: an environment variable of the process that resolves it."""

    scheme: ClassVar[str] = "env"
    local: ClassVar[bool] = True
    var: str


@dataclass(frozen=True, slots=True)
class KeyringRef(SecretRef):
    """``keyring://<service>/<username>``: an entry of the OS keyring."""

    scheme: ClassVar[str] = "keyring"
    local: ClassVar[bool] = True
    service: str
    username: str


@dataclass(frozen=True, slots=True)
class _Rule:
    """One part of a grammar: a first character, then more characters, at most ``max_len``."""

    what: str
    first: str  # a regex character class body, e.g. "A-Za-z0-9"
    rest: str
    first_words: str  # the first-character class in words, for messages
    max_len: int = 253

    def fullmatch(self, value: str) -> bool:
        pattern = f"[{self.first}][{self.rest}]*"
        return len(value) <= self.max_len and re.fullmatch(pattern, value) is not None

    def explain(self, value: str) -> tuple[str, int]:
        """Why ``value`` fails this rule, and the offset inside it of the character at fault."""
        if not value:
            return f"{self.what} is empty", 0
        for i, char in enumerate(value):
            if re.fullmatch(f"[{self.rest if i else self.first}]", char):
                continue
            if i == 0 and re.fullmatch(f"[{self.rest}]", char):
                return f"{self.what} must start with {self.first_words}", 0
            return f"character {char!r} is not allowed in {self.what}", i
        return f"{self.what} is longer than {self.max_len} characters", self.max_len


_SEGMENT = "A-Za-z0-9._-"
_DATA_KEY = "-._a-zA-Z0-9"  # Kubernetes Secret data keys; Vault keys too, so they sync 1:1
_VAULT_MOUNT = _Rule("the Vault mount", "A-Za-z0-9", _SEGMENT, "a letter or digit")
_VAULT_SEGMENT = _Rule("a Vault path segment", "A-Za-z0-9", _SEGMENT, "a letter or digit")
_VAULT_KEY = _Rule("the Vault key", _DATA_KEY, _DATA_KEY, "a letter, digit, '.', '_' or '-'")
_K8S_NAME = _Rule("the Secret name", "a-z0-9", "a-z0-9.-", "a lowercase letter or digit")
_K8S_KEY = _Rule("the Secret key", _DATA_KEY, _DATA_KEY, "a letter, digit, '.', '_' or '-'")
_ENV_VAR = _Rule("the variable name", "A-Za-z_", "A-Za-z0-9_", "a letter or '_'")
_KEYRING_SERVICE = _Rule("the keyring service", "A-Za-z0-9", _SEGMENT, "a letter or digit")
_KEYRING_USER = _Rule("the keyring username", "A-Za-z0-9_", "A-Za-z0-9._@+-", "a letter or digit")
_DNS1123_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"


def _check(rule: _Rule, text: str, start: int, end: int, hint: str) -> str:
    """Return ``text[start:end]`` if it follows ``rule``, else raise at the character at fault."""
    value = text[start:end]
    if rule.fullmatch(value):
        return value
    message, offset = rule.explain(value)
    raise ReferenceSyntaxError(message, start + offset, hint)


def _check_data_key(rule: _Rule, text: str, start: int, hint: str) -> str:
    key = _check(rule, text, start, len(text), hint)
    if key in (".", "..") or key.startswith(".."):  # Kubernetes refuses them: they name directories
        message = f"{rule.what} may not be '.', '..' or start with '..'"
        raise ReferenceSyntaxError(message, start, hint)
    return key


def _check_secret_name(text: str, start: int, end: int, hint: str) -> str:
    name = _check(_K8S_NAME, text, start, end, hint)
    if re.fullmatch(_DNS1123_SUBDOMAIN, name):
        return name
    # Only the dots and dashes can be misplaced now: find the first one at a label's edge.
    for i, char in enumerate(name):
        if char in ".-" and (i in (0, len(name) - 1) or name[i - 1] == "." or name[i + 1] == "."):
            part = "a dot-separated part of the Secret name"
            raise ReferenceSyntaxError(
                f"{part} must start and end with a lowercase letter or digit", start + i, hint
            )
    raise ReferenceSyntaxError("the Secret name is not a DNS-1123 subdomain", start, hint)


def _parse_vault(text: str, start: int) -> VaultRef:
    hint = HINTS["vault"]
    hash_at = text.find("#", start)
    end = hash_at if hash_at >= 0 else len(text)
    slash = text.find("/", start, end)
    mount = _check(_VAULT_MOUNT, text, start, slash if slash >= 0 else end, hint)
    if slash < 0:
        raise ReferenceSyntaxError("missing '/<path>' after the Vault mount", end, hint)
    offset = slash + 1
    for segment in text[slash + 1 : end].split("/"):
        _check(_VAULT_SEGMENT, text, offset, offset + len(segment), hint)
        offset += len(segment) + 1
    if hash_at < 0:
        raise ReferenceSyntaxError("missing '#<key>' after the Vault path", len(text), hint)
    key = _check_data_key(_VAULT_KEY, text, hash_at + 1, hint)
    return VaultRef(text, mount, text[slash + 1 : end], key)


def _parse_k8s(text: str, start: int) -> K8sRef:
    hint = HINTS["k8s"]
    slash = text.find("/", start)
    name = _check_secret_name(text, start, slash if slash >= 0 else len(text), hint)
    if slash < 0:
        raise ReferenceSyntaxError("missing '/<key>' after the Secret name", len(text), hint)
    return K8sRef(text, name, _check_data_key(_K8S_KEY, text, slash + 1, hint))


def _parse_env(text: str, start: int) -> EnvRef:
    return EnvRef(text, _check(_ENV_VAR, text, start, len(text), HINTS["env"]))


def _parse_keyring(text: str, start: int) -> KeyringRef:
    hint = HINTS["keyring"]
    slash = text.find("/", start)
    service = _check(_KEYRING_SERVICE, text, start, slash if slash >= 0 else len(text), hint)
    if slash < 0:
        message = "missing '/<username>' after the keyring service"
        raise ReferenceSyntaxError(message, len(text), hint)
    return KeyringRef(text, service, _check(_KEYRING_USER, text, slash + 1, len(text), hint))


_PARSERS: dict[str, Callable[[str, int], SecretRef]] = {
    "vault": _parse_vault,
    "k8s": _parse_k8s,
    "env": _parse_env,
    "keyring": _parse_keyring,
}
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_PREFIX_RE = re.compile(r"(?:vault|k8s|env|keyring)://", re.IGNORECASE)


def parse_reference(text: str) -> SecretRef:
    """Parse a secret reference, or raise :class:`ReferenceSyntaxError` saying where and why."""
    match = _SCHEME_RE.match(text)
    if match is None:
        message = "a secret reference starts with vault://, k8s://, env:// or keyring://"
        raise ReferenceSyntaxError(message, 0, ANY_HINT)
    scheme = match.group(1)
    if not text.startswith("//", match.end()):
        hint = HINTS.get(scheme, ANY_HINT)
        raise ReferenceSyntaxError("expected '//' after the scheme", match.end(), hint)
    parser = _PARSERS.get(scheme)
    if parser is None:
        raise ReferenceSyntaxError(_unknown_scheme(scheme), 0, HINTS.get(scheme.lower(), ANY_HINT))
    return parser(text, match.end() + 2)


def _unknown_scheme(scheme: str) -> str:
    lower = scheme.lower()
    if lower in SCHEMES:
        return f'the scheme must be lowercase: "{lower}"'
    if lower in _ALIASES:
        suggestion = f' (did you mean "{_ALIASES[lower]}"?)'
    else:
        suggestion = did_you_mean(lower, SCHEMES)
    # A long "scheme" is more likely pasted text than a typo; do not repeat it.
    shown = f' "{scheme}"' if len(scheme) <= 16 else ""
    return f"unknown secret reference scheme{shown}{suggestion}"


def looks_like_reference(text: object) -> bool:
    """Whether ``text`` is a string starting with one of the four ``scheme://`` prefixes.

    Case-insensitive, so ``Vault://…`` counts as an attempt at a reference (and then fails to
    parse with a clear message) rather than as a literal value.
    """
    return isinstance(text, str) and _PREFIX_RE.match(text) is not None
