"""The kubernetes target: what each object holds, the rules checked before writing, and the golden files.

Run ``pytest tests/unit/render/test_kubernetes.py --update-golden`` to rewrite tests/golden/kubernetes/
after an intended change, and review the diff. The real consumers (kubernetes-validate, kubectl
kustomize, the @kubernetes-models validators) are driven in tests/interop/test_kubernetes_interop.py.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from azconf.config.project import load_project
from azconf.model.sections import Environment
from azconf.render import flagd, target
from azconf.render.base import RenderContext, RenderError
from azconf.render.inputs import source_for
from azconf.render.kubernetes import (
    FLAG_KEY_PREFIX,
    FLAGD_FILE_KEY,
    MAX_CONFIGMAP_BYTES,
    TARGET,
    KubernetesOptions,
    path_prefix_problems,
)
from azconf.render.output import RECORD_NAME
from azconf.render.pipeline import render
from azconf.render.render_settings import render_settings
from azconf.render.tyk import TykOptions

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "azora"
GOLDEN = REPO / "tests" / "golden" / "kubernetes"
ON_OFF = {"on": True, "off": False}
VERSION = "prod@7 sha256:abc"


def small_env() -> dict[str, Any]:
    """A two-service environment that uses every kind of env value and both cluster secret schemes."""
    return {
        "flags": {
            "new-checkout": {"state": "ENABLED", "variants": ON_OFF, "defaultVariant": "on"},
            "retry-limit": {"state": "ENABLED", "variants": {"low": 1, "high": 5}, "defaultVariant": "high"},
            "paused": {"state": "DISABLED", "variants": ON_OFF, "defaultVariant": "on"},
        },
        "secrets": {
            "db-password": {"ref": "vault://kv/shop/payments/db#password"},
            "stripe-key": {"ref": "k8s://payments-secrets/STRIPE_API_KEY"},
        },
        "services": {
            "payments": {
                "image": "ghcr.io/shop/payments:1.0.0",
                "replicas": 2,
                "port": 8080,
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": 1}},
                "env": {
                    "DB_PORT": 5432,
                    "DEBUG": False,
                    "GREETING": "costs $(PRICE) or $5",
                    "DB_PASSWORD": {"secret": "db-password"},
                    "STRIPE_API_KEY": {"secret": "stripe-key"},
                    "NEW_CHECKOUT": {"flag": "new-checkout"},
                    "RETRY_LIMIT": {"flag": "retry-limit"},
                    "PAUSED": {"flag": "paused"},
                },
                "secrets": ["db-password", "stripe-key"],
                "settings": {"currency": "EUR", "db": {"pool": 10}},
            },
            "web": {"image": "ghcr.io/shop/web:2.0.0", "port": 3000},
        },
        "routes": {
            "payments": {
                "path": "/api/payments",
                "service": "payments",
                "methods": ["GET", "POST"],
                "timeout_seconds": 20,
            },
            "web": {"path": "/", "service": "web", "methods": ["GET"], "strip_path": True},
            "web-static": {"path": "/static", "service": "web", "strip_path": False},
        },
    }


GATEWAY_SECRET = {"tyk-api-secret": {"ref": "k8s://tyk/api-secret"}}  # read from a Secret: no object
TYK = TykOptions.model_validate({"gateway": {"secret": {"secret": "tyk-api-secret"}}})


def context_for(env: dict[str, Any], *, tyk: TykOptions = TYK, **options: Any) -> RenderContext:
    """A render context for ``env`` (plain section data) with kubernetes options ``options``, and
    the secret the Tyk gateway's control API needs."""
    env = {**env, "secrets": {**env.get("secrets", {}), **GATEWAY_SECRET}}
    return RenderContext(
        project="shop",
        env="prod",
        model=Environment.model_validate(env),
        data=env,
        version=VERSION,
        content_hash="sha256:abc",
        options=KubernetesOptions.model_validate(options),
        peer_options={"tyk": tyk},
    )


