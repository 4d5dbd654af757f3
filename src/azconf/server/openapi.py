"""The service's OpenAPI 3.1 document (``GET /openapi.json``), built for the environments served.

With one environment the APIs are at the root; with several, under ``/envs/{env}``. The OFREP parts
follow the protocol's own OpenAPI document (service/openapi.yaml of open-feature/protocol) with its
later additions: an optional ``value`` (ADR-0006, the caller's default) and ``eventStreams`` (ADR-0008).
"""

from __future__ import annotations

from typing import Any

from azconf import __version__

_STRING = {"type": "string"}
_OBJECT = {"type": "object"}
_ETAG_HEADER = {"ETag": {"schema": _STRING}}


def _ref(schema: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema}"}


def _param(name: str, where: str, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": _STRING}


def _common(*statuses: int) -> dict[str, Any]:
    """The error responses every guarded operation may give."""
    texts = {
        400: "Bad request",
        401: "No token, or an unknown one",
        403: "The token may not do this here",
        404: "Not found",
        405: "Writes are off (recorded versions served)",
        409: "Stale If-Match, or a file changed meanwhile: nothing written",
        413: "The request body is too large",
        422: "The change would make the config invalid: nothing written",
        428: "If-Match is required",
        429: "Rate limited: retry after Retry-After seconds",
        503: "No valid config loaded, or stopping",
    }
    responses = {str(status): _json(_ref("error"), texts[status]) for status in statuses}
    if 429 in statuses:
        responses["429"]["headers"] = {"Retry-After": {"schema": _STRING}}
    return responses


def _json(schema: dict[str, Any], description: str = "OK", etag: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if etag:
        response["headers"] = _ETAG_HEADER
    return response


def _body(schema: str, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _ref(schema)}}}


_GUARDED = (400, 401, 403, 404, 413, 429, 503)
_WRITE_ERRORS = (400, 401, 403, 404, 405, 409, 413, 422, 428, 429, 503)


