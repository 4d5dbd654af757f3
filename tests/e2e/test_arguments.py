"""Arguments a careful user gets wrong, and the prompt's answers: never a silent choice."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

from azconf_e2e import RunAzconf, azconf_executable


def test_an_environment_given_as_argument_and_option_is_refused(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    for command in ("list", "check"):
        run = azconf("-C", tmp_path / "p", "secrets", command, "dev", "--env", "prod")
        assert run.returncode == 2, command
        assert "the environment is given twice (prod and dev)" in run.stderr
    run = azconf("-C", tmp_path / "p", "show", "dev", "--env", "prod")  # was: no "dev" under the top level
    assert run.returncode == 2 and "the environment is given twice (prod and dev)" in run.stderr
    assert azconf("-C", tmp_path / "p", "show", "--env", "prod", "nope").stderr.startswith(
        'azconf: error: no "nope" under the top level'
    )


def test_end_of_input_at_the_prompt_is_an_interrupt_not_an_error(azconf: RunAzconf, tmp_path: Path) -> None:
    assert azconf("init", tmp_path / "p").returncode == 0
    before = (tmp_path / "p/config/envs/prod/services.yaml").read_text()

    code, shown = answer_at_a_terminal(
        ["-C", str(tmp_path / "p"), "set", "prod", "services.web.replicas", "5"], "\x04"
    )

    assert code == 130 and shown.rstrip().endswith("Apply these changes? [y/N]:") and "Aborted!" not in shown
    assert (tmp_path / "p/config/envs/prod/services.yaml").read_text() == before


def answer_at_a_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run azconf on a pseudo-terminal, type ``answer`` at its prompt; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([azconf_executable(), *args], stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    output = b""
    while b"[y/N]:" not in output:
        chunk = os.read(leader, 4096)
        assert chunk, output
        output += chunk
    os.write(leader, answer.encode())
    code = process.wait(timeout=60)
    try:
        while chunk := os.read(leader, 4096):
            output += chunk
    except OSError:  # the terminal closed with the process
        pass
    os.close(leader)
    return code, output.decode("utf-8", "replace")


def test_rendering_a_version_by_name_points_to_from(azconf: RunAzconf, repo: Path) -> None:
    run = azconf("-C", repo, "render", "prod@2")

    assert run.returncode == 2
    assert '"prod@2" is a recorded version, not an environment' in run.stderr
    assert "--from prod@2 --env prod" in run.stderr
