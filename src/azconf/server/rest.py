"""The original flags API: ``GET /flags``, ``GET /flags/{flag}``, ``POST /flags``, ``POST /flags/{flag}``.

A read answers the served flags (flagd's format, azconf's description/owner/expires in ``metadata``)
with the environment's ``ETag``. A write changes ``state``, ``defaultVariant`` and ``targeting`` of one
or several flags through :func:`azconf.edit.transaction.set_values`, the path ``azconf set`` takes:
validated first, minimal comment-preserving edits, atomic writes, one recorded version, audit entries
whose actor is the token's name. It must carry ``If-Match`` with the ETag it read (428 without it, 409
when stale); an invalid result is 422 with the problems (file, line, column, code). Nothing is written
on any error.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from azconf.server import writes
from azconf.server.responses import JSON, ApiError
from azconf.server.service import env_of, served_or_503, service_of


async def flags(request: Request) -> Response:
    """``/flags``: GET lists, POST changes."""
    return await (list_flags(request) if request.method == "GET" else change_flags(request))


async def flag(request: Request) -> Response:
    """``/flags/{flag}``: GET reads one, POST changes it."""
    return await (get_flag(request) if request.method == "GET" else change_flag(request))


async def list_flags(request: Request) -> Response:
    """Every served flag of the environment."""
    service, env = service_of(request), env_of(request)
    service.guard.check(request, env)
    served = served_or_503(service, env)
    body = {"env": env, "version": served.version, "etag": served.etag, "flags": served.document["flags"]}
    return JSON(body, headers={"ETag": served.etag})


async def get_flag(request: Request) -> Response:
    """One served flag."""
    service, env = service_of(request), env_of(request)
    service.guard.check(request, env)
    served = served_or_503(service, env)
    key = request.path_params["flag"]
    flag = served.document["flags"].get(key)
    if flag is None:
        raise ApiError(404, "FLAG_NOT_FOUND", f'flag "{key}" not found in "{env}"')
    body = {"key": key, "env": env, "version": served.version, "etag": served.etag, "flag": flag}
    return JSON(body, headers={"ETag": served.etag})


async def change_flags(request: Request) -> Response:
    """``POST /flags``: ``{"flags": {name: {state?, defaultVariant?, targeting?}}, "message"?}``."""
    body = await _json_object(request)
    unknown = sorted(set(body) - {"flags", "message"})
    if unknown:
        raise ApiError(
            400, "INVALID_REQUEST", f"unknown field(s): {', '.join(unknown)} (expected flags, message)"
        )
    flags = body.get("flags")
    if not isinstance(flags, dict) or not flags:
        raise ApiError(400, "INVALID_REQUEST", 'expected {"flags": {"<flag>": {"state": "ENABLED"}}}')
    return await _write(request, flags, body.get("message"))


async def change_flag(request: Request) -> Response:
    """``POST /flags/{flag}``: ``{state?, defaultVariant?, targeting?, message?}``."""
    body = await _json_object(request)
    message = body.pop("message", None)
    return await _write(request, {request.path_params["flag"]: body}, message)


async def _write(request: Request, flags: dict[str, Any], message: Any) -> Response:
    service, env = service_of(request), env_of(request)
    caller = service.guard.check(request, env, write=True)
    if service.settings.from_history:
        raise ApiError(
            405, "READ_ONLY", "serving recorded versions (--from): writes are off", headers={"Allow": "GET"}
        )
    if_match = request.headers.get("if-match")
    if not if_match:
        raise ApiError(428, "PRECONDITION_REQUIRED", "send If-Match with the ETag you read (GET /flags)")
    if message is not None and not isinstance(message, str):
        raise ApiError(400, "INVALID_REQUEST", "message must be a string")
    request_ = writes.FlagWrite(env, writes.parse_changes(flags), if_match.strip(), message, caller.actor)
    base = served_or_503(service, env)
    async with service.source.writing():
        outcome = await asyncio.to_thread(
            writes.apply, service.settings, base, request_, service.source.parsed
        )
        await service.source.written(
            outcome, base
        )  # served (and announced) now, not when the watcher sees it
    served = served_or_503(service, env)
    body = {
        "env": env,
        "version": outcome.version.ref if outcome.version else None,
        "files": outcome.files,
        "changes": [change.dotted for change in outcome.changes],
        "etag": served.etag,
    }
    return JSON(body, headers={"ETag": served.etag})


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise ApiError(400, "INVALID_REQUEST", "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_REQUEST", "the request body must be a JSON object")
    return body
