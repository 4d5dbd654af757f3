"""The kubernetes target: one environment as Kubernetes objects, one object per file, plus a kustomization.

What it writes (``<kind>-<name>.yaml``; docs/render.md is the user-facing reference):

- per service: a ``Deployment`` (apps/v1), a ``Service`` (v1) and a ``ConfigMap`` ``<service>-settings``
  holding the service's settings as one key, ``settings.json`` (canonical JSON: sorted keys, no
  whitespace, so the same settings always give the same bytes), mounted read-only into the pod;
- per ``vault://`` secret: an ``ExternalSecret`` (external-secrets.io/v1) that makes a Secret of the
  same name whose key is the Vault key; ``k8s://`` secrets are read from their existing Secret;
- per route: an ``HTTPRoute`` (gateway.networking.k8s.io/v1) attached to the configured Gateway;
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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from azconf.jsontext import dumps_compact
from azconf.model.sections import Flag, FlagValue, Route, Secret, SecretValue, Service
from azconf.render import flagd
from azconf.render.base import RenderContext, RenderError, TargetOptions
from azconf.secrets.refs import K8sRef, ReferenceSyntaxError, SecretRef, VaultRef, parse_reference
from azconf.snapshot import canonical_json

if TYPE_CHECKING:
    from azconf.config.yaml_emit import EntryTexts

NAME = "kubernetes"
FLAGD_FILE_KEY = flagd.FILE_NAME  # the flag file's key in the flags ConfigMap
FLAG_KEY_PREFIX = "flag."  # never collides with FLAGD_FILE_KEY: its fifth character is "s", not "."
SETTINGS_KEY = "settings.json"
ANNOTATION_VERSION = "azconf.dev/config-version"
ANNOTATION_HASH = "azconf.dev/content-hash"
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
}


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


@dataclass
class _Build:
    """What one render accumulates: the objects so far and every rule broken."""

    context: RenderContext
    objects: list[dict[str, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def options(self) -> KubernetesOptions:
        options: KubernetesOptions = self.context.options
        return options

    def static_value(self, flag: Flag) -> str | None:
        """:func:`static_flag_value`, once per flag for every environment of the run."""
        return self.context.reuse.item(static_flag_value, flag)


class KubernetesTarget:
    """Deployments, Services, ConfigMaps, ExternalSecrets, HTTPRoutes and a kustomization."""

    name = NAME
    options_model: type[TargetOptions] = KubernetesOptions

    def render(self, context: RenderContext) -> dict[str, str]:
        """Relative path -> YAML text for every object, or :class:`RenderError` with every violation."""
        build = _Build(context)
        build.violations += _option_violations(build.options)
        secrets = _secret_sources(build)
        build.objects.append(_flags_configmap(build))
        for name, service in sorted(context.model.services.items()):
            _add_service(build, name, service, secrets)
        for name, route in sorted(context.model.routes.items()):
            _add_route(build, name, route)
        for obj in build.objects:
            build.violations += _object_violations(obj)
        if build.violations:
            raise RenderError(NAME, list(dict.fromkeys(build.violations)))
        return _files(context, build.objects)


TARGET = KubernetesTarget()


# -- metadata ---------------------------------------------------------------------------------------


def _labels(build: _Build, app: str, component: str | None = None) -> dict[str, str]:
    labels = {**build.options.labels, **_selector(build, app), "app.kubernetes.io/managed-by": "azconf"}
    if component:
        labels["app.kubernetes.io/component"] = component
    return dict(sorted(labels.items()))


def _selector(build: _Build, app: str) -> dict[str, str]:
    # Only labels that never change: a Deployment's selector is immutable once applied.
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": build.context.project}


def _metadata(build: _Build, name: str, labels: dict[str, str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if build.options.namespace:
        meta["namespace"] = build.options.namespace
    meta["labels"] = labels
    meta["annotations"] = {
        ANNOTATION_VERSION: build.context.version,
        ANNOTATION_HASH: build.context.content_hash,
    }
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
    name = flags_configmap_name(build.context.project)
    meta = _metadata(build, name, _labels(build, build.context.project, "flags"))
    return _object("v1", "ConfigMap", meta, data=data)


def _flag_file(build: _Build) -> str:
    """The flagd target's document, compact: a flagd replica may mount the ConfigMap instead.

    Compact because a ConfigMap holds at most 1 MiB: 3,000 flags take 1.1 MB indented and 0.6 MB
    without the indentation, and flagd reads both the same.
    """
    try:
        return dumps_compact(flagd.flag_file(build.context)) + "\n"
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
    for name, secret in sorted(build.context.model.secrets.items()):
        ref = build.context.reuse.item(_reference, secret)
        if isinstance(ref, str):
            build.violations.append(f"secrets.{name}.ref: {ref}")
            continue
        if isinstance(ref, VaultRef):
            sources[name] = SecretSource(name, ref.key)
            owned.append(name)
            build.objects.append(_external_secret(build, name, ref))
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


def _external_secret(build: _Build, name: str, ref: VaultRef) -> dict[str, Any]:
    store = build.options.secret_store
    # "<mount>/<path>" works whether or not the store sets its own mount path: External Secrets
    # strips a leading mount that equals the store's path, and adds "data/" for KV v2 itself.
    remote = {"key": f"{ref.mount}/{ref.path}", "property": ref.key}
    spec = {
        "refreshInterval": build.options.refresh_interval,
        "secretStoreRef": {"name": store.name, "kind": store.kind},
        "target": {"name": name, "creationPolicy": "Owner"},
        "data": [{"secretKey": ref.key, "remoteRef": remote}],
    }
    meta = _metadata(build, name, _labels(build, build.context.project, "secrets"))
    return _object("external-secrets.io/v1", "ExternalSecret", meta, spec=spec)


# -- services ---------------------------------------------------------------------------------------


def settings_configmap_name(service: str) -> str:
    """The name of the ConfigMap that holds one service's settings."""
    return f"{service}-settings"


