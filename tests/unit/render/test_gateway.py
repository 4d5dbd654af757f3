"""The Tyk gateway in the kubernetes target, and HTTPRoutes that cannot bypass it.

- every authenticated route of examples/azora, in every environment, reaches its service only
  through the Tyk gateway (no HTTPRoute backendRef names the service), on the environment's hostname;
- ``tyk.conf`` passes Tyk's own configuration schema (cli/linter/schema.json, what ``tyk lint`` uses,
  vendored in tyk_gateway_conf_schema.json with its source and licence) and holds no secret;
- the gateway's pods mount every API definition at ``app_path``, byte for byte the tyk target's;
- definitions do not change when an unrelated part of the config does.

``kubectl kustomize`` and kubernetes-validate run over the same objects in
tests/interop/test_kubernetes_interop.py.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from azconf.config.project import Project, load_project
from azconf.environment import load_environment
from azconf.model.sections import Environment, Secret
from azconf.render.base import RenderContext, RenderError
from azconf.render.gateway import GatewayOptions, tyk_conf
from azconf.render.inputs import source_for
from azconf.render.kubernetes import TARGET, gateway_api_duration
from azconf.render.pipeline import render, target_options
from azconf.render.tyk import TARGET as TYK

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "azora"
VENDORED = json.loads(Path(__file__).with_name("tyk_gateway_conf_schema.json").read_text(encoding="utf-8"))


def example() -> Project:
    project, problems = load_project(EXAMPLE)
    assert project is not None, problems
    return project


def cluster_model(model: Environment) -> Environment:
    """``model`` with each local-only secret (dev's env:// Stripe key, which no cluster can read)
    read from a Kubernetes Secret instead: the routes, which these tests are about, stay as they are."""
    secrets = {
        name: Secret(ref=f"k8s://{name}/value") if secret.ref.startswith(("env://", "keyring://")) else secret
        for name, secret in model.secrets.items()
    }
    return model.model_copy(update={"secrets": secrets})


def kubernetes_objects(project: Project, env: str) -> dict[str, dict[str, Any]]:
    """The kubernetes target's objects for ``env`` of the example, by file name."""
    model = cluster_model(load_environment(project, env).model)
    context = RenderContext(
        project=project.manifest.project,
        env=env,
        model=model,
        data={},
        version=f"{env}@1",
        content_hash="sha256:0",
        options=target_options(project, "kubernetes", env),
        root=project.root,
        peer_options={"tyk": target_options(project, "tyk", env)},
    )
    files = TARGET.render(context)
    return {name: yaml.safe_load(text) for name, text in files.items() if name != "kustomization.yaml"}


def of_kind(objects: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in objects.values() if obj["kind"] == kind}


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, dict[str, Any]]]:
    project = example()
    return {env: kubernetes_objects(project, env) for env in project.manifest.environments}


# -- a gateway that cannot be bypassed ----------------------------------------------------------------


def test_no_authenticated_route_of_the_example_reaches_its_service_directly(
    rendered: dict[str, dict[str, dict[str, Any]]],
) -> None:
    project = example()
    assert list(rendered) == ["dev", "staging", "prod"]
    gateway = target_options(project, "tyk", "prod").gateway
    for env, objects in rendered.items():
        model = load_environment(project, env).model
        services = set(model.services)
        routes = of_kind(objects, "HTTPRoute")
        authenticated = [name for name, route in model.routes.items() if route.auth != "none"]
        assert len(authenticated) >= 8, env
        for name in authenticated:
            refs = [ref for rule in routes[name]["spec"]["rules"] for ref in rule["backendRefs"]]
            assert refs, (env, name)
            assert not [ref for ref in refs if ref["name"] in services], (env, name)
            assert all(ref == {"name": gateway.name, "port": gateway.listen_port} for ref in refs), (
                env,
                name,
            )
            # The gateway matches and strips the listen path itself: the Gateway forwards it whole.
            assert not [rule for rule in routes[name]["spec"]["rules"] if "filters" in rule], (env, name)
        # The gateway the HTTPRoutes target is rendered, and serves the port they name.
        (port,) = of_kind(objects, "Service")[gateway.name]["spec"]["ports"]
        assert port["port"] == gateway.listen_port


