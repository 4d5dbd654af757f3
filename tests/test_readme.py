"""The README is true: every command it shows runs as written, with the output it shows.

Each ``sh`` and ``console`` block runs in a fresh copy of ``examples/azora`` with the installed azconf
first on PATH. An HTML comment just before a block may prepare the state its commands need, as a
reader's project would have it, and say what a person would type or have in their shell (the format
is described in tests/doctest_blocks.py, which parses and runs the blocks).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from doctest_blocks import (
    EXAMPLE,
    NOT_RUN,
    ROOT,
    Block,
    environment,
    parse_blocks,
    prepared_project,
    run_as_shown,
)

README = ROOT / "README.md"
BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))
RUN = [block for block in BLOCKS if not block.directive(NOT_RUN)]


def test_the_readme_has_runnable_blocks() -> None:
    assert len(RUN) >= 6
    for block in BLOCKS:
        for reason in block.directive(NOT_RUN):
            assert "test_" in reason, f"README:{block.line}: say which test covers the block"


@pytest.mark.parametrize("block", RUN, ids=[f"README:{block.line}" for block in RUN])
def test_every_readme_command_runs_as_written(block: Block, tmp_path: Path) -> None:
    where = f"README:{block.line}"
    project, env = prepared_project(block, tmp_path, where)
    stdin = "".join(line + "\n" for line in block.directive("stdin"))
    for command in block.commands:
        run_as_shown(command, project, env, where, stdin=stdin)


def test_the_demo_runs(tmp_path: Path) -> None:
    """What `make demo` runs once its virtual environment is there."""
    example = tmp_path / "examples" / "azora"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    shutil.copy(ROOT / "examples" / "demo.sh", tmp_path / "examples" / "demo.sh")
    azconf = str(Path(sys.executable).with_name("azconf"))
    env = environment(tmp_path / "home")
    done = subprocess.run(
        ["bash", str(tmp_path / "examples" / "demo.sh"), azconf],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (example / "deploy" / "prod" / "kubernetes" / "kustomization.yaml").is_file()
