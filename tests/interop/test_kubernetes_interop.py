"""The kubernetes target's output, accepted by the tools that consume it.

- Built-in kinds (Deployment, Service, ConfigMap): ``kubernetes-validate`` (PyPI, pinned in the ``test``
  extra) in strict mode, through its Python API, against Kubernetes 1.30 (the example cluster's
  ``settings.cluster.kubernetes_version``). Strict mode rejects fields the schema does not declare; a
  "no schema" answer for a built-in kind is a failure, not a pass.
- The kustomization: ``kubectl kustomize`` (part of the machine image) builds it and emits every object,
  with the configured patches applied.
- Every pod template meets the Pod Security Standards' "restricted" profile, checked by
  tests/pod_security.py (written from https://kubernetes.io/docs/concepts/security/pod-security-standards/).
- HTTPRoute and ExternalSecret: the npm validators ``@kubernetes-models/gateway-api@2.0.0`` and
  ``@kubernetes-models/external-secrets@2.0.0``, driven by tests/interop/k8s-models/validate.mjs, which
  also reports field names that the packages' declarations do not have (the packages' own validators
  accept unknown fields). tests/interop/install-k8s-models.sh installs them; the fixture runs it when
  they are missing.

Without a tool the tests skip, except under CI (the CI variable set), where they fail.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from azconf.config.project import load_project
from azconf.render.inputs import source_for
from azconf.render.output import RECORD_NAME
from azconf.render.pipeline import render
from interop_tools import missing_tool
from pod_security import restricted_violations

pytestmark = pytest.mark.interop

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "azora"
MODELS = REPO / "tests" / "interop" / "k8s-models"
INSTALLER = REPO / "tests" / "interop" / "install-k8s-models.sh"
KUBERNETES_VERSION = "1.30"  # examples/azora: settings.cluster.kubernetes_version
BUILT_IN = {"Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
CUSTOM = {"HTTPRoute", "ExternalSecret"}

Objects = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Objects]:
    """The example's prod rendered through the real pipeline: its folder, and each object by file."""
    project, problems = load_project(EXAMPLE)
    assert project is not None, problems
    out = tmp_path_factory.mktemp("render")
    render(project, source_for(project, "prod", None), ["kubernetes"], out=out, check=False)
    folder = out / "kubernetes"
    objects = {
        p.name: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.yaml"))
        if p.name not in ("kustomization.yaml", RECORD_NAME)
    }
    assert {obj["kind"] for obj in objects.values()} == BUILT_IN | CUSTOM, "a kind without a validator"
    return folder, objects


def of_kinds(objects: Objects, kinds: set[str]) -> Objects:
    return {name: obj for name, obj in objects.items() if obj["kind"] in kinds}


# -- kubernetes-validate ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kubernetes_validate() -> Any:
    try:
        import kubernetes_validate  # type: ignore[import-untyped]
    except ImportError:
        missing_tool("kubernetes-validate is not installed: pip install -e '.[test]'")
    return kubernetes_validate


def strict_problems(kv: Any, obj: dict[str, Any]) -> str | None:
    """Why kubernetes-validate (strict) rejects ``obj``, or None; a missing schema is a rejection."""
    try:
        validated = kv.validate(obj, KUBERNETES_VERSION, strict=True)
    except kv.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        return f"{path}: {error.message}"
    except (kv.SchemaNotFoundError, kv.utils.VersionNotSupportedError, kv.InvalidSchemaError) as error:
        return f"no usable schema: {error.message}"
    assert validated == KUBERNETES_VERSION
    return None


def test_built_in_kinds_pass_kubernetes_validate_strict(
    rendered: tuple[Path, Objects], kubernetes_validate: Any
) -> None:
    _, objects = rendered
    built_in = of_kinds(objects, BUILT_IN)
    # Per service a Deployment, Service, settings ConfigMap and PodDisruptionBudget; the flags
    # ConfigMap; prod's web autoscaler; the Tyk gateway's Deployment, Service and tyk.conf, and one
    # ConfigMap of API definitions per service with routes.
    assert len(built_in) == 6 * 4 + 1 + 1 + 3 + 6
    found = {name: strict_problems(kubernetes_validate, obj) for name, obj in built_in.items()}
    assert {name: problem for name, problem in found.items() if problem} == {}


