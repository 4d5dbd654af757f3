"""The kubernetes target: one environment as Kubernetes objects, one object per file, plus a kustomization.

What it writes (``<kind>-<name>.yaml``; docs/render.md is the user-facing reference):

- per service: a ``Deployment`` (apps/v1), a ``Service`` (v1) and a ``ConfigMap`` ``<service>-settings``
  holding the service's settings as one key, ``settings.json`` (canonical JSON: sorted keys, no
  whitespace, so the same settings always give the same bytes), mounted read-only into the pod;
- per ``vault://`` secret: an ``ExternalSecret`` (external-secrets.io/v1) that makes a Secret of the
  same name whose key is the Vault key; ``k8s://`` secrets are read from their existing Secret;
- per route: an ``HTTPRoute`` (gateway.networking.k8s.io/v1) attached to the configured Gateway,
  whose backend is the Tyk gateway (which applies the route's auth, rate limit and CORS, then
  proxies to the service) unless the route says ``expose: direct``;
- the Tyk gateway itself, with its API definitions (see :mod:`azconf.render.gateway`);
- one ``ConfigMap`` ``<project>-flags``: the flagd flag file (key ``flags.flagd.json``) and, per flag
  with a value that needs no evaluation context, ``flag.<flag-key>`` (what ``{flag: NAME}`` env vars
  read through ``configMapKeyRef``);
- ``kustomization.yaml`` listing every file.

Every object is checked against Kubernetes' own rules (names, label keys and values, ConfigMap size)
and the Gateway API's path rules before anything is returned; a :class:`RenderError` lists every
violation at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from azconf.jsontext import dumps_compact
from azconf.model.sections import Flag, FlagValue, Route, Secret, SecretValue, Service
from azconf.render import flagd, workloads
from azconf.render.base import RenderContext, RenderError, TargetOptions
from azconf.render.gateway import GatewayOptions, gateway_objects
from azconf.render.kustomize_patches import KustomizePatch, patch_files
from azconf.render.tyk import TykOptions, api_definitions
from azconf.render.tyk import dumps as dump_definition
from azconf.render.workloads import Workload, overlay
from azconf.secrets.refs import K8sRef, ReferenceSyntaxError, SecretRef, VaultRef, parse_reference
from azconf.snapshot import canonical_json

if TYPE_CHECKING:
    from azconf.config.yaml_emit import EntryTexts

NAME = "kubernetes"
FLAGD_FILE_KEY = flagd.FILE_NAME  # the flag file's key in the flags ConfigMap
FLAG_KEY_PREFIX = "flag."  # never collides with FLAGD_FILE_KEY: its fifth character is "s", not "."
SETTINGS_KEY = "settings.json"
ANNOTATION_CHECKSUM = "azconf.dev/config-checksum"  # on pod templates: rolls pods when their config changes
STANDARD_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")
MAX_CONFIGMAP_BYTES = 1024 * 1024  # Kubernetes' limit on the keys plus values of one ConfigMap
PORT_NAME = "http"
_METADATA_INDENT = 2  # the YAML indentation of metadata's entries

# Go's time.ParseDuration grammar, which External Secrets uses for refreshInterval.
_GO_DURATION = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"


# -- options ----------------------------------------------------------------------------------------


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class GatewayParent(_Options):
    """The Gateway every HTTPRoute attaches to (its ``parentRefs`` entry)."""

    name: str = "gateway"
    namespace: str | None = None  # None: the route's own namespace
    section_name: str | None = None  # a listener name of the Gateway; None: every listener


class SecretStore(_Options):
    """The External Secrets store that holds the Vault connection."""

    name: str = "vault"
    kind: Literal["SecretStore", "ClusterSecretStore"] = "ClusterSecretStore"


class KubernetesOptions(TargetOptions):
    """``render.kubernetes`` in azconf.yaml."""

    namespace: str | None = None  # set on every object; None: whatever kubectl/kustomize applies to
    gateway: GatewayParent = Field(default_factory=GatewayParent)
    secret_store: SecretStore = Field(default_factory=SecretStore)
    refresh_interval: Annotated[str, StringConstraints(pattern=_GO_DURATION)] = "1h"
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] = "IfNotPresent"
    labels: dict[str, str] = Field(default_factory=dict)  # added to every object and pod
    settings_path: Annotated[str, StringConstraints(pattern=r"^/")] = "/etc/azconf"
    # Where a listed secret that no env variable reads appears as a file named after the secret.
    secrets_path: Annotated[str, StringConstraints(pattern=r"^/")] = "/var/run/secrets/azconf"
    workloads: Workload = Field(default_factory=Workload)  # how every service's pods run
    services: dict[str, Workload] = Field(default_factory=dict)  # per service, over workloads
    patches: list[KustomizePatch] = Field(default_factory=list)  # Kustomize patches, the escape hatch
    # The HTTPRoutes' hostnames where a route names none; "{settings.PATH}" is a string setting of
    # the environment (each environment has its own hostname: "{settings.api_hostname}").
    hostnames: list[str] = Field(default_factory=list)


# -- Kubernetes' naming rules (k8s.io/apimachinery/pkg/util/validation) ------------------------------


@dataclass(frozen=True)
class NameRule:
    """One of Kubernetes' name formats: a regular expression and a maximum length."""

    what: str
    pattern: re.Pattern[str]
    max_len: int

    def problem(self, value: str) -> str | None:
        """Why ``value`` breaks the rule, or None."""
        if len(value) > self.max_len:
            return f"is {len(value)} characters long; the limit is {self.max_len}"
        if not self.pattern.fullmatch(value):
            return f"must be {self.what}"
        return None


