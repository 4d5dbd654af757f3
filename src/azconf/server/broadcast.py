"""The change stream's fan-out: Server-Sent Events telling clients to re-fetch (OFREP ADR-0008).

Every change of an environment's served flags (a file saved, a REST write, a new recorded version) is
one ``refetchEvaluation`` event with the new ETag; OFREP's web provider then re-POSTs its bulk
evaluation. The bulk response advertises the stream in ``eventStreams``. An EventSource cannot send
headers, so the stream URL carries either a read-only token (``?token=``) or the ``ticket`` the bulk
response hands out: an HMAC of the token's name and the environment under a per-process key, good for
this stream only, so no token is ever echoed back.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator

import orjson

from azconf.server.source import Served

KEEP_ALIVE = 15.0  # seconds between comments that keep proxies from closing an idle stream


class Broadcaster:
    """Fans each change out to the open streams of its environment."""

    def __init__(self) -> None:
        self.queues: dict[str, set[asyncio.Queue[bytes | None]]] = {}
        self.sequence = 0
        self.closed = False
        self._key = secrets.token_bytes(32)

    def publish(self, served: Served) -> None:
        """Send ``refetchEvaluation`` with ``served``'s ETag to every stream of its environment."""
        self.sequence += 1
        data = {"type": "refetchEvaluation", "etag": served.etag, "lastModified": int(served.loaded_at)}
        event = b"id: %d\nevent: message\ndata: %s\n\n" % (self.sequence, orjson.dumps(data))
        # "*" is the dashboard's stream: every environment's changes.
        for queue in [*self.queues.get(served.env, ()), *self.queues.get("*", ())]:
            queue.put_nowait(event)

    def close(self) -> None:
        """End every stream cleanly (shutdown): each client gets the end of its response."""
        self.closed = True
        for queues in self.queues.values():
            for queue in queues:
                queue.put_nowait(None)

    def listeners(self) -> int:
        """How many streams are open."""
        return sum(len(queues) for queues in self.queues.values())

    async def stream(self, env: str) -> AsyncIterator[bytes]:
        """The event stream of one client (``env`` "*": every environment), until it leaves or the
        service stops."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.queues.setdefault(env, set()).add(queue)
        try:
            yield b"retry: 1000\n: connected\n\n"
            while not self.closed:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEP_ALIVE)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                if event is None:
                    return
                yield event
        finally:
            self.queues[env].discard(queue)

    def ticket(self, token_name: str, env: str) -> str:
        """The stream ticket of a token for one environment (valid until the service restarts)."""
        mac = hmac.new(self._key, f"{token_name}\0{env}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"{token_name}.{mac}"

    def ticket_holder(self, ticket: str, env: str) -> str | None:
        """The token name a ticket was handed to, if it is genuine and for ``env``."""
        name, _, _mac = ticket.rpartition(".")
        if not name:
            return None
        return name if hmac.compare_digest(self.ticket(name, env), ticket) else None