def test_routes_carry_their_environments_hostname(rendered: dict[str, dict[str, dict[str, Any]]]) -> None:
    project = example()
    for env, objects in rendered.items():
        hostname = load_environment(project, env).model.settings["api_hostname"]
        for name, route in of_kind(objects, "HTTPRoute").items():
            assert route["spec"]["hostnames"] == [hostname], (env, name)
    assert {of_kind(o, "HTTPRoute")["payments"]["spec"]["hostnames"][0] for o in rendered.values()} == {
        "api.dev.azora.dev",
        "api.staging.azora.dev",
        "api.azora.dev",
    }


GATEWAY = {"secret": {"secret": "gw"}}


def small_context(routes: dict[str, Any], *, gateway: dict[str, Any], **options: Any) -> RenderContext:
    """One service ``api`` (port 8080) behind ``routes``, with the tyk ``gateway`` options."""
    data = {
        "services": {"api": {"image": "ghcr.io/shop/api:1.0.0", "port": 8080}},
        "secrets": {"gw": {"ref": "k8s://tyk/secret"}},
        "settings": {"host": "api.shop.dev", "n": 3},
        "routes": routes,
    }
    return RenderContext(
        project="shop",
        env="prod",
        model=Environment.model_validate(data),
        data=data,
        version="prod@1",
        content_hash="sha256:0",
        options=TARGET.options_model.model_validate(options),
        peer_options={"tyk": TYK.options_model.model_validate({"gateway": gateway})},
    )


def small(routes: dict[str, Any], **options: Any) -> dict[str, dict[str, Any]]:
    """The kubernetes objects of :func:`small_context`, by file name."""
    files = TARGET.render(small_context(routes, gateway=GATEWAY, **options))
    return {name: yaml.safe_load(text) for name, text in files.items() if name != "kustomization.yaml"}


def small_violations(
    routes: dict[str, Any], *, gateway: dict[str, Any] = GATEWAY, **options: Any
) -> list[str]:
    """The rules that :func:`small_context` breaks."""
    with pytest.raises(RenderError) as caught:
        TARGET.render(small_context(routes, gateway=gateway, **options))
    return caught.value.violations


def test_a_direct_route_goes_to_its_service_and_its_upstream_port() -> None:
    routes = {
        "hooks": {
            "path": "/hooks",
            "service": "api",
            "auth": "none",
            "expose": "direct",
            "upstream_port": 9090,
        },
        "api": {"path": "/api", "service": "api", "timeout_ms": 1500, "hostnames": ["*.shop.dev"]},
    }
    objects = small(routes, hostnames=["{settings.host}"])
    (hooks,) = objects["httproute-hooks.yaml"]["spec"]["rules"]
    assert hooks["backendRefs"] == [{"name": "api", "port": 9090}]
    assert hooks["filters"][0]["type"] == "URLRewrite"  # strip_path, done by the Gateway here
    ports = objects["service-api.yaml"]["spec"]["ports"]
    assert [(p["name"], p["port"]) for p in ports] == [("http", 8080), ("http-9090", 9090)]
    (container,) = objects["deployment-api.yaml"]["spec"]["template"]["spec"]["containers"]
    assert [p["containerPort"] for p in container["ports"]] == [8080, 9090]
    assert objects["httproute-hooks.yaml"]["spec"]["hostnames"] == ["api.shop.dev"]  # the default
    api = objects["httproute-api.yaml"]["spec"]
    assert api["hostnames"] == ["*.shop.dev"]  # the route's own
    assert api["rules"][0]["timeouts"] == {"request": "1s500ms"}
    tyk_api = json.loads(objects["configmap-tyk-gateway-apis-api.yaml"]["data"]["shop-api.json"])
    assert (
        tyk_api["version_data"]["versions"]["Default"]["extended_paths"]["hard_timeouts"][0]["timeout"] == 2
    )
    hooks_api = json.loads(objects["configmap-tyk-gateway-apis-api.yaml"]["data"]["shop-hooks.json"])
    assert hooks_api["proxy"]["target_url"] == "http://api.default.svc.cluster.local:9090"


