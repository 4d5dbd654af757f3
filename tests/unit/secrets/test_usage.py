"""Secret usage: each reference, its scheme, and every use with the file:line:col that set it."""

from __future__ import annotations

from pathlib import Path

from small_project import environment

from azconf.problems import Location
from azconf.secrets.usage import SecretUsage, SecretUse, secret_usage, service_secrets

SECRETS = """\
secrets:
  db: vault://kv/shop/db#password
  stripe:
    ref: env://STRIPE_KEY
    description: test key
  broken: "vault://kv"
  spare: keyring://shop/spare
"""
SERVICES = """\
services:
  api:
    image: shop/api:1
    port: 8080
    env:
      DB_PASSWORD: {secret: db}
      STRIPE_KEY: {secret: stripe}
      MODE: live
    secrets: [db]
  worker:
    image: shop/worker:1
    port: 8081
    env:
      DB_PASSWORD: {secret: db}
"""


def at(text: str, line: int, needle: str, file: str = "config/base/services.yaml") -> Location:
    """Where ``needle`` starts on ``line`` of ``text``, found by plain string search."""
    return Location(file, line, text.splitlines()[line - 1].index(needle) + 1)


def usages(tmp_path: Path) -> dict[str, SecretUsage]:
    model, root = environment(tmp_path, {"secrets.yaml": SECRETS, "services.yaml": SERVICES})
    return {usage.name: usage for usage in secret_usage(model, root)}


def test_every_use_with_its_location(tmp_path: Path) -> None:
    model, root = environment(tmp_path, {"secrets.yaml": SECRETS, "services.yaml": SERVICES})
    found = {usage.name: usage for usage in secret_usage(model, root)}
    assert list(found) == ["db", "stripe", "broken", "spare"]
    db = found["db"]
    assert (db.scheme, db.raw, db.defined_at) == (
        "vault",
        "vault://kv/shop/db#password",
        at(SECRETS, 2, "vault://", "config/base/secrets.yaml"),
    )
    assert db.uses == (
        SecretUse("services.api.secrets[0]", at(SERVICES, 9, "db"), "api"),
        SecretUse("services.api.env.DB_PASSWORD", at(SERVICES, 6, "db"), "api", "DB_PASSWORD"),
        SecretUse("services.worker.env.DB_PASSWORD", at(SERVICES, 14, "db"), "worker", "DB_PASSWORD"),
    )
    assert db.services == ("api", "worker")
    assert not db.unused


def test_long_form_points_at_the_ref_and_keeps_the_description(tmp_path: Path) -> None:
    stripe = usages(tmp_path)["stripe"]
    assert stripe.defined_at == at(SECRETS, 4, "env://", "config/base/secrets.yaml")
    assert stripe.description == "test key"
    assert stripe.scheme == "env"


def test_unused_and_malformed(tmp_path: Path) -> None:
    found = usages(tmp_path)
    assert found["spare"].unused and found["spare"].scheme == "keyring"
    broken = found["broken"]
    assert broken.ref is None and broken.scheme == "" and broken.unused


def test_service_secrets_keeps_only_that_services_uses(tmp_path: Path) -> None:
    model, root = environment(tmp_path, {"secrets.yaml": SECRETS, "services.yaml": SERVICES})
    worker = service_secrets(model, root, "worker")
    assert [u.name for u in worker] == ["db"]
    assert [use.path for use in worker[0].uses] == ["services.worker.env.DB_PASSWORD"]
    assert [u.name for u in service_secrets(model, root, "api")] == ["db", "stripe"]
    assert service_secrets(model, root, "nobody") == []