def objects(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each rendered object by file name (the kustomization left out)."""
    return {name: yaml.safe_load(text) for name, text in files.items() if name != "kustomization.yaml"}


def violations(env: dict[str, Any], **options: Any) -> list[str]:
    with pytest.raises(RenderError) as caught:
        TARGET.render(context_for(env, **options))
    assert caught.value.target == "kubernetes"
    return caught.value.violations


def env_of(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {entry["name"]: entry for entry in container["env"]}


# -- the target and its files -----------------------------------------------------------------------


def test_the_registry_finds_the_target() -> None:
    assert target("kubernetes") is TARGET
    assert TARGET.name == "kubernetes"
    assert TARGET.options_model is KubernetesOptions


def test_one_file_per_object_and_a_kustomization_listing_them_all() -> None:
    files = TARGET.render(context_for(small_env()))
    assert sorted(files) == [
        "configmap-payments-settings.yaml",
        "configmap-shop-flags.yaml",
        "configmap-tyk-gateway-apis-payments.yaml",
        "configmap-tyk-gateway-apis-web.yaml",
        "configmap-tyk-gateway-conf.yaml",
        "configmap-web-settings.yaml",
        "deployment-payments.yaml",
        "deployment-tyk-gateway.yaml",
        "deployment-web.yaml",
        "externalsecret-db-password.yaml",
        "httproute-payments.yaml",
        "httproute-web-static.yaml",
        "httproute-web.yaml",
        "kustomization.yaml",
        "service-payments.yaml",
        "service-tyk-gateway.yaml",
        "service-web.yaml",
    ]
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization == {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(set(files) - {"kustomization.yaml"}),
    }
    for name, obj in objects(files).items():
        assert name == f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def test_no_file_names_the_config_version_and_every_file_ends_with_a_newline() -> None:
    """A file changes only when its object does: the version lives in the folder's record."""
    files = TARGET.render(context_for(small_env()))
    assert files == TARGET.render(dataclasses.replace(context_for(small_env()), version="prod@8 sha256:def"))
    for text in files.values():
        assert text.startswith("# Rendered by azconf; edit the config, not this file.\n")
        assert "prod@7" not in text and "sha256:abc" not in text
        assert text.endswith("\n") and not text.endswith("\n\n")


def test_every_object_has_the_standard_labels_and_no_version_annotations() -> None:
    files = TARGET.render(context_for(small_env(), labels={"team": "payments"}))
    for obj in objects(files).values():
        meta = obj["metadata"]
        assert meta["labels"]["app.kubernetes.io/part-of"] == "shop"
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "azconf"
        assert meta["labels"]["team"] == "payments"
        assert "app.kubernetes.io/name" in meta["labels"]
        assert list(meta["labels"]) == sorted(meta["labels"])
        assert "annotations" not in meta
        assert "namespace" not in meta


def test_a_configured_namespace_is_set_on_every_object() -> None:
    for obj in objects(TARGET.render(context_for(small_env(), namespace="shop-prod"))).values():
        assert obj["metadata"]["namespace"] == "shop-prod"


def test_two_renders_are_byte_identical_whatever_the_order_of_the_input() -> None:
    env = small_env()
    reordered = {section: dict(reversed(list(items.items()))) for section, items in env.items()}
    reordered["services"]["payments"]["env"] = dict(
        reversed(list(env["services"]["payments"]["env"].items()))
    )
    first = TARGET.render(context_for(env))
    assert TARGET.render(context_for(env)) == first
    assert TARGET.render(context_for(reordered)) == first


# -- services ---------------------------------------------------------------------------------------


def test_the_deployment_runs_the_image_with_its_size_and_settings() -> None:
    deployment = objects(TARGET.render(context_for(small_env(), image_pull_policy="Always")))[
        "deployment-payments.yaml"
    ]
    assert deployment["apiVersion"] == "apps/v1"
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["selector"] == {
        "matchLabels": {"app.kubernetes.io/name": "payments", "app.kubernetes.io/part-of": "shop"}
    }
    pod = spec["template"]
    assert spec["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    assert container["image"] == "ghcr.io/shop/payments:1.0.0"
    assert container["imagePullPolicy"] == "Always"
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "1"},
    }
    assert container["volumeMounts"] == [
        {"name": "settings", "mountPath": "/etc/azconf", "readOnly": True},
        {"name": "tmp", "mountPath": "/tmp"},  # the root file system is read-only
    ]
    assert pod["spec"]["volumes"] == [
        {"name": "settings", "configMap": {"name": "payments-settings"}},
        {"name": "tmp", "emptyDir": {}},
    ]


