"""`secrets check` verdicts: what is required, what fails, what is only a warning."""

from __future__ import annotations

from pathlib import Path

from small_project import environment

from azconf.secrets.check import check_secrets
from azconf.secrets.usage import secret_usage

SECRETS = """\
secrets:
  local-used: env://USED
  local-missing: env://MISSING
  local-unused: env://UNUSED_AND_MISSING
  remote: vault://kv/shop/db#pw
  broken: "k8s://Not_A_Name/KEY"
"""
SERVICES = """\
services:
  api:
    image: shop/api:1
    port: 8080
    env:
      A: {secret: local-used}
      B: {secret: local-missing}
    secrets: [remote, broken]
"""


def test_states_required_and_failed(tmp_path: Path) -> None:
    model, root = environment(tmp_path, {"secrets.yaml": SECRETS, "services.yaml": SERVICES})
    result = check_secrets("dev", secret_usage(model, root), environ={"USED": "x-1"})
    table = {c.usage.name: (c.state, c.required, c.failed) for c in result.checks}
    assert table == {
        "local-used": ("available", True, False),
        "local-missing": ("missing", True, True),
        "local-unused": ("missing", False, False),  # unused: a warning, not a failure
        "remote": ("remote", False, False),
        "broken": ("malformed", True, True),
    }
    assert not result.ok
    assert (result.count("available"), result.count("missing"), result.count("remote"), result.unused) == (
        1,
        2,
        1,
        1,
    )
    assert result.keyring_backend is None  # no keyring reference: the keyring is not even loaded


def test_ok_when_every_required_local_secret_resolves(tmp_path: Path) -> None:
    model, root = environment(
        tmp_path,
        {
            "secrets.yaml": SECRETS.replace('"k8s://Not_A_Name/KEY"', "k8s://ok/KEY"),
            "services.yaml": SERVICES,
        },
    )
    result = check_secrets("dev", secret_usage(model, root), environ={"USED": "x", "MISSING": "y"})
    assert result.ok
