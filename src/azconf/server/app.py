"""The app factory: routes of every API, JSON errors, middleware, and the lifespan (watching).

With one environment the APIs are at the root (an OFREP client needs only the base URL); with several,
each has its own base URL ``/envs/{env}``. Health, metrics and the OpenAPI document are at the root.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from azconf.server import events, health, ofrep, rest
from azconf.server.checks import keep_checking
from azconf.server.dashboard.routes import Dashboard
from azconf.server.dashboard.routes import routes as dashboard_routes
from azconf.server.heartbeat import keep_beating
from azconf.server.middleware import BodyLimit, Timing
from azconf.server.openapi import openapi_document
from azconf.server.responses import JSON, ApiError, error_response
from azconf.server.service import Service
from azconf.server.source import watch

log = logging.getLogger("azconf.serve")


def api_routes() -> list[BaseRoute]:
    """The routes of one environment's APIs."""
    return [
        Route("/ofrep/v1/evaluate/flags/{key}", ofrep.evaluate_one, methods=["POST"]),
        Route("/ofrep/v1/evaluate/flags", ofrep.evaluate_all, methods=["POST"]),
        Route("/ofrep/v1/configuration", ofrep.configuration, methods=["GET"]),
        Route("/ofrep/v1/events", events.stream, methods=["GET"]),
        # One route per path with both methods, so that a 405 names them all in Allow.
        Route("/flags", rest.flags, methods=["GET", "POST"]),
        Route("/flags/{flag}", rest.flag, methods=["GET", "POST"]),
    ]


def create_app(service: Service) -> Starlette:
    """The Starlette app of ``service``."""
    document = openapi_document(service.settings.envs)

    async def openapi(request: Request) -> Response:
        return JSON(document)

    routes: list[BaseRoute] = [
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/readyz", health.readyz, methods=["GET"]),
        Route("/health", health.health, methods=["GET"]),
        Route("/metrics", health.metrics, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    routes += api_routes() if service.single else [Mount("/envs/{env}", routes=api_routes())]
    routes += dashboard_routes()
    app = Starlette(
        routes=routes,
        middleware=_middleware(service),
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _internal_error},
        lifespan=_lifespan(service),
    )
    app.state.service = service
    app.state.dashboard = Dashboard()
    return app


def _middleware(service: Service) -> list[Middleware]:
    settings = service.settings
    stack = [
        Middleware(Timing, metrics=service.metrics, access_log=settings.access_log),
        Middleware(BodyLimit, limit=settings.max_body),
    ]
    if settings.cors_origins:  # off by default: a browser on another origin gets no access
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "X-API-Key", "Content-Type", "If-Match", "If-None-Match"],
                expose_headers=["ETag", "Retry-After"],
            )
        )
    return stack


def _lifespan(service: Service) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        service.stop = stop
        service.loop = asyncio.get_running_loop()
        tasks = [
            asyncio.create_task(_watch_forever(service, stop)),
            asyncio.create_task(keep_beating(service.source, stop)),
            asyncio.create_task(keep_checking(service.health, service.settings, stop)),
        ]
        try:
            yield
        finally:
            stop.set()
            service.events.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.gather(*tasks), 2)

    return lifespan


async def _watch_forever(service: Service, stop: asyncio.Event) -> None:
    """Watch for changes until stopped; a failing watcher is logged and restarted, never fatal."""
    while not stop.is_set():
        try:
            await watch(service.source, stop)
        except Exception:  # a watcher error must not take the service down; the config stays served
            log.exception("watching for changes failed; retrying in 1 s")
            await asyncio.sleep(1)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
    details = {404: f"no route {request.url.path}", 405: f"{request.method} is not allowed here"}
    status = exc.status_code
    return error_response(
        status,
        codes.get(status, "HTTP_ERROR"),
        details.get(status, str(exc.detail)),
        headers=dict(exc.headers or {}),
    )


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "GENERAL", "internal error; the service log has the details")
