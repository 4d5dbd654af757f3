"""The Tyk gateway itself, for the kubernetes target: ``tyk.conf``, a Deployment, a Service, and the
API definitions as ConfigMaps mounted at ``app_path``.

Every HTTPRoute of a route exposed through the gateway (the default) targets this Service, and the
gateway proxies to the route's service after applying its auth, rate limit and CORS; so
``kubectl apply -k`` brings up the gateway the HTTPRoutes need, loading every definition.

- ``tyk.conf`` (ConfigMap ``<name>-conf``): Tyk's gateway configuration, its field names those of
  ``config.Config`` (checked in the tests against ``cli/linter/schema.json``, what ``tyk lint``
  uses). No secret is ever written into it: the Redis password and the control API secret reach
  the process as ``TYK_GW_STORAGE_PASSWORD`` and ``TYK_GW_SECRET`` (Tyk reads ``TYK_GW_*`` over the
  file), from the Kubernetes Secrets that the named azconf secrets resolve to.
- The control API (``/tyk/...``, and the ``/hello`` and ``/ready`` probes) listens on its own port,
  which the Service does not expose: only the proxy port is reachable through the Gateway.
- One ConfigMap ``<name>-apis-<service>`` per service, its routes' definitions as keys
  ``<api_id>.json``, all projected into ``app_path``: a change to one route changes one ConfigMap,
  which nears the 1 MiB limit only for a service with hundreds of routes (then the target reports
  its size, as for any ConfigMap).
- The pod template carries a checksum of ``tyk.conf`` and of every definition: Tyk reads them at
  start, so a change rolls the gateway's pods.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from azconf.jsontext import dumps_pretty

if TYPE_CHECKING:
    from azconf.config.project import Project
    from azconf.secrets.usage import SecretUse

CONF_FILE = "tyk.conf"
PROXY_PORT_NAME = "http"
CONTROL_PORT_NAME = "control"
ANNOTATION_CHECKSUM = "azconf.dev/config-checksum"
RUN_AS_USER = 65532  # the non-root user of Tyk's distroless images


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SecretName(_Options):
    """``{secret: NAME}``: a secret of the environment (under ``secrets:``), as a service's env
    value names one; a literal value is a type error, so no secret is ever written in azconf.yaml."""

    secret: str


class RedisOptions(_Options):
    """Tyk's Redis storage (``storage`` in tyk.conf)."""

    host: str = "redis"
    port: int = Field(default=6379, ge=1, le=65535)
    database: int = Field(default=0, ge=0)
    use_ssl: bool = False
    password: SecretName | None = None  # None: Redis without a password


class GatewayOptions(_Options):
    """The Tyk gateway's Deployment and tyk.conf (``render.tyk.gateway`` in azconf.yaml)."""

    name: str = "tyk-gateway"  # the Deployment, Service and ConfigMaps' names start with it
    image: Annotated[str, StringConstraints(pattern=r"^[^\s]+$")] = "tykio/tyk-gateway:v5.8.1"
    replicas: int = Field(default=2, ge=0, le=2**31 - 1)
    listen_port: int = Field(default=8080, ge=1, le=65535)  # the proxy port, the Service's port
    control_api_port: int = Field(default=9696, ge=1, le=65535)  # never exposed by the Service
    app_path: Annotated[str, StringConstraints(pattern=r"^/")] = "/opt/tyk-gateway/apps"
    config_path: Annotated[str, StringConstraints(pattern=r"^/")] = "/etc/tyk-gateway"
    # The secret of the control API (tyk.conf's "secret"); required: Tyk's control API accepts any
    # caller when its secret is empty.
    secret: SecretName | None = None
    enable_analytics: bool = False
    redis: RedisOptions = Field(default_factory=RedisOptions)


@dataclass(frozen=True)
class GatewayObjects:
    """The gateway's Kubernetes objects (metadata without annotations), and the rules broken."""

    objects: tuple[dict[str, Any], ...]
    violations: tuple[str, ...]


