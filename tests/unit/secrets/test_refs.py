"""Secret reference grammar: what parses, and where and why the rest fails."""

from __future__ import annotations

import pytest

from azconf.errors import UsageError
from azconf.secrets import (
    EnvRef,
    K8sRef,
    KeyringRef,
    ReferenceSyntaxError,
    SecretRef,
    VaultRef,
    looks_like_reference,
    parse_reference,
)
from azconf.secrets.refs import ANY_HINT, HINTS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vault://kv/azora/db#password", VaultRef("", "kv", "azora/db", "password")),
        (
            "vault://secret/app#.dockerconfigjson",
            VaultRef("", "secret", "app", ".dockerconfigjson"),
        ),
        (
            "vault://kv-v2/a/b/c.d/e_f#DB_PASSWORD",
            VaultRef("", "kv-v2", "a/b/c.d/e_f", "DB_PASSWORD"),
        ),
        ("k8s://app-secrets/DB_PASSWORD", K8sRef("", "app-secrets", "DB_PASSWORD")),
        ("k8s://payments.azora-prod/tls.crt", K8sRef("", "payments.azora-prod", "tls.crt")),
        ("k8s://0/-", K8sRef("", "0", "-")),
        ("env://DB_PASSWORD", EnvRef("", "DB_PASSWORD")),
        ("env://_private", EnvRef("", "_private")),
        ("keyring://azora/db-password", KeyringRef("", "azora", "db-password")),
        ("keyring://azora.dev/ops+ci@azora.dev", KeyringRef("", "azora.dev", "ops+ci@azora.dev")),
    ],
)
def test_valid_references_parse_into_their_parts(text: str, expected: SecretRef) -> None:
    ref = parse_reference(text)
    assert type(ref) is type(expected)
    assert ref.parts == expected.parts
    assert ref.raw == text
    assert str(ref) == text
    assert ref.scheme == text.partition(":")[0]


def test_references_are_frozen_hashable_values() -> None:
    ref = parse_reference("vault://kv/azora/db#password")
    assert ref == VaultRef("vault://kv/azora/db#password", "kv", "azora/db", "password")
    assert len({ref, parse_reference("vault://kv/azora/db#password")}) == 1
    with pytest.raises(AttributeError):
        ref.key = "other"  # type: ignore[misc]


def test_only_env_and_keyring_resolve_locally() -> None:
    local = {
        text.split(":")[0]: parse_reference(text).local
        for text in ("vault://kv/a#b", "k8s://a/b", "env://A", "keyring://a/b")
    }
    assert local == {"vault": False, "k8s": False, "env": True, "keyring": True}


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        # vault://<mount>/<path>#<key>
        ("vault://kv", 10, "missing '/<path>' after the Vault mount"),
        ("vault://kv#password", 10, "missing '/<path>' after the Vault mount"),
        ("vault://#password", 8, "the Vault mount is empty"),
        ("vault:// kv/app#password", 8, "character ' ' is not allowed in the Vault mount"),
        ("vault://kv/#password", 11, "a Vault path segment is empty"),
        ("vault://kv/app//db#password", 15, "a Vault path segment is empty"),
        ("vault://kv/app/#password", 15, "a Vault path segment is empty"),
        ("vault://kv/.x#pw", 11, "a Vault path segment must start with a letter or digit"),
        ("vault://kv/app?v=2#password", 14, "character '?' is not allowed in a Vault path segment"),
        ("vault://kv/azora/db", 19, "missing '#<key>' after the Vault path"),
        ("vault://kv/azora/db#", 20, "the Vault key is empty"),
        ("vault://kv/azora/db#pass word", 24, "character ' ' is not allowed in the Vault key"),
        ("vault://kv/azora/db#a#b", 21, "character '#' is not allowed in the Vault key"),
        ("vault://kv/azora/db#..", 20, "the Vault key may not be '.', '..' or start with '..'"),
        # k8s://<secret-name>/<key>
        ("k8s://app-secrets", 17, "missing '/<key>' after the Secret name"),
        ("k8s:///DB_PASSWORD", 6, "the Secret name is empty"),
        ("k8s://App-Secrets/DB_PASSWORD", 6, "character 'A' is not allowed in the Secret name"),
        ("k8s://-app/KEY", 6, "the Secret name must start with a lowercase letter or digit"),
        ("k8s://app_secrets/KEY", 9, "character '_' is not allowed in the Secret name"),
        (
            "k8s://app-/KEY",
            9,
            "a dot-separated part of the Secret name must start and end with a lowercase letter or digit",
        ),
        (
            "k8s://app.-x/KEY",
            10,
            "a dot-separated part of the Secret name must start and end with a lowercase letter or digit",
        ),
        ("k8s://app-secrets/", 18, "the Secret key is empty"),
        ("k8s://app-secrets/db/password", 20, "character '/' is not allowed in the Secret key"),
        ("k8s://app-secrets/..data", 18, "the Secret key may not be '.', '..' or start with '..'"),
        ("k8s://" + "a" * 254 + "/KEY", 6 + 253, "the Secret name is longer than 253 characters"),
        # env://<VAR>
        ("env://", 6, "the variable name is empty"),
        ("env://1PASSWORD", 6, "the variable name must start with a letter or '_'"),
        ("env://DB-PASSWORD", 8, "character '-' is not allowed in the variable name"),
        ("env://DB_PASSWORD/x", 17, "character '/' is not allowed in the variable name"),
        # keyring://<service>/<username>
        ("keyring://azora", 15, "missing '/<username>' after the keyring service"),
        ("keyring:///db", 10, "the keyring service is empty"),
        ("keyring://az ora/db", 12, "character ' ' is not allowed in the keyring service"),
        ("keyring://azora/", 16, "the keyring username is empty"),
        ("keyring://azora/db/x", 18, "character '/' is not allowed in the keyring username"),
    ],
)
def test_malformed_references_point_at_the_fault(text: str, offset: int, message: str) -> None:
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference(text)
    assert (caught.value.column_offset, caught.value.message) == (offset, message)
    assert caught.value.hint == HINTS[text.partition(":")[0]]


