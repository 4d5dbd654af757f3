"""The heartbeat ``azconf doctor`` reads: ``.azconf/serve-heartbeat.json``, rewritten every few seconds.

It says when the service last beat, its process id, and what each environment serves (``working tree``
or a recorded version such as ``prod@12``). A clean stop removes it; a killed service leaves it, and
its age is what ``doctor``'s ``serve_heartbeat_seconds`` check grades (warning at 30 s, critical at 120).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
from pathlib import Path

from azconf.health.checks import HEARTBEAT_NAME  # the file doctor reads
from azconf.server.source import Source

INTERVAL_SECONDS = 10.0  # doctor warns at 30 s


def beat(source: Source) -> None:
    """Write the heartbeat now."""
    from azconf.atomic import write_atomic

    path = source.settings.project_root / HEARTBEAT_NAME
    serving = {env: state.served.version for env, state in source.envs.items() if state.served is not None}
    body = {"time": dt.datetime.now(dt.UTC).isoformat(), "pid": os.getpid(), "serving": serving}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(body) + "\n")


async def keep_beating(source: Source, stop: asyncio.Event) -> None:
    """Beat every few seconds until ``stop``; then remove the heartbeat if it is still ours."""
    try:
        while not stop.is_set():
            with contextlib.suppress(OSError):  # a full or read-only disk must not stop the service
                beat(source)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), INTERVAL_SECONDS)
    finally:
        _remove_if_ours(source.settings.project_root / HEARTBEAT_NAME)


def _remove_if_ours(path: Path) -> None:
    with contextlib.suppress(OSError, ValueError, TypeError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
