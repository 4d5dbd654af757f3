"""Helpers of the serve tests: a real ``azconf serve`` subprocess on a free loopback port.

Every server a test starts is stopped with SIGTERM at the end and must leave cleanly (exit 0), and its
stderr must hold no traceback and no token value.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "azora"

# Token values used by the tests; the tokens file holds only their SHA-256.
READER = "reader-token-5f0c1e6a9b"
WRITER = "writer-token-8d2b7c4e1a"
DEV_ONLY = "dev-only-token-3a9e6f2b7c"
SECRET_VALUES = (READER, WRITER, DEV_ONLY)


def azconf_executable() -> str:
    """The installed ``azconf`` console script beside the interpreter running the tests."""
    beside = Path(sys.executable).with_name("azconf")
    found = str(beside) if beside.is_file() else shutil.which("azconf")
    assert found, "the azconf command is not installed (pip install -e .)"
    return found


def copy_example(folder: Path) -> Path:
    """A copy of examples/azora (no history, no rendered output)."""
    root = folder / "azora"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    return root


def commit_all(project: Path) -> None:
    """Record every environment as it is, so that a write's version is the only new one."""
    done = subprocess.run(
        [azconf_executable(), "commit", "-m", "baseline"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def write_tokens(folder: Path) -> Path:
    """A tokens file: reader (reads all), writer (writes prod and staging), dev-only (reads dev)."""
    import hashlib

    def sha(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()

    path = folder / "tokens.yaml"
    path.write_text(
        "tokens:\n"
        f"  reader:\n    sha256: {sha(READER)}\n    read: ['*']\n"
        f"  writer:\n    sha256: {sha(WRITER)}\n    write: [prod, staging]\n"
        f"  dev-only:\n    sha256: {sha(DEV_ONLY)}\n    read: [dev]\n",
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running ``azconf serve``."""

    process: subprocess.Popen[str]
    base: str
    project: Path
    log: Path
    stopped: bool = field(default=False)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client for this server."""
        return httpx.Client(base_url=self.base, timeout=10, **kwargs)

    def stop(self) -> str:
        """SIGTERM, wait, check a clean exit; returns stderr."""
        if not self.stopped:
            self.stopped = True
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        output = self.log.read_text(encoding="utf-8")
        assert "Traceback" not in output, output
        for value in SECRET_VALUES:
            assert value not in output, "a token value reached the server's log"
        return output


def start_server(project: Path, *args: str, env: dict[str, str] | None = None, wait: float = 30) -> Server:
    """Start ``azconf serve ARGS`` in ``project`` on a free port; return once /healthz answers."""
    port = free_port()
    log = project.parent / f"serve-{port}.log"
    full_env = {**os.environ, "XDG_CACHE_HOME": str(project.parent / ".cache"), **(env or {})}
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            [azconf_executable(), "serve", "--port", str(port), *args],
            cwd=project,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
            env=full_env,
        )
    server = Server(process, f"http://127.0.0.1:{port}", project, log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"azconf serve exited {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(server.base + "/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"azconf serve did not answer within {wait} s: {log.read_text()}")


def etag_of(server: Server, prefix: str = "", headers: dict[str, str] | None = None) -> str:
    """The current ETag of the flags API."""
    with server.client(headers=headers or {}) as client:
        response = client.get(prefix + "/flags")
        assert response.status_code == 200, response.text
        return str(response.headers["etag"])