def _operation(
    tag: str,
    summary: str,
    parameters: list[dict[str, Any]],
    ok: dict[str, Any],
    *,
    body: dict[str, Any] | None = None,
    errors: tuple[int, ...] = _GUARDED,
    more: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One guarded operation: its 200 response (``ok``), any ``more`` responses, and its errors."""
    operation: dict[str, Any] = {"tags": [tag], "summary": summary, "parameters": parameters}
    if body is not None:
        operation["requestBody"] = body
    operation["responses"] = {"200": ok, **(more or {}), **_common(*errors)}
    return operation


def _api_paths(env: list[dict[str, Any]]) -> dict[str, Any]:
    key, flag, if_match = [_param("key", "path")], [_param("flag", "path")], [_param("If-Match", "header")]
    context = _body("evaluationRequest", required=False)
    written = _json(_ref("writeResult"), etag=True)
    stream = {"description": "An event stream", "content": {"text/event-stream": {"schema": _STRING}}}
    return {
        "/ofrep/v1/evaluate/flags/{key}": {
            "post": _operation(
                "OFREP",
                "Evaluate one flag (OFREP single evaluation)",
                env + key,
                _json(_ref("evaluationSuccess")),
                body=context,
            )
        },
        "/ofrep/v1/evaluate/flags": {
            "post": _operation(
                "OFREP",
                "Evaluate every flag (OFREP bulk evaluation)",
                [*env, _param("If-None-Match", "header", required=False)],
                _json(_ref("bulkEvaluationSuccess"), etag=True),
                body=context,
                more={"304": {"description": "Not modified", "headers": _ETAG_HEADER}},
            )
        },
        "/ofrep/v1/configuration": {
            "get": _operation("OFREP", "What this OFREP service supports", env, _json(_OBJECT))
        },
        "/ofrep/v1/events": {
            "get": _operation(
                "OFREP",
                "Server-Sent Events: refetchEvaluation on every change",
                [*env, _param("token", "query", required=False), _param("ticket", "query", required=False)],
                stream,
            )
        },
        "/flags": {
            "get": _operation("flags", "List the served flags", env, _json(_ref("flagList"), etag=True)),
            "post": _operation(
                "flags",
                "Change state, defaultVariant or targeting of flags",
                env + if_match,
                written,
                body=_body("flagsChange"),
                errors=_WRITE_ERRORS,
            ),
        },
        "/flags/{flag}": {
            "get": _operation("flags", "One served flag", env + flag, _json(_OBJECT, etag=True)),
            "post": _operation(
                "flags",
                "Change state, defaultVariant or targeting of one flag",
                env + flag + if_match,
                written,
                body=_body("flagChangeRequest"),
                errors=_WRITE_ERRORS,
            ),
        },
    }


def _health_paths() -> dict[str, Any]:
    plain = {"content": {"text/plain": {"schema": {"type": "string"}}}}
    return {
        "/healthz": {
            "get": {
                "tags": ["health"],
                "summary": "Liveness",
                "security": [],
                "responses": {"200": _json({"type": "object"})},
            }
        },
        "/readyz": {
            "get": {
                "tags": ["health"],
                "summary": "Readiness, with the problems of a refused config",
                "security": [],
                "responses": {
                    "200": _json({"type": "object"}),
                    "503": _json({"type": "object"}, "Not ready"),
                },
            }
        },
        "/health": {
            "get": {
                "tags": ["health"],
                "summary": "azconf doctor's checks of the served environments, and the open alerts",
                "security": [],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["status", "checks", "alerts"],
                            "properties": {
                                "status": {
                                    "type": "string",
                                    "enum": ["ok", "warning", "critical", "unknown"],
                                },
                                "age_seconds": {"type": ["number", "null"]},
                                "checks": {"type": "array", "items": {"type": "object"}},
                                "alerts": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    )
                },
            }
        },
        "/metrics": {
            "get": {
                "tags": ["health"],
                "summary": "Prometheus metrics",
                "security": [],
                "responses": {"200": {"description": "OK", **plain}},
            }
        },
    }


def _flag_change(**more: Any) -> dict[str, Any]:
    """What a write may change in one flag (``POST /flags/{flag}`` also takes its ``message``)."""
    fields = {
        "state": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
        "defaultVariant": {"type": ["string", "null"]},
        "targeting": {"type": ["object", "null"]},
    }
    return {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": fields | more}


_SCHEMAS: dict[str, Any] = {
    "evaluationRequest": {"type": "object", "properties": {"context": {"type": ["object", "null"]}}},
    "flagChange": _flag_change(),
    "flagChangeRequest": _flag_change(message={"type": "string"}),
    "flagsChange": {
        "type": "object",
        "required": ["flags"],
        "additionalProperties": False,
        "properties": {
            "flags": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": _ref("flagChange"),
            },
            "message": {"type": "string"},
        },
    },
    "evaluationSuccess": {
        "type": "object",
        "required": ["key", "reason", "variant"],
        "properties": {
            "key": {"type": "string"},
            "value": {},
            "reason": {"type": "string", "enum": ["STATIC", "DEFAULT", "TARGETING_MATCH", "DISABLED"]},
            "variant": {"type": ["string", "null"]},
            "metadata": {"type": "object"},
        },
    },
    "evaluationFailure": {
        "type": "object",
        "required": ["key", "errorCode"],
        "properties": {
            "key": {"type": "string"},
            "errorCode": {
                "type": "string",
                "enum": [
                    "FLAG_NOT_FOUND",
                    "PARSE_ERROR",
                    "TARGETING_KEY_MISSING",
                    "INVALID_CONTEXT",
                    "GENERAL",
                ],
            },
            "errorDetails": {"type": "string"},
        },
    },
    "bulkEvaluationSuccess": {
        "type": "object",
        "required": ["flags"],
        "properties": {
            "flags": {
                "type": "array",
                "items": {
                    "anyOf": [
                        _ref("evaluationSuccess"),
                        _ref("evaluationFailure"),
                    ]
                },
            },
            "metadata": {"type": "object"},
            "eventStreams": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "url"],
                    "properties": {
                        "type": {"type": "string"},
                        "url": {"type": "string"},
                        "inactivityDelaySec": {"type": "integer"},
                    },
                },
            },
        },
    },
    "flagList": {
        "type": "object",
        "required": ["env", "version", "etag", "flags"],
        "properties": {
            "env": {"type": "string"},
            "version": {"type": "string"},
            "etag": {"type": "string"},
            "flags": {"type": "object"},
        },
    },
    "writeResult": {
        "type": "object",
        "required": ["env", "files", "changes", "etag"],
        "properties": {
            "env": {"type": "string"},
            "version": {"type": ["string", "null"]},
            "files": {"type": "array", "items": {"type": "string"}},
            "changes": {"type": "array", "items": {"type": "string"}},
            "etag": {"type": "string"},
        },
    },
    "error": {
        "type": "object",
        "required": ["errorCode", "errorDetails"],
        "properties": {
            "errorCode": {"type": "string"},
            "errorDetails": {"type": "string"},
            "key": {"type": "string"},
            "problems": {"type": "array", "items": {"type": "object"}},
        },
    },
}


def openapi_document(envs: tuple[str, ...]) -> dict[str, Any]:
    """The OpenAPI document of a service serving ``envs``."""
    if len(envs) == 1:
        api = _api_paths([])
    else:
        env_param = [
            {"name": "env", "in": "path", "required": True, "schema": {"type": "string", "enum": list(envs)}}
        ]
        api = {f"/envs/{{env}}{path}": item for path, item in _api_paths(env_param).items()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "azconf serve",
            "version": __version__,
            "description": f"Feature flags of {', '.join(envs)}: the flags API, OFREP v1, a change stream.",
        },
        "security": [{"BearerAuth": []}, {"ApiKeyAuth": []}, {}],
        "paths": {**api, **_health_paths()},
        "components": {
            "securitySchemes": {
                "BearerAuth": {"type": "http", "scheme": "bearer"},
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
            "schemas": _SCHEMAS,
        },
    }
