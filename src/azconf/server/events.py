"""``GET /ofrep/v1/events``: the SSE stream of an environment's changes (see :mod:`.broadcast`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from azconf.server.responses import ApiError
from azconf.server.service import env_of, service_of


async def stream(request: Request) -> Response:
    """Open an event stream: a read-only token in a header or ``?token=``, or a ``?ticket=``."""
    service, env = service_of(request), env_of(request)
    ticket = request.query_params.get("ticket")
    if ticket is not None and service.guard.tokens:
        if service.events.ticket_holder(ticket, env) is None:
            raise ApiError(401, "UNAUTHORIZED", "unknown or expired stream ticket; fetch the flags again")
    else:
        service.guard.check(request, env, query_token=True)
    if service.events.closed:
        raise ApiError(503, "SHUTTING_DOWN", "the service is stopping", headers={"Retry-After": "1"})
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(service.events.stream(env), media_type="text/event-stream", headers=headers)
