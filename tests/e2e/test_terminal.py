"""azconf at a terminal: colour on a TTY (validate, diff, doctor), none when piped or with NO_COLOR.

The terminal is a real pseudo-terminal, so azconf sees what it sees in a person's shell.
"""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path

import pytest
from azconf_e2e import EXAMPLE, azconf_executable

ESC = "\x1b["


def in_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """What azconf prints to a pseudo-terminal (stdout and stderr), ANSI codes included."""
    leader, follower = pty.openpty()
    variables = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    variables.update({"TERM": "xterm-256color", "COLUMNS": "200", **(env or {})})
    process = subprocess.Popen(
        [azconf_executable(), *args], stdin=follower, stdout=follower, stderr=follower, env=variables
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(leader)
    return output.decode("utf-8", "replace")


COMMANDS = [
    ("validate",),
    ("diff", "staging", "prod", "--only", "services"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[a[0] for a in COMMANDS])
def test_colour_on_a_terminal_and_none_when_piped_or_asked(args: tuple[str, ...]) -> None:
    coloured = in_terminal("-C", str(EXAMPLE), *args)
    assert ESC in coloured
    assert ESC not in in_terminal("-C", str(EXAMPLE), *args, env={"NO_COLOR": "1"})
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    piped = subprocess.run(
        [azconf_executable(), "-C", str(EXAMPLE), *args], capture_output=True, text=True, env=env, check=False
    )
    assert ESC not in piped.stdout + piped.stderr


def test_validate_colours_errors_and_the_verdict(tmp_path: Path) -> None:
    import shutil

    project = tmp_path / "azora"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    routes = project / "config/envs/prod/routes.yaml"
    routes.write_text(routes.read_text().replace("\n  payments:\n", "\n  payments:\n    service: payment\n"))
    output = in_terminal("-C", str(project), "validate")
    error_line = next(line for line in output.splitlines() if "AZC0301" in line)
    assert error_line.startswith(f"{ESC}31m")  # red
    verdict = next(line for line in output.splitlines() if "failed:" in line)
    assert verdict.startswith(f"{ESC}1;31m")  # bold red
