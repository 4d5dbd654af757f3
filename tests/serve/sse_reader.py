"""A small SSE reader for the tests: a thread collecting the events of one stream."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx


class EventReader:
    """Reads ``url`` in a thread; :meth:`wait_for` returns the first matching event's data."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self.ended = threading.Event()
        self.status: int | None = None
        self._thread = threading.Thread(target=self._read, args=(url, headers or {}), daemon=True)
        self._thread.start()
        assert self.connected.wait(10), "the stream did not open"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(5, read=60)) as response:
                self.status = response.status_code
                self.connected.set()
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        self.events.append(json.loads(line[6:]))
        except httpx.HTTPError:
            pass
        finally:
            self.connected.set()
            self.ended.set()

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        """Wait until ``count`` events arrived; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.events) >= count, f"{len(self.events)} of {count} events arrived"
        return self.events