def _add_service(build: _Build, name: str, service: Service, secrets: dict[str, SecretSource]) -> None:
    settings = build.context.reuse.item(_settings_json, service)
    meta = _metadata(build, settings_configmap_name(name), _labels(build, name))
    build.objects.append(_object("v1", "ConfigMap", meta, data={SETTINGS_KEY: settings}))
    env = [_env_var(build, name, var, value, secrets) for var, value in sorted(service.env.items())]
    env = [entry for entry in env if entry]  # an empty entry stands for a violation already noted
    _check_listed_secrets(build, name, service, secrets)
    checksum = _config_checksum(build, settings, service)
    build.objects.append(_deployment(build, name, service, env, checksum))
    build.objects.append(_service(build, name, service))


def _settings_json(service: Service) -> str:
    return canonical_json(service.settings).decode("utf-8")


def _env_var(
    build: _Build, service: str, var: str, value: Any, secrets: dict[str, SecretSource]
) -> dict[str, Any]:
    if isinstance(value, SecretValue):
        source = secrets.get(value.secret)
        if source is None:
            build.violations.append(_not_in_cluster(build, f"services.{service}.env.{var}", value.secret))
            return {}
        return {"name": var, "valueFrom": {"secretKeyRef": {"name": source.secret, "key": source.key}}}
    if isinstance(value, FlagValue):
        return {"name": var, "valueFrom": {"configMapKeyRef": _flag_key_ref(build, value.flag)}}
    # Kubelet expands $(VAR) in values; "$$" is its escape for "$", so a literal stays literal.
    return {"name": var, "value": env_text(value).replace("$", "$$")}


def _flag_key_ref(build: _Build, flag_key: str) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "name": flags_configmap_name(build.context.project),
        "key": FLAG_KEY_PREFIX + flag_key,
    }
    flag = build.context.model.flags.get(flag_key)
    if flag is None or build.static_value(flag) is None:
        ref["optional"] = True  # no static value: the variable is unset and the app's default applies
    return ref


def _not_in_cluster(build: _Build, where: str, secret: str) -> str:
    entry = build.context.model.secrets.get(secret)
    if entry is None:
        return f'{where}: secret "{secret}" is not defined under secrets'
    scheme = entry.ref.partition("://")[0]
    if scheme in ("env", "keyring"):
        return (
            f'{where}: secret "{secret}" ({scheme}://) only resolves on a developer\'s machine, '
            f"not in a cluster; give this environment a vault:// or k8s:// reference for it"
        )
    return f'{where}: secret "{secret}" has no valid reference'


def _check_listed_secrets(
    build: _Build, name: str, service: Service, secrets: dict[str, SecretSource]
) -> None:
    """A secret in ``services.X.secrets`` must be resolvable in the cluster too."""
    used_by_env = {v.secret for v in service.env.values() if isinstance(v, SecretValue)}
    for index, secret in enumerate(service.secrets):
        if secret not in secrets and secret not in used_by_env:
            build.violations.append(_not_in_cluster(build, f"services.{name}.secrets[{index}]", secret))