_LABEL_BODY = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = NameRule(
    "a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)",
    re.compile(_LABEL_BODY),
    63,
)
DNS1123_SUBDOMAIN = NameRule(
    "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', each dot-separated part starting "
    "and ending with a letter or digit)",
    re.compile(rf"{_LABEL_BODY}(\.{_LABEL_BODY})*"),
    253,
)
DNS1035_LABEL = NameRule(
    "a DNS-1035 label (lowercase letters, digits and '-', starting with a letter and ending with a "
    "letter or digit)",
    re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?"),
    63,
)
LABEL_VALUE = NameRule(
    "empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"),
    63,
)
_QUALIFIED_NAME = NameRule(
    "letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"),
    63,
)
CONFIGMAP_KEY = NameRule("letters, digits, '-', '_' and '.'", re.compile(r"[-._a-zA-Z0-9]+"), 253)
OBJECT_NAME_RULES = {
    "Deployment": DNS1123_SUBDOMAIN,
    "Service": DNS1035_LABEL,  # it becomes a DNS name in the cluster
    "ConfigMap": DNS1123_SUBDOMAIN,
    "ExternalSecret": DNS1123_SUBDOMAIN,
    "HTTPRoute": DNS1123_SUBDOMAIN,
    "HorizontalPodAutoscaler": DNS1123_SUBDOMAIN,
    "PodDisruptionBudget": DNS1123_SUBDOMAIN,
}
# The Gateway API's Hostname: a DNS name, optionally with a leading "*." wildcard, never an IP.
_HOSTNAME = re.compile(rf"(\*\.)?{_LABEL_BODY}(\.{_LABEL_BODY})*")
_SETTING_REFERENCE = re.compile(r"\{settings\.([^{}]+)\}")


def label_key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label key (``[prefix/]name``), or None."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and not prefix:
        return "has an empty prefix before '/'"
    found = DNS1123_SUBDOMAIN.problem(prefix) if prefix else None
    if found:
        return f"has a prefix that {found}"
    found = _QUALIFIED_NAME.problem(name)
    return f"has a name part that {found}" if found else None


# -- the target -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # one per run, hashed and compared by identity: a Reuse input
class _Run:
    """What every environment of a run shares: the options, the project's name, the YAML written."""

    options: KubernetesOptions
    project: str
    texts: EntryTexts

    def workload(self, service: str) -> Workload:
        """How ``service``'s pods run: ``workloads`` with ``services.<service>`` over it."""
        override = self.options.services.get(service)
        return self.options.workloads if override is None else overlay(self.options.workloads, override)


def _run(options: KubernetesOptions, project: str) -> _Run:
    from azconf.config.yaml_emit import EntryTexts

    return _Run(options, project, EntryTexts())


@dataclass(frozen=True)
class _Piece:
    """One object's file.

    An object depends on its item, on what it links to elsewhere in its environment and on the
    run (never on the config version): the piece made for one environment serves each other one
    where these are equal.
    """

    file: str  # <kind>-<name>.yaml
    text: str  # the whole file
    broken: tuple[str, ...]  # the Kubernetes rules the object breaks


@dataclass(frozen=True)
class _ItemObjects:
    """What one item adds to its environment's render: the rules it breaks, and its objects."""

    violations: tuple[str, ...]
    pieces: tuple[_Piece, ...]


@dataclass
class _Build:
    """What one environment's render accumulates: the objects so far and every rule broken."""

    context: RenderContext
    run: _Run
    pieces: list[_Piece] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    upstream_ports: dict[str, set[int]] | None = None  # service -> its routes' upstream ports

    def add(self, objects: _ItemObjects) -> None:
        """Add an item's objects and the rules it breaks."""
        self.violations += objects.violations
        self.pieces += objects.pieces

    def static_value(self, flag: Flag) -> str | None:
        """:func:`static_flag_value`, once per flag for every environment of the run."""
        return self.context.reuse.item(static_flag_value, flag)


class KubernetesTarget:
    """Deployments, Services, ConfigMaps, ExternalSecrets, HTTPRoutes and a kustomization."""

    name = NAME
    options_model: type[TargetOptions] = KubernetesOptions

    def render(self, context: RenderContext) -> dict[str, str]:
        """Relative path -> YAML text for every object and the kustomization, or
        :class:`RenderError` with every violation."""
        build = _Build(context, context.reuse.item(_run, context.options, context.project))
        build.violations += _option_violations(build.run.options)
        build.pieces.append(_piece(_flags_configmap(build), build.run.texts))
        secrets = _secret_sources(build)
        for name, service in sorted(context.model.services.items()):
            _add_service(build, name, service, secrets)
        front = _front(build)
        for name, route in sorted(context.model.routes.items()):
            _add_route(build, name, route, front)
        _add_gateway(build, front, secrets)
        build.violations += _unknown_services(build)
        patches, entries = patch_files(context.root, build.run.options.patches, build.violations)
        files = _checked_files(build)
        files["kustomization.yaml"] = _kustomization(sorted(files), entries)
        return files | patches


