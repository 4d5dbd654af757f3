"""The terraform target: one environment as a Terraform variable file, ``<project>.auto.tfvars.json``.

The file sets these variables (docs/render.md shows each shape in full)::

    azconf_version  string       the config version the file came from (JSON has no comments)
    project         string
    environment     string
    services        map(object)  image, replicas, port, resources, env, secret_env, flag_env, ...
    routes          map(object)  path, service, methods, auth, rate_limit, cors, ...
    flags           map(object)  state, type, variants_json, default_variant, targeting_json, ...
    secrets         map(object)  ref, scheme, description: references, never values
    settings        object       the free-form settings, as written

With ``module`` set, the values are checked against that module's variable declarations before
anything is written (:mod:`azconf.render.terraform_module`); with ``write_variables``, a
``variables.tf`` declaring the exact types of these values is written beside the variable file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import field_validator

from azconf.jsontext import dumps_pretty
from azconf.model.sections import Flag, FlagValue, Resources, Route, Secret, SecretValue, Service
from azconf.render.base import RenderContext, RenderError, TargetOptions
from azconf.render.terraform_types import (
    ANY,
    Attribute,
    Collection,
    ObjectType,
    TfType,
    derive,
    parse_type,
    unify,
)
from azconf.snapshot import canonical_json

NAME = "terraform"


class TerraformOptions(TargetOptions):
    """``render.terraform`` in azconf.yaml."""

    file_name: str = "{project}.auto.tfvars.json"  # "{project}" and "{env}" are filled in
    module: str | None = None  # a module folder (relative to the project) to check the values against
    write_variables: bool = False  # also write variables.tf with the exact types of the values

    @field_validator("file_name")
    @classmethod
    def _json_variable_file(cls, value: str) -> str:
        # Terraform reads a variable file as JSON only when its name ends in .json, and loads it
        # without -var-file only when it is terraform.tfvars.json or *.auto.tfvars.json.
        if not value.endswith(".tfvars.json") or "/" in value or "\\" in value:
            raise ValueError(
                "a file name (no folder) ending in .tfvars.json, e.g. {project}.auto.tfvars.json"
            )
        return value


# The shapes of the sections, declared once in Terraform's own notation: written into variables.tf
# and pinned by the tests against every rendered environment. A service's settings are free-form,
# so that attribute's type is derived from the data (see _types).
SHAPES = {
    "services": """map(object({
        image = string, replicas = number, port = number,
        resources = optional(object({
            requests = optional(object({cpu = optional(string), memory = optional(string)})),
            limits = optional(object({cpu = optional(string), memory = optional(string)}))
        })),
        env = map(string), secret_env = map(string), flag_env = map(string),
        flags = set(string), secrets = set(string), routes = set(string),
        settings = any
    }))""",
    "routes": """map(object({
        path = string, service = string, methods = list(string), auth = string,
        rate_limit = optional(object({rate = number, per = number, burst = optional(number)})),
        cors = optional(object({
            origins = list(string), methods = list(string), headers = list(string),
            allow_credentials = bool, max_age = optional(number)
        })),
        timeout_seconds = number, timeout_ms = number, strip_path = bool,
        scopes = list(string), upstream_port = optional(number), expose = string
    }))""",
    "flags": """map(object({
        state = string, type = string, variants_json = string, default_variant = optional(string),
        targeting_json = optional(string), description = optional(string), owner = optional(string),
        expires = optional(string), metadata = map(string)
    }))""",
    "secrets": "map(object({ref = string, scheme = string, description = optional(string)}))",
    "azconf_version": "string",
    "project": "string",
    "environment": "string",
}

DESCRIPTIONS = {
    "azconf_version": "The azconf config version these values were rendered from.",
    "project": "The azconf project name.",
    "environment": "The environment these values are for.",
    "services": "Services by name: image, size, environment variables and settings.",
    "routes": "API-gateway routes by name.",
    "flags": "Feature flags by key; variants_json and targeting_json hold JSON text.",
    "secrets": "Secret references by name (where each secret lives, never its value).",
    "settings": "The environment's free-form settings.",
}


# -- the values -------------------------------------------------------------------------------------


def variables(context: RenderContext) -> dict[str, Any]:
    """The variable values of ``context``'s environment."""
    model, reuse = context.model, context.reuse
    return {
        "azconf_version": context.version,
        "project": context.project,
        "environment": context.env,
        "services": {name: reuse.item(_service, s) for name, s in model.services.items()},
        "routes": {name: reuse.item(_route, r) for name, r in model.routes.items()},
        "flags": {key: reuse.item(_flag, f) for key, f in model.flags.items()},
        "secrets": {name: reuse.item(_secret, s) for name, s in model.secrets.items()},
        "settings": dict(model.settings),
    }


