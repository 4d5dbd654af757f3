"""Health: ``/healthz`` (the process answers), ``/readyz`` (every environment serves a valid config,
and the config on disk is the one served), ``/health`` (``azconf doctor``'s checks and the open
alerts), ``/metrics`` (Prometheus).

Readiness fails (503) while the on-disk config of an environment is refused: the last valid config is
still served, and the body lists the problems with file:line:col so an operator sees why.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from azconf.problems import Problem
from azconf.server.responses import JSON
from azconf.server.service import service_of


async def healthz(request: Request) -> Response:
    """Liveness."""
    return JSON({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness, per environment, with the problems of a refused config."""
    service = service_of(request)
    envs: dict[str, Any] = {}
    ready = not service.events.closed
    for env, state in service.source.envs.items():
        entry: dict[str, Any] = {
            "serving": state.served.version if state.served else None,
            "etag": state.served.etag if state.served else None,
            "valid": state.refused is None,
        }
        if state.refused is not None:
            entry["error"] = state.refused
            entry["problems"] = [_problem(p) for p in state.problems]
        ready = ready and state.served is not None and state.refused is None
        envs[env] = entry
    return JSON(
        {"status": "ready" if ready else "not ready", "environments": envs}, status_code=200 if ready else 503
    )


async def health(request: Request) -> Response:
    """``azconf doctor``'s checks of the served environments, and the open alerts (no token needed,
    like the other health endpoints; no secret value is ever in a check)."""
    from azconf.server.checks import refresh

    service = service_of(request)
    if not service.health.measured:  # before the first background measurement
        await refresh(service.health, service.settings)
    return JSON(service.health.document())


async def metrics(request: Request) -> Response:
    """Prometheus exposition."""
    body = service_of(request).metrics.text()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


def _problem(problem: Problem) -> dict[str, Any]:
    location = problem.location
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "code": problem.code,
        "message": problem.message,
        "path": problem.path,
        "where": str(location),
    }
