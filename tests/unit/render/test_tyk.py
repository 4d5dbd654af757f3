"""The tyk target: the route -> API definition mapping, the gateway's load rules, Tyk's own field names
and types, and the golden files of the example's prod.

Tyk's facts come from tests/unit/render/tyk_classic_apidef.json: the part of Tyk's JSON Schema for
classic definitions (apidef/schema.json) that covers what azconf emits, and the JSON tags and Go types
of the apidef structs those fields decode into (apidef/api_definitions.go), with the Tyk commit they
were taken from. Run ``pytest tests/unit/render/test_tyk.py --update-golden`` to rewrite
tests/golden/tyk/ after an intended change, and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from azconf.config.project import load_project
from azconf.environment import load_environment
from azconf.model.sections import Environment, Route
from azconf.render import target
from azconf.render.base import RenderContext, RenderError
from azconf.render.output import RECORD_NAME
from azconf.render.pipeline import Source, render
from azconf.render.tyk import (
    APPS_FOLDER,
    TARGET,
    JwtOptions,
    TykOptions,
    api_definitions,
    dumps,
)
from azconf.snapshot import content_hash, snapshot

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "azora"
GOLDEN = REPO / "tests" / "golden" / "tyk"
FACTS = json.loads((Path(__file__).with_name("tyk_classic_apidef.json")).read_text(encoding="utf-8"))
TODAY = dt.date(2026, 1, 1)

SERVICES = {"api": {"image": "ghcr.io/shop/api:1.0.0", "port": 8080}}


def context_for(
    routes: dict[str, Any],
    options: TykOptions | None = None,
    *,
    services: dict[str, Any] | None = None,
    env: str = "prod",
) -> RenderContext:
    """A render context for a small environment: ``routes`` in front of the service ``api``."""
    model = Environment.model_validate({"routes": routes, "services": services or SERVICES})
    return RenderContext(
        project="shop",
        env=env,
        model=model,
        data={},
        version=f"{env}@4 sha256:abc",
        content_hash="sha256:abc",
        options=options or TykOptions(),
    )


def one(route: dict[str, Any], options: TykOptions | None = None) -> dict[str, Any]:
    """The definition of a single route named ``orders``."""
    return api_definitions(context_for({"orders": {"service": "api", **route}}, options))["orders"]


# -- the mapping ----------------------------------------------------------------------------------------


def test_the_registry_finds_the_target_and_its_options() -> None:
    assert target("tyk") is TARGET
    assert TARGET.name == "tyk"
    assert TARGET.options_model is TykOptions
    options = TykOptions.model_validate({"org_id": "acme", "jwt": {"signing_method": "ecdsa"}})
    assert options.jwt == JwtOptions(signing_method="ecdsa")
    with pytest.raises(ValueError, match="signing_method"):
        TykOptions.model_validate({"jwt": {"signing_method": "eddsa"}})  # Tyk has no EdDSA
    with pytest.raises(ValueError, match="Extra inputs"):
        TykOptions.model_validate({"org": "acme"})


def test_identity_fields() -> None:
    definition = one({"path": "/orders"})
    assert definition["name"] == definition["slug"] == "orders"
    assert definition["api_id"] == "shop-orders"
    assert definition["org_id"] == "shop"  # the project, unless org_id is set
    assert definition["active"] is True
    options = TykOptions(org_id="5e9d9544a1dcd60001d0ed20", api_id="{project}_{env}_{route}")
    custom = one({"path": "/orders"}, options)
    assert (custom["org_id"], custom["api_id"]) == ("5e9d9544a1dcd60001d0ed20", "shop_prod_orders")


def test_auth_none_is_keyless() -> None:
    definition = one({"path": "/orders", "auth": "none"})
    assert (definition["use_keyless"], definition["use_standard_auth"], definition["enable_jwt"]) == (
        True,
        False,
        False,
    )
    assert "auth_configs" not in definition
    assert not [key for key in definition if key.startswith("jwt_")]


def test_auth_api_key_is_standard_auth_from_a_header() -> None:
    definition = one({"path": "/orders", "auth": "api-key"}, TykOptions(auth_header_name="X-Api-Key"))
    assert (definition["use_keyless"], definition["use_standard_auth"], definition["enable_jwt"]) == (
        False,
        True,
        False,
    )
    assert definition["auth_configs"] == {
        "authToken": {
            "name": "authToken",
            "auth_header_name": "X-Api-Key",
            "disable_header": False,  # Tyk refuses a config with every credential source disabled
            "use_param": False,
            "use_cookie": False,
        }
    }
    assert not [key for key in definition if key.startswith("jwt_")]


def test_auth_jwt_carries_the_jwt_settings() -> None:
    jwt = JwtOptions(
        signing_method="ecdsa",
        source="https://auth.shop.dev/.well-known/jwks.json",
        identity_base_field="uid",
        policy_field_name="policy",
        default_policies=["shop-default"],
    )
    definition = one({"path": "/orders", "auth": "jwt"}, TykOptions(jwt=jwt))
    assert (definition["use_keyless"], definition["use_standard_auth"], definition["enable_jwt"]) == (
        False,
        False,
        True,
    )
    assert definition["auth_configs"]["jwt"]["auth_header_name"] == "Authorization"
    assert definition["auth_configs"]["jwt"]["name"] == "jwt"
    assert {key: value for key, value in definition.items() if key.startswith("jwt_")} == {
        "jwt_signing_method": "ecdsa",
        "jwt_source": "https://auth.shop.dev/.well-known/jwks.json",
        "jwt_identity_base_field": "uid",
        "jwt_policy_field_name": "policy",
        "jwt_default_policies": ["shop-default"],
    }


def test_jwt_is_the_default_auth_with_tyk_friendly_defaults() -> None:
    definition = one({"path": "/orders"})
    assert definition["enable_jwt"] is True
    assert definition["jwt_signing_method"] == "rsa"
    assert definition["jwt_identity_base_field"] == "sub"
    assert definition["jwt_policy_field_name"] == "pol"
    assert definition["jwt_default_policies"] == []


def test_rate_limit_maps_to_the_global_rate_limit() -> None:
    assert one({"path": "/o", "rate_limit": {"rate": 100, "per": 60}})["global_rate_limit"] == {
        "rate": 100,
        "per": 60,
    }
    # no rate limit: a rate of 0 switches Tyk's API-wide limiter off
    assert one({"path": "/o"})["global_rate_limit"] == {"rate": 0, "per": 0}


def test_a_burst_becomes_the_window_that_keeps_the_rate() -> None:
    # 3000 per minute, at most 100 at once: 100 per 2 s (the same long-run rate, no bigger burst).
    limit = one({"path": "/o", "rate_limit": {"rate": 3000, "per": 60, "burst": 100}})["global_rate_limit"]
    assert limit == {"rate": 100, "per": 2}
    uneven = one({"path": "/o", "rate_limit": {"rate": 3, "per": 1, "burst": 2}})["global_rate_limit"]
    assert uneven["rate"] / uneven["per"] == pytest.approx(3)
    assert uneven["rate"] == 2


def test_oauth2_validates_tokens_and_maps_scopes_to_policies() -> None:
    options = TykOptions.model_validate(
        {"oauth2": {"source": "https://id.shop.dev/jwks.json", "scope_claim_name": "scp"}}
    )
    definition = one({"path": "/o", "auth": "oauth2", "scopes": ["orders:write", "orders:read"]}, options)
    assert (definition["use_keyless"], definition["use_standard_auth"], definition["enable_jwt"]) == (
        False,
        False,
        True,
    )
    assert definition["jwt_source"] == "https://id.shop.dev/jwks.json"
    assert definition["scopes"] == {
        "jwt": {
            "scope_claim_name": "scp",
            "scope_to_policy": {
                "orders:read": "shop-scope-orders:read",
                "orders:write": "shop-scope-orders:write",
            },
        }
    }
    assert "scopes" not in one({"path": "/o", "auth": "oauth2"}, options)  # any valid token


def test_the_upstream_port_is_the_target_urls_port() -> None:
    assert one({"path": "/o", "upstream_port": 9090})["proxy"]["target_url"] == (
        "http://api.default.svc.cluster.local:9090"
    )


def test_sub_second_timeouts_round_up_to_tyks_whole_seconds() -> None:
    version = one({"path": "/o", "timeout_ms": 1200})["version_data"]["versions"]["Default"]
    assert [e["timeout"] for e in version["extended_paths"]["hard_timeouts"]] == [2]


def test_cors_maps_to_the_cors_block() -> None:
    cors = {
        "origins": ["https://app.shop.dev", "https://admin.shop.dev"],
        "methods": ["GET", "POST"],
        "headers": ["Authorization", "Content-Type"],
        "allow_credentials": True,
        "max_age": 600,
    }
    assert one({"path": "/o", "methods": ["GET", "POST"], "cors": cors})["CORS"] == {
        "enable": True,
        "allowed_origins": ["https://app.shop.dev", "https://admin.shop.dev"],
        "allowed_methods": ["GET", "POST"],
        "allowed_headers": ["Authorization", "Content-Type"],
        "exposed_headers": [],
        "allow_credentials": True,
        "max_age": 600,
        "options_passthrough": False,
        "debug": False,
    }


def test_cors_without_methods_allows_the_routes_methods() -> None:
    block = one({"path": "/o", "methods": ["PATCH", "GET"], "cors": {"origins": ["https://a.dev"]}})["CORS"]
    assert block["allowed_methods"] == ["GET", "PATCH"]
    assert (block["allow_credentials"], block["max_age"], block["allowed_headers"]) == (False, 0, [])


def test_no_cors_leaves_the_block_out() -> None:
    assert "CORS" not in one({"path": "/o"})


@pytest.mark.parametrize("strip", [True, False])
def test_strip_path_maps_to_strip_listen_path(strip: bool) -> None:
    proxy = one({"path": "/api/orders", "strip_path": strip})["proxy"]
    assert proxy == {
        "listen_path": "/api/orders",
        "target_url": "http://api.default.svc.cluster.local:8080",
        "strip_listen_path": strip,
    }


def test_the_target_url_follows_the_template() -> None:
    options = TykOptions(namespace="{project}-{env}")
    assert (
        one({"path": "/o"}, options)["proxy"]["target_url"] == "http://api.shop-prod.svc.cluster.local:8080"
    )
    options = TykOptions(target_url="https://{service}.{env}.internal:{port}")
    assert one({"path": "/o"}, options)["proxy"]["target_url"] == "https://api.prod.internal:8080"


def test_methods_and_timeout_map_to_the_extended_paths_of_one_version() -> None:
    version_data = one({"path": "/o", "methods": ["POST", "GET", "POST"], "timeout_seconds": 12})[
        "version_data"
    ]
    assert version_data["not_versioned"] is True
    assert version_data["default_version"] == "Default"
    assert list(version_data["versions"]) == ["Default"]
    version = version_data["versions"]["Default"]
    assert version["name"] == "Default"
    assert version["use_extended_paths"] is True
    paths = version["extended_paths"]
    # a white list entry per method: Tyk then refuses every other method on the API
    assert [(e["method"], e["path"], e["disabled"]) for e in paths["white_list"]] == [
        ("GET", "/*", False),
        ("POST", "/*", False),
    ]
    # hard timeouts match on the method too
    assert [(e["method"], e["path"], e["timeout"]) for e in paths["hard_timeouts"]] == [
        ("GET", "/*", 12),
        ("POST", "/*", 12),
    ]


def test_config_data_names_the_route_but_not_the_config_version() -> None:
    # A version here would change every definition (and reload every API) on any config change;
    # without the environment, a route no overlay changes has the same definition everywhere.
    assert one({"path": "/o"})["config_data"] == {"azconf": {"route": "orders"}}
    staging = api_definitions(context_for({"orders": {"path": "/o", "service": "api"}}, env="staging"))
    assert staging["orders"] == one({"path": "/o"})


def test_options_that_name_the_environment_make_definitions_differ() -> None:
    options = TykOptions(api_id="{project}-{env}-{route}")
    routes = {"orders": {"path": "/o", "service": "api"}}
    ids = {
        env: api_definitions(context_for(routes, options, env=env))["orders"]["api_id"] for env in ("a", "b")
    }
    assert ids == {"a": "shop-a-orders", "b": "shop-b-orders"}


def test_files_are_laid_out_for_the_app_path_loader() -> None:
    context = context_for({"b": {"path": "/b", "service": "api"}, "a": {"path": "/a", "service": "api"}})
    files = TARGET.render(context)
    # apps/ holds only API definitions: Tyk loads every *.json in app_path, so the render record
    # (.azconf-rendered.json, beside it) must not be in there.
    assert APPS_FOLDER == "apps"
    assert list(files) == ["apps/shop-a.json", "apps/shop-b.json"]
    for name, text in files.items():
        definition = json.loads(text)
        assert name == f"apps/{definition['api_id']}.json"
        assert text == dumps(definition)
        assert text == json.dumps(definition, indent=2, sort_keys=True) + "\n"


def test_the_same_input_renders_the_same_bytes() -> None:
    routes = {f"r{i:02}": {"path": f"/r{i}", "service": "api", "methods": ["POST", "GET"]} for i in range(30)}
    reversed_routes = dict(reversed(routes.items()))
    assert TARGET.render(context_for(routes)) == TARGET.render(context_for(reversed_routes))


# -- the gateway's load rules ---------------------------------------------------------------------------


def raw_route(path: str) -> Route:
    """A route the model would refuse (it checks paths), to reach the target's own rules."""
    return Route.model_construct(
        path=path,
        service="api",
        methods=["GET"],
        auth="none",
        rate_limit=None,
        cors=None,
        timeout_seconds=30,
        strip_path=True,
    )


