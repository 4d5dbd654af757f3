"""Hardened workloads: probes, the restricted Pod Security profile, autoscaler, disruption budget,
service account, per-service labels and annotations, listed secrets as files, Kustomize patches.

The restricted profile is checked by tests/pod_security.py, written from the published controls
(https://kubernetes.io/docs/concepts/security/pod-security-standards/); the real consumers
(kubernetes-validate strict for the new kinds, kubectl kustomize with patches) run in
tests/interop/test_kubernetes_interop.py.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_kubernetes import context_for, objects, small_env, violations

from azconf.render.base import RenderContext, RenderError
from azconf.render.kubernetes import TARGET, KubernetesOptions
from pod_security import restricted_violations


def render(env: dict[str, Any] | None = None, **options: Any) -> dict[str, dict[str, Any]]:
    return objects(TARGET.render(context_for(small_env() if env is None else env, **options)))


def pod_of(files: dict[str, dict[str, Any]], service: str = "payments") -> dict[str, Any]:
    spec: dict[str, Any] = files[f"deployment-{service}.yaml"]["spec"]["template"]["spec"]
    return spec


def container_of(files: dict[str, dict[str, Any]], service: str = "payments") -> dict[str, Any]:
    container: dict[str, Any] = pod_of(files, service)["containers"][0]
    return container


# -- the restricted profile ---------------------------------------------------------------------------


def test_every_pod_template_meets_the_restricted_profile_by_default() -> None:
    files = render()
    for service in ("payments", "web"):
        assert restricted_violations(pod_of(files, service)) == []
    assert container_of(files)["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    assert pod_of(files)["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


WORKLOAD_CHOICES = st.fixed_dictionaries(
    {},
    optional={
        "read_only_root_filesystem": st.booleans(),
        "run_as_user": st.integers(1, 2**31 - 1),
        "run_as_group": st.integers(0, 65535),
        "fs_group": st.integers(0, 65535),
        "service_account": st.sampled_from(["payments", "svc.a-b"]),
        "probes": st.fixed_dictionaries(
            {}, optional={"readiness": st.fixed_dictionaries({"enabled": st.booleans()})}
        ),
        "disruption_budget": st.sampled_from([{"min_available": 1}, {"max_unavailable": "25%"}]),
    },
)


@given(workloads=WORKLOAD_CHOICES, override=WORKLOAD_CHOICES)
def test_no_option_can_make_a_pod_break_the_restricted_profile(
    workloads: dict[str, Any], override: dict[str, Any]
) -> None:
    files = render(workloads=workloads, services={"payments": override})
    for service in ("payments", "web"):
        assert restricted_violations(pod_of(files, service)) == []


def _broken(pod: dict[str, Any], control: str) -> dict[str, Any]:
    """A copy of ``pod`` that breaks ``control`` on purpose."""
    pod = copy.deepcopy(pod)
    container = pod["containers"][0]
    context = container["securityContext"]
    if control == "allowPrivilegeEscalation":
        del context["allowPrivilegeEscalation"]
    elif control == "runAsNonRoot":
        del pod["securityContext"]["runAsNonRoot"], context["runAsNonRoot"]
    elif control == "runAsUser":
        pod["securityContext"]["runAsUser"] = 0
    elif control == "seccompProfile":
        del pod["securityContext"]["seccompProfile"]
    elif control == "capabilities.drop":
        del context["capabilities"]
    elif control == "capabilities.add":
        context["capabilities"]["add"] = ["SYS_ADMIN"]
    elif control in ("hostPath", "nfs"):
        pod["volumes"].append({"name": "x", control: {"path": "/"}})
    elif control == "hostNetwork":
        pod["hostNetwork"] = True
    elif control == "privileged":
        context["privileged"] = True
    elif control == "hostPort":
        container["ports"][0]["hostPort"] = 80
    return pod


@pytest.mark.parametrize(
    "control",
    [
        "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "seccompProfile", "capabilities.drop",
        "capabilities.add", "hostPath", "nfs", "hostNetwork", "privileged", "hostPort",
    ],
)  # fmt: skip
def test_the_check_itself_catches_each_kind_of_violation(control: str) -> None:
    """The check can fail: each control broken on purpose is reported."""
    found = restricted_violations(_broken(pod_of(render()), control))
    assert any(control.split(".", maxsplit=1)[0] in violation for violation in found), found


# -- probes ---------------------------------------------------------------------------------------


def test_probes_default_to_readyz_and_healthz_on_the_named_port() -> None:
    container = container_of(render())
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["livenessProbe"]["periodSeconds"] == 10


def test_probes_are_configurable_and_can_be_turned_off_per_service() -> None:
    files = render(
        workloads={"probes": {"readiness": {"path": "/ready", "port": 9090, "initial_delay_seconds": 5}}},
        services={"web": {"probes": {"liveness": {"enabled": False}, "readiness": {"enabled": False}}}},
    )
    payments = container_of(files)
    assert payments["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 9090}
    assert payments["readinessProbe"]["initialDelaySeconds"] == 5
    assert payments["livenessProbe"]["httpGet"]["path"] == "/healthz"  # the default, untouched
    web = container_of(files, "web")
    assert "readinessProbe" not in web and "livenessProbe" not in web


# -- the root file system, the service account, labels and annotations -----------------------------


def test_a_read_only_root_keeps_a_writable_tmp_and_a_service_may_opt_out() -> None:
    files = render(services={"web": {"read_only_root_filesystem": False}})
    mounts = {m["name"]: m["mountPath"] for m in container_of(files)["volumeMounts"]}
    assert mounts["tmp"] == "/tmp"
    web = container_of(files, "web")
    assert web["securityContext"]["readOnlyRootFilesystem"] is False
    assert "tmp" not in {m["name"] for m in web["volumeMounts"]}


def test_service_account_user_labels_and_annotations_reach_the_services_objects() -> None:
    files = render(
        workloads={"run_as_user": 10001, "labels": {"tier": "backend"}},
        services={
            "payments": {
                "service_account": "payments",
                "labels": {"pci": "true"},
                "annotations": {"prometheus.io/scrape": "true"},
            }
        },
    )
    pod = files["deployment-payments.yaml"]["spec"]["template"]
    assert pod["spec"]["serviceAccountName"] == "payments"
    assert pod["spec"]["securityContext"]["runAsUser"] == 10001
    assert pod["metadata"]["labels"]["pci"] == "true" and pod["metadata"]["labels"]["tier"] == "backend"
    assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    for name in ("deployment-payments.yaml", "service-payments.yaml", "configmap-payments-settings.yaml"):
        meta = files[name]["metadata"]
        assert meta["labels"]["pci"] == "true", name
        assert meta["annotations"] == {"prometheus.io/scrape": "true"}, name
    assert "pci" not in files["deployment-web.yaml"]["metadata"]["labels"]
    assert "serviceAccountName" not in pod_of(files, "web")
    # The selector stays the two labels that never change.
    assert set(files["deployment-payments.yaml"]["spec"]["selector"]["matchLabels"]) == {
        "app.kubernetes.io/name",
        "app.kubernetes.io/part-of",
    }


def test_bad_labels_annotations_accounts_and_service_names_are_violations() -> None:
    found = violations(
        small_env(),
        workloads={"labels": {"app.kubernetes.io/name": "x"}},
        services={
            "payments": {"annotations": {"bad key!": "x"}, "service_account": "Not_A_Name"},
            "paymnts": {"run_as_user": 5},
        },
    )
    assert "render.kubernetes.workloads.labels: app.kubernetes.io/name is set by azconf" in found
    assert any(
        v.startswith("render.kubernetes.services.payments.annotations: the key 'bad key!'") for v in found
    )
    assert any(v.startswith("render.kubernetes.services.payments.service_account:") for v in found)
    assert (
        'render.kubernetes.services.paymnts: no service "paymnts" in prod (did you mean "payments"?)' in found
    )


# -- autoscaler and disruption budget ----------------------------------------------------------------


def test_an_autoscaler_owns_the_replica_count() -> None:
    files = render(services={"payments": {"autoscaling": {"max_replicas": 8, "memory_utilization": 75}}})
    hpa = files["horizontalpodautoscaler-payments.yaml"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "payments",
    }
    assert hpa["spec"]["minReplicas"] == 2 and hpa["spec"]["maxReplicas"] == 8  # min: the service's replicas
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu", "memory"]
    assert hpa["spec"]["metrics"][1]["resource"]["target"] == {
        "type": "Utilization",
        "averageUtilization": 75,
    }
    # An apply must not reset what the autoscaler chose.
    assert "replicas" not in files["deployment-payments.yaml"]["spec"]
    assert files["deployment-web.yaml"]["spec"]["replicas"] == 1
    assert "horizontalpodautoscaler-web.yaml" not in files


def test_an_autoscaler_needs_the_requests_it_scales_on_and_a_sane_range() -> None:
    found = violations(small_env(), services={"web": {"autoscaling": {"min_replicas": 3, "max_replicas": 2}}})
    assert "render.kubernetes.services.web.autoscaling: max_replicas 2 is below 3" in found
    assert any(v.startswith("render.kubernetes.services.web.autoscaling.cpu_utilization:") for v in found)


def test_a_disruption_budget_selects_the_services_pods() -> None:
    files = render(workloads={"disruption_budget": {"min_available": "50%"}})
    pdb = files["poddisruptionbudget-payments.yaml"]
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"] == {
        "selector": {
            "matchLabels": {"app.kubernetes.io/name": "payments", "app.kubernetes.io/part-of": "shop"}
        },
        "minAvailable": "50%",
    }
    assert "poddisruptionbudget-web.yaml" in files


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workloads": {"disruption_budget": {"min_available": 1, "max_unavailable": 1}}}, "exactly one"),
        ({"workloads": {"disruption_budget": {}}}, "exactly one"),
        ({"workloads": {"disruption_budget": {"max_unavailable": "half"}}}, "max_unavailable"),
        ({"workloads": {"autoscaling": {"max_replicas": 3, "cpu_utilization": None}}}, "cpu_utilization"),
        ({"workloads": {"probes": {"readiness": {"path": "ready"}}}}, "path"),
        ({"services": {"web": {"run_as_user": 0}}}, "run_as_user"),
    ],
)
def test_bad_workload_options_are_refused_by_the_model(options: dict[str, Any], message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        KubernetesOptions.model_validate(options)


# -- secrets a service lists but no env variable reads ----------------------------------------------


def test_a_listed_secret_no_env_reads_is_mounted_as_a_file() -> None:
    env = small_env()
    env["secrets"]["tls-key"] = {"ref": "vault://kv/shop/payments/tls#key"}
    env["secrets"]["webhook"] = {"ref": "k8s://payments-secrets/WEBHOOK"}
    env["services"]["payments"]["secrets"] += ["tls-key", "webhook"]
    files = render(env, secrets_path="/run/secrets/shop")
    pod = pod_of(files)
    volume = next(v for v in pod["volumes"] if v["name"] == "secrets")
    assert volume == {
        "name": "secrets",
        "projected": {
            "sources": [
                {"secret": {"name": "tls-key", "items": [{"key": "key", "path": "tls-key"}]}},
                {"secret": {"name": "payments-secrets", "items": [{"key": "WEBHOOK", "path": "webhook"}]}},
            ]
        },
    }
    mount = next(m for m in container_of(files)["volumeMounts"] if m["name"] == "secrets")
    assert mount == {"name": "secrets", "mountPath": "/run/secrets/shop", "readOnly": True}
    assert "externalsecret-tls-key.yaml" in files  # the Secret it mounts is made
    assert restricted_violations(pod) == []
    # Secrets read through env are not mounted a second time, and a service with none has no volume.
    assert "secrets" not in {v["name"] for v in pod_of(render())["volumes"]}


def test_a_listed_local_only_secret_is_still_an_error_not_a_silent_drop() -> None:
    env = small_env()
    env["secrets"]["dev-key"] = {"ref": "env://DEV_KEY"}
    env["services"]["payments"]["secrets"].append("dev-key")
    found = violations(env)
    assert any(v.startswith('services.payments.secrets[2]: secret "dev-key" (env://)') for v in found)


# -- Kustomize patches -------------------------------------------------------------------------------


def test_patches_are_copied_into_the_folder_and_listed_in_the_kustomization(tmp_path: Path) -> None:
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "zones.yaml").write_text("kind: Deployment\nmetadata: {name: web}\n", encoding="utf-8")
    (tmp_path / "json.yaml").write_text("- op: remove\n  path: /spec/replicas", encoding="utf-8")
    patches = [
        {"path": "k/zones.yaml"},
        {"path": "json.yaml", "target": {"name": "web", "kind": "Deployment"}},
    ]
    context = context_for(small_env(), patches=patches)
    files = TARGET.render(RenderContext(**{**context.__dict__, "root": tmp_path}))
    assert files["patches/zones.yaml"] == "kind: Deployment\nmetadata: {name: web}\n"
    assert files["patches/json.yaml"].endswith("/spec/replicas\n")
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization["patches"] == [
        {"path": "patches/zones.yaml"},
        {"path": "patches/json.yaml", "target": {"kind": "Deployment", "name": "web"}},
    ]
    assert not any(name.startswith("patches/") for name in kustomization["resources"])


def test_a_patch_that_cannot_be_read_or_leaves_the_project_is_a_violation(tmp_path: Path) -> None:
    patches = [{"path": "missing.yaml"}, {"path": "../outside.yaml"}, {"path": "/etc/passwd"}]
    context = context_for(small_env(), patches=patches)
    with pytest.raises(RenderError) as caught:
        TARGET.render(RenderContext(**{**context.__dict__, "root": tmp_path}))
    assert caught.value.violations == [
        "render.kubernetes.patches[0].path: missing.yaml does not exist",
        "render.kubernetes.patches[1].path: ../outside.yaml must be a file inside the project",
        "render.kubernetes.patches[2].path: /etc/passwd must be a file inside the project",
    ]
