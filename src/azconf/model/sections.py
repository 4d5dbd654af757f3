"""Pydantic models of the five sections of a resolved environment.

The models check structure and types (unknown keys are errors); the rules that need the whole
environment, such as cross-references and duplicate routes, live in :mod:`azconf.model.checks`.
Types are strict: YAML already typed each scalar, so ``replicas: "3"`` is an error, not a 3.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
)

from azconf.config.layering import flag_shorthand

HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
AuthMode = Literal["none", "api-key", "jwt", "oauth2"]
# How the cluster's Gateway reaches a route: through the Tyk gateway (which enforces auth, rate limits
# and CORS) or straight to the service, an explicit opt-out that `validate` warns about.
Exposure = Literal["gateway", "direct"]
Scalar = StrictStr | StrictBool | StrictInt | StrictFloat


def _check_quantity(value: object) -> object:
    import re

    if isinstance(value, bool):
        raise ValueError("a quantity is a number or a string such as 100m or 128Mi")
    if isinstance(value, str) and not re.fullmatch(
        r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?", value
    ):
        raise ValueError(f'"{value}" is not a Kubernetes quantity (for example 250m, 0.5, 128Mi, 1Gi)')
    return value


# A Kubernetes resource quantity such as 100m, 0.5, 128Mi or 1G.
Quantity = Annotated[
    StrictStr | StrictInt | StrictFloat,
    BeforeValidator(_check_quantity),
]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class Model(BaseModel):
    """Base of every section model: unknown keys are errors, types are strict, values immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


# -- flags ------------------------------------------------------------------------------------------


def _expand_flag_shorthand(value: object) -> object:
    """``name: true`` is a boolean flag, enabled, with variants on/off; ``false`` defaults to off."""
    if isinstance(value, bool):
        return flag_shorthand(value)
    return value


class Flag(Model):
    """A feature flag in flagd's flag-definition format, plus azconf's ownership fields."""

    state: Literal["ENABLED", "DISABLED"]
    variants: dict[str, Any] = Field(min_length=1)
    default_variant: StrictStr | None = Field(default=None, alias="defaultVariant")
    targeting: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, StrictStr | StrictBool | StrictInt | StrictFloat] = Field(default_factory=dict)
    description: StrictStr | None = None
    owner: StrictStr | None = None
    expires: Annotated[dt.date | None, Field(strict=False)] = None


FlagEntry = Annotated[Flag, BeforeValidator(_expand_flag_shorthand, json_schema_input_type=Flag | bool)]


MAX_INT32 = 2**31 - 1  # Kubernetes' int32 fields
MAX_EXACT_FLOAT_INT = 2**53  # the largest integer a float64 (JSON in Go and JavaScript) holds exactly


# -- routes -----------------------------------------------------------------------------------------


MAX_TIMEOUT_MS = 3600 * 1000


class RateLimit(Model):
    """At most ``rate`` requests per ``per`` seconds."""

    # Tyk holds both as float64: beyond 2**53 it would no longer count exactly.
    rate: int = Field(gt=0, le=MAX_EXACT_FLOAT_INT)
    per: int = Field(gt=0, le=MAX_EXACT_FLOAT_INT)
    burst: int | None = Field(default=None, gt=0, le=MAX_EXACT_FLOAT_INT)  # at most this many at once


class Cors(Model):
    """Cross-origin rules for browser clients."""

    origins: list[StrictStr] = Field(min_length=1)
    methods: list[HttpMethod] = Field(default_factory=list)
    headers: list[StrictStr] = Field(default_factory=list)
    allow_credentials: bool = False
    max_age: int | None = Field(default=None, ge=0, le=MAX_INT32)  # Gateway API's maxAge is an int32


