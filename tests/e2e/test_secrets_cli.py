"""End-to-end: ``azconf secrets list|check|set`` and ``azconf run``, with a real file keyring.

Every keyring here is keyrings.alt's PlaintextKeyring, selected by a keyringrc.cfg in a temporary
XDG_CONFIG_HOME (see secrets_e2e.py): the real keyring library, a real backend, no mock.
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
from pathlib import Path

import pytest
from azconf_e2e import EXAMPLE, azconf_executable
from secrets_e2e import (
    azconf_with_input,
    isolated_environment,
    keyring_file,
    local_dev_project,
)

REF = "keyring://azora/db-password"
# The tests store into keyrings.alt's PlaintextKeyring, which `secrets set` refuses unless allowed.
ALLOW = "--allow-insecure-keyring"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return local_dev_project(tmp_path / "project")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_environment(tmp_path / "home")


def value() -> str:
    return "v-" + secrets.token_urlsafe(24)


def child_script(out: Path, *variables: str) -> list[str]:
    """A Python child that writes the named variables (or <unset>) as JSON to ``out``."""
    code = (
        "import json, os, sys; "
        f"json.dump({{v: os.environ.get(v, '<unset>') for v in {list(variables)!r}}}, "
        f"open({str(out)!r}, 'w'))"
    )
    return [sys.executable, "-c", code]


def all_output(*runs: object) -> str:
    return "".join(f"{run.stdout}{run.stderr}" for run in runs)  # type: ignore[attr-defined]


# -- set, check, run: the whole local workflow ----------------------------------------------------


def test_set_from_stdin_then_check_then_run(project: Path, env: dict[str, str], tmp_path: Path) -> None:
    password, webhook, stripe = value(), value(), value()
    stored = azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=f"{password}\n".encode())
    assert stored.returncode == 0, stored.stderr
    assert (
        "stored keyring://azora/db-password in the keyring backend keyrings.alt.file.PlaintextKeyring"
        in stored.stderr
    )
    # The real backend wrote its file (base64, as PlaintextKeyring does), outside the project.
    assert base64.b64encode(password.encode()).decode() in keyring_file(env).read_text(encoding="utf-8")

    env |= {"STRIPE_TEST_API_KEY": stripe, "STRIPE_WEBHOOK_SECRET": webhook}
    checked = azconf_with_input("-C", project, "secrets", "check", "--env", "dev", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "available payments-db-password (keyring://azora/db-password): found in the keyring" in (
        checked.stdout
    )
    assert "keyring backend: keyrings.alt.file.PlaintextKeyring" in checked.stdout

    out = tmp_path / "child.json"
    variables = ("DB_PASSWORD", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "DB_PORT", "LOG_LEVEL")
    ran = azconf_with_input(
        "-C", project, "run", "--env", "dev", "--service", "payments", "--",
        *child_script(out, *variables), env=env,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(out.read_text(encoding="utf-8"))
    assert seen["DB_PASSWORD"] == password
    assert seen["STRIPE_API_KEY"] == stripe
    assert seen["STRIPE_WEBHOOK_SECRET"] == webhook
    assert seen["DB_PORT"] == "5432"  # a YAML integer, as the string the pod would see
    for secret in (password, webhook, stripe):
        assert secret not in all_output(stored, checked, ran)


def test_run_with_the_brief_command_prints_only_what_the_child_prints(
    project: Path, env: dict[str, str]
) -> None:
    password = value()
    azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=password.encode())
    env |= {"STRIPE_TEST_API_KEY": value(), "STRIPE_WEBHOOK_SECRET": value()}
    code = "import os; print(len(os.environ['DB_PASSWORD']))"
    ran = azconf_with_input(
        "-C", project, "run", "--env", "dev", "--service", "payments", "--", sys.executable, "-c", code,
        env=env,
    )  # fmt: skip
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, f"{len(password)}\n", "")


def test_run_gives_the_child_flags_literals_and_stdin_and_returns_its_exit_code(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # web's only secret is a Vault one; point it at the shell for this run.
    overlay = project / "config/envs/dev/web-secrets.yaml"
    overlay.write_text("secrets:\n  session-secret: env://SESSION_SECRET\n", encoding="utf-8")
    env["SESSION_SECRET"] = value()
    out = tmp_path / "web.json"
    names = ("NODE_ENV", "DARK_MODE_DEFAULT", "HOMEPAGE_LAYOUT", "AUTH_URL")
    code = (
        "import json, os, sys; data = sys.stdin.read(); "
        f"seen = {{v: os.environ[v] for v in {list(names)!r}}} | {{'stdin': data}}; "
        f"json.dump(seen, open({str(out)!r}, 'w')); "
        "sys.exit(7)"
    )
    ran = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "web", sys.executable, "-c", code, env=env, stdin=b"hello"
    )
    assert ran.returncode == 7, ran.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "NODE_ENV": "development",  # the dev overlay's literal
        "DARK_MODE_DEFAULT": "true",  # a boolean flag's default variant, as JSON
        "HOMEPAGE_LAYOUT": "cards",  # a string flag's default variant in dev, as itself
        "AUTH_URL": "http://auth:8080",
        "stdin": "hello",
    }


def test_run_reports_a_child_killed_by_a_signal_as_128_plus_n(project: Path, env: dict[str, str]) -> None:
    (project / "config/envs/dev/web-secrets.yaml").write_text(
        "secrets:\n  session-secret: env://SESSION_SECRET\n", encoding="utf-8"
    )
    env["SESSION_SECRET"] = value()
    code = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    ran = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "web", "--", sys.executable, "-c", code, env=env
    )
    assert ran.returncode == 128 + 15


# -- run: what stops it before the command starts ------------------------------------------------


def test_run_stops_on_vault_and_k8s_references_before_the_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    env["STRIPE_TEST_API_KEY"] = value()
    ran = azconf_with_input(
        "-C", EXAMPLE, "run", "--env", "dev", "--service", "payments", "--", "touch", marker, env=env
    )
    assert ran.returncode == 1
    assert not marker.exists(), "the command ran although secrets were unresolved"
    assert 'service "payments" needs 2 secret(s) that cannot be resolved here; nothing was run' in ran.stderr
    assert (
        "payments-db-password (vault://kv/azora/payments/db#password) at config/base/secrets.yaml:8:25: "
        in (ran.stderr)
    )
    assert "stripe-webhook-secret (k8s://payments-secrets/STRIPE_WEBHOOK_SECRET)" in ran.stderr
    assert env["STRIPE_TEST_API_KEY"] not in ran.stderr
    assert ran.stdout == ""


def test_run_lists_every_missing_local_secret(project: Path, env: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    ran = azconf_with_input(
        "-C", project, "run", "--env", "dev", "--service", "payments", "--", "touch", marker, env=env
    )
    assert ran.returncode == 1 and not marker.exists()
    assert "the environment variable STRIPE_TEST_API_KEY is not set" in ran.stderr
    assert "the environment variable STRIPE_WEBHOOK_SECRET is not set" in ran.stderr
    assert 'no entry for service "azora", username "db-password" in the keyring' in ran.stderr
    assert "azconf secrets set keyring://azora/db-password" in ran.stderr


def test_run_unknown_service_suggests_one(env: dict[str, str]) -> None:
    ran = azconf_with_input(
        "-C", EXAMPLE, "run", "--env", "dev", "--service", "paymnts", "--", "true", env=env
    )
    assert ran.returncode == 2
    assert 'unknown service "paymnts" (did you mean "payments"?)' in ran.stderr


def test_run_unknown_environment_and_missing_command(env: dict[str, str]) -> None:
    ran = azconf_with_input("-C", EXAMPLE, "run", "--env", "dve", "--service", "web", "--", "true", env=env)
    assert ran.returncode == 2
    assert 'unknown environment "dve" (did you mean "dev"?)' in ran.stderr
    bare = azconf_with_input("-C", EXAMPLE, "run", "--env", "dev", "--service", "web", env=env)
    assert bare.returncode == 2
    assert "Missing argument" in bare.stderr


def test_run_command_not_found_is_127(project: Path, env: dict[str, str]) -> None:
    (project / "config/envs/dev/web-secrets.yaml").write_text(
        "secrets:\n  session-secret: env://SESSION_SECRET\n", encoding="utf-8"
    )
    env["SESSION_SECRET"] = value()
    ran = azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "web", "--", "no-such-command-xyz", env=env
    )
    assert ran.returncode == 127
    assert "cannot run no-such-command-xyz: command not found" in ran.stderr


def test_run_refuses_an_invalid_environment_with_its_errors(project: Path, env: dict[str, str]) -> None:
    (project / "config/envs/dev/secrets.yaml").write_text(
        "secrets:\n  payments-db-password: vault://kv/azora/db\n", encoding="utf-8"
    )
    ran = azconf_with_input("-C", project, "run", "-e", "dev", "-s", "payments", "--", "true", env=env)
    assert ran.returncode == 1
    assert "config/envs/dev/secrets.yaml:2:44: error AZC0701 secrets.payments-db-password: " in ran.stderr
    assert "missing '#<key>' after the Vault path" in ran.stderr


# -- set: what it refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("vault://kv/azora/db#password", "Vault holds it"),
        ("k8s://payments-secrets/KEY", "kubectl create secret"),
        ("env://DB_PASSWORD", "set the variable in your shell"),
    ],
)
def test_set_refuses_references_that_are_not_keyring(ref: str, hint: str, env: dict[str, str]) -> None:
    run = azconf_with_input("secrets", "set", ref, env=env, stdin=b"some-value\n")
    assert run.returncode == 2
    scheme = ref.split(":", maxsplit=1)[0]
    assert f"only keyring:// references can be stored by azconf, not {scheme}://" in run.stderr
    assert hint in run.stderr
    assert not keyring_file(env).exists()


def test_set_never_takes_the_value_from_an_argument(env: dict[str, str]) -> None:
    secret = value()
    for args in ([REF, secret], [REF, "--", secret], [REF, f"--value={secret}"], [f"--value={secret}", REF]):
        run = azconf_with_input("secrets", "set", *args, env=env, stdin=b"")
        assert run.returncode == 2, args
        assert secret not in all_output(run), f"azconf secrets set {args} echoed the value"
    assert not keyring_file(env).exists()


def test_set_with_empty_stdin_stores_nothing(env: dict[str, str]) -> None:
    run = azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=b"\n")
    assert run.returncode == 2
    assert "no value given; nothing was stored" in run.stderr
    assert not keyring_file(env).exists()


def test_set_keeps_inner_whitespace_and_drops_one_line_end(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    assert azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=b"  two words \r\n").returncode == 0
    env |= {"STRIPE_TEST_API_KEY": "x-value", "STRIPE_WEBHOOK_SECRET": "y-value"}
    out = tmp_path / "child.json"
    azconf_with_input(
        "-C", project, "run", "-e", "dev", "-s", "payments", "--", *child_script(out, "DB_PASSWORD"), env=env
    )
    assert json.loads(out.read_text(encoding="utf-8")) == {"DB_PASSWORD": "  two words "}


def test_set_with_a_malformed_reference_states_the_grammar(env: dict[str, str]) -> None:
    run = azconf_with_input("secrets", "set", "keyring://azora", env=env, stdin=b"v\n")
    assert run.returncode == 2
    assert "missing '/<username>' after the keyring service" in run.stderr
    assert "keyring://<service>/<username>" in run.stderr


def test_set_without_a_keyring_backend_says_so(env: dict[str, str], tmp_path: Path) -> None:
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    run = azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=b"v-123\n")
    assert run.returncode == 1
    assert "no keyring backend is available on this machine" in run.stderr


def test_set_refuses_a_plaintext_backend_unless_allowed(env: dict[str, str]) -> None:
    secret = value()
    refused = azconf_with_input("secrets", "set", REF, env=env, stdin=f"{secret}\n".encode())
    assert refused.returncode == 1
    assert (
        "refusing to store into the keyring backend keyrings.alt.file.PlaintextKeyring: it keeps values "
        "unencrypted" in refused.stderr
    )
    assert "nothing was stored" in refused.stderr and f"pass {ALLOW}" in refused.stderr
    assert not keyring_file(env).exists()
    stored = azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=f"{secret}\n".encode())
    assert stored.returncode == 0, stored.stderr
    assert "keyrings.alt.file.PlaintextKeyring; it keeps values unencrypted" in stored.stderr
    assert "(allowed explicitly)" in stored.stderr
    assert secret not in all_output(refused, stored)


def test_set_refuses_the_null_backend_even_when_allowed(env: dict[str, str]) -> None:
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    for args in ((REF,), (REF, ALLOW)):
        run = azconf_with_input("secrets", "set", *args, env=env, stdin=b"v-123\n")
        assert run.returncode == 1
        assert "keyring.backends.null.Keyring: it discards every value; nothing was stored" in run.stderr
        assert ALLOW not in run.stderr  # allowing it would not store anything either


# -- check and list ------------------------------------------------------------------------------


def test_check_reports_missing_secrets_and_unused_ones(project: Path, env: dict[str, str]) -> None:
    env["STRIPE_TEST_API_KEY"] = value()
    run = azconf_with_input("-C", project, "secrets", "check", "--env", "dev", env=env)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert any(
        line.startswith("config/envs/dev/secrets.yaml:6:25: missing payments-db-password") for line in lines
    )
    assert any(
        line.startswith("config/envs/dev/secrets.yaml:7:26: missing stripe-webhook-secret") for line in lines
    )
    assert any(
        line.startswith("config/envs/dev/secrets.yaml:4:10: available stripe-api-key") for line in lines
    )
    assert (
        "config/envs/dev/secrets.yaml:8:19: missing (not required: unused) legacy-api-key (env://LEGACY_API_KEY)"
        in run.stdout
    )
    assert "config/envs/dev/secrets.yaml:8:19: warning legacy-api-key: not used by any service" in run.stdout
    assert "remote session-secret (vault://kv/azora/web#session_secret): held in Vault" in run.stdout
    assert lines[-1] == (
        "failed: 2 required secret(s) cannot be resolved in dev; 1 available, 3 missing, 8 remote, 1 unused"
    )
    assert env["STRIPE_TEST_API_KEY"] not in run.stdout + run.stderr


def test_check_json(project: Path, env: dict[str, str]) -> None:
    azconf_with_input("secrets", "set", REF, ALLOW, env=env, stdin=b"pw-value-1\n")
    env |= {"STRIPE_TEST_API_KEY": "a-value-1", "STRIPE_WEBHOOK_SECRET": "b-value-1"}
    run = azconf_with_input("-C", project, "secrets", "check", "--env", "dev", "--format", "json", env=env)
    assert run.returncode == 0, run.stdout
    document = run.json()
    assert set(document) == {"version", "env", "ok", "keyring_backend", "summary", "secrets"}
    assert document["summary"] == {"available": 3, "missing": 1, "remote": 8, "unused": 1}
    by_name = {entry["name"]: entry for entry in document["secrets"]}
    assert by_name["payments-db-password"] == {
        "name": "payments-db-password",
        "ref": "keyring://azora/db-password",
        "scheme": "keyring",
        "state": "available",
        "detail": "found in the keyring (keyrings.alt.file.PlaintextKeyring)",
        "required": True,
        "unused": False,
        "services": ["payments"],
        "file": "config/envs/dev/secrets.yaml",
        "line": 6,
        "column": 25,
    }
    assert by_name["legacy-api-key"]["required"] is False
    assert by_name["session-secret"]["required"] is False  # remote: resolved in the cluster
    for secret in ("pw-value-1", "a-value-1", "b-value-1"):
        assert secret not in run.stdout


def test_list_points_at_every_use(env: dict[str, str]) -> None:
    run = azconf_with_input("-C", EXAMPLE, "secrets", "list", "--env", "prod", "--format", "json", env=env)
    assert run.returncode == 0, run.stderr
    document = run.json()
    assert set(document) == {"version", "env", "secrets"}
    entry = next(s for s in document["secrets"] if s["name"] == "payments-db-password")
    assert (entry["scheme"], entry["unused"]) == ("vault", False)
    assert [use["path"] for use in entry["uses"]] == [
        "services.payments.secrets[0]",
        "services.payments.env.DB_PASSWORD",
    ]
    # Each location points at the secret's name in the YAML: read independently of azconf.
    for where in [entry, *entry["uses"]]:
        line = (EXAMPLE / where["file"]).read_text(encoding="utf-8").splitlines()[where["line"] - 1]
        expected = entry["ref"] if where is entry else "payments-db-password"
        assert line[where["column"] - 1 :].startswith(expected), (where, line)
    assert set(entry["uses"][1]) == {"path", "service", "env_var", "file", "line", "column"}
    assert entry["uses"][1]["env_var"] == "DB_PASSWORD"


def test_list_text(project: Path, env: dict[str, str]) -> None:
    run = azconf_with_input("-C", project, "secrets", "list", "--env", "dev", env=env)
    assert run.returncode == 0, run.stderr
    assert "    used by services.payments.env.DB_PASSWORD  (config/base/services.yaml:" in run.stdout
    assert "legacy-api-key" in run.stdout and "    unused: no service uses it" in run.stdout
    assert run.stdout.splitlines()[-1] == "12 secret(s) in dev: 3 env, 2 k8s, 1 keyring, 6 vault; 1 unused"


# -- set at a terminal -----------------------------------------------------------------------------


def test_set_at_a_terminal_prompts_twice_without_echo(env: dict[str, str]) -> None:
    import os
    import pty
    import select

    secret = value()
    pid, terminal = pty.fork()
    if pid == 0:  # the child: azconf on a real pseudo-terminal, as a user would run it
        try:
            os.execve(azconf_executable(), ["azconf", "secrets", "set", REF, ALLOW], env)
        finally:
            os._exit(127)  # never return into a copy of the test runner
    transcript = b""
    for answer in (secret, secret, None):
        transcript += read_until(terminal, b": " if answer else b"", select)
        if answer:
            # Type only once echo is off, as a person would after seeing the prompt: getpass
            # flushes what was typed ahead when it turns echo off.
            wait_for_echo_off(terminal)
            os.write(terminal, f"{answer}\n".encode())
    text = transcript.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(wait_or_kill(pid)) == 0, text
    assert "value for keyring://azora/db-password" in text and "Repeat for confirmation" in text
    assert secret not in text, "the prompt echoed the value"
    assert base64.b64encode(secret.encode()).decode() in keyring_file(env).read_text(encoding="utf-8")


def wait_or_kill(pid: int, timeout: float = 20) -> int:
    """The wait status of ``pid``; a child still running after ``timeout`` is killed and fails the test."""
    import os
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError("azconf secrets set is still waiting for input")


def wait_for_echo_off(fd: int, timeout: float = 20) -> None:
    """Wait until the terminal's line discipline stops echoing (getpass has taken over)."""
    import termios
    import time

    deadline = time.monotonic() + timeout
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        assert time.monotonic() < deadline, "the prompt never turned echo off"
        time.sleep(0.02)


