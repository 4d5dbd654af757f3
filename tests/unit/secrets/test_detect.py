"""Plaintext secret detection: unit rules, and the planted/innocent corpus with its TP/FP counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from azconf.secrets import (
    Finding,
    find_plaintext_secret,
    iter_plaintext_secrets,
    mask,
)

CORPUS = Path(__file__).parent / "corpus"
EXAMPLE = Path(__file__).parents[3] / "examples" / "azora"
# Fake tokens are built from fragments here too, so no whole token sits in this file either.
FAKE_STRIPE = "sk_" + "live_" + "x" * 24
FAKE_GITHUB = "gh" + "p_" + "Fake0" * 7 + "F"
FAKE_AWS = "AK" + "IA" + "FAKE0KEY0FOR0TST"


# --- the corpus ---------------------------------------------------------------------------------


def _load(name: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    return entries


def _value(entry: dict[str, Any]) -> object:
    """An entry's value; ``parts`` are joined here so no whole fake token is stored in the file."""
    return "".join(entry["parts"]) if "parts" in entry else entry["value"]


def _findings(entry: dict[str, Any]) -> list[Finding]:
    return [finding for _, finding in iter_plaintext_secrets({entry["key"]: _value(entry)})]


PLANTED = _load("planted.yaml")
INNOCENT = _load("innocent.yaml")


@dataclass(frozen=True)
class Score:
    """Detection on the corpus: planted caught (tp) or missed (fn), innocent flagged (fp) or not."""

    tp: int
    fn: int
    fp: int
    tn: int


def measure(planted: list[dict[str, Any]], innocent: list[dict[str, Any]]) -> Score:
    """Count true and false positives on a corpus (a planted secret counts once, caught or not)."""
    caught = sum(1 for entry in planted if _findings(entry))
    flagged = sum(1 for entry in innocent if _findings(entry))
    return Score(tp=caught, fn=len(planted) - caught, fp=flagged, tn=len(innocent) - flagged)


def test_corpus_is_big_enough_and_covers_every_kind() -> None:
    assert len(PLANTED) >= 40
    assert len(INNOCENT) >= 40
    kinds = {entry["kind"] for entry in PLANTED}
    assert kinds == {
        "aws-access-key-id",
        "github-token",
        "gitlab-token",
        "npm-token",
        "slack-token",
        "slack-webhook",
        "stripe-key",
        "google-api-key",
        "private-key",
        "jwt",
        "url-password",
        "authorization-header",
        "secret-named-key",
        "high-entropy",
    }


def test_every_planted_secret_is_caught_and_no_innocent_one_is_flagged() -> None:
    score = measure(PLANTED, INNOCENT)
    assert score == Score(tp=len(PLANTED), fn=0, fp=0, tn=len(INNOCENT))


@pytest.mark.parametrize("entry", PLANTED, ids=lambda e: f"{e['key']}:{e['kind']}")
def test_planted_secret_is_caught_as_its_kind(entry: dict[str, Any]) -> None:
    value = _value(entry)
    assert isinstance(value, str)
    findings = _findings(entry)
    assert [f.kind for f in findings] == [entry["kind"]]
    finding = findings[0]
    assert finding.masked == mask(value)
    assert value not in finding.message
    assert finding.masked == "***" or value[4:] not in finding.masked


@pytest.mark.parametrize("entry", INNOCENT, ids=lambda e: f"{e['key']}:{e['why']}")
def test_innocent_look_alike_is_not_flagged(entry: dict[str, Any]) -> None:
    assert _findings(entry) == []


