"""The service's OpenAPI 3.1 document (``GET /openapi.json``), built for the environments served.

With one environment the APIs are at the root; with several, under ``/envs/{env}``. The OFREP parts
follow the protocol's own OpenAPI document (service/openapi.yaml of open-feature/protocol) with its
later additions: an optional ``value`` (ADR-0006, the caller's default) and ``eventStreams`` (ADR-0008).
"""

from __future__ import annotations

from typing import Any

from azconf import __version__

_ERROR = {"$ref": "#/components/schemas/error"}
_JSON_ERROR = {"content": {"application/json": {"schema": _ERROR}}}


def _err(description: str) -> dict[str, Any]:
    return {"description": description, **_JSON_ERROR}


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
    responses = {str(status): _err(texts[status]) for status in statuses}
    if 429 in statuses:
        responses["429"]["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    return responses


def _json(schema: dict[str, Any], description: str = "OK", etag: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if etag:
        response["headers"] = {"ETag": {"schema": {"type": "string"}}}
    return response


_CONTEXT_BODY = {
    "required": False,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/evaluationRequest"}}},
}
_GUARDED = (400, 401, 403, 404, 413, 429, 503)


def _api_paths(env_param: list[dict[str, Any]]) -> dict[str, Any]:
    key = [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}]
    flag = [{"name": "flag", "in": "path", "required": True, "schema": {"type": "string"}}]
    if_match = [{"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}}]

    def write_body(schema: str) -> dict[str, Any]:
        return {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }

    write_errors = _common(400, 401, 403, 404, 405, 409, 413, 422, 428, 429, 503)
    return {
        "/ofrep/v1/evaluate/flags/{key}": {
            "post": {
                "tags": ["OFREP"],
                "summary": "Evaluate one flag (OFREP single evaluation)",
                "parameters": env_param + key,
                "requestBody": _CONTEXT_BODY,
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/evaluationSuccess"}),
                    **_common(*_GUARDED),
                },
            }
        },
        "/ofrep/v1/evaluate/flags": {
            "post": {
                "tags": ["OFREP"],
                "summary": "Evaluate every flag (OFREP bulk evaluation)",
                "parameters": [
                    *env_param,
                    {
                        "name": "If-None-Match",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": _CONTEXT_BODY,
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/bulkEvaluationSuccess"}, etag=True),
                    "304": {
                        "description": "Not modified",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                    },
                    **_common(*_GUARDED),
                },
            }
        },
        "/ofrep/v1/configuration": {
            "get": {
                "tags": ["OFREP"],
                "summary": "What this OFREP service supports",
                "parameters": env_param,
                "responses": {"200": _json({"type": "object"}), **_common(*_GUARDED)},
            }
        },
        "/ofrep/v1/events": {
            "get": {
                "tags": ["OFREP"],
                "summary": "Server-Sent Events: refetchEvaluation on every change",
                "parameters": [
                    *env_param,
                    {"name": "token", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "ticket", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "An event stream",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    **_common(*_GUARDED),
                },
            }
        },
        "/flags": {
            "get": {
                "tags": ["flags"],
                "summary": "List the served flags",
                "parameters": env_param,
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/flagList"}, etag=True),
                    **_common(*_GUARDED),
                },
            },
            "post": {
                "tags": ["flags"],
                "summary": "Change state, defaultVariant or targeting of flags",
                "parameters": env_param + if_match,
                "requestBody": write_body("flagsChange"),
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/writeResult"}, etag=True),
                    **write_errors,
                },
            },
        },
        "/flags/{flag}": {
            "get": {
                "tags": ["flags"],
                "summary": "One served flag",
                "parameters": env_param + flag,
                "responses": {"200": _json({"type": "object"}, etag=True), **_common(*_GUARDED)},
            },
            "post": {
                "tags": ["flags"],
                "summary": "Change state, defaultVariant or targeting of one flag",
                "parameters": env_param + flag + if_match,
                "requestBody": write_body("flagChangeRequest"),
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/writeResult"}, etag=True),
                    **write_errors,
                },
            },
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


_SCHEMAS: dict[str, Any] = {
    "evaluationRequest": {"type": "object", "properties": {"context": {"type": ["object", "null"]}}},
    "flagChange": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "state": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
            "defaultVariant": {"type": ["string", "null"]},
            "targeting": {"type": ["object", "null"]},
        },
    },
    "flagChangeRequest": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "state": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
            "defaultVariant": {"type": ["string", "null"]},
            "targeting": {"type": ["object", "null"]},
            "message": {"type": "string"},
        },
    },
    "flagsChange": {
        "type": "object",
        "required": ["flags"],
        "additionalProperties": False,
        "properties": {
            "flags": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"$ref": "#/components/schemas/flagChange"},
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
                        {"$ref": "#/components/schemas/evaluationSuccess"},
                        {"$ref": "#/components/schemas/evaluationFailure"},
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