@pytest.mark.parametrize(
    ("text", "offset", "message", "hint"),
    [
        ("", 0, "a secret reference starts with vault://, k8s://, env:// or keyring://", ANY_HINT),
        ("kv/azora/db#password", 0, "a secret reference starts with", ANY_HINT),
        (" vault://kv/a#b", 0, "a secret reference starts with", ANY_HINT),
        ("vault:kv/a#b", 6, "expected '//' after the scheme", HINTS["vault"]),
        ("k8s:/app/KEY", 4, "expected '//' after the scheme", HINTS["k8s"]),
        ("vualt://kv/a#b", 0, 'unknown secret reference scheme "vualt" (did you mean', ANY_HINT),
        ("keyrnig://a/b", 0, '"keyrnig" (did you mean "keyring"?)', ANY_HINT),
        ("kubernetes://a/b", 0, '"kubernetes" (did you mean "k8s"?)', ANY_HINT),
        ("environment://X", 0, '"environment" (did you mean "env"?)', ANY_HINT),
        ("https://vault.azora.dev/kv", 0, 'unknown secret reference scheme "https"', ANY_HINT),
        ("VAULT://kv/a#b", 0, 'the scheme must be lowercase: "vault"', HINTS["vault"]),
    ],
)
def test_scheme_errors(text: str, offset: int, message: str, hint: str) -> None:
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference(text)
    assert caught.value.column_offset == offset
    assert message in caught.value.message
    assert caught.value.hint == hint


def test_unknown_scheme_has_no_suggestion_when_nothing_is_close() -> None:
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference("s3://bucket/key")
    assert caught.value.message == 'unknown secret reference scheme "s3"'


@pytest.mark.parametrize(
    ("text", "pasted"),
    [
        ("Hunter2-Fake-Pasted-01", "Hunter2-Fake-Pasted-01"),
        ("vault://kv/app#Fake Pass Word 123", "Fake Pass Word 123"),
        ("env://FAKE=fake-value-0123456789", "FAKE=fake-value-0123456789"),
        ("k8s://app/Zq9!Zq9!Zq9!", "Zq9!Zq9!Zq9!"),
        ("Xq7ZpL0wKv2Yt9RbQm4N://x", "Xq7ZpL0wKv2Yt9RbQm4N"),
    ],
)
def test_messages_never_repeat_the_text(text: str, pasted: str) -> None:
    # A malformed "reference" may be a pasted secret: the message quotes at most one character.
    with pytest.raises(ReferenceSyntaxError) as caught:
        parse_reference(text)
    for start in range(len(pasted) - 3):
        assert pasted[start : start + 4] not in caught.value.message


def test_grammar_hints_state_each_grammar() -> None:
    assert HINTS["vault"].startswith("vault://<mount>/<path>#<key>: ")
    assert HINTS["k8s"].startswith("k8s://<secret-name>/<key>: ")
    assert "DNS-1123 subdomain" in HINTS["k8s"]
    assert HINTS["env"].startswith("env://<VAR>: ")
    assert HINTS["keyring"].startswith("keyring://<service>/<username>: ")


def test_reference_errors_are_usage_errors() -> None:
    # So the CLI's one error boundary reports a bad reference given as an argument (exit 2).
    error = ReferenceSyntaxError("bad", 3, "grammar")
    assert isinstance(error, UsageError)
    assert (error.message, error.column_offset, error.hint) == ("bad", 3, "grammar")
    assert str(error) == "bad"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("vault://kv/a#b", True),
        ("k8s://a/b", True),
        ("env://A", True),
        ("keyring://a/b", True),
        ("Vault://kv/a#b", True),  # a reference attempt, so it gets parsed and a clear error
        ("vault://", True),
        ("vault:kv/a#b", False),
        ("https://vault.azora.dev", False),
        ("see vault://kv/a#b", False),
        ("", False),
        (42, False),
        (None, False),
        ({"secret": "db-password"}, False),
    ],
)
def test_looks_like_reference(value: object, expected: bool) -> None:
    assert looks_like_reference(value) is expected
