"""A forked worker dies with its parent (issue 13, item 8): ``kill -9`` of the parent once left it
running at 100% CPU for 73 minutes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DRIVER = """
import sys, time
from pathlib import Path
from azconf.process.fork import Staged

def spin():
    Path(sys.argv[1]).write_text(str(__import__("os").getpid()))
    while True:  # CPU-bound work that never ends by itself
        pass

work = Staged(spin)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_the_worker_dies_when_its_parent_is_killed(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    env = {**os.environ, "AZCONF_JOBS": "2"}
    parent = subprocess.Popen([sys.executable, "-c", DRIVER, str(marker)], env=env)
    try:
        deadline = time.monotonic() + 10
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline, "the worker never started"
            time.sleep(0.05)
        child = int(marker.read_text())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child), "the worker outlived its parent"
    finally:
        parent.kill()
        if marker.exists() and marker.read_text() and alive(int(marker.read_text())):
            os.kill(int(marker.read_text()), signal.SIGKILL)
