"""Pure ASGI middleware: request timing (metrics and the JSON access log) and the body-size limit.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: no extra task per request, and a streamed
response (the SSE stream) passes through untouched.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from azconf.server.metrics import Metrics


def api_of(path: str) -> str:
    """The API a path belongs to, the latency histogram's label (never the raw path: unbounded)."""
    if "/ofrep/v1/evaluate/flags/" in path:
        return "ofrep_single"
    if path.endswith("/ofrep/v1/evaluate/flags"):
        return "ofrep_bulk"
    if path.endswith("/ofrep/v1/events"):
        return "events"
    if "/ofrep/" in path:
        return "ofrep_other"
    if "/flags" in path:
        return "rest"
    return (
        path.strip("/") or "root"
        if path in ("/healthz", "/readyz", "/health", "/metrics", "/openapi.json")
        else "other"
    )


class Timing:
    """Observes each request's latency; with ``access_log``, one JSON line per request on stderr.

    The line has the method, the path without its query string (a stream URL may carry a token or a
    ticket), the status and the milliseconds: never a header, a body or a query.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, access_log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            elapsed = time.perf_counter() - start
            self.metrics.observe(api_of(scope["path"]), status, elapsed)
            if self.access_log:
                _log(scope, status, elapsed)


def _log(scope: Scope, status: int, elapsed: float) -> None:
    line = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "ms": round(elapsed * 1000, 3),
        "client": (scope.get("client") or ("", 0))[0],
    }
    sys.stderr.write(orjson.dumps(line).decode() + "\n")


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is None or declared > self.limit:
            await _send_error(send, *_length_error(declared, self.limit))
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watch)
        except _TooLarge:
            if not started:
                await _send_error(send, *_length_error(received, self.limit))


def _content_length(scope: Scope) -> int | None:
    """The declared body length (0 when none); None when the header is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return 0


def _length_error(length: int | None, limit: int) -> tuple[int, str, str]:
    if length is None:
        return 400, "INVALID_REQUEST", "Content-Length is not a number"
    return 413, "PAYLOAD_TOO_LARGE", f"the request body is larger than {limit} bytes"


async def _send_error(send: Send, status: int, code: str, details: str) -> None:
    body = orjson.dumps({"errorCode": code, "errorDetails": details})
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
