"""Version references: the grammar, and resolving against a real database."""

from __future__ import annotations

import pytest

from azconf.errors import UsageError
from azconf.history.actor import Who
from azconf.history.api import commit_snapshots
from azconf.history.records import Version
from azconf.history.refs import Ref, is_version_ref, parse_ref, resolve
from azconf.history.store import Store

ENVS = ["dev", "prod"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prod@12", Ref("prod@12", "prod", "number", number=12)),
        ("prod@latest", Ref("prod@latest", "prod", "latest")),
        ("prod@latest~2", Ref("prod@latest~2", "prod", "latest", back=2)),
        ("prod@latest~", Ref("prod@latest~", "prod", "latest", back=1)),
        ("prod@rendered", Ref("prod@rendered", "prod", "rendered")),
        ("prod@3fa2c1", Ref("prod@3fa2c1", "prod", "hash", prefix="3fa2c1")),
        ("prod@sha256:1234", Ref("prod@sha256:1234", "prod", "hash", prefix="1234")),
        ("@3FA2C1", Ref("@3FA2C1", None, "hash", prefix="3fa2c1")),
        ("3fa2c1~1", Ref("3fa2c1~1", None, "hash", prefix="3fa2c1", back=1)),
    ],
)
def test_parse(text: str, expected: Ref) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prod@", 'a version is missing after "@"'),
        ("prod@0", "versions are numbered from 1"),
        ("prod@lates", 'unknown version "lates" (did you mean "latest"?)'),
        ("prod@rendred", '(did you mean "rendered"?)'),
        ("prod@latest~x", '"~" takes a number'),
        ("prod@abc", 'unknown version "abc"'),
        ("@12", "say which environment"),
        ("@latest", "say which environment"),
        ("nothing", "is neither an environment nor a version"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse_ref(text)


def test_is_version_ref() -> None:
    assert is_version_ref("prod@1", ENVS)
    assert is_version_ref("3fa2c1", ENVS)
    assert not is_version_ref("prod", ENVS)
    assert not is_version_ref("prd", ENVS)  # a typo of an environment, reported as such
    assert not is_version_ref("dead", ["dead"])  # an environment that looks like hex


@pytest.fixture
def versions(store: Store, who: Who) -> list[Version]:
    """prod@1..3 and dev@1; prod@3 has the same content as prod@1."""
    out = []
    for env, value in (("prod", 1), ("prod", 2), ("prod", 1), ("dev", 5)):
        (committed,) = commit_snapshots(store, {env: {"settings": {"n": value}}}, message="", who=who)
        assert committed.version is not None
        out.append(committed.version)
    return out


def ref(store: Store, text: str) -> Version:
    return resolve(store, parse_ref(text), ENVS)


def test_resolve_numbers_keywords_and_going_back(store: Store, versions: list[Version]) -> None:
    assert ref(store, "prod@2").number == 2
    assert ref(store, "prod@latest").number == 3
    assert ref(store, "prod@latest~2").number == 1
    assert ref(store, "prod@3~1").number == 2
    assert ref(store, "dev@latest").env == "dev"


def test_resolve_hash_prefixes(store: Store, versions: list[Version]) -> None:
    prod1, prod2, prod3, dev1 = versions
    assert prod1.content_hash == prod3.content_hash
    assert ref(store, f"prod@{prod1.short_hash[:6]}") == prod3  # the same content twice: the newest
    assert ref(store, f"@{prod2.short_hash}") == prod2
    assert ref(store, dev1.short_hash[:8]) == dev1
    assert ref(store, f"{prod2.short_hash}~1") == prod1


def test_an_ambiguous_prefix_lists_the_candidates(store: Store, who: Who) -> None:
    made = {}
    for n in range(400):  # enough distinct hashes that two share their first 4 hex digits
        (committed,) = commit_snapshots(store, {"prod": {"settings": {"n": n}}}, message="", who=who)
        assert committed.version is not None
        made.setdefault(committed.version.short_hash[:4], []).append(committed.version)
    prefix, clash = next((p, vs) for p, vs in made.items() if len(vs) > 1)
    with pytest.raises(UsageError, match=f'"prod@{prefix}" is ambiguous: it matches') as caught:
        ref(store, f"prod@{prefix}")
    assert all(v.ref in caught.value.message for v in clash)
    assert caught.value.hint == "use more hex digits"
    assert ref(store, f"prod@{clash[0].short_hash}") == clash[0]


def test_resolve_errors(store: Store, versions: list[Version]) -> None:
    cases = {
        "prod@9": "prod has no version 9 (its versions are 1 to 3)",
        "prod@latest~3": "goes back 3 from prod@3, before prod@1",
        "prod@rendered": "prod has not been rendered yet",
        "prd@1": 'unknown environment "prd" (did you mean "prod"?)',
        "prod@ffff": "no version of prod has a content hash starting with ffff",
        "@ffffff": "no version has a content hash starting with ffffff",
    }
    for text, message in cases.items():
        with pytest.raises(UsageError) as caught:
            ref(store, text)
        assert message in caught.value.message, text
        assert caught.value.exit_code == 2


def test_an_environment_without_versions(store: Store) -> None:
    with pytest.raises(UsageError, match="no version of dev is recorded yet") as caught:
        ref(store, "dev@latest")
    assert "azconf commit --env dev" in str(caught.value.hint)
