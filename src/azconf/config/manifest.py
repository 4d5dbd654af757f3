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


class Manifest(_Section):
    """The validated contents of ``azconf.yaml``."""

    version: Literal[1] = 1
    project: Annotated[str, StringConstraints(pattern=f"^{DNS1123_LABEL}$", max_length=63)]
    environments: list[EnvName] = Field(min_length=1)
    layers: list[str] = Field(default_factory=lambda: ["config/base", "config/envs/{env}"], min_length=1)
    schemas: dict[str, str] = Field(default_factory=dict)
    history: HistorySettings = Field(default_factory=HistorySettings)
    promotion: PromotionSettings = Field(default_factory=PromotionSettings)
    render: dict[Literal["kubernetes", "terraform", "tyk", "flagd"], dict[str, Any]] = Field(
        default_factory=dict
    )  # per-target options, checked by each target's own options model
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)

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
