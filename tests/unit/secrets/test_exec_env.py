"""The environment `azconf run` builds for a service, and the child process it runs."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from small_project import environment

from azconf.errors import DataError, UsageError
from azconf.secrets.exec_env import (
    CommandFailedToStart,
    ExecEnvironment,
    UnresolvedSecrets,
    exec_environment,
    literal_text,
    run_child,
)
from azconf.secrets.resolve import SecretText

FLAGS = """\
flags:
  dark: true
  off-flag: false
  layout:
    state: ENABLED
    variants: {a: grid, b: list}
    defaultVariant: b
  retries:
    state: ENABLED
    variants: {low: 1, high: 2.5}
    defaultVariant: high
  limits:
    state: ENABLED
    variants: {std: {rpm: 60, burst: [1, 2]}}
    defaultVariant: std
  parked:
    state: DISABLED
    variants: {"on": true, "off": false}
    defaultVariant: "on"
  caller-decides:
    state: ENABLED
    variants: {"on": true, "off": false}
"""
SECRETS = """\
secrets:
  db: env://DB_PW
  api: keyring://shop/api
  vault-one: vault://kv/shop/x#y
  k8s-one: k8s://shop-secrets/KEY
"""
SERVICES = """\
services:
  api:
    image: shop/api:1
    port: 8080
    env:
      TEXT: hello
      NUMBER: 5432
      RATIO: 0.5
      ENABLED: true
      DARK: {flag: dark}
      OFF_FLAG: {flag: off-flag}
      LAYOUT: {flag: layout}
      RETRIES: {flag: retries}
      LIMITS: {flag: limits}
      PARKED: {flag: parked}
      CALLER: {flag: caller-decides}
      DB_PASSWORD: {secret: db}
  cluster-only:
    image: shop/c:1
    port: 8081
    env:
      A: {secret: vault-one}
      B: {secret: db}
    secrets: [k8s-one]
"""


@pytest.fixture
def env_and_root(tmp_path: Path) -> tuple[object, object]:
    return environment(tmp_path, {"flags.yaml": FLAGS, "secrets.yaml": SECRETS, "services.yaml": SERVICES})


def test_literals_flags_and_secrets(env_and_root: tuple[object, object]) -> None:
    model, root = env_and_root
    prepared = exec_environment(model, root, "dev", "api", environ={"DB_PW": "pw-1"})  # type: ignore[arg-type]
    merged = prepared.merged({"PATH": "/bin", "TEXT": "overridden"})
    assert merged == {
        "PATH": "/bin",
        "TEXT": "hello",
        "NUMBER": "5432",
        "RATIO": "0.5",
        "ENABLED": "true",
        "DARK": "true",
        "OFF_FLAG": "false",
        "LAYOUT": "list",
        "RETRIES": "2.5",
        "LIMITS": '{"rpm":60,"burst":[1,2]}',
        "DB_PASSWORD": "pw-1",
    }
    assert isinstance(prepared.values["DB_PASSWORD"], SecretText)  # wrapped until merged
    assert "pw-1" not in repr(prepared)
    assert prepared.notes == [
        "PARKED is not set: flag parked is disabled, so the service's own default applies",
        "CALLER is not set: flag caller-decides has no default variant, so the service's own default applies",
    ]


def test_every_unresolvable_secret_is_listed_before_anything_runs(
    env_and_root: tuple[object, object],
) -> None:
    model, root = env_and_root
    with pytest.raises(UnresolvedSecrets) as caught:
        exec_environment(model, root, "dev", "cluster-only", environ={})  # type: ignore[arg-type]
    error = caught.value
    assert isinstance(error, DataError) and error.exit_code == 1
    lines = error.message.splitlines()
    assert (
        lines[0] == 'service "cluster-only" needs 3 secret(s) that cannot be resolved here; nothing was run:'
    )
    assert lines[1].startswith(
        "  db (env://DB_PW) at config/base/secrets.yaml:2:7: the environment variable DB_PW"
    )
    assert lines[2].startswith(
        "  vault-one (vault://kv/shop/x#y) at config/base/secrets.yaml:4:14: held in Vault"
    )
    assert lines[3].startswith(
        "  k8s-one (k8s://shop-secrets/KEY) at config/base/secrets.yaml:5:12: held in a Kubernetes"
    )
    assert "in the dev overlay" in (error.hint or "")


def test_unknown_service_suggests_a_name(env_and_root: tuple[object, object]) -> None:
    model, root = env_and_root
    with pytest.raises(UsageError) as caught:
        exec_environment(model, root, "dev", "apy", environ={})  # type: ignore[arg-type]
    assert caught.value.message == 'unknown service "apy" (did you mean "api"?)'
    assert caught.value.hint == "services in dev: api, cluster-only"


@pytest.mark.parametrize(
    ("value", "text"),
    [("a b", "a b"), (True, "true"), (False, "false"), (8080, "8080"), (1.5, "1.5"), ("", "")],
)
def test_literal_text(value: str | bool | int | float, text: str) -> None:
    assert literal_text(value) == text


def test_merged_leaves_the_base_alone() -> None:
    base = {"A": "1"}
    prepared = ExecEnvironment("svc", {"B": SecretText("s")})
    assert prepared.merged(base) == {"A": "1", "B": "s"}
    assert base == {"A": "1"}


# -- run_child -----------------------------------------------------------------------------------


def test_run_child_returns_the_exit_code_and_passes_the_environment() -> None:
    code = "import os, sys; sys.exit(int(os.environ['CODE']))"
    assert run_child([sys.executable, "-c", code], {"CODE": "5"}) == 5


def test_run_child_maps_a_signal_to_128_plus_n() -> None:
    code = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    assert run_child([sys.executable, "-c", code], {}) == 128 + signal.SIGKILL


def test_run_child_restores_signal_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    run_child([sys.executable, "-c", "pass"], {})
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_run_child_command_not_found_and_not_executable(tmp_path: Path) -> None:
    with pytest.raises(CommandFailedToStart) as missing:
        run_child([str(tmp_path / "nope")], {})
    assert missing.value.exit_code == 127
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    with pytest.raises(CommandFailedToStart) as denied:
        run_child([str(script)], {})
    assert denied.value.exit_code == 126
    assert denied.value.message == f"cannot run {script}: permission denied"
