"""Plaintext secrets: does a literal in the config look like a secret that should be a reference?

``azconf validate`` asks :func:`find_plaintext_secret` about every literal, with the mapping key (or
environment variable name) it sits under; :func:`iter_plaintext_secrets` walks a whole parsed tree.
Three rules, the most specific first:

1. **A known token shape**, under any key: cloud and SaaS credentials with a recognisable prefix
   (AWS, GitHub, GitLab, npm, Slack, Stripe, Google), PEM private-key blocks, JWTs, URLs with a
   password, and ``Authorization`` header values.
2. **A key that names a secret** (``password``, ``DB_PASSWORD``, ``clientSecret``, ``api-key`` …):
   any string literal under it. The secret word must end the key, so ``password_min_length`` and
   ``secret_name`` are settings, not secrets.
3. **A random-looking string under a secret-ish key** (``signing_key``, ``salt``, ``hmac`` …): long,
   mixed characters, high Shannon entropy. ``cache_key`` and ``public_key`` are not secret-ish.

Never flagged: numbers, booleans, references (``vault://…``, ``{secret: …}``), and under a secret
key, values that cannot be the secret itself: empty or very short ones, placeholders
(``${DB_PASSWORD}``, ``<password>``, ``***``, ``none``) and file paths. A :class:`Finding` never
holds the value; it holds :func:`mask` of it.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from azconf.config.located import KeyPath
from azconf.secrets.refs import looks_like_reference

PLAINTEXT_HINT = (
    "keep the value in a secret store and put a reference here "
    "(vault://, k8s://, env:// or keyring://), or allow-list it with a reason"
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A literal that looks like a secret: its kind, why (never the value), and the value masked."""

    kind: str
    message: str
    masked: str


def mask(value: str) -> str:
    """The first 4 characters and the length of a value of 12 or more characters, else ``***``."""
    if len(value) < 12:
        return "***"
    head = "".join(c if c.isprintable() else "?" for c in value[:4])
    return f"{head}…({len(value)} chars)"


# --- rule 1: token shapes ---------------------------------------------------------------------


def _always(_match: re.Match[str]) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class _Shape:
    kind: str
    what: str
    pattern: re.Pattern[str]
    confirm: Callable[[re.Match[str]], bool] = _always


def _is_jwt(match: re.Match[str]) -> bool:
    """A JWT's first segment is base64url JSON naming its signing algorithm."""
    segment = match.group(1)
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:  # bad base64, bad UTF-8 and bad JSON are all ValueErrors
        return False
    return isinstance(header, dict) and "alg" in header


def _is_real_password(match: re.Match[str]) -> bool:
    return not _is_placeholder(match.group("password"))


def _is_random_credential(match: re.Match[str]) -> bool:
    return _looks_random(match.group("credential"), min_len=16)