@pytest.mark.parametrize(
    ("hostnames", "problem"),
    [
        (["{settings.missing}"], "render.kubernetes.hostnames[0]: settings.missing is not a string setting"),
        (["{settings.n}"], "render.kubernetes.hostnames[0]: settings.n is not a string setting"),
        (["10.0.0.1:80"], "routes.api.hostnames: '10.0.0.1:80' is not a valid hostname"),
        (["API.shop.dev"], "routes.api.hostnames: 'API.shop.dev' is not a valid hostname"),
    ],
)
def test_bad_hostnames_are_reported(hostnames: list[str], problem: str) -> None:
    found = small_violations({"api": {"path": "/api", "service": "api"}}, hostnames=hostnames)
    assert any(v.startswith(problem) for v in found), found


def test_ip_addresses_are_never_hostnames() -> None:
    # The Gateway API's Hostname excludes IPs, which its DNS pattern alone would let through.
    ipaddress.ip_address("10.0.0.1")
    assert small_violations({"api": {"path": "/api", "service": "api", "hostnames": ["10.0.0.1"]}}) == [
        "routes.api.hostnames: '10.0.0.1' is not a valid hostname (a DNS name, optionally starting "
        "with '*.'; no IP address, no port)"
    ]


def test_gateway_api_durations() -> None:
    assert [gateway_api_duration(ms) for ms in (30_000, 500, 1500, 3_600_000, 100_500)] == [
        "30s",
        "500ms",
        "1s500ms",
        "3600s",
        "100s500ms",
    ]


# -- the gateway itself --------------------------------------------------------------------------------


def conf_problems(conf: dict[str, Any]) -> list[str]:
    """Every way ``conf`` breaks Tyk's configuration schema (as ``tyk lint`` reports them)."""
    checker = jsonschema.FormatChecker()

    @checker.checks("host-no-port")
    def host_no_port(value: object) -> bool:  # net.SplitHostPort: a host, and no ":port"
        return not isinstance(value, str) or value == "" or ":" not in value.strip("[]")

    @checker.checks("path")
    def path(value: object) -> bool:  # it must exist in the pod: here, it must at least be absolute
        return not isinstance(value, str) or value == "" or value.startswith("/")

    validator = jsonschema.Draft4Validator(VENDORED["schema"], format_checker=checker)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(conf)]


def test_the_vendored_schema_names_its_source_and_licence() -> None:
    assert VENDORED["source"]["repository"] == "https://github.com/TykTechnologies/tyk"
    assert VENDORED["source"]["license"] == "MPL-2.0"
    assert len(VENDORED["source"]["commit"]) == 40
    assert VENDORED["schema"]["additionalProperties"] is False  # closed: a misspelt key is caught


def test_every_examples_tyk_conf_passes_tyks_schema(rendered: dict[str, dict[str, dict[str, Any]]]) -> None:
    for env, objects in rendered.items():
        conf = json.loads(of_kind(objects, "ConfigMap")["tyk-gateway-conf"]["data"]["tyk.conf"])
        assert conf_problems(conf) == [], env
        assert conf["storage"]["host"] == "redis.azora-data.svc.cluster.local"
        assert conf["app_path"] == "/opt/tyk-gateway/apps"


def test_every_option_gives_a_tyk_conf_tyk_accepts() -> None:
    options = GatewayOptions.model_validate(
        {
            "listen_port": 80,
            "control_api_port": 8081,
            "app_path": "/srv/apps",
            "enable_analytics": True,
            "redis": {
                "host": "redis.data",
                "port": 6380,
                "database": 2,
                "use_ssl": True,
                "password": {"secret": "x"},
            },
        }
    )
    assert conf_problems(tyk_conf(options)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(listen_prot=8080), "$: Additional properties are not allowed ('listen_prot'"),
        (lambda c: c.update(listen_port="8080"), "$.listen_port: '8080' is not of type 'integer'"),
        (
            lambda c: c["storage"].update(host="redis:6379"),
            "$.storage.host: 'redis:6379' is not a 'host-no-port'",
        ),
        (lambda c: c.update(app_path="apps"), "$.app_path: 'apps' is not a 'path'"),
        (lambda c: c["storage"].update(type="memcached"), "$.storage.type: 'memcached' is not one of"),
    ],
)
def test_the_schema_check_has_teeth(change: Any, expected: str) -> None:
    conf = tyk_conf(GatewayOptions())
    change(conf)
    problems = conf_problems(conf)
    assert any(p.startswith(expected) for p in problems), problems