def violations_of(context: RenderContext) -> list[str]:
    with pytest.raises(RenderError) as caught:
        TARGET.render(context)
    assert caught.value.target == "tyk"
    return caught.value.violations


def test_listen_paths_must_be_non_empty_and_without_whitespace() -> None:
    model = Environment.model_validate({"services": SERVICES})
    model = model.model_copy(
        update={"routes": {"empty": raw_route(""), "spaced": raw_route("/a b"), "tabbed": raw_route("/a\tb")}}
    )
    context = context_for({})
    context = RenderContext(**{**context.__dict__, "model": model})
    assert violations_of(context) == [
        "routes.empty: the listen path is empty (Tyk skips such an API)",
        "routes.spaced: the listen path '/a b' contains whitespace (Tyk skips such an API)",
        "routes.tabbed: the listen path '/a\\tb' contains whitespace (Tyk skips such an API)",
    ]


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{service}.{namespace}:{port}", "needs an http or https scheme and a host"),
        ("http://:{port}", "needs an http or https scheme and a host"),
        ("ftp://{service}:{port}", "needs an http or https scheme and a host"),
        ("http://{service}:{port}0000", "does not parse: Port out of range"),
        ("http://{service} .svc:{port}", "contains whitespace"),
    ],
)
def test_the_target_url_must_parse(template: str, problem: str) -> None:
    (violation,) = violations_of(
        context_for({"orders": {"path": "/o", "service": "api"}}, TykOptions(target_url=template))
    )
    assert violation.startswith("routes.orders: the target URL ")
    assert problem in violation


