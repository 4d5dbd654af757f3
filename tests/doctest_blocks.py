"""Shell blocks of the docs, run as written: parsing them, preparing their project, running a command.

Used by tests/test_readme.py (every block of the README) and tests/serve/test_docs_serve.py (the
blocks that start a server). The format, from test_readme's docstring::

    <!-- doctest: setup azconf commit -m base -->
    <!-- doctest: stdin s3cret -->
    <!-- doctest: env STRIPE_TEST_API_KEY=sk_test_doc -->

``console`` blocks compare each command's output (stdout and stderr, as a terminal shows them) with
the lines under it: ``...`` alone on a line stands for any lines, and ``...`` inside a line for any
text. A command must exit 0, unless its trailing comment says ``exit N``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "azora"
BLOCK = re.compile(
    r"(?P<directives>(?:<!-- doctest: .*? -->\n)*)```(?P<lang>sh|console)\n(?P<body>.*?)```", re.S
)
DIRECTIVE = re.compile(r"<!-- doctest: (\S+) ?(.*?) -->")
NOT_RUN = "not-run"  # a block CI runs in another way; the directive says which test covers it


@dataclass
class Command:
    line: str
    expected: list[str] | None = None  # console blocks: the lines shown under it
    exit_codes: tuple[int, ...] = (0,)


@dataclass
class Block:
    line: int
    lang: str
    directives: dict[str, list[str]]
    commands: list[Command] = field(default_factory=list)

    def directive(self, name: str) -> list[str]:
        return self.directives.get(name, [])


def _exit_codes(command: str) -> tuple[int, ...]:
    comment = command.partition("  #")[2]
    allowed = re.findall(r"exit (\d)", comment)
    return (0, *map(int, allowed)) if allowed else (0,)


def parse_blocks(text: str) -> list[Block]:
    blocks = []
    for match in BLOCK.finditer(text):
        directives: dict[str, list[str]] = {}
        for name, value in DIRECTIVE.findall(match["directives"]):
            directives.setdefault(name, []).append(value)
        block = Block(text.count("\n", 0, match.start("lang")) + 1, match["lang"], directives)
        lines = match["body"].splitlines()
        if block.lang == "sh":
            block.commands = [
                Command(line) for line in lines if line.strip() and not line.lstrip().startswith("#")
            ]
        else:
            for line in lines:
                if line.startswith("$ "):
                    block.commands.append(Command(line[2:], []))
                elif block.commands:
                    expected = block.commands[-1].expected
                    assert expected is not None
                    expected.append(line)
            for command in block.commands:  # a blank line before the next `$` only separates
                while command.expected and not command.expected[-1].strip():
                    command.expected.pop()
        for command in block.commands:
            command.exit_codes = _exit_codes(command.line)
        blocks.append(block)
    return blocks


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` lines match ``expected``, where ``...`` stands for any lines or any text."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[start:]) for start in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(pattern, actual[0].rstrip()) is not None and matches(rest, actual[1:])


def environment(home: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_COLOR": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "AZCONF_ACTOR": "you@example.com",
    }


def prepared_project(block: Block, tmp_path: Path, where: str) -> tuple[Path, dict[str, str]]:
    """A fresh copy of examples/azora with the block's ``setup`` done, and the environment to run in."""
    project = tmp_path / "azora"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    env = environment(tmp_path / "home")
    env.update(pair.split("=", 1) for pair in block.directive("env"))  # type: ignore[misc]
    for setup in block.directive("setup"):
        done = subprocess.run(
            ["bash", "-ec", setup], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{where} set-up failed:\n{done.stdout}{done.stderr}"
    return project, env


def run_as_shown(
    command: Command, project: Path, env: dict[str, str], where: str, *, stdin: str = "", timeout: float = 300
) -> None:
    """Run ``command`` in its own shell; it must exit as its comment allows and print what is shown."""
    done = subprocess.run(
        ["bash", "-c", command.line.partition("  #")[0] + " 2>&1"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        check=False,
    )
    shown = f"{where}: $ {command.line}"
    assert done.returncode in command.exit_codes, f"{shown}\nexit {done.returncode}:\n{done.stdout}"
    assert "Traceback" not in done.stdout, f"{shown}\n{done.stdout}"
    if command.expected is not None:
        actual = done.stdout.rstrip("\n").splitlines()
        assert matches(command.expected, actual), (
            f"{shown}\nshown:\n" + "\n".join(command.expected) + "\nactual:\n" + done.stdout
        )
