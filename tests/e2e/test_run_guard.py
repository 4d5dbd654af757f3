"""``azconf run`` refuses what a config change could use to run other code, or cannot express
(issue 13, items 4 and 9): loader variables unless allowed by name, NUL bytes in values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from secrets_e2e import azconf_with_input, isolated_environment, local_dev_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = local_dev_project(tmp_path / "azora")
    secrets = root / "config" / "envs" / "dev" / "secrets.yaml"  # web's session secret, locally
    secrets.write_text(secrets.read_text(encoding="utf-8") + "  session-secret: env://WEB_SESSION\n")
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_environment(tmp_path / "home") | {"WEB_SESSION": "local"}


def set_web_env(project: Path, lines: str) -> Path:
    services = project / "config" / "envs" / "dev" / "services.yaml"
    text = services.read_text(encoding="utf-8")
    anchor = "      NODE_ENV: development"
    assert anchor in text
    services.write_text(text.replace(anchor, anchor + lines, 1), encoding="utf-8")
    return services


def marker_command(marker: Path) -> list[str]:
    return [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('ran')"]


def test_loader_variables_are_refused_with_where_and_why(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    set_web_env(project, "\n      LD_PRELOAD: /tmp/evil.so\n      PATH: /tmp/evil-bin")
    marker = tmp_path / "ran"
    run = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "web", "--", *marker_command(marker), env=env
    )
    assert run.returncode == 1, run.stderr
    assert 'service "web" sets 2 variable(s) that choose which code runs; nothing was run' in run.stderr
    assert "config/envs/dev/services.yaml:7:19: LD_PRELOAD" in run.stderr
    assert "config/envs/dev/services.yaml:8:13: PATH" in run.stderr
    assert "--allow-env LD_PRELOAD --allow-env PATH" in run.stderr
    assert not marker.exists()


def test_an_allowed_loader_variable_reaches_the_child(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    set_web_env(project, "\n      PYTHONPATH: /opt/extra")
    out = tmp_path / "seen"
    code = f"import os; open({str(out)!r}, 'w').write(os.environ['PYTHONPATH'])"
    run = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "web", "--allow-env", "PYTHONPATH", "--",
        sys.executable, "-c", code, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == "/opt/extra"


def test_a_nul_byte_in_a_literal_is_a_located_error(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    set_web_env(project, '\n      GREETING: "a\\0b"')
    marker = tmp_path / "ran"
    run = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "web", "--", *marker_command(marker), env=env
    )
    assert run.returncode == 1, run.stderr
    assert "config/envs/dev/services.yaml:7:" in run.stderr and "NUL" in run.stderr
    assert not marker.exists()


def test_a_nul_byte_in_a_keyring_value_is_an_error_that_shows_no_value(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # `secrets set` reads one line, so a NUL comes from another program using the same keyring.
    secret = "s3cr3t-before\0after"
    script = f"import keyring; keyring.set_password('azora', 'db-password', {secret!r})"
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    marker = tmp_path / "ran"
    env = env | {"STRIPE_TEST_API_KEY": "a", "STRIPE_WEBHOOK_SECRET": "b"}
    run = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "payments", "--", *marker_command(marker), env=env
    )
    assert run.returncode == 1, run.stderr
    assert "secret payments-db-password holds a NUL byte" in run.stderr
    assert "s3cr3t" not in run.stdout + run.stderr
    assert not marker.exists()
