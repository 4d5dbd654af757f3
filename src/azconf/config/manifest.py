"""The manifest, ``azconf.yaml``: environments, layers, schema bindings and per-feature settings."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MANIFEST_NAME = "azconf.yaml"
DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"

EnvName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class HistorySettings(_Section):
    """Where ``azconf commit`` keeps versions and the audit log."""

    path: str = ".azconf/history.db"


class PromotionSettings(_Section):
    """Rules for ``azconf promote``."""

    exclude: list[str] = Field(default_factory=list)


class AllowedSecret(_Section):
    """A reviewed exception to plaintext-secret detection."""

    path: Annotated[str, StringConstraints(min_length=1)]
    reason: Annotated[str, StringConstraints(min_length=3)]


class SecretsSettings(_Section):
    """Plaintext-secret detection settings."""

    allow: list[AllowedSecret] = Field(default_factory=list)


class Threshold(_Section):
    """When a health check's metric is a warning or critical (at or above; a value of 0 is always ok)."""

    warning: float | None = Field(default=None, ge=0)
    critical: float | None = Field(default=None, ge=0)


class NotifySettings(_Section):
    """Where ``azconf doctor`` posts opened and resolved alerts."""

    url: str
    format: Literal["json", "slack"] = "json"
    timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    retries: int = Field(default=2, ge=0, le=5)

    @field_validator("url")
    @classmethod
    def _http_or_reference(cls, value: str) -> str:
        if not re.fullmatch(r"https?://\S+|env://[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError(
                "give an http(s):// URL, or env://VARIABLE to keep a webhook's token out of the file"
            )
        return value


class HealthSettings(_Section):
    """``azconf doctor``: thresholds by metric name, the stale-flag age, and the alert webhook."""

    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    stale_flag_days: int = Field(default=90, ge=1)
    notify: NotifySettings | None = None

    @field_validator("thresholds")
    @classmethod
    def _known_metrics(cls, value: dict[str, Threshold]) -> dict[str, Threshold]:
        from azconf.problems import did_you_mean

        known = health_metric_names()
        for name in value:
            if name not in known:
                raise ValueError(
                    f'unknown metric "{name}"{did_you_mean(name, known)}; metrics: {", ".join(known)}'
                )
        return value


def health_metric_names() -> list[str]:
    """The metrics ``azconf doctor`` checks (their defaults are in :mod:`azconf.health.checks`)."""
    from azconf.health.thresholds import DEFAULTS, FIXED

    return [name for name in DEFAULTS if name not in FIXED]


class Manifest(_Section):
    """The validated contents of ``azconf.yaml``."""

    version: Literal[1] = 1
    project: Annotated[str, StringConstraints(pattern=f"^{DNS1123_LABEL}$", max_length=63)]
    environments: list[EnvName] = Field(min_length=1)
    layers: list[str] = Field(default_factory=lambda: ["config/base", "config/envs/{env}"], min_length=1)
    schemas: dict[str, str] = Field(default_factory=dict)
    history: HistorySettings = Field(default_factory=HistorySettings)
    promotion: PromotionSettings = Field(default_factory=PromotionSettings)
    # Per-target options and per-environment overrides, checked (with locations) by
    # azconf.render.render_settings against each target's own options model.
    render: dict[str, Any] = Field(default_factory=dict)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)

    @field_validator("environments")
    @classmethod
    def _unique_environments(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in value:
            if name in seen:
                raise ValueError(f'environment "{name}" is listed twice')
            seen.add(name)
        return value

    @field_validator("layers")
    @classmethod
    def _relative_layers(cls, value: list[str]) -> list[str]:
        for layer in value:
            if layer.startswith("/") or ".." in layer.split("/"):
                raise ValueError(f'layer "{layer}" must be a folder inside the project')
            if re.search(r"\{(?!env\})", layer):
                raise ValueError(f'layer "{layer}": the only placeholder is {{env}}')
        return value

    def layer_folders(self, env: str) -> list[str]:
        """The layer folders of ``env``, in the order they apply."""
        return [layer.replace("{env}", env) for layer in self.layers]