def test_env_literals_are_strings_and_stay_literal() -> None:
    env = env_of(objects(TARGET.render(context_for(small_env())))["deployment-payments.yaml"])
    assert env["DB_PORT"] == {"name": "DB_PORT", "value": "5432"}
    assert env["DEBUG"] == {"name": "DEBUG", "value": "false"}
    # "$$" is kubelet's escape for "$": without it, $(PRICE) would be expanded.
    assert env["GREETING"] == {"name": "GREETING", "value": "costs $$(PRICE) or $$5"}
    assert list(env) == sorted(env)


def test_secrets_come_from_secret_key_refs() -> None:
    files = objects(TARGET.render(context_for(small_env())))
    env = env_of(files["deployment-payments.yaml"])
    assert env["DB_PASSWORD"]["valueFrom"] == {"secretKeyRef": {"name": "db-password", "key": "password"}}
    assert env["STRIPE_API_KEY"]["valueFrom"] == {
        "secretKeyRef": {"name": "payments-secrets", "key": "STRIPE_API_KEY"}
    }


def test_a_vault_secret_becomes_an_external_secret() -> None:
    files = objects(
        TARGET.render(context_for(small_env(), secret_store={"name": "vault-kv", "kind": "SecretStore"}))
    )
    external = files["externalsecret-db-password.yaml"]
    assert external["apiVersion"] == "external-secrets.io/v1"
    assert external["spec"] == {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": "vault-kv", "kind": "SecretStore"},
        "target": {"name": "db-password", "creationPolicy": "Owner"},
        "data": [
            {"secretKey": "password", "remoteRef": {"key": "kv/shop/payments/db", "property": "password"}}
        ],
    }
    assert not any(name.startswith("externalsecret-stripe") for name in files)  # k8s:// exists already


def test_flag_values_come_from_the_flags_configmap() -> None:
    files = objects(TARGET.render(context_for(small_env())))
    env = env_of(files["deployment-payments.yaml"])
    assert env["NEW_CHECKOUT"]["valueFrom"] == {
        "configMapKeyRef": {"name": "shop-flags", "key": "flag.new-checkout"}
    }
    # A disabled flag has no value without evaluation: the variable stays unset.
    assert env["PAUSED"]["valueFrom"] == {
        "configMapKeyRef": {"name": "shop-flags", "key": "flag.paused", "optional": True}
    }
    data = files["configmap-shop-flags.yaml"]["data"]
    assert data["flag.new-checkout"] == "true"
    assert data["flag.retry-limit"] == "5"
    assert "flag.paused" not in data


def test_the_flags_configmap_holds_the_flagd_targets_file_byte_for_byte() -> None:
    context = context_for(small_env())
    data = objects(TARGET.render(context))["configmap-shop-flags.yaml"]["data"]
    # The same document as the flagd target's file, written compactly to fit large flag sets, but
    # for the config version: this ConfigMap changes only when the flags do.
    document = json.loads(flagd.TARGET.render(context)[flagd.FILE_NAME])
    assert document["metadata"].pop("version") == VERSION
    assert json.loads(data[FLAGD_FILE_KEY]) == document
    assert "\n" not in data[FLAGD_FILE_KEY].rstrip("\n")
    assert json.loads(data[FLAGD_FILE_KEY])["flags"]["new-checkout"]["defaultVariant"] == "on"
    assert not FLAGD_FILE_KEY.startswith(FLAG_KEY_PREFIX)  # flag keys can never shadow the file


def test_settings_are_one_canonical_json_key() -> None:
    configmap = objects(TARGET.render(context_for(small_env())))["configmap-payments-settings.yaml"]
    assert configmap["data"] == {"settings.json": '{"currency":"EUR","db":{"pool":10}}'}


def test_the_pod_checksum_follows_settings_and_flag_values_only() -> None:
    def checksum(env: dict[str, Any]) -> str:
        deployment = objects(TARGET.render(context_for(env)))["deployment-payments.yaml"]
        value: str = deployment["spec"]["template"]["metadata"]["annotations"]["azconf.dev/config-checksum"]
        return value

    base = small_env()
    flipped = small_env()
    flipped["flags"]["new-checkout"]["defaultVariant"] = "off"
    resettled = small_env()
    resettled["services"]["payments"]["settings"]["currency"] = "USD"
    unrelated = small_env()
    unrelated["services"]["web"]["replicas"] = 9
    assert checksum(flipped) != checksum(base) != checksum(resettled)
    assert checksum(unrelated) == checksum(base)