def test_no_secret_is_written_into_tyk_conf_they_come_from_secret_refs(
    rendered: dict[str, dict[str, dict[str, Any]]],
) -> None:
    objects = rendered["prod"]
    conf = of_kind(objects, "ConfigMap")["tyk-gateway-conf"]["data"]["tyk.conf"]
    assert "password" not in conf
    assert '"secret"' not in conf
    (container,) = of_kind(objects, "Deployment")["tyk-gateway"]["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [
        {
            "name": "TYK_GW_SECRET",
            "valueFrom": {"secretKeyRef": {"name": "tyk-api-secret", "key": "api_secret"}},
        },
        {
            "name": "TYK_GW_STORAGE_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "tyk-redis-password", "key": "password"}},
        },
    ]
    # Both secrets are vault:// references: External Secrets makes the Secrets the pod reads.
    assert {"tyk-api-secret", "tyk-redis-password"} <= set(of_kind(objects, "ExternalSecret"))


def test_without_a_control_api_secret_nothing_is_rendered() -> None:
    (found,) = small_violations({"a": {"path": "/a", "service": "api"}}, gateway={})
    assert found.startswith("render.tyk.gateway.secret: name the secret of Tyk's control API")


def test_a_gateway_secret_must_resolve_in_the_cluster() -> None:
    gateway = {"secret": {"secret": "nope"}, "redis": {"password": {"secret": "gw"}}}
    assert small_violations({"a": {"path": "/a", "service": "api"}}, gateway=gateway) == [
        'render.tyk.gateway.secret: secret "nope" is not defined under secrets'
    ]


def test_the_gateway_mounts_every_definition_of_the_tyk_target(tmp_path: Path) -> None:
    project = example()
    render(project, source_for(project, "prod", None), ["kubernetes", "tyk"], out=tmp_path, check=False)
    objects = {
        p.name: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (tmp_path / "kubernetes").glob("*.yaml")
    }
    apps = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "tyk" / "apps").glob("*.json")}
    assert len(apps) == 12
    deployment = of_kind(objects, "Deployment")["tyk-gateway"]
    pod = deployment["spec"]["template"]["spec"]
    (apps_volume,) = [v for v in pod["volumes"] if v["name"] == "apps"]
    maps = of_kind(objects, "ConfigMap")
    mounted: dict[str, str] = {}
    for source in apps_volume["projected"]["sources"]:
        mounted |= maps[source["configMap"]["name"]]["data"]
    assert mounted == apps  # every definition, byte for byte, as a file of app_path
    (container,) = pod["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    conf = json.loads(maps["tyk-gateway-conf"]["data"]["tyk.conf"])
    assert mounts["apps"] == conf["app_path"]
    assert container["args"] == [f"--conf={mounts['conf']}/tyk.conf"]
    kustomization = yaml.safe_load(
        (tmp_path / "kubernetes" / "kustomization.yaml").read_text(encoding="utf-8")
    )
    assert {f"configmap-{name}.yaml" for name in maps} <= set(kustomization["resources"])


def test_definitions_do_not_change_when_an_unrelated_setting_does(tmp_path: Path) -> None:
    copy = tmp_path / "azora"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("deploy", ".azconf"))
    project, _ = load_project(copy)
    assert project is not None

    def gateway_files(out: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
        render(project, source_for(project, "prod", None), ["kubernetes", "tyk"], out=out, check=False)
        tyk = {p.name: p.read_bytes() for p in sorted((out / "tyk" / "apps").glob("*.json"))}
        maps = {
            p.name: yaml.safe_load(p.read_bytes()) for p in sorted((out / "kubernetes").glob("*tyk-gateway*"))
        }
        return tyk, {name: {k: v for k, v in obj.items() if k != "metadata"} for name, obj in maps.items()}

    before = gateway_files(tmp_path / "before")
    services = copy / "config" / "envs" / "prod" / "services.yaml"
    text = services.read_text(encoding="utf-8")
    assert "replicas: 4" in text
    services.write_text(text.replace("replicas: 4", "replicas: 5", 1), encoding="utf-8")
    project, _ = load_project(copy)
    assert project is not None
    after = gateway_files(tmp_path / "after")
    assert after[0] == before[0]  # the tyk target's files, byte for byte: no API reloads
    assert after[1] == before[1]  # the gateway's objects but their metadata (its version annotations)
