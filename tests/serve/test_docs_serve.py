"""The serve blocks of README.md and docs/serve.md run as written, with the output they show.

tests/test_readme.py runs every other block; a block that starts a server says
``<!-- doctest: not-run tests/serve/test_docs_serve.py ... -->`` and is run here instead: its first
command (``azconf serve ...``) starts in the background in a fresh copy of examples/azora, the others
run against it one by one (each in its own shell, like test_readme's), and the server's first line of
output is compared too. The server is stopped with SIGTERM and must exit 0.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from doctest_blocks import Block, matches, parse_blocks, prepared_project, run_as_shown  # noqa: E402

MARK = "tests/serve/test_docs_serve.py"
DOCS = [ROOT / "README.md", ROOT / "docs" / "serve.md"]


def serve_blocks() -> list[tuple[str, Block]]:
    found = []
    for doc in DOCS:
        for block in parse_blocks(doc.read_text(encoding="utf-8")):
            if any(MARK in reason for reason in block.directive("not-run")):
                found.append((f"{doc.name}:{block.line}", block))
    return found


BLOCKS = serve_blocks()


def test_the_docs_have_serve_blocks() -> None:
    assert {where.split(":")[0] for where, _ in BLOCKS} == {"README.md", "serve.md"}


@pytest.mark.parametrize(("where", "block"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_serve_block_runs_as_written(where: str, block: Block, tmp_path: Path) -> None:
    project, env = prepared_project(block, tmp_path, where)
    first, *rest = block.commands
    assert first.line.startswith("azconf serve"), f"{where}: the first command must start the server"
    port = int(re.search(r"--port (\d+)", first.line)[1]) if "--port" in first.line else 8013  # type: ignore[index]
    log = tmp_path / "serve.log"
    with log.open("w") as handle:
        server = subprocess.Popen(
            ["bash", "-c", "exec " + first.line.partition("  #")[0]],
            cwd=project,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(port, server, log)
        for command in rest:
            run_as_shown(command, project, env, where, timeout=120)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=20)
    output = log.read_text().splitlines()
    assert code == 0 and "Traceback" not in log.read_text(), log.read_text()
    if first.expected:
        assert matches(first.expected, output[: len(first.expected)]), (first.expected, output)


def _wait(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError(f"the server did not answer on port {port}: {log.read_text()}")
