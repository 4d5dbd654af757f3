"""API tokens: who a request comes from, and which environments it may read or write.

The tokens file (``--tokens FILE``) holds no secret, only each token's SHA-256::

    tokens:
      dashboard:                       # the name: the actor of its writes in history and audit
        sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
        read: ["*"]                    # environments it may read ("*": all)
        write: [dev, staging]          # environments it may change (write implies read)

A presented token is hashed and compared with every entry in constant time (``hmac.compare_digest``),
so neither the timing nor the file reveals a token. Token values are never logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azconf.errors import UsageError

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Token:
    """One token's name and scopes (never its value)."""

    name: str
    digest: bytes
    read: frozenset[str]
    write: frozenset[str]

    def may_read(self, env: str) -> bool:
        """Whether this token may read ``env``."""
        return "*" in self.read or env in self.read or self.may_write(env)

    def may_write(self, env: str) -> bool:
        """Whether this token may change ``env``."""
        return "*" in self.write or env in self.write

    @property
    def read_only(self) -> bool:
        """Whether this token may write nothing (only such a token may ride in a URL)."""
        return not self.write


class TokenTable:
    """The tokens of a file; an empty table means the service is open (loopback only)."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def find(self, presented: str) -> Token | None:
        """The token whose hash matches ``presented``, comparing with every entry in constant time."""
        digest = hashlib.sha256(presented.encode("utf-8")).digest()
        found = None
        for token in self.tokens:
            if hmac.compare_digest(digest, token.digest):
                found = token  # no early exit: the time does not depend on which entry matched
        return found


def hash_token(value: str) -> str:
    """The hex SHA-256 of a token, as the tokens file holds it."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def load_tokens(path: Path) -> TokenTable:
    """Read a tokens file; UsageError naming the file (never a value) when it is not usable."""
    from azconf.config.located import plain
    from azconf.config.yaml_io import read_yaml_file

    document = read_yaml_file(path, str(path))
    if document.problems:
        problem = document.problems[0]
        raise UsageError(f"{problem.location}: {problem.message}", hint="fix the tokens file")
    data = plain(document.data)
    entries = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise UsageError(f"{path}: expected a mapping `tokens:` of name -> sha256, read, write")
    return TokenTable([_token(path, str(name), entry) for name, entry in entries.items()])


def _token(path: Path, name: str, entry: Any) -> Token:
    where = f"{path}: tokens.{name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        raise UsageError(f"{where}: expected sha256 (the token's hex SHA-256), read and write")
    digest = entry["sha256"].lower()
    if not _HEX64.fullmatch(digest):
        raise UsageError(f"{where}.sha256: expected 64 hex digits", hint="printf %s TOKEN | sha256sum")
    unknown = set(entry) - {"sha256", "read", "write"}
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return Token(name, bytes.fromhex(digest), _scope(where, entry, "read"), _scope(where, entry, "write"))


def _scope(where: str, entry: dict[str, Any], key: str) -> frozenset[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f'{where}.{key}: expected a list of environments, or ["*"]')
    return frozenset(value)  # environments this service does not serve are simply never matched