def test_api_ids_must_be_safe() -> None:
    context = context_for(
        {"orders": {"path": "/o", "service": "api"}}, TykOptions(api_id="{project}.{route}")
    )
    assert violations_of(context) == [
        "routes.orders: api_id 'shop.orders' may only hold letters, digits, '-' and '_'"
    ]


def test_an_unknown_placeholder_is_reported() -> None:
    (violation,) = violations_of(
        context_for({"orders": {"path": "/o", "service": "api"}}, TykOptions(api_id="{app}-{route}"))
    )
    assert violation.startswith("routes.orders: render.tyk.api_id '{app}-{route}': KeyError('app')")
    assert "placeholders: {project} {env} {route}" in violation


def test_listen_paths_are_unique_per_environment() -> None:
    # azconf allows two routes on one path with different methods; Tyk cannot: one API per listen path.
    routes = {
        "orders-read": {"path": "/orders", "service": "api", "methods": ["GET"]},
        "orders-write": {"path": "/orders", "service": "api", "methods": ["POST"]},
        "other": {"path": "/other", "service": "api"},
    }
    assert violations_of(context_for(routes)) == [
        "routes orders-read, orders-write: share the listen path '/orders' "
        "(Tyk would move all but one of them to another listen path)"
    ]


def test_api_ids_are_unique() -> None:
    routes = {"a": {"path": "/a", "service": "api"}, "b": {"path": "/b", "service": "api"}}
    assert violations_of(context_for(routes, TykOptions(api_id="{project}"))) == [
        "routes a, b: share the api_id 'shop' (one file, and one API in Tyk, per api_id)"
    ]


