"""How the kubernetes target hardens and sizes each service's pods: probes, security contexts, an
optional HorizontalPodAutoscaler and PodDisruptionBudget, a service account, extra labels and
annotations (``render.kubernetes.workloads``, overridden per service under ``render.kubernetes.services``).

The defaults meet the Pod Security Standards' "restricted" profile
(https://kubernetes.io/docs/concepts/security/pod-security-standards/): a pod that runs as non-root,
with no privilege escalation, every capability dropped and the runtime's default seccomp profile,
on a read-only root file system (with a writable ``/tmp``) unless a service opts out.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from azconf.model.sections import MAX_INT32

PORT_NAME = "http"  # the container port's name, which probes use by default
TMP_VOLUME = "tmp"  # the emptyDir at /tmp that a read-only root file system keeps writable
SECRETS_VOLUME = "secrets"  # the listed secrets that no env variable reads, as files

Percent = Annotated[str, StringConstraints(pattern=r"^[0-9]+%$")]
Path = Annotated[str, StringConstraints(pattern=r"^/\S*$")]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Probe(_Options):
    """An HTTP GET probe of the container (``enabled: false`` leaves it out)."""

    enabled: bool = True
    path: Path | None = None  # None: /readyz for readiness, /healthz for liveness
    port: Annotated[int, Field(ge=1, le=65535)] | Annotated[str, StringConstraints(min_length=1)] = PORT_NAME
    initial_delay_seconds: int = Field(default=0, ge=0, le=MAX_INT32)
    period_seconds: int = Field(default=10, ge=1, le=MAX_INT32)
    timeout_seconds: int = Field(default=1, ge=1, le=MAX_INT32)
    failure_threshold: int = Field(default=3, ge=1, le=MAX_INT32)


class Probes(_Options):
    """Readiness (take the pod out of its Service) and liveness (restart the container)."""

    readiness: Probe = Field(default_factory=Probe)
    liveness: Probe = Field(default_factory=Probe)


DEFAULT_PATHS = {"readiness": "/readyz", "liveness": "/healthz"}  # the paths azconf serve answers


class Autoscaling(_Options):
    """A HorizontalPodAutoscaler (autoscaling/v2) on CPU and/or memory utilisation of the requests."""

    min_replicas: int | None = Field(default=None, ge=1, le=MAX_INT32)  # None: the service's replicas
    max_replicas: int = Field(ge=1, le=MAX_INT32)
    cpu_utilization: int | None = Field(default=80, ge=1, le=MAX_INT32)  # percent of requests.cpu
    memory_utilization: int | None = Field(default=None, ge=1, le=MAX_INT32)

    @model_validator(mode="after")
    def _a_metric(self) -> Autoscaling:
        if self.cpu_utilization is None and self.memory_utilization is None:
            raise ValueError("give cpu_utilization, memory_utilization or both")
        return self


class DisruptionBudget(_Options):
    """A PodDisruptionBudget (policy/v1): exactly one of ``min_available`` and ``max_unavailable``."""

    min_available: Annotated[int, Field(ge=0, le=MAX_INT32)] | Percent | None = None
    max_unavailable: Annotated[int, Field(ge=0, le=MAX_INT32)] | Percent | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DisruptionBudget:
        if (self.min_available is None) == (self.max_unavailable is None):
            raise ValueError("give exactly one of min_available and max_unavailable (a number or 50%)")
        return self


class Workload(_Options):
    """How each service's pods run (``render.kubernetes.workloads`` and ``services.<name>``)."""

    probes: Probes = Field(default_factory=Probes)
    read_only_root_filesystem: bool = True
    run_as_user: int | None = Field(default=None, ge=1, le=MAX_INT32)  # None: the image's (non-root) user
    run_as_group: int | None = Field(default=None, ge=0, le=MAX_INT32)
    fs_group: int | None = Field(default=None, ge=0, le=MAX_INT32)
    service_account: str | None = None  # serviceAccountName; None: the namespace's default
    autoscaling: Autoscaling | None = None
    disruption_budget: DisruptionBudget | None = None
    labels: dict[str, str] = Field(default_factory=dict)  # on the service's objects and pods
    annotations: dict[str, str] = Field(default_factory=dict)  # likewise


M = TypeVar("M", bound=BaseModel)