def _kustomization(names: list[str], patches: list[dict[str, Any]]) -> str:
    """``kustomization.yaml``, listing every object's file and the configured patches."""
    from azconf.config.yaml_emit import emit_yaml

    kustomization: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": names,
    }
    if patches:
        kustomization["patches"] = patches
    return HEADER + emit_yaml(kustomization)


def _unknown_services(build: _Build) -> list[str]:
    """``render.kubernetes.services`` may only name services of the environment (a typo is an error)."""
    from azconf.problems import did_you_mean

    known, env = build.context.model.services, build.context.env
    return [
        f'render.kubernetes.services.{name}: no service "{name}" in {env}{did_you_mean(name, known)}'
        for name in build.run.options.services
        if name not in known
    ]


TARGET = KubernetesTarget()


# -- metadata ---------------------------------------------------------------------------------------


def _labels(run: _Run, app: str, component: str | None = None) -> dict[str, str]:
    labels = {**run.options.labels, **_selector(run, app), "app.kubernetes.io/managed-by": "azconf"}
    if component:
        labels["app.kubernetes.io/component"] = component
    return dict(sorted(labels.items()))


def _selector(run: _Run, app: str) -> dict[str, str]:
    # Only labels that never change: a Deployment's selector is immutable once applied.
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": run.project}


def _metadata(run: _Run, name: str, labels: dict[str, str]) -> dict[str, Any]:
    """An object's metadata (no object names the config version: see :data:`HEADER`)."""
    meta: dict[str, Any] = {"name": name}
    if run.options.namespace:
        meta["namespace"] = run.options.namespace
    meta["labels"] = labels
    return meta


def _object(api_version: str, kind: str, metadata: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}


# -- flags ------------------------------------------------------------------------------------------


def flags_configmap_name(project: str) -> str:
    """The name of the ConfigMap that holds the flag file and the flags' static values."""
    return f"{project}-flags"


def _flags_configmap(build: _Build) -> dict[str, Any]:
    data = {FLAGD_FILE_KEY: _flag_file(build)}
    for key, flag in sorted(build.context.model.flags.items()):
        value = build.static_value(flag)
        if value is not None:
            data[FLAG_KEY_PREFIX + key] = value
    run = build.run
    meta = _metadata(run, flags_configmap_name(run.project), _labels(run, run.project, "flags"))
    return _object("v1", "ConfigMap", meta, data=data)


def _flag_file(build: _Build) -> str:
    """The flagd target's document, compact: a flagd replica may mount the ConfigMap instead.

    Compact because a ConfigMap holds at most 1 MiB: 3,000 flags take 1.1 MB indented and 0.6 MB
    without the indentation, and flagd reads both the same.

    The flag set's ``version`` is left out: it names the config version, which changes with any
    change of config, and this file should change only when the flags do.
    """
    try:
        document = flagd.flag_file(build.context)
        metadata = {key: value for key, value in document["metadata"].items() if key != "version"}
        return dumps_compact({**document, "metadata": metadata}) + "\n"
    except RenderError as error:
        build.violations += error.violations
        return ""


def static_flag_value(flag: Flag) -> str | None:
    """The value an env var sees: the default variant's, as text; None if the caller's default applies.

    An environment variable has no evaluation context, so targeting cannot apply; a disabled flag, or
    one without a default variant, has no value (as in flagd, the application's own default wins).
    """
    if flag.state != "ENABLED" or flag.default_variant is None:
        return None
    if flag.default_variant not in flag.variants:
        return None
    return env_text(flag.variants[flag.default_variant])


def env_text(value: Any) -> str:
    """``value`` as an environment variable's text: JSON spelling for everything but strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return canonical_json(value).decode("utf-8")
    return json.dumps(value)  # 3, 0.25


# -- secrets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretSource:
    """Where a pod reads a secret: a key of a Kubernetes Secret."""

    secret: str
    key: str


def _secret_sources(build: _Build) -> dict[str, SecretSource]:
    """Each cluster-resolvable secret's source; adds an ExternalSecret per ``vault://`` secret."""
    sources: dict[str, SecretSource] = {}
    owned: list[str] = []  # Secrets that an ExternalSecret writes
    existing: dict[str, str] = {}  # Secret name -> the first azconf secret that reads it (k8s://)
    reuse = build.context.reuse
    for name, secret in sorted(build.context.model.secrets.items()):
        ref = reuse.item(_reference, secret)
        if isinstance(ref, str):
            build.violations.append(f"secrets.{name}.ref: {ref}")
            continue
        if isinstance(ref, VaultRef):
            sources[name] = SecretSource(name, ref.key)
            owned.append(name)
            build.pieces.append(reuse.item(_external_secret, ref, name, build.run))
        elif isinstance(ref, K8sRef):
            sources[name] = SecretSource(ref.name, ref.key)
            existing.setdefault(ref.name, name)
    for name in owned:
        # An ExternalSecret owns the Secret it writes (and deletes it with itself): it must not
        # take over a Secret that someone else manages.
        if name in existing:
            build.violations.append(
                f'secrets.{name}: its ExternalSecret would own Secret "{name}", which '
                f"secrets.{existing[name]} reads as an existing Secret (k8s://); rename one of them"
            )
    return sources