# Prefix-anchored shapes must not start in the middle of a word ("task_live_…" is not Stripe).
_B = r"(?<![A-Za-z0-9_-])"
_E = r"(?![A-Za-z0-9_-])"
_SHAPES = (
    _Shape(
        "private-key",
        "a PEM private key",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
    _Shape(
        "aws-access-key-id",
        "an AWS access key ID",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
    ),
    _Shape(
        "github-token",
        "a GitHub token",
        re.compile(_B + r"(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{40,})" + _E),
    ),
    _Shape("gitlab-token", "a GitLab token", re.compile(_B + r"glpat-[A-Za-z0-9_-]{20,}" + _E)),
    _Shape("npm-token", "an npm token", re.compile(_B + r"npm_[A-Za-z0-9]{36}" + _E)),
    _Shape("slack-token", "a Slack token", re.compile(_B + r"xox[baprs]-[A-Za-z0-9-]{10,}")),
    _Shape(
        "slack-webhook",
        "a Slack webhook URL",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
    ),
    _Shape(
        "stripe-key",
        "a Stripe key",
        re.compile(_B + r"(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})" + _E),
    ),
    _Shape("google-api-key", "a Google API key", re.compile(_B + r"AIza[A-Za-z0-9_-]{35}" + _E)),
    _Shape(
        "jwt",
        "a JSON Web Token",
        re.compile(_B + r"([A-Za-z0-9_-]{10,})\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*" + _E),
        _is_jwt,
    ),
    _Shape(
        "url-password",
        "a URL with a password in it",
        re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:(?P<password>[^\s/@]+)@[^\s/@]"),
        _is_real_password,
    ),
    _Shape(
        "authorization-header",
        "an Authorization header value",
        re.compile(r"(?<![A-Za-z])(?:Bearer|Basic)\s+(?P<credential>[A-Za-z0-9._~+/-]+=*)"),
        _is_random_credential,
    ),
)


# Something every shape above contains; one scan with it spares the twelve scans for most values.
_ANY_SHAPE_HINT = re.compile(
    r"-----BEGIN|A[KSBC][IC]A|gh[pousr]_|github_pat_|glpat-|npm_|xox[baprs]-|hooks\.slack\.com"
    r"|[sr]k_(?:live|test)_|whsec_|AIza|[A-Za-z0-9_-]{10}\.[A-Za-z0-9_-]{10,}\.|://[^\s/:@]*:|Bearer|Basic"
)


def _find_shape(value: str) -> _Shape | None:
    if not _ANY_SHAPE_HINT.search(value):
        return None
    for shape in _SHAPES:
        if any(shape.confirm(m) for m in shape.pattern.finditer(value)):
            return shape
    return None


def redact_shapes(text: str) -> str:
    """``text`` with every token-shaped secret in it masked (see :func:`mask`).

    For messages that quote what a user wrote (a value, a key, a name, an argument): a token pasted
    in the wrong place must not be echoed to a terminal or a CI log.
    """
    if not _ANY_SHAPE_HINT.search(text):
        return text
    for shape in _SHAPES:
        text = shape.pattern.sub(functools.partial(_masked_match, shape), text)
    return text


def _masked_match(shape: _Shape, match: re.Match[str]) -> str:
    return mask(match.group(0)) if shape.confirm(match) else match.group(0)


# --- rules 2 and 3: what the key says ---------------------------------------------------------

# A key names a secret when its last word (after dropping _TRANSPARENT words) is one of these ...
_SECRET_WORDS = frozenset(
    {"password", "passwords", "passwd", "pwd", "pass", "passphrase", "secret", "token"}
    | {"credential", "credentials", "creds", "apikey", "bearer"}
)
# ... or ends with one of these (for run-together keys: "dbpassword", "clientsecret") ...
_SECRET_ENDINGS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "privatekey")
# ... or is "key" after one of these.
_SECRET_KEY_KINDS = frozenset(
    {"api", "private", "access", "secret", "encryption", "signing", "master", "hmac", "client"}
    | {"app", "account", "shared", "license", "licence", "auth", "session", "webhook"}
)
# Words that say how a secret is written, not what the key is ("SECRET_KEY_BASE", "token_b64").
_TRANSPARENT = frozenset({"value", "base", "b64", "base64", "hex", "raw", "plain", "plaintext"})
# Last words of keys that may hold a random secret; checked for entropy only.
_SECRETISH_WORDS = frozenset({"key", "salt", "pepper", "seed", "hmac", "signature", "sig", "cookie", "otp"})
# "key" after these is an identifier or a public value.
_PLAIN_KEY_KINDS = frozenset(
    {"cache", "partition", "primary", "foreign", "sort", "hash", "idempotency", "routing"}
    | {"shard", "lookup", "label", "public", "object", "map", "dedup", "group", "index", "row"}
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@functools.lru_cache(maxsize=4096)
def _words(key: str) -> tuple[str, ...]:
    """``"DB_PASSWORD"`` → ``("db", "password")``; ``"clientSecret"`` → ``("client", "secret")``."""
    spaced = _CAMEL_BOUNDARY.sub(" ", key)
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    while len(words) > 1 and words[-1] in _TRANSPARENT:
        words.pop()
    return tuple(words)


def _names_secret(words: tuple[str, ...]) -> bool:
    if not words:
        return False
    last = words[-1]
    if last in _SECRET_WORDS or last.endswith(_SECRET_ENDINGS):
        return True
    return last == "key" and len(words) > 1 and words[-2] in _SECRET_KEY_KINDS


def _is_secretish(words: tuple[str, ...]) -> bool:
    if not words or words[-1] not in _SECRETISH_WORDS:
        return False
    return not (words[-1] == "key" and len(words) > 1 and words[-2] in _PLAIN_KEY_KINDS)


# --- what a value looks like ------------------------------------------------------------------

_SENTINELS = frozenset(
    {"none", "null", "nil", "false", "true", "disabled", "enabled", "unset", "empty", "redacted"}
    | {"required", "optional", "n/a", "tbd", "todo"}
)
_PLACEHOLDER = re.compile(
    r"\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<[^<>]*>|%\([^)]*\)s|\*+|x+|X+|•+|-+|\.+|~",
    re.DOTALL,
)
_FILE_PATH = re.compile(r"(?:/|~/|\./|\.\./)[\w.@+/-]*")


def _is_placeholder(value: str) -> bool:
    text = value.strip()
    return text.lower() in _SENTINELS or _PLACEHOLDER.fullmatch(text) is not None


# No rule flags a shorter string: token shapes need 8 characters or more, the key rule 4, entropy 20.
_MIN_SECRET_LENGTH = 4


def _could_be_secret(value: str) -> bool:
    """Whether a string under a secret key could be the secret itself (not a stand-in or a path)."""
    if len(value.strip()) < 4 or _is_placeholder(value):
        return False
    return _FILE_PATH.fullmatch(value) is None


def _entropy(value: str) -> float:
    """Bits per character of ``value``'s own character distribution (0 for an empty string)."""
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


_NAME_PIECE = re.compile(r"(?:[A-Z]?[a-z]{2,}|[A-Z]{2,})+[0-9]*|[0-9]+")
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9+/=_.~-]+")  # base64(url), hex and tokens; no spaces