def test_example_repository_has_no_plaintext_secret() -> None:
    assert EXAMPLE.is_dir(), "the example repository is part of the project"
    files = [*sorted(EXAMPLE.glob("config/**/*.yaml")), EXAMPLE / "azconf.yaml"]
    found = [
        (file.name, path)
        for file in files
        for path, _ in iter_plaintext_secrets(yaml.safe_load(file.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_planted_file_holds_no_whole_provider_token() -> None:
    # The corpus must not trip a push-protection scanner: provider shapes only exist once joined.
    providers = {"aws-access-key-id", "github-token", "gitlab-token", "npm-token", "slack-token"}
    providers |= {"slack-webhook", "stripe-key", "google-api-key", "private-key", "jwt"}
    text = (CORPUS / "planted.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():
        finding = find_plaintext_secret("note", line)
        assert finding is None or finding.kind not in providers, line


# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", "***"),
        ("hunter2", "***"),
        ("elevenchars", "***"),
        ("twelve-chars", "twel…(12 chars)"),
        (FAKE_STRIPE, "sk_l…(32 chars)"),
        ("-----BEGIN\nX" * 3, "----…(36 chars)"),
        ("ab\ncdefghijklmn", "ab?c…(15 chars)"),
    ],
)
def test_mask(value: str, masked: str) -> None:
    assert mask(value) == masked


# --- rule 1: token shapes, under any key ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (FAKE_STRIPE, "stripe-key"),
        (FAKE_GITHUB, "github-token"),
        (FAKE_AWS, "aws-access-key-id"),
        (f"export TOKEN={FAKE_GITHUB}", "github-token"),
        (f"postgres://app:{FAKE_STRIPE}@db/app", "stripe-key"),  # the more specific shape wins
    ],
)
def test_token_shapes_are_caught_under_ordinary_keys(value: str, kind: str) -> None:
    finding = find_plaintext_secret("description", value)
    assert finding is not None
    assert finding.kind == kind


@pytest.mark.parametrize(
    "value",
    [
        "x" + FAKE_STRIPE,  # inside a longer word
        FAKE_GITHUB[:-2],  # too short
        "AKIA" + "fake0key0for0tst",  # lowercase: not an access key id
        "payments.internal.azora.dev",  # three dotted segments, but not a JWT
        "eyJub3QiOiJqd3QifQ.eyJzdWIiOiJ4In0.c2ln",  # JSON header without "alg"
        "postgres://app:${DB_PASSWORD}@db/app",
        "postgres://app:<password>@db/app",
        "postgres://app:***@db/app",
        "Bearer short",
        "Bearer ${TOKEN}",
    ],
)
def test_near_miss_shapes_are_not_caught(value: str) -> None:
    assert find_plaintext_secret("description", value) is None


# --- rule 2: keys that name a secret ------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWORD",
        "db_password",
        "DB_PASSWORD",
        "dbPassword",
        "db-passwd",
        "admin_pwd",
        "db_pass",
        "passphrase",
        "secret",
        "client_secret",
        "clientSecret",
        "OAuth2ClientSecret",
        "token",
        "access_token",
        "GITHUB_TOKEN",
        "authToken",
        "api_key",
        "apikey",
        "api-key",
        "apiKey",
        "APIKey",
        "X-Api-Key",
        "private_key",
        "privateKey",
        "access_key",
        "aws_secret_access_key",
        "secret_key",
        "SECRET_KEY_BASE",
        "encryption_key",
        "signing_key",
        "credentials",
        "credential",
        "bearer",
        "bearer_token",
        "password_b64",
        "token_value",
    ],
)
def test_keys_that_name_a_secret(key: str) -> None:
    finding = find_plaintext_secret(key, "fake-literal")
    assert finding is not None
    assert finding.kind == "secret-named-key"
    assert key in finding.message
    assert "fake-literal" not in finding.message


