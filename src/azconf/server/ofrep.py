"""OFREP v1: single and bulk flag evaluation (https://github.com/open-feature/protocol).

* ``POST /ofrep/v1/evaluate/flags/{key}``: 200 with ``key``, ``value``, ``variant``, ``reason`` and
  ``metadata`` (``value`` left out when the caller's default applies: a disabled flag, or no default
  variant; ``variant`` is then null); 404 ``FLAG_NOT_FOUND``; 400 ``PARSE_ERROR`` (a rule that cannot
  run, or a body that is not a JSON object), ``INVALID_CONTEXT`` (a context that is not an object, a
  ``targetingKey`` that is not a string), ``TARGETING_KEY_MISSING`` (an empty ``targetingKey``) or
  ``GENERAL`` (a rule that fails); 401, 403 and 429 come from the guard.
* ``POST /ofrep/v1/evaluate/flags``: every flag for one context, an ``ETag`` over the answer
  (``If-None-Match`` -> 304), flag-set ``metadata``, and ``eventStreams`` naming the SSE stream.
* ``GET /ofrep/v1/configuration``: the service's name and capabilities.

A missing body or ``context`` is an empty context.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from azconf.flags.evaluate import CODE_DEFAULT, Evaluation
from azconf.server.guard import Caller
from azconf.server.responses import JSON, ApiError
from azconf.server.service import Service, base_path, env_of, served_or_503, service_of

INACTIVITY_SECONDS = 120


async def evaluate_one(request: Request) -> Response:
    """Single-flag evaluation."""
    service, env = service_of(request), env_of(request)
    service.guard.check(request, env)
    served = served_or_503(service, env)
    key = request.path_params["key"]
    result = served.flags.evaluate(key, await read_context(request))
    service.metrics.evaluated(env, result)
    if result.error_code == "FLAG_NOT_FOUND":
        return JSON(failure(result), status_code=404)
    if result.failed:
        return JSON(failure(result), status_code=400)
    return JSON(success(result))


async def evaluate_all(request: Request) -> Response:
    """Bulk evaluation of every flag, with ETag / If-None-Match."""
    service, env = service_of(request), env_of(request)
    caller = service.guard.check(request, env)
    served = served_or_503(service, env)
    context = await read_context(request)
    results = served.flags.evaluate_all(context)
    service.metrics.evaluated_all(env, results)
    static = served.static_bodies  # flags whose answer never depends on the context: built once
    body = {
        "flags": [static.get(r.key) or (failure(r) if r.failed else success(r)) for r in results],
        "metadata": dict(served.flags.metadata),
        "eventStreams": [stream_entry(request, service, env, caller)],
    }
    data = orjson.dumps(body)
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


async def configuration(request: Request) -> Response:
    """What this OFREP service supports (the provider reads it only when asked to)."""
    service, env = service_of(request), env_of(request)
    service.guard.check(request, env)
    return JSON(
        {
            "name": "azconf",
            "capabilities": {
                "cacheInvalidation": {"polling": {"enabled": True, "minPollingIntervalMs": 1000}},
                "flagEvaluation": {"supportedTypes": ["int", "float", "string", "boolean", "object"]},
            },
        }
    )


def success(result: Evaluation) -> dict[str, Any]:
    """An evaluation's OFREP success body (``value`` absent: use the caller's default)."""
    body: dict[str, Any] = {
        "key": result.key,
        "reason": result.reason,
        "variant": result.variant,
        "metadata": result.metadata,  # shared with the flag set: serialised, never changed
    }
    if result.value is not CODE_DEFAULT:
        body["value"] = result.value
    return body


def static_bodies(evaluations: list[Evaluation]) -> dict[str, dict[str, Any]]:
    """The bodies of answers that hold for every context, by flag key."""
    return {r.key: failure(r) if r.failed else success(r) for r in evaluations}


def failure(result: Evaluation) -> dict[str, Any]:
    """An evaluation's OFREP failure body."""
    return {"key": result.key, "errorCode": result.error_code, "errorDetails": result.error_details or ""}


def stream_entry(request: Request, service: Service, env: str, caller: Caller) -> dict[str, Any]:
    """The ``eventStreams`` entry: this environment's SSE URL, with a stream ticket when tokens are on."""
    url = str(request.base_url).rstrip("/") + base_path(request) + "/ofrep/v1/events"
    if caller.token is not None:
        url += "?ticket=" + service.events.ticket(caller.token.name, env)
    return {"type": "sse", "url": url, "inactivityDelaySec": INACTIVITY_SECONDS}


async def read_context(request: Request) -> dict[str, Any]:
    """The evaluation context of a request body; ApiError 400 when it cannot be one."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "PARSE_ERROR", "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "PARSE_ERROR", "the request body must be a JSON object")
    context = body.get("context")
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise ApiError(400, "INVALID_CONTEXT", "context must be a JSON object")
    key = context.get("targetingKey")
    if key is not None and not isinstance(key, str):
        raise ApiError(400, "INVALID_CONTEXT", "context.targetingKey must be a string")
    if key == "":
        raise ApiError(400, "TARGETING_KEY_MISSING", "context.targetingKey is empty")
    return context


def _etags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compared as strong: the body is ours)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