class Route(Model):
    """An API-gateway route to one service."""

    path: Annotated[str, StringConstraints(pattern=r"^/[^\s]*$")]
    service: StrictStr
    methods: list[HttpMethod] = Field(default_factory=lambda: list[HttpMethod](["GET"]), min_length=1)
    auth: AuthMode = "jwt"
    rate_limit: RateLimit | None = None
    cors: Cors | None = None
    timeout_seconds: int = Field(default=30, gt=0, le=3600)
    timeout_ms: int | None = Field(default=None, gt=0, le=MAX_TIMEOUT_MS)  # instead of timeout_seconds
    strip_path: bool = True
    scopes: list[StrictStr] = Field(default_factory=list)  # oauth2: a token needs one of them
    upstream_port: int | None = Field(default=None, ge=1, le=65535)  # default: the service's port
    hostnames: list[StrictStr] | None = None  # default: render.kubernetes.hostnames
    expose: Exposure = "gateway"

    @property
    def timeout_milliseconds(self) -> int:
        """The request timeout in milliseconds: ``timeout_ms``, else ``timeout_seconds``."""
        return self.timeout_ms if self.timeout_ms is not None else self.timeout_seconds * 1000


# -- secrets ----------------------------------------------------------------------------------------


def _expand_secret_shorthand(value: object) -> object:
    return {"ref": value} if isinstance(value, str) else value


class Secret(Model):
    """A reference to a secret kept elsewhere (never its value)."""

    ref: StrictStr
    description: StrictStr | None = None


SecretEntry = Annotated[
    Secret, BeforeValidator(_expand_secret_shorthand, json_schema_input_type=Secret | str)
]


# -- services ---------------------------------------------------------------------------------------


class ResourceList(Model):
    """CPU and memory quantities."""

    cpu: Quantity | None = None
    memory: Quantity | None = None


class Resources(Model):
    """Kubernetes resource requests and limits."""

    requests: ResourceList | None = None
    limits: ResourceList | None = None


class SecretValue(Model):
    """An environment variable whose value is a secret: ``{secret: NAME}``."""

    secret: StrictStr


class FlagValue(Model):
    """An environment variable whose value is a flag's value: ``{flag: NAME}``."""

    flag: StrictStr


def _env_value(value: object) -> object:
    if isinstance(value, dict):
        if set(value) == {"secret"}:
            return SecretValue.model_validate(value)
        if set(value) == {"flag"}:
            return FlagValue.model_validate(value)
        raise ValueError(
            "an env value is a literal, {secret: NAME} or {flag: NAME}"
            f" (got a mapping with keys {', '.join(sorted(map(str, value)))})"
        )
    if value is None or isinstance(value, list):
        raise ValueError("an env value is a string, number, boolean, {secret: NAME} or {flag: NAME}")
    return value


EnvValue = Annotated[SecretValue | FlagValue | Scalar, BeforeValidator(_env_value)]


class Service(Model):
    """A deployable service."""

    image: Annotated[str, StringConstraints(pattern=r"^[^\s]+$", min_length=1)]
    replicas: int = Field(default=1, ge=0, le=MAX_INT32)  # a Deployment's replicas is an int32
    port: int = Field(ge=1, le=65535)
    resources: Resources | None = None
    env: dict[EnvVarName, EnvValue] = Field(default_factory=dict)
    flags: list[StrictStr] = Field(default_factory=list)
    secrets: list[StrictStr] = Field(default_factory=list)
    routes: list[StrictStr] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


class ConfigFile(Model):
    """What a config file may hold: the sections, with the shorthand forms (for JSON Schema export)."""

    flags: dict[str, FlagEntry] = Field(default_factory=dict)
    routes: dict[str, Route] = Field(default_factory=dict)
    secrets: dict[str, SecretEntry] = Field(default_factory=dict)
    services: dict[str, Service] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)


# -- the whole environment --------------------------------------------------------------------------

SECTION_MODELS: dict[str, Any] = {
    "flags": FlagEntry,
    "routes": Route,
    "secrets": SecretEntry,
    "services": Service,
}
"""The item type of each keyed section; ``settings`` is free-form."""


class Environment(Model):
    """A resolved environment, typed."""

    flags: dict[str, Flag] = Field(default_factory=dict)
    routes: dict[str, Route] = Field(default_factory=dict)
    secrets: dict[str, Secret] = Field(default_factory=dict)
    services: dict[str, Service] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