@pytest.mark.parametrize(
    "key",
    [
        "token_ttl_seconds",
        "password_min_length",
        "secret_name",
        "secretName",
        "tokenizer",
        "token_type",
        "password_policy",
        "api_key_header",
        "api_key_id",
        "password_file",
        "secrets",
        "tokens_per_minute",
        "public_key",
        "cache_key",
        "auth",
        "bypass",
        "description",
        "",
    ],
)
def test_keys_that_do_not_name_a_secret(key: str) -> None:
    assert find_plaintext_secret(key, "fake-literal") is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "abc",
        "none",
        "NULL",
        "false",
        "${DB_PASSWORD}",
        "$(DB_PASSWORD)",
        "{{ .Values.password }}",
        "<password>",
        "***",
        "xxxxxxxx",
        "/run/secrets/db-password",
        "./secrets/db",
        "~/.config/azora/token",
        "vault://kv/azora/db#password",
        "env://DB_PASSWORD",
    ],
)
def test_values_that_cannot_be_the_secret(value: str) -> None:
    assert find_plaintext_secret("DB_PASSWORD", value) is None


@pytest.mark.parametrize("value", [8, 3.5, True, False, None, ["a"], {"secret": "db-password"}])
def test_non_strings_are_never_flagged(value: object) -> None:
    assert find_plaintext_secret("password", value) is None


# --- rule 3: high entropy under secret-ish keys --------------------------------------------------

RANDOM_B62 = "vkU06pl9loOi3EV7DNhUNiDZmKxUjvOq"


@pytest.mark.parametrize("key", ["key", "salt", "hmac", "signature", "seed", "session_cookie"])
def test_random_values_under_secretish_keys(key: str) -> None:
    finding = find_plaintext_secret(key, RANDOM_B62)
    assert finding is not None
    assert finding.kind == "high-entropy"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("request_id", RANDOM_B62),  # not a secret-ish key
        ("cache_key", RANDOM_B62),
        ("public_key", RANDOM_B62),
        ("key", "feature-new-checkout"),
        ("key", "ApplicationInsightsKey01"),
        ("key", "oidc-azora-prod-2024"),
        ("key", "aaaaaaaaaaaaaaaaaaaaaaaa"),
        ("key", "short9Xk2"),
        ("key", "53abb8f"),
        ("salt", "a phrase with spaces in it 123"),
        ("salt", "https://azora.dev/salt/2024/abcdEFGH"),
    ],
)
def test_high_entropy_needs_a_secretish_key_and_a_random_value(key: str, value: str) -> None:
    assert find_plaintext_secret(key, value) is None


# --- walking a tree -----------------------------------------------------------------------------


def test_iter_plaintext_secrets_reports_paths() -> None:
    config = {
        "secrets": {"db-password": "vault://kv/azora/db#password", "stripe": "hunter2-fake"},
        "services": {
            "payments": {
                "env": {
                    "LOG_LEVEL": "info",
                    "DB_PASSWORD": {"secret": "db-password"},
                    "STRIPE_KEY": FAKE_STRIPE,
                    "PASSWORDS": ["fake-one", "fake-two"],
                },
                "secrets": ["db-password"],
                "replicas": 2,
            }
        },
        "settings": {"auth": {"token": "fake-token", "token_ttl_seconds": 300}},
    }
    found = [(path, finding.kind) for path, finding in iter_plaintext_secrets(config)]
    assert found == [
        (("services", "payments", "env", "STRIPE_KEY"), "stripe-key"),
        (("services", "payments", "env", "PASSWORDS", 0), "secret-named-key"),
        (("services", "payments", "env", "PASSWORDS", 1), "secret-named-key"),
        (("settings", "auth", "token"), "secret-named-key"),
    ]


def test_iter_plaintext_secrets_uses_the_last_path_key_for_a_subtree() -> None:
    found = list(iter_plaintext_secrets("fake-password", ("services", "api", "DB_PASSWORD")))
    assert [path for path, _ in found] == [("services", "api", "DB_PASSWORD")]


def test_a_mapping_with_more_than_secret_is_looked_into() -> None:
    found = list(iter_plaintext_secrets({"db": {"secret": "fake-value", "password": "fake-pw"}}))
    assert [path for path, _ in found] == [("db", "secret"), ("db", "password")]