def _text(value: str | bool | int | float) -> str:
    """A scalar as the string a process sees (``true``, ``3``, ``0.25``), as Kubernetes env does."""
    return value if isinstance(value, str) else json.dumps(value)


def _compact_json(value: Any) -> str:
    return canonical_json(value).decode("utf-8")  # json.dumps' bytes, sorted and compact, made fast


def _service(service: Service) -> dict[str, Any]:
    env: dict[str, str] = {}
    secret_env: dict[str, str] = {}
    flag_env: dict[str, str] = {}
    for name, value in service.env.items():
        if isinstance(value, SecretValue):
            secret_env[name] = value.secret  # the secret's name in var.secrets, never its value
        elif isinstance(value, FlagValue):
            flag_env[name] = value.flag
        else:
            env[name] = _text(value)
    rendered: dict[str, Any] = {
        "image": service.image,
        "replicas": service.replicas,
        "port": service.port,
        "env": env,
        "secret_env": secret_env,
        "flag_env": flag_env,
        # Sets of names: sorted, so reordering the YAML list does not change the file.
        "flags": sorted(set(service.flags)),
        "secrets": sorted(set(service.secrets)),
        "routes": sorted(set(service.routes)),
        "settings": service.settings,
    }
    if service.resources is not None:
        rendered["resources"] = _resources(service.resources)
    return rendered


def _resources(resources: Resources) -> dict[str, Any]:
    rendered: dict[str, Any] = {}
    for part in ("requests", "limits"):
        quantities = getattr(resources, part)
        if quantities is not None:
            # Quantities are strings in Kubernetes (1 and "1" are the same quantity).
            pairs = (("cpu", quantities.cpu), ("memory", quantities.memory))
            rendered[part] = {key: _text(value) for key, value in pairs if value is not None}
    return rendered


def _route(route: Route) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "path": route.path,
        "service": route.service,
        "methods": list(route.methods),
        "auth": route.auth,
        # Whole seconds, rounded up (what Tyk applies); timeout_ms is exact.
        "timeout_seconds": -(-route.timeout_milliseconds // 1000),
        "timeout_ms": route.timeout_milliseconds,
        "strip_path": route.strip_path,
        "scopes": list(route.scopes),
        "expose": route.expose,
    }
    if route.upstream_port is not None:
        rendered["upstream_port"] = route.upstream_port
    if route.rate_limit is not None:
        rendered["rate_limit"] = {"rate": route.rate_limit.rate, "per": route.rate_limit.per}
        if route.rate_limit.burst is not None:
            rendered["rate_limit"]["burst"] = route.rate_limit.burst
    if route.cors is not None:
        cors = route.cors
        rendered["cors"] = {
            "origins": list(cors.origins),
            "methods": list(cors.methods),
            "headers": list(cors.headers),
            "allow_credentials": cors.allow_credentials,
        }
        if cors.max_age is not None:
            rendered["cors"]["max_age"] = cors.max_age
    return rendered