def tyk_conf(options: GatewayOptions) -> dict[str, Any]:
    """The gateway's ``tyk.conf``: no secret in it (they arrive through ``TYK_GW_*`` variables)."""
    redis = options.redis
    storage = {
        "type": "redis",
        "host": redis.host,
        "port": redis.port,
        "database": redis.database,
        "use_ssl": redis.use_ssl,
    }
    return {
        "listen_port": options.listen_port,
        "control_api_port": options.control_api_port,
        "app_path": options.app_path,
        "use_db_app_configs": False,  # the definitions are files in app_path, not a dashboard's
        "storage": storage,
        "enable_analytics": options.enable_analytics,
        "hash_keys": True,  # keys are stored hashed in Redis
        "enable_jsvm": False,
    }


# Where render.tyk.gateway names a secret, {secret: NAME}, below render.tyk.gateway.
SECRET_OPTIONS = (("secret",), ("redis", "password"))


def gateway_secret_uses(project: Project) -> dict[str, list[SecretUse]]:
    """The secrets the Tyk gateway reads, as uses located in azconf.yaml: ``azconf secrets`` then
    counts them as used (by the service named as the gateway)."""
    from azconf.config.manifest import MANIFEST_NAME
    from azconf.model.locate import value_at
    from azconf.secrets.usage import SecretUse

    base = ("render", "tyk", "gateway")
    gateway: Any = project.manifest_data
    for key in base:
        gateway = gateway.get(key) if isinstance(gateway, dict) else None
    if not isinstance(gateway, dict):
        return {}
    named = gateway.get("name")
    name = named if isinstance(named, str) else GatewayOptions().name
    uses: dict[str, list[SecretUse]] = {}
    for option in SECRET_OPTIONS:
        found: Any = gateway
        for key in (*option, "secret"):
            found = found.get(key) if isinstance(found, dict) else None
        if isinstance(found, str):
            path = (*base, *option, "secret")
            where = value_at(project.manifest_data, path, MANIFEST_NAME)
            uses.setdefault(found, []).append(SecretUse(".".join(path[:-1]), where, name))
    return uses


def definitions_configmap_name(gateway: str, service: str) -> str:
    """The ConfigMap holding the API definitions of ``service``'s routes."""
    return f"{gateway}-apis-{service}"


def gateway_objects(
    options: GatewayOptions,
    definitions: dict[str, dict[str, str]],
    secrets: Callable[[str], tuple[str, str] | str],
    metadata: Callable[[str], dict[str, Any]],
    selector: dict[str, str],
) -> GatewayObjects:
    """The gateway's objects.

    ``definitions``: service -> file name (``<api_id>.json``) -> file text, the definitions of its
    routes; ``secrets``: where a pod reads an azconf secret (a Kubernetes Secret and its key), or
    why the cluster has none;
    ``metadata``: an object's metadata by name; ``selector``: the pods' labels that never change.
    """
    violations: list[str] = []
    env = _secret_env(options, secrets, violations)
    conf = dumps_pretty(tyk_conf(options))
    conf_map = _object("v1", "ConfigMap", metadata(f"{options.name}-conf"), data={CONF_FILE: conf})
    api_maps = [
        _object("v1", "ConfigMap", metadata(definitions_configmap_name(options.name, service)), data=files)
        for service, files in sorted(definitions.items())
    ]
    checksum = _checksum(conf, api_maps)
    names = [api_map["metadata"]["name"] for api_map in api_maps]
    deployment = _deployment(
        options, metadata(options.name), selector, env, api_maps=names, checksum=checksum
    )
    service = _service(options, metadata, selector)
    return GatewayObjects((conf_map, *api_maps, deployment, service), tuple(violations))