def _reference(secret: Secret) -> SecretRef | str:
    """The parsed reference, or why it does not parse (never repeating the text: it may be a
    pasted secret)."""
    try:
        return parse_reference(secret.ref)
    except ReferenceSyntaxError as error:
        return str(error)


def _external_secret(ref: VaultRef, name: str, run: _Run) -> _Piece:
    store = run.options.secret_store
    # "<mount>/<path>" works whether or not the store sets its own mount path: External Secrets
    # strips a leading mount that equals the store's path, and adds "data/" for KV v2 itself.
    remote = {"key": f"{ref.mount}/{ref.path}", "property": ref.key}
    spec = {
        "refreshInterval": run.options.refresh_interval,
        "secretStoreRef": {"name": store.name, "kind": store.kind},
        "target": {"name": name, "creationPolicy": "Owner"},
        "data": [{"secretKey": ref.key, "remoteRef": remote}],
    }
    meta = _metadata(run, name, _labels(run, run.project, "secrets"))
    return _piece(_object("external-secrets.io/v1", "ExternalSecret", meta, spec=spec), run.texts)


# -- services ---------------------------------------------------------------------------------------


def settings_configmap_name(service: str) -> str:
    """The name of the ConfigMap that holds one service's settings."""
    return f"{service}-settings"


@dataclass(frozen=True)
class _Links:
    """What a service's objects take from the rest of its environment, by secret and flag name."""

    secrets: tuple[tuple[str, SecretSource | str], ...]  # the source, or why the cluster has none
    flags: tuple[tuple[str, str | None], ...]  # the static value (None: none, or no such flag)
    ports: tuple[int, ...] = ()  # routes' upstream ports other than the service's own port


def _links(build: _Build, name: str, service: Service, secrets: dict[str, SecretSource]) -> _Links:
    """The secrets (in ``env`` and ``secrets``) and flags ``service`` uses, as its environment has them."""
    secret_names, flag_keys = set(service.secrets), set()
    for value in service.env.values():
        if isinstance(value, SecretValue):
            secret_names.add(value.secret)
        elif isinstance(value, FlagValue):
            flag_keys.add(value.flag)
    model = build.context.model
    return _Links(
        tuple(
            (
                name,
                source
                if (source := secrets.get(name)) is not None
                else _no_cluster_source(model.secrets, name),
            )
            for name in sorted(secret_names)
        ),
        tuple(
            (key, build.static_value(model.flags[key]) if key in model.flags else None)
            for key in sorted(flag_keys)
        ),
        _upstream_ports(build, name, service),
    )


def _upstream_ports(build: _Build, name: str, service: Service) -> tuple[int, ...]:
    """The ports other than ``service.port`` that its routes send traffic to (``upstream_port``)."""
    if build.upstream_ports is None:  # once per environment: service name -> its routes' ports
        build.upstream_ports = {}
        for route in build.context.model.routes.values():
            if route.upstream_port is not None:
                build.upstream_ports.setdefault(route.service, set()).add(route.upstream_port)
    return tuple(sorted(build.upstream_ports.get(name, set()) - {service.port}))


def _no_cluster_source(secrets: dict[str, Secret], secret: str) -> str:
    """Why a pod cannot read ``secret`` (it is undefined, local only, or its reference is invalid)."""
    entry = secrets.get(secret)
    if entry is None:
        return f'secret "{secret}" is not defined under secrets'
    scheme = entry.ref.partition("://")[0]
    if scheme in ("env", "keyring"):
        return (
            f'secret "{secret}" ({scheme}://) only resolves on a developer\'s machine, '
            f"not in a cluster; give this environment a vault:// or k8s:// reference for it"
        )
    return f'secret "{secret}" has no valid reference'


def _add_service(build: _Build, name: str, service: Service, secrets: dict[str, SecretSource]) -> None:
    build.add(
        build.context.reuse.item(
            _service_objects, service, name, _links(build, name, service, secrets), build.run
        )
    )


def _service_objects(service: Service, name: str, links: _Links, run: _Run) -> _ItemObjects:
    """The settings ConfigMap, Deployment, Service (and autoscaler and disruption budget, when
    configured) of ``service``, and the rules they break."""
    workload = run.workload(name)
    labels = _service_labels(run, name, workload)
    violations: list[str] = []
    settings = canonical_json(service.settings).decode("utf-8")
    settings_map = _object(
        "v1",
        "ConfigMap",
        _service_metadata(run, settings_configmap_name(name), labels, workload),
        data={SETTINGS_KEY: settings},
    )
    sources, statics = dict(links.secrets), dict(links.flags)
    env = []
    for var, value in sorted(service.env.items()):
        if isinstance(value, SecretValue):
            source = sources[value.secret]
            if isinstance(source, str):
                violations.append(f"services.{name}.env.{var}: {source}")
                continue
            env.append(
                {"name": var, "valueFrom": {"secretKeyRef": {"name": source.secret, "key": source.key}}}
            )
        elif isinstance(value, FlagValue):
            ref = _flag_key_ref(run, value.flag, statics[value.flag])
            env.append({"name": var, "valueFrom": {"configMapKeyRef": ref}})
        else:
            # Kubelet expands $(VAR) in values; "$$" is its escape for "$", so a literal stays literal.
            env.append({"name": var, "value": env_text(value).replace("$", "$$")})
    violations += _unlisted_secrets(name, service, sources)
    requests = _requested(service)
    violations += workloads.workload_violations(
        f"render.kubernetes.services.{name}", workload, service.replicas, requests
    )
    pod = _Pod(
        name,
        labels,
        workload,
        env,
        _secret_files(service, sources),
        _config_checksum(settings, service, statics),
        links.ports,
    )
    objects = [
        settings_map,
        _deployment(run, service, pod),
        _service(run, name, service, workload, links.ports),
    ]
    objects += _scaling_objects(run, name, service, workload, labels)
    return _ItemObjects(tuple(violations), tuple(_piece(obj, run.texts) for obj in objects))