def overlay(base: M, override: M) -> M:
    """``override``'s explicitly set fields over ``base``: models and mappings merge, the rest replaces."""
    update: dict[str, Any] = {}
    for name in override.model_fields_set:
        mine, theirs = getattr(base, name), getattr(override, name)
        if isinstance(mine, BaseModel) and type(mine) is type(theirs):
            update[name] = overlay(mine, theirs)
        elif isinstance(mine, dict) and isinstance(theirs, dict):
            update[name] = {**mine, **theirs}
        else:
            update[name] = theirs
    return base.model_copy(update=update) if update else base


# -- the pod ----------------------------------------------------------------------------------------


def pod_security_context(workload: Workload) -> dict[str, Any]:
    """The pod's securityContext: non-root, the runtime's default seccomp profile."""
    context: dict[str, Any] = {"runAsNonRoot": True}
    for key, value in (
        ("runAsUser", workload.run_as_user),
        ("runAsGroup", workload.run_as_group),
        ("fsGroup", workload.fs_group),
    ):
        if value is not None:
            context[key] = value
    context["seccompProfile"] = {"type": "RuntimeDefault"}
    return context


def container_security_context(workload: Workload) -> dict[str, Any]:
    """The container's securityContext: no privilege escalation, no capabilities, read-only root."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": workload.read_only_root_filesystem,
        "runAsNonRoot": True,
    }


def probes(workload: Workload) -> dict[str, Any]:
    """The container's ``readinessProbe`` and ``livenessProbe`` entries (those enabled)."""
    found = {}
    for kind in ("readiness", "liveness"):
        probe: Probe = getattr(workload.probes, kind)
        if probe.enabled:
            found[f"{kind}Probe"] = {
                "httpGet": {"path": probe.path or DEFAULT_PATHS[kind], "port": probe.port},
                "initialDelaySeconds": probe.initial_delay_seconds,
                "periodSeconds": probe.period_seconds,
                "timeoutSeconds": probe.timeout_seconds,
                "failureThreshold": probe.failure_threshold,
            }
    return found


def secret_files_volume(files: list[tuple[str, str, str]]) -> dict[str, Any]:
    """One projected volume with a file per (file name, Secret, key): the listed secrets no env reads."""
    sources = [
        {"secret": {"name": secret, "items": [{"key": key, "path": file}]}} for file, secret, key in files
    ]
    return {"name": SECRETS_VOLUME, "projected": {"sources": sources}}


# -- the objects beside the Deployment --------------------------------------------------------------


def autoscaler(
    name: str, metadata: dict[str, Any], autoscaling: Autoscaling, replicas: int
) -> dict[str, Any]:
    """The HorizontalPodAutoscaler of Deployment ``name``."""
    metrics = [
        {
            "type": "Resource",
            "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": value}},
        }
        for resource, value in (
            ("cpu", autoscaling.cpu_utilization),
            ("memory", autoscaling.memory_utilization),
        )
        if value is not None
    ]
    spec = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
        "minReplicas": min_replicas(autoscaling, replicas),
        "maxReplicas": autoscaling.max_replicas,
        "metrics": metrics,
    }
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata,
        "spec": spec,
    }


def min_replicas(autoscaling: Autoscaling, replicas: int) -> int:
    """The autoscaler's floor: ``min_replicas``, else the service's replicas (at least 1)."""
    return autoscaling.min_replicas if autoscaling.min_replicas is not None else max(replicas, 1)


def disruption_budget(
    metadata: dict[str, Any], budget: DisruptionBudget, selector: dict[str, str]
) -> dict[str, Any]:
    """The PodDisruptionBudget of the service's pods."""
    spec: dict[str, Any] = {"selector": {"matchLabels": selector}}
    if budget.min_available is not None:
        spec["minAvailable"] = budget.min_available
    else:
        spec["maxUnavailable"] = budget.max_unavailable
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata, "spec": spec}


def workload_violations(where: str, workload: Workload, replicas: int, requests: set[str]) -> list[str]:
    """The rules of a service's workload that need the service: autoscaler bounds and requests."""
    found = []
    autoscaling = workload.autoscaling
    if autoscaling is not None:
        floor = min_replicas(autoscaling, replicas)
        if autoscaling.max_replicas < floor:
            found.append(f"{where}.autoscaling: max_replicas {autoscaling.max_replicas} is below {floor}")
        for resource in ("cpu", "memory"):
            if getattr(autoscaling, f"{resource}_utilization") is not None and resource not in requests:
                found.append(
                    f"{where}.autoscaling.{resource}_utilization: a utilization target is a percentage "
                    f"of resources.requests.{resource}, which the service does not set"
                )
    return found