def _looks_random(value: str, min_len: int = 20) -> bool:
    """Long, one token, mixed letters and digits, and high entropy: a key, not a name."""
    if len(value) < min_len or _TOKEN_ALPHABET.fullmatch(value) is None:
        return False
    if re.fullmatch(r"[0-9a-fA-F]+", value):  # hex carries at most 4 bits per character
        return len(value) >= 32 and _entropy(value) >= 3.0
    pieces = [p for p in re.split(r"[-_./+=]+", value) if p]
    if all(_NAME_PIECE.fullmatch(p) for p in pieces):
        return False  # words and numbers: a name such as "oidc-prod-2024" or "InsightsKey01"
    classes = sum(1 for c in (str.islower, str.isupper, str.isdigit) if any(map(c, value)))
    return classes >= 2 and _entropy(value) >= 3.5


# --- the public checks ------------------------------------------------------------------------


def find_plaintext_secret(key: str, value: object) -> Finding | None:
    """Whether ``value``, a literal under a mapping key or env var name, looks like a secret."""
    if not isinstance(value, str):
        return None
    return _judged(key, value)


# Configs repeat themselves (nearly two in three strings of the large benchmark corpus have a twin under
# the same key): each pair is judged once. The cache holds values the parsed files hold anyway.
@functools.lru_cache(maxsize=16384)
def _judged(key: str, value: str) -> Finding | None:
    if looks_like_reference(value):
        return None
    shape = _find_shape(value)
    if shape is not None:
        return Finding(shape.kind, f"plaintext secret: this looks like {shape.what}", mask(value))
    words = _words(key)
    if _names_secret(words) and _could_be_secret(value):
        message = f'plaintext secret: a literal under "{key}", a name that means a secret'
        return Finding("secret-named-key", message, mask(value))
    if _is_secretish(words) and _looks_random(value.strip()):
        message = f'plaintext secret: a random-looking literal under "{key}"'
        return Finding("high-entropy", message, mask(value))
    return None


def iter_plaintext_secrets(data: object, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Finding]]:
    """Every plaintext secret in a parsed YAML tree, with its path of keys and list indexes.

    A list item is judged by the key that holds the list; ``{secret: <name>}`` (a service env var
    taken from the ``secrets`` section) is a reference and is not looked into.
    """
    key = path[-1] if path and isinstance(path[-1], str) else ""
    found: list[tuple[KeyPath, Finding]] = []
    _walk(key, data, list(path), found)
    return iter(found)


def _walk(key: str, value: object, path: list[str | int], found: list[tuple[KeyPath, Finding]]) -> None:
    # A plain recursive function over one shared path list, not a generator chain building a tuple
    # per node: configs have tens of thousands of leaves and almost none of them is a finding.
    if isinstance(value, str):
        if len(value) >= _MIN_SECRET_LENGTH:
            finding = _judged(key, value)
            if finding is not None:
                found.append((tuple(path), finding))
    elif isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("secret"), str):
            return
        for child_key, child in value.items():
            name = str(child_key)
            path.append(name)
            _walk(name, child, path, found)
            path.pop()
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            path.append(index)
            _walk(key, item, path, found)
            path.pop()