def test_the_service_is_reachable_on_the_container_port() -> None:
    service = objects(TARGET.render(context_for(small_env())))["service-payments.yaml"]
    assert service["apiVersion"] == "v1"
    assert service["spec"] == {
        "type": "ClusterIP",
        "selector": {"app.kubernetes.io/name": "payments", "app.kubernetes.io/part-of": "shop"},
        "ports": [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}],
    }


# -- routes -----------------------------------------------------------------------------------------


def direct(env: dict[str, Any]) -> dict[str, Any]:
    """``env`` with every route exposed straight to its service (``expose: direct``)."""
    env["routes"] = {name: {**route, "expose": "direct"} for name, route in env["routes"].items()}
    return env


def test_a_direct_route_is_an_httproute_with_one_rule_per_method() -> None:
    gateway = {"name": "edge", "namespace": "gateways", "section_name": "https"}
    route = objects(TARGET.render(context_for(direct(small_env()), gateway=gateway)))[
        "httproute-payments.yaml"
    ]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["metadata"]["labels"]["app.kubernetes.io/name"] == "payments"
    assert route["spec"]["parentRefs"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "edge",
            "namespace": "gateways",
            "sectionName": "https",
        }
    ]
    strip = [
        {
            "type": "URLRewrite",
            "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}},
        }
    ]
    assert route["spec"]["rules"] == [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/api/payments"}, "method": method}],
            "filters": strip,
            "backendRefs": [{"name": "payments", "port": 8080}],
            "timeouts": {"request": "20s"},
        }
        for method in ("GET", "POST")
    ]


def test_no_rewrite_without_strip_path_or_for_the_root_path() -> None:
    files = objects(TARGET.render(context_for(direct(small_env()))))
    for name in ("httproute-web.yaml", "httproute-web-static.yaml"):
        (rule,) = files[name]["spec"]["rules"]
        assert "filters" not in rule
        assert rule["backendRefs"] == [{"name": "web", "port": 3000}]
        assert rule["timeouts"] == {"request": "30s"}


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/a//b", "must not contain '//'"),
        ("/a/./b", "must not contain '/./'"),
        ("/a/../b", "must not contain '/../'"),
        ("/a%2fb", "must not contain '%2f'"),
        ("/a#b", "must not contain '#'"),
        ("/a/..", "must not end with '/..'"),
        ("/a/.", "must not end with '/.'"),
        ("/a|b", "may only hold letters, digits, -/._~!$&'()*+,;=:@ and %XX escapes"),
    ],
)
def test_gateway_api_path_rules(path: str, problem: str) -> None:
    assert problem in path_prefix_problems(path)
    assert path_prefix_problems("/api/v1/items;x=1/~me/%20") == []


# -- options ----------------------------------------------------------------------------------------


def test_the_examples_options_are_valid_and_used() -> None:
    project, problems = load_project(EXAMPLE)
    assert project is not None, problems
    options = KubernetesOptions.model_validate(project.manifest.render["kubernetes"])
    assert options.namespace == "azora"
    assert options.secret_store.kind == "ClusterSecretStore"


def test_unknown_options_are_errors() -> None:
    with pytest.raises(ValueError, match="gatway"):
        KubernetesOptions.model_validate({"gatway": {"name": "edge"}})
    with pytest.raises(ValueError, match="refresh_interval"):
        KubernetesOptions.model_validate({"refresh_interval": "one hour"})


# -- what is checked before writing -----------------------------------------------------------------