def test_every_violation_is_reported_at_once() -> None:
    routes = {
        "a": {"path": "/same", "service": "api"},
        "b": {"path": "/same", "service": "api"},
    }
    violations = violations_of(context_for(routes, TykOptions(api_id="{route}!", target_url="{service}")))
    assert len(violations) == 5  # two bad api_ids, two bad URLs, one shared listen path


# -- Tyk's own field names and types --------------------------------------------------------------------

GO_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "bool": (bool,),
    "int": (int,),
    "int64": (int,),
    "uint16": (int,),
    "uint64": (int,),
    "float64": (int, float),
}


def go_problems(value: Any, go_type: str, where: str) -> list[str]:
    """How ``value`` would fail to decode into ``go_type`` with Go's encoding/json, or be ignored by it.

    Stricter than Go in two ways: unknown keys (Go silently drops them) and null (Go takes it as the
    zero value) are problems, because azconf should write neither.
    """
    types: dict[str, dict[str, str]] = FACTS["go_types"]
    if value is None:
        return [f"{where}: null"]
    if go_type.startswith("[]"):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} for {go_type}"]
        return [p for i, item in enumerate(value) for p in go_problems(item, go_type[2:], f"{where}[{i}]")]
    if go_type.startswith("map[string]"):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} for {go_type}"]
        element = go_type.removeprefix("map[string]")
        if element == "interface{}":
            return []
        return [p for key, item in value.items() for p in go_problems(item, element, f"{where}.{key}")]
    if go_type in GO_SCALARS:
        ok = isinstance(value, GO_SCALARS[go_type]) and (go_type == "bool") == isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not a Go {go_type}"]
    if go_type not in types:
        return [f"{where}: no facts vendored for the Go type {go_type}"]
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} for the struct {go_type}"]
    fields = types[go_type]
    problems = [f"{where}.{key}: not a field of {go_type}" for key in value if key not in fields]
    for key, item in value.items():
        if key in fields:
            problems += go_problems(item, fields[key], f"{where}.{key}")
    return problems