def _config_checksum(build: _Build, settings: str, service: Service) -> str:
    # The pod reads its settings and flag values from ConfigMaps, which Kubernetes does not watch:
    # a checksum of them in the pod template makes a change roll the pods.
    flags = build.context.model.flags
    values = {
        var: build.static_value(flags[value.flag]) if value.flag in flags else None
        for var, value in sorted(service.env.items())
        if isinstance(value, FlagValue)
    }
    data = canonical_json({"settings": settings, "flags": values})
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _deployment(
    build: _Build, name: str, service: Service, env: list[dict[str, Any]], checksum: str
) -> dict[str, Any]:
    template = {
        "metadata": {"labels": _labels(build, name), "annotations": {ANNOTATION_CHECKSUM: checksum}},
        "spec": {
            "containers": [_container(build, name, service, env)],
            "volumes": [{"name": "settings", "configMap": {"name": settings_configmap_name(name)}}],
        },
    }
    spec = {
        "replicas": service.replicas,
        "selector": {"matchLabels": _selector(build, name)},
        "template": template,
    }
    return _object("apps/v1", "Deployment", _metadata(build, name, _labels(build, name)), spec=spec)


def _container(build: _Build, name: str, service: Service, env: list[dict[str, Any]]) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": service.image,
        "imagePullPolicy": build.options.image_pull_policy,
        "ports": [{"name": PORT_NAME, "containerPort": service.port, "protocol": "TCP"}],
    }
    if env:
        container["env"] = env
    resources = _resources(service)
    if resources:
        container["resources"] = resources
    mount = {"name": "settings", "mountPath": build.options.settings_path, "readOnly": True}
    container["volumeMounts"] = [mount]
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


def _service(build: _Build, name: str, service: Service) -> dict[str, Any]:
    # The Service port equals the container port, so http://<service>:<port> works in the cluster.
    port = {"name": PORT_NAME, "port": service.port, "targetPort": PORT_NAME, "protocol": "TCP"}
    spec = {"type": "ClusterIP", "selector": _selector(build, name), "ports": [port]}
    return _object("v1", "Service", _metadata(build, name, _labels(build, name)), spec=spec)


# -- routes -----------------------------------------------------------------------------------------


def _add_route(build: _Build, name: str, route: Route) -> None:
    service = build.context.model.services.get(route.service)
    if service is None:
        build.violations.append(f'routes.{name}.service: service "{route.service}" is not defined')
        return
    build.violations += [f"routes.{name}.path: {p}" for p in path_prefix_problems(route.path)]
    # One rule per method: the Gateway API allows a prefix-rewriting filter only on a rule with
    # exactly one match, and a match holds one method.
    rules = [_route_rule(route, method, service.port) for method in route.methods]
    parent: dict[str, Any] = {"group": "gateway.networking.k8s.io", "kind": "Gateway"}
    gateway = build.options.gateway
    parent["name"] = gateway.name
    if gateway.namespace:
        parent["namespace"] = gateway.namespace
    if gateway.section_name:
        parent["sectionName"] = gateway.section_name
    meta = _metadata(build, name, _labels(build, route.service))
    spec = {"parentRefs": [parent], "rules": rules}
    build.objects.append(_object("gateway.networking.k8s.io/v1", "HTTPRoute", meta, spec=spec))


def _route_rule(route: Route, method: str, port: int) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "matches": [{"path": {"type": "PathPrefix", "value": route.path}, "method": method}]
    }
    if route.strip_path and route.path != "/":
        rewrite = {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}
        rule["filters"] = [{"type": "URLRewrite", "urlRewrite": rewrite}]
    rule["backendRefs"] = [{"name": route.service, "port": port}]
    rule["timeouts"] = {"request": f"{route.timeout_seconds}s"}
    return rule


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


def _files(context: RenderContext, objects: list[dict[str, Any]]) -> dict[str, str]:
    from azconf.config.yaml_emit import EntryTexts, emit_yaml

    texts = context.reuse.kept("kubernetes.texts", EntryTexts)
    header = f"# Rendered by azconf from {context.version}; edit the config, not this file.\n"
    files = {
        f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml": header + _yaml(obj, texts) for obj in objects
    }
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files),
    }
    files["kustomization.yaml"] = header + emit_yaml(kustomization)
    return dict(sorted(files.items()))


def _yaml(obj: dict[str, Any], texts: EntryTexts) -> str:
    """``emit_yaml(obj)``, with the entries that repeat (labels, annotations, specs) written once.

    Top-level entries are written independently of each other, and so are the entries of
    ``metadata`` under its key: the parts joined are exactly emit_yaml's lines.
    """
    parts: list[str] = []
    for key, value in obj.items():
        if key == "metadata":
            parts.append("metadata:\n")
            parts += [texts.entry(name, item, _METADATA_INDENT) for name, item in value.items()]
        else:
            parts.append(texts.entry(key, value, 0))
    return "".join(parts)