def read_until(fd: int, marker: bytes, select: object, timeout: float = 20) -> bytes:
    """Read from a pty until ``marker`` (b"" reads to the end); an exited child ends it too."""
    import os
    import time

    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (marker and got.rstrip().endswith(marker.rstrip())):
        ready, _, _ = select.select([fd], [], [], 0.2)  # type: ignore[attr-defined]
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    return got


# -- validate --verbose: reviewed exceptions -----------------------------------------------------


def test_validate_verbose_lists_reviewed_exceptions_without_values(
    project: Path, env: dict[str, str]
) -> None:
    listed, inline = "tok-" + secrets.token_hex(12), "pw-" + secrets.token_hex(12)
    with (project / "azconf.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(
            "secrets:\n  allow:\n    - path: services.web.env.DEMO_TOKEN\n"
            "      reason: revoked demo token for the offline tutorial\n"
        )
    services = project / "config/base/services.yaml"
    text = services.read_text(encoding="utf-8")
    extra = (
        f"      NODE_ENV: production\n      DEMO_TOKEN: {listed}\n"
        f"      LOCAL_PASSWORD: {inline}   # azconf:allow-secret fake, dev-only\n"
    )
    services.write_text(text.replace("      NODE_ENV: production\n", extra, 1), encoding="utf-8")

    quiet = azconf_with_input("-C", project, "validate", env=env)
    assert quiet.returncode == 0, quiet.stdout
    assert quiet.stdout.splitlines()[-1].endswith("; 2 reviewed secret exception(s) (--verbose lists them)")
    loud = azconf_with_input("-C", project, "validate", "-v", env=env)
    assert loud.returncode == 0
    assert loud.stdout.splitlines()[-3:-1] == [
        "allowed services.web.env.DEMO_TOKEN: reviewed secret exception: "
        "revoked demo token for the offline tutorial",
        "allowed services.web.env.LOCAL_PASSWORD: reviewed secret exception: fake, dev-only",
    ]
    document = azconf_with_input("-C", project, "validate", "--format", "json", env=env).json()
    assert document["allowed"] == [
        {"path": "services.web.env.DEMO_TOKEN", "reason": "revoked demo token for the offline tutorial"},
        {"path": "services.web.env.LOCAL_PASSWORD", "reason": "fake, dev-only"},
    ]
    for run in (quiet, loud):
        assert listed not in run.stdout and inline not in run.stdout

    # Without the marker, the same literal is an error that shows it masked.
    services.write_text(
        services.read_text(encoding="utf-8").replace("# azconf:allow-secret", "#"), encoding="utf-8"
    )
    failing = azconf_with_input("-C", project, "validate", "--env", "dev", env=env)
    assert failing.returncode == 1
    assert "AZC0702 services.web.env.LOCAL_PASSWORD" in failing.stdout
    assert inline not in failing.stdout


def test_the_cli_does_not_import_keyring_until_a_command_needs_it() -> None:
    import subprocess

    code = (
        "import sys, azconf.cli.app; "
        "print(sorted(m for m in ('keyring', 'azconf.secrets.resolve') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
