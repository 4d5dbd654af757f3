"""Version references: which recorded version a piece of text names.

=====================  =======================================================================
``prod``               the working tree of prod (not a version: commands resolve it from files)
``prod@12``            version 12 of prod
``prod@latest``        the newest version of prod
``prod@latest~2``      two versions before the newest (``~`` alone means ``~1``; any base takes it)
``prod@rendered``      the version of prod rendered most recently
``prod@3fa2c1``        the newest version of prod whose content hash starts with 3fa2c1
``@3fa2c1``, ``3fa2c1``  the same, in whichever environment has it (4 to 64 hex digits)
=====================  =======================================================================

A base of digits only is a version number; write ``prod@sha256:1234`` for an all-digit hash prefix.
Every reference that cannot be resolved is a :class:`UsageError` that says why and what would work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from azconf.errors import UsageError
from azconf.history.records import Version
from azconf.history.store import Store
from azconf.problems import did_you_mean

KEYWORDS = ("latest", "rendered")
MIN_PREFIX = 4
_HASH = re.compile(r"(?:sha256:)?([0-9a-f]{4,64})")
_NUMBER = re.compile(r"[0-9]+")
HINT = (
    "name a version as ENV@NUMBER, ENV@latest, ENV@latest~N, ENV@rendered "
    "or a content-hash prefix of 4+ hex digits (ENV@3fa2c1, @3fa2c1)"
)


@dataclass(frozen=True)
class Ref:
    """A parsed reference: an environment (None: any), a base and how many versions to go back."""

    text: str
    env: str | None
    kind: str  # number, latest, rendered, hash
    number: int = 0
    prefix: str = ""
    back: int = 0


def is_version_ref(text: str, environments: Iterable[str]) -> bool:
    """Whether ``text`` names a recorded version rather than an environment's working tree."""
    return "@" in text or (text not in set(environments) and _HASH.fullmatch(text.lower()) is not None)


def parse_ref(text: str) -> Ref:
    """Parse ``text``; raises :class:`UsageError` when it is not a reference at all."""
    env_text, at, rest = text.partition("@")
    if not at:
        env_text, rest = "", text
    base, tilde, back_text = rest.partition("~")
    back = _back(text, back_text) if tilde else 0
    env = env_text or None
    lowered = base.lower()
    if env is None and at and (_NUMBER.fullmatch(base) or lowered in KEYWORDS):
        raise UsageError(f'"{text}": say which environment, e.g. ENV{text}', hint=HINT)
    if _NUMBER.fullmatch(base) and at:
        number = int(base)
        if number < 1:
            raise UsageError(f'"{text}": versions are numbered from 1', hint=HINT)
        return Ref(text, env, "number", number=number, back=back)
    if lowered in KEYWORDS and at:
        return Ref(text, env, lowered, back=back)
    match = _HASH.fullmatch(lowered)
    if match:
        return Ref(text, env, "hash", prefix=match.group(1), back=back)
    if not base:
        raise UsageError(f'"{text}": a version is missing after "@"', hint=HINT)
    if not at:
        raise UsageError(f'"{text}" is neither an environment nor a version', hint=HINT)
    suggestion = did_you_mean(lowered, KEYWORDS)
    raise UsageError(f'"{text}": unknown version "{base}"{suggestion}', hint=HINT)


def _back(text: str, back_text: str) -> int:
    if not back_text:
        return 1
    if not _NUMBER.fullmatch(back_text):
        raise UsageError(f'"{text}": "~" takes a number of versions to go back, e.g. latest~2', hint=HINT)
    return int(back_text)


def resolve(store: Store, ref: Ref, environments: Iterable[str]) -> Version:
    """The version ``ref`` names in ``store``."""
    if ref.env is not None:
        known = sorted({*environments, *store.environments()})
        if ref.env not in known:
            raise UsageError(
                f'"{ref.text}": unknown environment "{ref.env}"{did_you_mean(ref.env, known)}',
                hint=f"environments: {', '.join(known)}",
            )
    version = _base(store, ref)
    if ref.back:
        version = _go_back(store, ref, version)
    return version


def _base(store: Store, ref: Ref) -> Version:
    if ref.kind == "hash":
        return _by_hash(store, ref)
    assert ref.env is not None
    latest = store.latest(ref.env)
    if latest is None:
        raise UsageError(
            f'"{ref.text}": no version of {ref.env} is recorded yet',
            hint=f"record one with `azconf commit --env {ref.env}`",
        )
    if ref.kind == "latest":
        return latest
    if ref.kind == "rendered":
        rendered = store.rendered(ref.env)
        if rendered is None:
            raise UsageError(
                f'"{ref.text}": {ref.env} has not been rendered yet',
                hint=f"`azconf render --env {ref.env}` records what it renders",
            )
        return rendered
    found = store.version(ref.env, ref.number)
    if found is None:
        raise UsageError(
            f'"{ref.text}": {ref.env} has no version {ref.number} (its versions are 1 to {latest.number})',
            hint=f"`azconf log --env {ref.env}` lists them",
        )
    return found


def _by_hash(store: Store, ref: Ref) -> Version:
    candidates = store.versions_with_hash(ref.prefix, ref.env)
    where = f"of {ref.env} " if ref.env else ""
    if not candidates:
        raise UsageError(
            f'"{ref.text}": no version {where}has a content hash starting with {ref.prefix}',
            hint="`azconf log` shows each version's hash",
        )
    # The same content recorded twice (a revert) is one answer: the newest version with it.
    distinct: dict[tuple[str, str], Version] = {}
    for version in candidates:
        distinct.setdefault((version.env, version.content_hash), version)
    if len(distinct) > 1:
        shown = ", ".join(f"{v.ref} (sha256:{v.short_hash})" for v in list(distinct.values())[:5])
        more = f" and {len(distinct) - 5} more" if len(distinct) > 5 else ""
        hint = "use more hex digits" + ("" if ref.env else ", or put the environment first: ENV@PREFIX")
        raise UsageError(f'"{ref.text}" is ambiguous: it matches {shown}{more}', hint=hint)
    return candidates[0]


def _go_back(store: Store, ref: Ref, version: Version) -> Version:
    # History is linear per environment (each version's parent is the one numbered before it).
    number = version.number - ref.back
    found = store.version(version.env, number) if number >= 1 else None
    if found is None:
        raise UsageError(
            f'"{ref.text}" goes back {ref.back} from {version.ref}, before {version.env}@1',
            hint=f"{version.env} has {version.number} version(s) up to {version.ref}",
        )
    return found