def tyk_problems(definition: dict[str, Any]) -> list[str]:
    """Every way ``definition`` breaks Tyk's schema or its Go struct."""
    validator = jsonschema.Draft4Validator(FACTS["schema"])
    problems = [f"schema: {e.json_path}: {e.message}" for e in validator.iter_errors(definition)]
    return problems + go_problems(definition, "APIDefinition", "$")


def all_kinds_of_definition() -> list[dict[str, Any]]:
    """Definitions covering every auth mode, with and without CORS and a rate limit, custom options."""
    routes = {
        "open": {"path": "/open", "service": "api", "auth": "none", "strip_path": False},
        "keyed": {"path": "/keyed", "service": "api", "auth": "api-key", "rate_limit": {"rate": 5, "per": 1}},
        "scoped": {
            "path": "/scoped",
            "service": "api",
            "auth": "oauth2",
            "scopes": ["a", "b"],
            "rate_limit": {"rate": 3, "per": 1, "burst": 2},
            "timeout_ms": 250,
        },
        "signed": {
            "path": "/signed",
            "service": "api",
            "auth": "jwt",
            "methods": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            "cors": {"origins": ["https://a.dev"], "headers": ["Authorization"], "max_age": 60},
        },
    }
    options = TykOptions(
        org_id="acme", jwt=JwtOptions(source="aGVsbG8=", default_policies=["p1"]), auth_header_name="X-Key"
    )
    return list(api_definitions(context_for(routes, options)).values())


def example_definitions() -> list[tuple[str, dict[str, Any]]]:
    project, _ = load_project(EXAMPLE)
    assert project is not None
    found = []
    for env in project.manifest.environments:
        loaded = load_environment(project, env, today=TODAY)
        options = TykOptions.model_validate(project.manifest.render.get("tyk", {}))
        context = RenderContext(
            project=project.manifest.project,
            env=env,
            model=loaded.model,
            data={},
            version=f"{env}@1",
            content_hash="sha256:0",
            options=options,
        )
        found += [(f"{env}/{name}", d) for name, d in api_definitions(context).items()]
    return found


