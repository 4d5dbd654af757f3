"""The service's state, shared by every API: settings, the served config, the guard, the stream."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from azconf.server.broadcast import Broadcaster
from azconf.server.checks import HealthState
from azconf.server.guard import Guard
from azconf.server.metrics import Metrics
from azconf.server.responses import ApiError
from azconf.server.settings import ServeSettings
from azconf.server.source import Served, Source


@dataclass
class Service:
    """Everything a request handler needs (``request.app.state.service``)."""

    settings: ServeSettings
    source: Source
    guard: Guard
    events: Broadcaster
    metrics: Metrics
    health: HealthState = field(default_factory=HealthState)  # doctor's checks, measured in the background
    stop: asyncio.Event | None = field(default=None)  # set by the lifespan: stops the watcher
    loop: asyncio.AbstractEventLoop | None = field(default=None)

    def shutdown(self) -> None:
        """Begin a graceful stop from any thread (a signal handler): end the streams, stop watching."""
        if self.loop is None:
            return

        def stop_now() -> None:
            self.events.close()
            if self.stop is not None:
                self.stop.set()

        self.loop.call_soon_threadsafe(stop_now)

    @property
    def single(self) -> bool:
        """Whether one environment is served (its APIs are at the root)."""
        return len(self.settings.envs) == 1


def service_of(request: Request) -> Service:
    """The service a request belongs to."""
    found: Service = request.app.state.service
    return found


def env_of(request: Request) -> str:
    """The environment a request addresses: ``/envs/{env}/...``, or the only one served."""
    service = service_of(request)
    env: Any = request.path_params.get("env")
    if env is None:
        return service.settings.envs[0]
    if env not in service.settings.envs:
        raise ApiError(404, "ENV_NOT_FOUND", f'environment "{env}" is not served here')
    return str(env)


def served_or_503(service: Service, env: str) -> Served:
    """What ``env`` serves; 503 before its first valid load (which start-up prevents)."""
    served = service.source.current(env)
    if served is None:
        raise ApiError(503, "NOT_READY", f'"{env}" has no valid config loaded', headers={"Retry-After": "1"})
    return served


def base_path(request: Request) -> str:
    """The path prefix of this request's environment ("" or "/envs/{env}")."""
    env = request.path_params.get("env")
    return f"/envs/{env}" if env is not None else ""