def test_invalid_names_are_all_reported_at_once() -> None:
    env = small_env()
    env["services"]["Payments_1"] = env["services"].pop("payments")
    env["routes"]["payments"]["service"] = "Payments_1"
    env["routes"]["Bad.Route-"] = env["routes"].pop("web-static")
    found = violations(env, namespace="Shop Prod", gateway={"name": "edge", "section_name": "HTTPS"})
    assert found == [
        "render.kubernetes.namespace: must be a DNS-1123 label (lowercase letters, digits and '-', "
        "starting and ending with a letter or digit)",
        "render.kubernetes.gateway.section_name: must be a DNS-1123 subdomain (lowercase letters, "
        "digits, '-' and '.', each dot-separated part starting and ending with a letter or digit)",
        "tyk: routes.Bad.Route-: api_id 'shop-Bad.Route-' may only hold letters, digits, '-' and '_'",
        'ConfigMap "Payments_1-settings": the name must be a DNS-1123 subdomain (lowercase letters, '
        "digits, '-' and '.', each dot-separated part starting and ending with a letter or digit)",
        'Deployment "Payments_1": the name must be a DNS-1123 subdomain (lowercase letters, digits, '
        "'-' and '.', each dot-separated part starting and ending with a letter or digit)",
        'Deployment "Payments_1": the container name "Payments_1" must be a DNS-1123 label (lowercase '
        "letters, digits and '-', starting and ending with a letter or digit)",
        'Service "Payments_1": the name must be a DNS-1035 label (lowercase letters, digits and '
        "'-', starting with a letter and ending with a letter or digit)",
        'HTTPRoute "Bad.Route-": the name must be a DNS-1123 subdomain (lowercase letters, digits, '
        "'-' and '.', each dot-separated part starting and ending with a letter or digit)",
    ]


def test_a_service_name_that_is_too_long_for_dns() -> None:
    env = small_env()
    name = "p" * 64
    env["services"][name] = env["services"].pop("web")
    env["routes"] = {}
    found = violations(env)
    assert f'Service "{name}": the name is 64 characters long; the limit is 63' in found
    assert f'Deployment "{name}": the container name "{name}" is 64 characters long; the limit is 63' in found
    assert not any(v.startswith(f'Deployment "{name}": the name') for v in found)  # 253 for Deployments


def test_labels_are_checked_once_each() -> None:
    found = violations(
        small_env(), labels={"team": "x" * 64, "bad key!": "ok", "app.kubernetes.io/name": "x"}
    )
    assert found == [
        "render.kubernetes.labels: app.kubernetes.io/name is set by azconf",
        "label key 'bad key!' has a name part that must be letters, digits, '-', '_' and '.', "
        "starting and ending with a letter or digit",
        "label team='" + "x" * 64 + "': the value is 64 characters long; the limit is 63",
    ]


def test_an_oversize_configmap_is_reported_with_its_size() -> None:
    env = small_env()
    env["services"]["payments"]["settings"] = {"blob": "x" * MAX_CONFIGMAP_BYTES}
    env["flags"]["huge"] = {
        "state": "ENABLED",
        "variants": {"big": "y" * MAX_CONFIGMAP_BYTES},
        "defaultVariant": "big",
    }
    found = violations(env)
    settings_size = len("settings.json") + len('{"blob":""}') + MAX_CONFIGMAP_BYTES
    assert found[0].startswith('ConfigMap "shop-flags": ') and found[0].endswith(
        f"bytes of data; a ConfigMap holds at most {MAX_CONFIGMAP_BYTES:,}"
    )
    assert found[1] == (
        f'ConfigMap "payments-settings": {settings_size:,} bytes of data; a ConfigMap holds at most '
        f"{MAX_CONFIGMAP_BYTES:,}"
    )
    assert len(found) == 2


def test_a_configmap_of_exactly_the_limit_is_fine() -> None:
    env = small_env()
    padding = MAX_CONFIGMAP_BYTES - len("settings.json") - len('{"blob":""}')
    env["services"]["payments"]["settings"] = {"blob": "x" * padding}
    TARGET.render(context_for(env))
    env["services"]["payments"]["settings"] = {"blob": "x" * (padding + 1)}
    assert len(violations(env)) == 1


def test_local_only_secrets_name_the_service_and_variable() -> None:
    env = small_env()
    env["secrets"]["stripe-key"] = {"ref": "env://STRIPE_TEST_KEY"}
    env["secrets"]["db-password"] = {"ref": "keyring://shop/db"}
    found = violations(env)
    assert found == [
        'services.payments.env.DB_PASSWORD: secret "db-password" (keyring://) only resolves on a '
        "developer's machine, not in a cluster; give this environment a vault:// or k8s:// reference for it",
        'services.payments.env.STRIPE_API_KEY: secret "stripe-key" (env://) only resolves on a '
        "developer's machine, not in a cluster; give this environment a vault:// or k8s:// reference for it",
    ]