@dataclass(frozen=True)
class _Pod:
    """What a service's pod template is made of, beside the service itself."""

    name: str
    labels: dict[str, str]
    workload: Workload
    env: list[dict[str, Any]]
    secret_files: list[tuple[str, str, str]]  # (file name, Secret, key) of the secrets read as files
    checksum: str
    ports: tuple[int, ...]  # routes' upstream ports other than the service's own


def _service_labels(run: _Run, name: str, workload: Workload) -> dict[str, str]:
    """The labels of a service's objects and pods: the standard ones win over the service's own."""
    return dict(sorted({**workload.labels, **_labels(run, name)}.items()))


def _service_metadata(run: _Run, name: str, labels: dict[str, str], workload: Workload) -> dict[str, Any]:
    meta = _metadata(run, name, labels)
    if workload.annotations:
        meta["annotations"] = dict(sorted(workload.annotations.items()))
    return meta


def _secret_files(service: Service, sources: dict[str, SecretSource | str]) -> list[tuple[str, str, str]]:
    """The secrets ``service`` lists but no env variable reads: delivered as files, never dropped."""
    used_by_env = {v.secret for v in service.env.values() if isinstance(v, SecretValue)}
    return [
        (secret, source.secret, source.key)
        for secret in sorted(set(service.secrets) - used_by_env)
        if isinstance(source := sources[secret], SecretSource)
    ]


def _requested(service: Service) -> set[str]:
    requests = service.resources.requests if service.resources else None
    return {r for r in ("cpu", "memory") if requests is not None and getattr(requests, r) is not None}


def _scaling_objects(
    run: _Run, name: str, service: Service, workload: Workload, labels: dict[str, str]
) -> list[dict[str, Any]]:
    """The HorizontalPodAutoscaler and PodDisruptionBudget of a service, those configured."""
    found = []
    meta = _service_metadata(run, name, labels, workload)
    if workload.autoscaling is not None:
        found.append(workloads.autoscaler(name, meta, workload.autoscaling, service.replicas))
    if workload.disruption_budget is not None:
        found.append(workloads.disruption_budget(meta, workload.disruption_budget, _selector(run, name)))
    return found