def test_the_vendored_facts_name_their_source() -> None:
    source = FACTS["source"]
    assert source["repository"] == "https://github.com/TykTechnologies/tyk"
    assert len(source["commit"]) == 40
    assert FACTS["schema"]["additionalProperties"] is False  # Tyk's schema is closed at the top level


def test_every_kind_of_definition_fits_tyks_schema_and_structs() -> None:
    for definition in all_kinds_of_definition():
        assert tyk_problems(definition) == [], definition["name"]


def test_every_example_definition_fits_tyks_schema_and_structs() -> None:
    found = example_definitions()
    assert len(found) >= 3 * 12
    for where, definition in found:
        assert tyk_problems(definition) == [], where


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["proxy"].update(listen_paht="/x"), "$.proxy.listen_paht: not a field of ProxyConfig"),
        (lambda d: d.update(listen_path="/x"), "schema: $: Additional properties are not allowed"),
        (lambda d: d.update(active="yes"), "schema: $.active: 'yes' is not of type 'boolean'"),
        (lambda d: d.pop("version_data"), "schema: $: 'version_data' is a required property"),
        (
            lambda d: d["global_rate_limit"].update(rate="10"),
            "$.global_rate_limit.rate: '10' is not a Go float64",
        ),
        (
            lambda d: d["version_data"]["versions"]["Default"]["extended_paths"]["hard_timeouts"][0].update(
                timeout=1.5
            ),
            "$.version_data.versions.Default.extended_paths.hard_timeouts[0].timeout: 1.5 is not a Go int",
        ),
        (lambda d: d["CORS"].update(max_age=True), "$.CORS.max_age: True is not a Go int"),
        (
            lambda d: d["auth_configs"]["jwt"].update(header="X"),
            "$.auth_configs.jwt.header: not a field of AuthConfig",
        ),
        (lambda d: d.update(jwt_default_policies=None), "$.jwt_default_policies: null"),
        (
            lambda d: d.update(scopes={"jwt": {"scope_claim": "scp"}}),
            "$.scopes.jwt.scope_claim: not a field of ScopeClaim",
        ),
    ],
)
def test_the_structural_check_has_teeth(change: Any, expected: str) -> None:
    definition = json.loads(json.dumps(all_kinds_of_definition()[3]))  # the jwt route, with CORS
    change(definition)
    problems = tyk_problems(definition)
    assert any(p.startswith(expected) for p in problems), problems


# -- the golden files of examples/azora ------------------------------------------------------------------


def render_example(env: str, out: Path) -> dict[str, bytes]:
    """Render the example's ``env`` through the real pipeline; relative path -> bytes written."""
    project, _ = load_project(EXAMPLE)
    assert project is not None
    loaded = load_environment(project, env, today=TODAY)
    data = snapshot(loaded.resolution)
    # A fixed version label: the golden files change when the routes do, not with every config edit.
    source = Source(env, loaded.model, data, f"{env}@golden", content_hash(data))
    render(project, source, ["tyk"], out=out, check=False)
    folder = out / "tyk"
    assert sorted(p.name for p in folder.iterdir()) == [RECORD_NAME, APPS_FOLDER]
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != RECORD_NAME
    }


def test_example_prod_matches_golden(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    actual = render_example("prod", tmp_path)
    golden = GOLDEN / "prod"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        for relative, data in actual.items():
            (golden / relative).parent.mkdir(parents=True, exist_ok=True)
            (golden / relative).write_bytes(data)
    expected = {p.relative_to(golden).as_posix(): p.read_bytes() for p in golden.rglob("*") if p.is_file()}
    assert expected, f"{golden} is empty: run pytest with --update-golden"
    assert sorted(actual) == sorted(expected)
    for name, data in actual.items():
        assert data == expected[name], (
            f"{name} differs from {golden.relative_to(REPO)}; "
            "if the change is intended, rerun with --update-golden and review the diff"
        )
