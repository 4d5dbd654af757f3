"""azconf at a terminal: colour on a TTY (validate, diff, doctor), none when piped or with NO_COLOR; the
progress line of long commands (render, commit, promote), erased when done, never when piped.

The terminal is a real pseudo-terminal, so azconf sees what it sees in a person's shell.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
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
    project = tmp_path / "azora"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    routes = project / "config/envs/prod/routes.yaml"
    routes.write_text(routes.read_text().replace("\n  payments:\n", "\n  payments:\n    service: payment\n"))
    output = in_terminal("-C", str(project), "validate")
    error_line = next(line for line in output.splitlines() if "AZC0301" in line)
    assert error_line.startswith(f"{ESC}31m")  # red
    verdict = next(line for line in output.splitlines() if "failed:" in line)
    assert verdict.startswith(f"{ESC}1;31m")  # bold red


# -- the progress line of long commands ------------------------------------------------------------

ERASE = "\r\x1b[2K"
# A progress frame: the erase, then "<command>: <step>" up to the next carriage return.
FRAME = re.compile(r"\r\x1b\[2K(?:(?:render|commit|promote): [^\r\n]*)?")
SHOWN_FRAME = re.compile(r"\r\x1b\[2K(?:render|commit|promote): [^\r\n]*")
SHOWN_AT_ONCE = {"AZCONF_PROGRESS_DELAY": "0", "CI": ""}  # the suite runs with CI=true


def fresh_project(tmp_path: Path) -> Path:
    project = tmp_path / "azora"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    return project


def piped(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    variables = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")} | env
    return subprocess.run([azconf_executable(), *args], capture_output=True, env=variables, check=False)


def without_frames(terminal: str) -> str:
    """The terminal's text with every progress frame and colour removed (and its line ends as a pipe
    has them): what a piped run prints."""
    return re.sub(r"\x1b\[[0-9;]*m", "", FRAME.sub("", terminal)).replace("\r\n", "\n")


# Each command runs twice on the same files: on a terminal (the progress line shows), then piped after
# a reset (the output must be the same bytes, with no frame).
LONG_COMMANDS = {
    "render": (("render", "--env", "staging", "--env", "prod"), "render: building prod/"),
    "commit": (("commit", "-m", "first"), "commit: checking dev (0/3)"),
    "promote": (
        ("promote", "dev", "staging", "--yes", "-m", "promoted"),
        "promote: planning dev (working tree) -> staging",
    ),
}


@pytest.mark.parametrize("name", list(LONG_COMMANDS))
def test_long_commands_show_progress_on_a_terminal_then_erase_it(name: str, tmp_path: Path) -> None:
    args, frame = LONG_COMMANDS[name]
    project = fresh_project(tmp_path)
    env = {**SHOWN_AT_ONCE, "AZCONF_DB": str(tmp_path / "history.db")}
    terminal = in_terminal("-C", str(project), *args, env=env)
    assert frame in terminal, terminal
    last = list(SHOWN_FRAME.finditer(terminal))[-1]
    assert terminal[last.end() :].startswith(ERASE), "the progress line stays on the screen"
    # Every frame is erased before anything else is written: what stays is exactly the piped output.
    shutil.rmtree(project)
    (tmp_path / "history.db").unlink()
    project = fresh_project(tmp_path)
    done = piped("-C", str(project), *args, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert b"\r" not in done.stdout and b"\x1b" not in done.stdout
    assert without_frames(terminal) == done.stdout.decode("utf-8")


@pytest.mark.parametrize(
    "off", [{"NO_COLOR": "1"}, {"TERM": "dumb"}, {"CI": "true"}], ids=["NO_COLOR", "dumb", "CI"]
)
def test_no_progress_with_no_color_a_dumb_terminal_or_in_ci(off: dict[str, str], tmp_path: Path) -> None:
    project = fresh_project(tmp_path)
    env = {**SHOWN_AT_ONCE, "AZCONF_DB": str(tmp_path / "history.db"), **off}
    terminal = in_terminal("-C", str(project), "render", "--env", "prod", env=env)
    assert "kubernetes: 39 written" in terminal
    assert "\x1b" not in terminal and "render: " not in terminal


def test_no_progress_before_the_delay(tmp_path: Path) -> None:
    project = fresh_project(tmp_path)
    env = {"CI": "", "AZCONF_PROGRESS_DELAY": "3600", "AZCONF_DB": str(tmp_path / "history.db")}
    terminal = in_terminal("-C", str(project), "render", "--env", "prod", env=env)
    assert "kubernetes: 39 written" in terminal and "\x1b" not in terminal