def _secret_env(
    options: GatewayOptions, secrets: Callable[[str], tuple[str, str] | str], violations: list[str]
) -> list[dict[str, Any]]:
    """``TYK_GW_SECRET`` and ``TYK_GW_STORAGE_PASSWORD`` from the named secrets' Kubernetes sources."""
    where = "render.tyk.gateway"
    wanted = [
        ("TYK_GW_SECRET", options.secret, f"{where}.secret"),
        ("TYK_GW_STORAGE_PASSWORD", options.redis.password, f"{where}.redis.password"),
    ]
    if options.secret is None:
        violations.append(
            f"{where}.secret: name the secret of Tyk's control API, {{secret: NAME}} with NAME under "
            "secrets:; with an empty secret Tyk lets any caller administer the gateway"
        )
    env = []
    for var, name, path in wanted:
        if name is None:
            continue
        source = secrets(name.secret)
        if isinstance(source, str):
            violations.append(f"{path}: {source}")
            continue
        secret, key = source
        env.append({"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
    return env


def _checksum(conf: str, api_maps: list[dict[str, Any]]) -> str:
    # Tyk reads tyk.conf and app_path at start: a change to either must roll the pods.
    digest = hashlib.sha256(conf.encode("utf-8"))
    for api_map in api_maps:
        for file, text in sorted(api_map["data"].items()):
            digest.update(f"\0{file}\0{text}".encode())
    return "sha256:" + digest.hexdigest()


def _deployment(
    options: GatewayOptions,
    meta: dict[str, Any],
    selector: dict[str, str],
    env: list[dict[str, Any]],
    *,
    api_maps: list[str],
    checksum: str,
) -> dict[str, Any]:
    conf_volume = {"name": "conf", "configMap": {"name": f"{options.name}-conf"}}
    apps_volume = {"name": "apps", "projected": {"sources": [{"configMap": {"name": n}} for n in api_maps]}}
    template = {
        "metadata": {"labels": meta["labels"], "annotations": {ANNOTATION_CHECKSUM: checksum}},
        "spec": {
            "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [_container(options, env)],
            "volumes": [conf_volume, apps_volume] if api_maps else [conf_volume],
        },
    }
    spec = {"replicas": options.replicas, "selector": {"matchLabels": selector}, "template": template}
    return _object("apps/v1", "Deployment", meta, spec=spec)


def _container(options: GatewayOptions, env: list[dict[str, Any]]) -> dict[str, Any]:
    ports = [
        {"name": PROXY_PORT_NAME, "containerPort": options.listen_port, "protocol": "TCP"},
        {"name": CONTROL_PORT_NAME, "containerPort": options.control_api_port, "protocol": "TCP"},
    ]
    mounts = [
        {"name": "conf", "mountPath": options.config_path, "readOnly": True},
        {"name": "apps", "mountPath": options.app_path, "readOnly": True},
    ]
    container: dict[str, Any] = {
        "name": "tyk-gateway",
        "image": options.image,
        "args": [f"--conf={options.config_path.rstrip('/')}/{CONF_FILE}"],
        "ports": ports,
    }
    if env:
        container["env"] = env
    container |= {
        # Tyk serves its liveness (/hello) and readiness (/ready) checks on the control API's port.
        "livenessProbe": {"httpGet": {"path": "/hello", "port": CONTROL_PORT_NAME}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": CONTROL_PORT_NAME}},
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_USER,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": mounts,
    }
    return container


def _service(
    options: GatewayOptions, metadata: Callable[[str], dict[str, Any]], selector: dict[str, str]
) -> dict[str, Any]:
    # Only the proxy port: the control API is never reachable through the Service or the Gateway.
    port = {"name": PROXY_PORT_NAME, "port": options.listen_port, "targetPort": PROXY_PORT_NAME}
    port["protocol"] = "TCP"
    spec = {"type": "ClusterIP", "selector": selector, "ports": [port]}
    return _object("v1", "Service", metadata(options.name), spec=spec)


def _object(api_version: str, kind: str, metadata: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}