def _flag_key_ref(run: _Run, flag_key: str, static: str | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": flags_configmap_name(run.project), "key": FLAG_KEY_PREFIX + flag_key}
    if static is None:
        ref["optional"] = True  # no static value: the variable is unset and the app's default applies
    return ref


def _unlisted_secrets(name: str, service: Service, sources: dict[str, SecretSource | str]) -> list[str]:
    """A secret in ``services.X.secrets`` must be resolvable in the cluster too."""
    used_by_env = {v.secret for v in service.env.values() if isinstance(v, SecretValue)}
    return [
        f"services.{name}.secrets[{index}]: {source}"
        for index, secret in enumerate(service.secrets)
        if isinstance(source := sources[secret], str) and secret not in used_by_env
    ]


def _config_checksum(settings: str, service: Service, statics: dict[str, str | None]) -> str:
    # The pod reads its settings and flag values from ConfigMaps, which Kubernetes does not watch:
    # a checksum of them in the pod template makes a change roll the pods.
    values = {
        var: statics[value.flag] for var, value in sorted(service.env.items()) if isinstance(value, FlagValue)
    }
    data = canonical_json({"settings": settings, "flags": values})
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _deployment(run: _Run, service: Service, pod: _Pod) -> dict[str, Any]:
    workload = pod.workload
    annotations = dict(sorted({**workload.annotations, ANNOTATION_CHECKSUM: pod.checksum}.items()))
    pod_spec: dict[str, Any] = {}
    if workload.service_account:
        pod_spec["serviceAccountName"] = workload.service_account
    pod_spec["securityContext"] = workloads.pod_security_context(workload)
    pod_spec["containers"] = [_container(run, service, pod)]
    pod_spec["volumes"] = _volumes(pod)
    template = {"metadata": {"labels": pod.labels, "annotations": annotations}, "spec": pod_spec}
    spec: dict[str, Any] = {}
    if workload.autoscaling is None:  # else the autoscaler owns the count: an apply must not reset it
        spec["replicas"] = service.replicas
    spec["selector"] = {"matchLabels": _selector(run, pod.name)}
    spec["template"] = template
    meta = _service_metadata(run, pod.name, pod.labels, workload)
    return _object("apps/v1", "Deployment", meta, spec=spec)


def _volumes(pod: _Pod) -> list[dict[str, Any]]:
    volumes: list[dict[str, Any]] = [
        {"name": "settings", "configMap": {"name": settings_configmap_name(pod.name)}}
    ]
    if pod.secret_files:
        volumes.append(workloads.secret_files_volume(pod.secret_files))
    if pod.workload.read_only_root_filesystem:
        volumes.append({"name": workloads.TMP_VOLUME, "emptyDir": {}})
    return volumes


def _container(run: _Run, service: Service, pod: _Pod) -> dict[str, Any]:
    extra = [{"name": _port_name(p), "containerPort": p, "protocol": "TCP"} for p in pod.ports]
    container: dict[str, Any] = {
        "name": pod.name,
        "image": service.image,
        "imagePullPolicy": run.options.image_pull_policy,
        "ports": [{"name": PORT_NAME, "containerPort": service.port, "protocol": "TCP"}, *extra],
    }
    if pod.env:
        container["env"] = pod.env
    resources = _resources(service)
    if resources:
        container["resources"] = resources
    container |= workloads.probes(pod.workload)
    container["securityContext"] = workloads.container_security_context(pod.workload)
    mounts = [{"name": "settings", "mountPath": run.options.settings_path, "readOnly": True}]
    if pod.secret_files:
        mounts.append(
            {"name": workloads.SECRETS_VOLUME, "mountPath": run.options.secrets_path, "readOnly": True}
        )
    if pod.workload.read_only_root_filesystem:
        mounts.append({"name": workloads.TMP_VOLUME, "mountPath": "/tmp"})  # the pod's own
    container["volumeMounts"] = mounts
    return container


def _resources(service: Service) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    if service.resources is None:
        return out
    for kind in ("requests", "limits"):
        amounts = getattr(service.resources, kind)
        if amounts is None:
            continue
        # Quantities are strings in Kubernetes' schema; numbers are written the way YAML read them.
        found = {r: str(getattr(amounts, r)) for r in ("cpu", "memory") if getattr(amounts, r) is not None}
        if found:
            out[kind] = found
    return out


def _port_name(port: int) -> str:
    """The name of a route's upstream port (an IANA service name: at most 15 characters)."""
    return f"{PORT_NAME}-{port}"


def _service(
    run: _Run, name: str, service: Service, workload: Workload, ports: tuple[int, ...]
) -> dict[str, Any]:
    # The Service port equals the container port, so http://<service>:<port> works in the cluster;
    # so does each port a route sends traffic to (upstream_port).
    port = {"name": PORT_NAME, "port": service.port, "targetPort": PORT_NAME, "protocol": "TCP"}
    extra = [{"name": (n := _port_name(p)), "port": p, "targetPort": n, "protocol": "TCP"} for p in ports]
    spec = {"type": "ClusterIP", "selector": _selector(run, name), "ports": [port, *extra]}
    meta = _service_metadata(run, name, _service_labels(run, name, workload), workload)
    return _object("v1", "Service", meta, spec=spec)


# -- routes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Front:
    """What every HTTPRoute of an environment shares: the Tyk gateway's options and Service (name,
    port), and the hostnames of routes that name none."""

    gateway: GatewayOptions
    backend: tuple[str, int]
    hostnames: tuple[str, ...]


def _front(build: _Build) -> _Front:
    """The environment's :class:`_Front`; a default hostname that names a missing setting is a violation."""
    tyk = build.context.peer_options.get("tyk")
    gateway = tyk.gateway if tyk is not None else GatewayOptions()
    hostnames = []
    for index, template in enumerate(build.run.options.hostnames):
        found, problem = _expand_settings(template, build.context.model.settings)
        if problem:
            build.violations.append(f"render.kubernetes.hostnames[{index}]: {problem}")
        hostnames.append(found)
    return _Front(gateway, (gateway.name, gateway.listen_port), tuple(hostnames))


def _expand_settings(template: str, settings: dict[str, Any]) -> tuple[str, str | None]:
    """``template`` with each ``{settings.PATH}`` replaced by that string setting, and why one
    cannot be (None: all could)."""
    missing: list[str] = []

    def value(match: re.Match[str]) -> str:
        found: Any = settings
        for part in match.group(1).split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if not isinstance(found, str):
            missing.append(f"settings.{match.group(1)} is not a string setting of this environment")
            return ""
        return found

    expanded = _SETTING_REFERENCE.sub(value, template)
    return expanded, (missing[0] if missing else None)


def _add_route(build: _Build, name: str, route: Route, front: _Front) -> None:
    service = build.context.model.services.get(route.service)
    port = None if service is None else (route.upstream_port or service.port)
    hostnames = tuple(route.hostnames) if route.hostnames is not None else front.hostnames
    # Through the Tyk gateway unless the route opts out: the Gateway API applies no auth.
    backend = front.backend if route.expose == "gateway" else None
    ends = _RouteEnds(port, backend, hostnames)
    build.add(build.context.reuse.item(_route_objects, route, name, ends, build.run))


@dataclass(frozen=True)
class _RouteEnds:
    """What a route's HTTPRoute takes from the rest of its environment."""

    port: int | None  # the service's port the route sends to; None: no such service
    backend: tuple[str, int] | None  # the Tyk gateway's Service and port; None: the service itself
    hostnames: tuple[str, ...]


def _route_objects(route: Route, name: str, ends: _RouteEnds, run: _Run) -> _ItemObjects:
    """The HTTPRoute of ``route`` and the rules it breaks."""
    port, backend, hostnames = ends.port, ends.backend, ends.hostnames
    if port is None:
        return _ItemObjects((f'routes.{name}.service: service "{route.service}" is not defined',), ())
    violations = tuple(f"routes.{name}.path: {p}" for p in path_prefix_problems(route.path))
    violations += tuple(
        f"routes.{name}.hostnames: {host!r} is not a valid hostname (a DNS name, optionally starting "
        "with '*.'; no IP address, no port)"
        for host in hostnames
        if not hostname_ok(host)
    )
    # One rule per method: the Gateway API allows a prefix-rewriting filter only on a rule with
    # exactly one match, and a match holds one method.
    rules = [_route_rule(route, method, port, backend) for method in route.methods]
    parent: dict[str, Any] = {"group": "gateway.networking.k8s.io", "kind": "Gateway"}
    gateway = run.options.gateway
    parent["name"] = gateway.name
    if gateway.namespace:
        parent["namespace"] = gateway.namespace
    if gateway.section_name:
        parent["sectionName"] = gateway.section_name
    meta = _metadata(run, name, _labels(run, route.service))
    spec: dict[str, Any] = {"parentRefs": [parent]}
    if hostnames:
        spec["hostnames"] = sorted(set(hostnames))
    spec["rules"] = rules
    route_object = _object("gateway.networking.k8s.io/v1", "HTTPRoute", meta, spec=spec)
    return _ItemObjects(violations, (_piece(route_object, run.texts),))


def _route_rule(route: Route, method: str, port: int, backend: tuple[str, int] | None) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "matches": [{"path": {"type": "PathPrefix", "value": route.path}, "method": method}]
    }
    if backend is not None:
        # Tyk matches the listen path and strips it itself (strip_listen_path): the path stays whole.
        rule["backendRefs"] = [{"name": backend[0], "port": backend[1]}]
    else:
        if route.strip_path and route.path != "/":
            rewrite = {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}
            rule["filters"] = [{"type": "URLRewrite", "urlRewrite": rewrite}]
        rule["backendRefs"] = [{"name": route.service, "port": port}]
    rule["timeouts"] = {"request": gateway_api_duration(route.timeout_milliseconds)}
    return rule