def test_a_listed_local_secret_without_an_env_var_is_reported_too() -> None:
    env = small_env()
    env["secrets"]["signing"] = {"ref": "env://SIGNING_KEY"}
    env["services"]["web"]["secrets"] = ["signing"]
    assert violations(env) == [
        'services.web.secrets[0]: secret "signing" (env://) only resolves on a developer\'s machine, '
        "not in a cluster; give this environment a vault:// or k8s:// reference for it"
    ]


def test_an_external_secret_may_not_take_over_an_existing_secret() -> None:
    env = small_env()
    env["secrets"]["payments-secrets"] = {"ref": "vault://kv/shop/payments#api"}
    assert violations(env) == [
        'secrets.payments-secrets: its ExternalSecret would own Secret "payments-secrets", which '
        "secrets.stripe-key reads as an existing Secret (k8s://); rename one of them"
    ]


def test_every_kind_of_violation_is_reported_together() -> None:
    env = small_env()
    env["services"]["Web"] = env["services"].pop("web")
    env["routes"] = {}
    env["services"]["payments"]["settings"] = {"blob": "x" * MAX_CONFIGMAP_BYTES}
    env["secrets"]["stripe-key"] = {"ref": "env://STRIPE_TEST_KEY"}
    found = violations(env)
    # In the order of the parts (each holds half of the services, by name), so sorted here.
    assert sorted(v.split(":")[0] for v in found) == [
        'ConfigMap "Web-settings"',
        'ConfigMap "payments-settings"',
        'Deployment "Web"',  # its name, and its container's
        'Deployment "Web"',
        'Service "Web"',
        "services.payments.env.STRIPE_API_KEY",
    ]


def test_a_k8s_secret_may_share_its_name_with_the_secret_it_reads() -> None:
    env = small_env()
    env["secrets"]["payments-secrets"] = env["secrets"].pop("stripe-key")
    env["services"]["payments"]["env"]["STRIPE_API_KEY"] = {"secret": "payments-secrets"}
    env["services"]["payments"]["secrets"] = ["db-password", "payments-secrets"]
    TARGET.render(context_for(env))


def test_the_examples_dev_environment_cannot_go_to_a_cluster() -> None:
    """dev reads Stripe's test key from the developer's shell (env://): the example leaves kubernetes
    out of dev's targets, and rendering it anyway is a clear error, not a manifest."""
    project, _ = load_project(EXAMPLE)
    assert project is not None
    settings = render_settings(project)
    assert settings.targets("dev") == ["terraform", "tyk", "flagd"]
    assert render(project, source_for(project, "dev", None), ["kubernetes"], out=None, check=True) == []
    source = source_for(project, "dev", None)
    context = RenderContext(
        "azora",
        "dev",
        source.model,
        source.data,
        source.version,
        source.content_hash,
        settings.options("kubernetes", "dev"),
        peer_options={"tyk": settings.options("tyk", "dev")},
    )
    with pytest.raises(RenderError) as caught:
        TARGET.render(context)
    assert caught.value.violations == [
        'services.payments.env.STRIPE_API_KEY: secret "stripe-api-key" (env://) only '
        "resolves on a developer's machine, not in a cluster; give this environment a vault:// or "
        "k8s:// reference for it"
    ]


# -- the example, golden -----------------------------------------------------------------------------


def render_example(env: str, out: Path) -> dict[str, bytes]:
    """Render the example's ``env`` through the real pipeline into ``out``; each file's bytes."""
    project, problems = load_project(EXAMPLE)
    assert project is not None, problems
    render(project, source_for(project, env, None), ["kubernetes"], out=out, check=False)
    folder = out / "kubernetes"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != RECORD_NAME
    }


def test_the_examples_prod_matches_the_golden_files(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    rendered = render_example("prod", tmp_path)
    golden = GOLDEN / "prod"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        for name, data in rendered.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_bytes(data)
    assert golden.is_dir(), f"{golden} is missing: run pytest with --update-golden"
    expected = {
        p.relative_to(golden).as_posix(): p.read_bytes() for p in sorted(golden.rglob("*")) if p.is_file()
    }
    assert sorted(rendered) == sorted(expected), "the set of rendered files changed"
    changed = [name for name in rendered if rendered[name] != expected[name]]
    assert not changed, (
        f"these files differ from {golden.relative_to(REPO)}: {', '.join(changed)}; "
        "if the change is intended, rerun with --update-golden and review the diff"
    )


def test_rendering_the_example_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    assert render_example("prod", tmp_path / "one") == render_example("prod", tmp_path / "two")