def test_strict_mode_really_rejects_unknown_fields(
    rendered: tuple[Path, Objects], kubernetes_validate: Any
) -> None:
    deployment = copy.deepcopy(rendered[1]["deployment-payments.yaml"])
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicies"] = "Always"
    problem = strict_problems(kubernetes_validate, deployment)
    assert problem is not None and "imagePullPolicies" in problem


def test_a_kind_without_a_schema_is_not_a_pass(kubernetes_validate: Any) -> None:
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "x"}}
    problem = strict_problems(kubernetes_validate, route)
    assert problem is not None and problem.startswith("no usable schema")


# -- kubectl kustomize ------------------------------------------------------------------------------


def test_kubectl_kustomize_builds_every_object(rendered: tuple[Path, Objects]) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        missing_tool("kubectl is not on PATH")
    assert kubectl is not None
    folder, objects = rendered
    done = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    built = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    assert len(built) == len(objects) == 56
    names = sorted((doc["kind"], doc["metadata"]["name"]) for doc in built)
    assert names == sorted((obj["kind"], obj["metadata"]["name"]) for obj in objects.values())
    assert all(doc["metadata"]["namespace"] == "azora" for doc in built)
    # prod's patch (render.environments.prod.kubernetes.patches) is applied by kustomize itself.
    web = next(doc for doc in built if (doc["kind"], doc["metadata"]["name"]) == ("Deployment", "web"))
    (spread,) = web["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert "topologySpreadConstraints" not in objects["deployment-web.yaml"]["spec"]["template"]["spec"]
    assert not any(
        "topologySpreadConstraints" in doc["spec"]["template"]["spec"]
        for doc in built
        if doc["kind"] == "Deployment" and doc is not web
    )


def test_a_json6902_patch_with_a_target_applies_and_a_broken_one_fails(tmp_path: Path) -> None:
    """A patch entry's target selector reaches kustomize as written; kustomize refuses a bad patch."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        missing_tool("kubectl is not on PATH")
    assert kubectl is not None
    project_dir = tmp_path / "azora"
    shutil.copytree(EXAMPLE, project_dir, ignore=shutil.ignore_patterns(".azconf", "deploy"))
    (project_dir / "replicas.yaml").write_text(
        "- op: replace\n  path: /spec/replicas\n  value: 9\n", encoding="utf-8"
    )
    manifest = project_dir / "azconf.yaml"
    text = manifest.read_text(encoding="utf-8").replace(
        "          - path: kustomize/prod-web-zones.yaml\n",
        "          - path: kustomize/prod-web-zones.yaml\n"
        "          - {path: replicas.yaml, target: {kind: Deployment, name: payments}}\n",
    )
    manifest.write_text(text, encoding="utf-8")
    project, problems = load_project(project_dir)
    assert project is not None, problems
    render(project, source_for(project, "prod", None), ["kubernetes"], out=tmp_path / "out", check=False)
    folder = tmp_path / "out" / "kubernetes"
    done = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    built = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(done.stdout) if d}
    assert built[("Deployment", "payments")]["spec"]["replicas"] == 9
    assert built[("Deployment", "auth")]["spec"]["replicas"] == 4
    (folder / "patches" / "replicas.yaml").write_text("- op: replace\n  path: /spec/nope/x\n  value: 1\n")
    broken = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert broken.returncode != 0


def test_every_rendered_pod_template_meets_the_restricted_pod_security_standard(
    rendered: tuple[Path, Objects], tmp_path: Path
) -> None:
    """Every Deployment of every environment that renders kubernetes, after kustomize's patches."""
    project, _ = load_project(EXAMPLE)
    assert project is not None
    templates = 0
    for env in ("staging", "prod"):
        render(project, source_for(project, env, None), ["kubernetes"], out=tmp_path / env, check=False)
        for path in sorted((tmp_path / env / "kubernetes").glob("deployment-*.yaml")):
            pod = yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["template"]["spec"]
            assert restricted_violations(pod) == [], f"{env}/{path.name}"
            templates += 1
    assert templates == 14  # six services and the Tyk gateway, in staging and prod


# -- @kubernetes-models -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    """The node command, once the pinned @kubernetes-models packages are installed."""
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        missing_tool("node and npm are not on PATH (apt-get install nodejs npm)")
    assert found is not None
    if not (MODELS / "node_modules" / "@kubernetes-models" / "external-secrets").is_dir():
        done = subprocess.run(
            ["bash", str(INSTALLER)], capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0:
            missing_tool(f"{INSTALLER.name} failed:\n{done.stdout}\n{done.stderr}")
    return found


def models_validate(node: str, objects: Objects) -> list[dict[str, Any]]:
    """What validate.mjs says of each object: the package's errors and the unknown field names."""
    items = [{"file": name, "object": obj} for name, obj in objects.items()]
    done = subprocess.run(
        [node, str(MODELS / "validate.mjs")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert [r["file"] for r in results] == list(objects)
    return results


def test_httproutes_and_external_secrets_pass_the_kubernetes_models(
    rendered: tuple[Path, Objects], node: str
) -> None:
    custom = of_kinds(rendered[1], CUSTOM)
    assert sum(obj["kind"] == "HTTPRoute" for obj in custom.values()) == 12
    assert sum(obj["kind"] == "ExternalSecret" for obj in custom.values()) == 9
    results = models_validate(node, custom)
    assert [r for r in results if r["errors"] or r["unknownFields"]] == []


def test_a_misspelled_field_is_caught_by_our_check_not_by_the_package(
    rendered: tuple[Path, Objects], node: str
) -> None:
    route = copy.deepcopy(rendered[1]["httproute-payments.yaml"])
    route["spec"]["rules"][0]["backendRef"] = route["spec"]["rules"][0].pop("backendRefs")
    route["spec"]["parentRefs"][0]["sectionNmae"] = "https"
    secret = copy.deepcopy(rendered[1]["externalsecret-payments-db-password.yaml"])
    secret["spec"]["data"][0]["remoteRef"]["propery"] = "password"
    secret["metadata"]["lables"] = {"team": "payments"}
    results = models_validate(node, {"route": route, "secret": secret})
    assert [r["errors"] for r in results] == [[], []]  # the packages alone let every typo through
    assert [sorted(r["unknownFields"]) for r in results] == [
        ["spec.parentRefs[0].sectionNmae", "spec.rules[0].backendRef"],
        ["metadata.lables", "spec.data[0].remoteRef.propery"],
    ]


def test_the_packages_own_validation_runs(rendered: tuple[Path, Objects], node: str) -> None:
    route = copy.deepcopy(rendered[1]["httproute-payments.yaml"])
    route["spec"]["rules"][0]["matches"][0]["path"]["type"] = "Prefix"  # Ingress' word, not the Gateway API's
    route["spec"]["rules"][0]["timeouts"]["request"] = "30 seconds"
    secret = copy.deepcopy(rendered[1]["externalsecret-payments-db-password.yaml"])
    secret["spec"]["secretStoreRef"]["kind"] = "VaultStore"
    del secret["spec"]["data"][0]["remoteRef"]["key"]
    results = models_validate(node, {"route": route, "secret": secret})
    assert sorted(results[0]["errors"]) == [
        "/spec/rules/0/matches/0/path/type must be equal to one of the allowed values",
        '/spec/rules/0/timeouts/request must match pattern "^([0-9]{1,5}(h|m|s|ms)){1,4}$"',
    ]
    assert sorted(results[1]["errors"]) == [
        "/spec/data/0/remoteRef must have required property key",
        "/spec/secretStoreRef/kind must be equal to one of the allowed values",
    ]