def hostname_ok(host: str) -> bool:
    """Whether ``host`` is a Gateway API Hostname: a DNS name (a leading ``*.`` allowed), not an IP."""
    if len(host) > 253 or not _HOSTNAME.fullmatch(host):
        return False
    return not re.fullmatch(r"[0-9.]+", host)  # "10.0.0.1" fits the pattern, but an IP is no hostname


def gateway_api_duration(milliseconds: int) -> str:
    """A Gateway API duration (``^([0-9]{1,5}(h|m|s|ms)){1,4}$``): ``30s``, ``500ms``, ``1s500ms``."""
    seconds, rest = divmod(milliseconds, 1000)
    return (f"{seconds}s" if seconds else "") + (f"{rest}ms" if rest else "")


# -- the Tyk gateway --------------------------------------------------------------------------------


def _add_gateway(build: _Build, front: _Front, secrets: dict[str, SecretSource]) -> None:
    """The Tyk gateway's objects, when a route is exposed through it."""
    context = build.context
    if not any(route.expose == "gateway" for route in context.model.routes.values()):
        return
    tyk_options = context.peer_options.get("tyk") or TykOptions()
    try:
        found = api_definitions(replace(context, options=tyk_options))
    except RenderError as error:
        build.violations += [f"tyk: {v}" for v in error.violations]
        return
    gateway, run = front.gateway, build.run
    reuse = context.reuse
    # One ConfigMap per service: its routes' definitions, each text written once per definition
    # object (shared by the environments where the route is the same).
    definitions: dict[str, dict[str, str]] = {}
    for route, definition in found.items():
        text = reuse.item(dump_definition, definition)
        definitions.setdefault(context.model.routes[route].service, {})[f"{definition['api_id']}.json"] = text
    if gateway.name in context.model.services:
        build.violations.append(
            f"render.tyk.gateway.name: {gateway.name!r} is also a service's name; choose another"
        )

    def source(secret: str) -> tuple[str, str] | str:
        known = secrets.get(secret)
        if known is None:
            return _no_cluster_source(context.model.secrets, secret)
        return known.secret, known.key

    def metadata(name: str) -> dict[str, Any]:
        return _metadata(run, name, _labels(run, gateway.name, "gateway"))

    made = gateway_objects(gateway, definitions, source, metadata, _selector(run, gateway.name))
    build.violations += made.violations
    build.pieces += [_piece(obj, run.texts) for obj in made.objects]


_PATH_CHARS = re.compile(r"(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+")


def path_prefix_problems(path: str) -> list[str]:
    """The Gateway API's validation rules for a PathPrefix match value that ``path`` breaks."""
    problems = []
    if not path.startswith("/"):
        problems.append("must start with '/'")
    problems += [
        f"must not contain '{part}'" for part in ("//", "/./", "/../", "%2f", "%2F", "#") if part in path
    ]
    problems += [f"must not end with '{end}'" for end in ("/..", "/.") if path.endswith(end)]
    if len(path) > 1024:
        problems.append("is longer than 1024 characters")
    if not _PATH_CHARS.fullmatch(path):
        problems.append("may only hold letters, digits, -/._~!$&'()*+,;=:@ and %XX escapes")
    return problems


# -- checks -----------------------------------------------------------------------------------------