def _flag(flag: Flag) -> dict[str, Any]:
    # Variants differ in type from flag to flag, and one Terraform map holds one element type, so
    # variants and targeting travel as JSON text (jsondecode() in the module).
    rendered: dict[str, Any] = {
        "state": flag.state,
        "type": _flag_type(flag.variants),
        "variants_json": _compact_json(flag.variants),
        "metadata": {key: _text(value) for key, value in flag.metadata.items()},
    }
    optional = {
        "default_variant": flag.default_variant,
        "targeting_json": _compact_json(flag.targeting) if flag.targeting else None,
        "description": flag.description,
        "owner": flag.owner,
        "expires": flag.expires.isoformat() if flag.expires else None,
    }
    rendered.update({key: value for key, value in optional.items() if value is not None})
    return rendered


def _flag_type(variants: dict[str, Any]) -> str:
    """flagd's name for the variants' type (the model guarantees they share one)."""
    first = next(iter(variants.values()))
    if isinstance(first, bool):
        return "boolean"
    if isinstance(first, int | float):
        return "number"
    return "string" if isinstance(first, str) else "object"


def _secret(secret: Secret) -> dict[str, Any]:
    rendered = {"ref": secret.ref, "scheme": secret.ref.split("://", 1)[0]}
    if secret.description is not None:
        rendered["description"] = secret.description
    return rendered


# -- the types of the values ------------------------------------------------------------------------


def types(values: dict[str, Any]) -> dict[str, TfType]:
    """The exact type of each variable: the fixed shapes, plus types derived from free-form data."""
    declared = {name: parse_type(text) for name, text in SHAPES.items()}
    declared["settings"] = derive(values["settings"])
    declared["services"] = _services_type(declared["services"], values["services"])
    return declared


def _services_type(shape: TfType, services: dict[str, Any]) -> TfType:
    """SHAPES["services"] with the one type that every service's settings fit."""
    settings = unify([derive(service["settings"]) for service in services.values()])
    if settings is None or not isinstance(shape, Collection) or not isinstance(shape.element, ObjectType):
        # Settings with no common type cannot sit in the elements of one map(object) type.
        return ANY
    attributes = {**shape.element.attributes, "settings": Attribute(settings)}
    return Collection("map", ObjectType(attributes))


# -- the target -------------------------------------------------------------------------------------


class TerraformTarget:
    """Renders ``<project>.auto.tfvars.json`` (and optionally ``variables.tf``)."""

    name = NAME
    options_model: type[TargetOptions] = TerraformOptions

    def render(self, context: RenderContext) -> dict[str, str]:
        """The variable file, checked against the module when one is named."""
        options: TerraformOptions = context.options
        values = variables(context)
        file_name = options.file_name.replace("{project}", context.project).replace("{env}", context.env)
        if options.module is not None:
            from azconf.render.terraform_module import check_module, read_module

            module = read_module(_module_folder(context, options.module), options.module)
            violations = check_module(values, module)
            if violations:
                raise RenderError(NAME, violations)
        files = {file_name: dumps_pretty(values)}
        if options.write_variables:
            from azconf.render.terraform_module import variables_tf

            header = f"{context.version}: the variables of {file_name}"
            files["variables.tf"] = variables_tf(types(values), DESCRIPTIONS, _sensitive(values), header)
        return files


def _sensitive(values: dict[str, Any]) -> set[str]:
    """The variables whose values derive from secrets: ``secrets``, and any holding a reference."""
    from azconf.secrets.refs import looks_like_reference

    def refers(value: Any) -> bool:
        if isinstance(value, dict):
            return any(refers(item) for item in value.values())
        if isinstance(value, list):
            return any(refers(item) for item in value)
        return looks_like_reference(value)

    return {name for name, value in values.items() if name == "secrets" or refers(value)}


def _module_folder(context: RenderContext, module: str) -> Path:
    """``module`` resolved against the project root (the pipeline passes it as ``context.root``)."""
    path = Path(module)
    if path.is_absolute():
        return path
    root = context.root
    if root is None:
        raise RenderError(
            NAME,
            [
                f"render.terraform.module is {module!r}, relative to the project, but the render "
                "pipeline did not pass the project root (RenderContext.root)"
            ],
        )
    return Path(root) / path


TARGET = TerraformTarget()
