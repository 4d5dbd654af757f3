"""Helpers of the end-to-end tests: run the real ``azconf`` command in a subprocess, write repositories.

Every run is checked for the one thing no input may cause: an internal error (exit 3, or a traceback
on stderr).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "azora"


def azconf_executable() -> str:
    """The installed ``azconf`` console script of the interpreter running the tests."""
    beside = Path(sys.executable).with_name("azconf")
    found = str(beside) if beside.is_file() else shutil.which("azconf")
    assert found, "the azconf command is not installed (pip install -e .)"
    return found


@dataclass(frozen=True)
class Run:
    """One finished ``azconf`` process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.stdout)


RunAzconf = Callable[..., Run]


def run_azconf(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    timeout: float = 120,
) -> Run:
    """Run ``azconf ARGS`` and check that it did not crash."""
    argv = [azconf_executable(), *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
        check=False,
    )
    # Decoded by hand: text mode would turn a stray carriage return into a newline and hide it.
    stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    run = Run(tuple(argv[1:]), done.returncode, stdout, stderr, time.perf_counter() - started)
    assert "Traceback" not in run.stderr, f"azconf {' '.join(run.args)} printed a traceback:\n{run.stderr}"
    assert run.returncode != 3, f"azconf {' '.join(run.args)} hit an internal error:\n{run.stderr}"
    return run


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; folders ending in / are made empty."""
    for relative, content in files.items():
        target = root / relative
        if relative.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root