def _option_violations(options: KubernetesOptions) -> list[str]:
    where = "render.kubernetes"
    checks = [
        (f"{where}.namespace", options.namespace, DNS1123_LABEL),
        (f"{where}.gateway.name", options.gateway.name, DNS1123_SUBDOMAIN),
        (f"{where}.gateway.namespace", options.gateway.namespace, DNS1123_LABEL),
        (f"{where}.gateway.section_name", options.gateway.section_name, DNS1123_SUBDOMAIN),
        (f"{where}.secret_store.name", options.secret_store.name, DNS1123_SUBDOMAIN),
    ]
    found = [
        f"{path}: {p}" for path, value, rule in checks if value is not None and (p := rule.problem(value))
    ]
    found += [f"{where}.labels: {key} is set by azconf" for key in options.labels if key in STANDARD_LABELS]
    workloads_ = [("workloads", options.workloads)] + [
        (f"services.{n}", w) for n, w in options.services.items()
    ]
    for name, workload in workloads_:
        found += _workload_key_violations(f"{where}.{name}", workload)
    return found


def _workload_key_violations(where: str, workload: Workload) -> list[str]:
    """Label keys a workload may not set, and annotation keys Kubernetes would refuse."""
    found = [f"{where}.labels: {key} is set by azconf" for key in workload.labels if key in STANDARD_LABELS]
    found += [
        f"{where}.annotations: the key {key!r} {problem}"
        for key in workload.annotations
        if (problem := label_key_problem(key))
    ]
    if workload.service_account is not None and (
        problem := DNS1123_SUBDOMAIN.problem(workload.service_account)
    ):
        found.append(f"{where}.service_account: {problem}")
    return found


def _object_violations(obj: dict[str, Any]) -> list[str]:
    """Every Kubernetes rule that ``obj`` breaks: its name, labels and (for ConfigMaps) keys and size."""
    kind, meta = obj["kind"], obj["metadata"]
    where = f'{kind} "{meta["name"]}"'
    found = []
    if problem := OBJECT_NAME_RULES[kind].problem(meta["name"]):
        found.append(f"{where}: the name {problem}")
    for key, value in meta["labels"].items():
        found += _label_problems(key, value)
    if kind == "ConfigMap":
        found += _configmap_violations(where, obj["data"])
    if kind == "Deployment":
        for container in obj["spec"]["template"]["spec"]["containers"]:
            if problem := DNS1123_LABEL.problem(container["name"]):
                found.append(f'{where}: the container name "{container["name"]}" {problem}')
    return found


@lru_cache(maxsize=4096)
def _label_problems(key: str, value: str) -> tuple[str, ...]:
    # Every object of an environment carries the same few labels: each pair is checked once.
    found = []
    if problem := label_key_problem(key):
        found.append(f"label key {key!r} {problem}")
    if problem := LABEL_VALUE.problem(value):
        found.append(f"label {key}={value!r}: the value {problem}")
    return tuple(found)


def _configmap_violations(where: str, data: dict[str, str]) -> list[str]:
    found = [f"{where}: the key {key!r} {p}" for key in data if (p := CONFIGMAP_KEY.problem(key))]
    size = sum(len(key.encode("utf-8")) + len(value.encode("utf-8")) for key, value in data.items())
    if size > MAX_CONFIGMAP_BYTES:
        found.append(f"{where}: {size:,} bytes of data; a ConfigMap holds at most {MAX_CONFIGMAP_BYTES:,}")
    return found


# -- files ------------------------------------------------------------------------------------------

# No file names the config version: a file changes only when its object does, so a one-line change
# of config is a one-file change in a GitOps pull request. The version rendered lives in the folder's
# record (.azconf-rendered.json) and in history (ENV@rendered).
HEADER = "# Rendered by azconf; edit the config, not this file.\n"


def _piece(obj: dict[str, Any], texts: EntryTexts) -> _Piece:
    """``obj`` as :func:`azconf.config.yaml_emit.emit_yaml` writes it, after :data:`HEADER`.

    Top-level entries are written independently of each other, and so are the entries of
    ``metadata`` under its key: the parts joined are exactly emit_yaml's lines. ``texts`` writes
    each entry that repeats (labels, specs) once.
    """
    parts = [HEADER, "metadata:\n".join(_top_entries(obj, texts))]
    file = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
    return _Piece(file, "".join(parts), tuple(_object_violations(obj)))


def _top_entries(obj: dict[str, Any], texts: EntryTexts) -> tuple[str, str]:
    """The text before ``metadata:`` and after it (its entries, then the rest of the object)."""
    head = texts.entry("apiVersion", obj["apiVersion"], 0) + texts.entry("kind", obj["kind"], 0)
    meta = [texts.entry(key, value, _METADATA_INDENT) for key, value in obj["metadata"].items()]
    rest = [texts.entry(key, value, 0) for key, value in obj.items() if key not in _HEAD_KEYS]
    return head, "".join(meta + rest)


_HEAD_KEYS = ("apiVersion", "kind", "metadata")


def _checked_files(build: _Build) -> dict[str, str]:
    """The files of the pieces built, or :class:`RenderError` with every rule broken."""
    for piece in build.pieces:
        build.violations += piece.broken
    if build.violations:
        raise RenderError(NAME, list(dict.fromkeys(build.violations)))
    return {piece.file: piece.text for piece in build.pieces}
