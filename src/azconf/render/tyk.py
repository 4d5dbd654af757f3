"""The tyk target: one Tyk Classic API definition per route, laid out for the gateway's file loader.

Tyk OSS reads every ``*.json`` file in its ``app_path`` folder as an API definition
(``APIDefinitionLoader.FromDir`` in gateway/api_definition.go). The definitions go to ``apps/``, one
``<api_id>.json`` each, so ``app_path`` can point at a folder holding nothing else: the record of
rendered files (``.azconf-rendered.json``) beside it would otherwise be loaded as a broken API.

Field names and types are those of the ``APIDefinition`` struct in Tyk's ``apidef`` package (their
JSON tags) and of Tyk's own schema for classic definitions, ``apidef/schema.json``; see
docs/render.md for the mapping. In short, per route:

* auth ``none`` -> ``use_keyless``; ``api-key`` -> ``use_standard_auth`` with ``auth_configs.authToken``;
  ``jwt`` -> ``enable_jwt`` with ``auth_configs.jwt`` and the ``jwt_*`` fields from the options;
  ``oauth2`` -> the same from the ``oauth2`` options, with ``scopes.jwt`` mapping each scope to a policy;
* methods -> a ``white_list`` entry per method in the extended paths of the one, unversioned version
  (a non-empty white list blocks every other method; CORS preflights bypass it, see
  ``APISpec.URLAllowedAndIgnored``); the timeout -> a ``hard_timeouts`` entry per method (whole
  seconds, rounded up);
* ``proxy``: the route's path as ``listen_path``, ``strip_listen_path``, and ``target_url`` at the
  service's in-cluster address (``upstream_port``, else the service's port); ``rate_limit`` ->
  ``global_rate_limit`` (rate 0 means unlimited; a burst becomes a shorter window);
  ``cors`` -> the ``CORS`` block;
* ``config_data.azconf`` names the environment and route; never the config version, so a
  definition changes (and Tyk reloads it) only when its own content does.

Before anything is written the gateway's own load rules are applied (``skipSpecBecauseInvalid`` and
the listen-path collision handling in gateway/api_loader.go), and every violation is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from azconf.jsontext import dumps_pretty
from azconf.model.sections import Route
from azconf.render.base import RenderContext, RenderError, TargetOptions
from azconf.render.gateway import GatewayOptions

APPS_FOLDER = "apps"  # point Tyk's app_path here
VERSION_NAME = "Default"  # the single version of an unversioned classic API
# Tyk's mux-style wildcard: every path under the listen path, whatever path-matching mode
# (prefix, suffix or plain regex) the gateway runs in (httputil.PreparePathRegexp).
ALL_PATHS = "/*"
_SAFE_API_ID = re.compile(r"[A-Za-z0-9_-]+")
_URL_SCHEMES = ("http", "https")
# What str.isspace() calls whitespace (re's \s for str patterns is the same Unicode test), in C.
_WHITESPACE = re.compile(r"\s")


class JwtOptions(BaseModel):
    """How Tyk validates JWTs on ``auth: jwt`` routes (the ``jwt_*`` fields of the definition)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    # Tyk's three families (gateway/mw_jwt.go); EdDSA is not among them.
    signing_method: Literal["rsa", "ecdsa", "hmac"] = "rsa"
    # A JWKS URL, or a base64-encoded public key / HMAC secret; empty: Tyk looks the key up by "kid".
    source: str = ""
    identity_base_field: str = "sub"  # the claim that identifies the caller
    policy_field_name: str = "pol"  # the claim naming the Tyk policy to apply
    default_policies: list[str] = Field(default_factory=list)  # applied when the token names none


class OAuth2Options(JwtOptions):
    """How Tyk checks OAuth2 access tokens on ``auth: oauth2`` routes: JWTs signed by the
    authorization server (Tyk's recommended way since its external OAuth middleware was deprecated)
    whose scope claim maps each scope to a Tyk policy."""

    scope_claim_name: str = "scope"  # the claim holding the token's scopes (space-separated or a list)
    scope_policy: str = "{project}-scope-{scope}"  # the policy id of a scope; {project} {env} {scope}


class TykOptions(TargetOptions):
    """Options of the tyk target (``render.tyk`` in azconf.yaml)."""

    org_id: str | None = None  # Tyk organisation; default: the project name
    api_id: str = "{project}-{route}"  # placeholders: {project} {env} {route}
    # placeholders: {service} {namespace} {port} {project} {env}
    target_url: str = "http://{service}.{namespace}.svc.cluster.local:{port}"
    namespace: str = "default"  # Kubernetes namespace of the services; {project} and {env} allowed
    auth_header_name: str = "Authorization"  # where api-key and jwt routes read the credential
    jwt: JwtOptions = Field(default_factory=JwtOptions)
    oauth2: OAuth2Options = Field(default_factory=OAuth2Options)
    gateway: GatewayOptions = Field(default_factory=GatewayOptions)  # rendered by the kubernetes target


@dataclass(frozen=True, eq=False)  # one per run and options, compared by identity: a Reuse input
class _Run:
    options: TykOptions


@dataclass(frozen=True)
class _Where:
    """What a route's definition takes from outside the route."""

    project: str
    env: str  # "" when no option names {env}: the definition is then the same in every environment
    port: int | None  # the port of the target URL; None: the route's service is not defined


def api_definitions(context: RenderContext) -> dict[str, dict[str, Any]]:
    """Route name -> its Tyk Classic API definition; raises :class:`RenderError` with every violation.

    A route that no overlay changes gets the very same definition object in every environment of
    the run (computed once; treat it as read-only).
    """
    options: TykOptions = context.options
    run = context.reuse.item(_Run, options)
    env = context.env if _names_env(options) else ""
    definitions: dict[str, dict[str, Any]] = {}
    violations: list[str] = []
    for name in sorted(context.model.routes):
        route = context.model.routes[name]
        service = context.model.services.get(route.service)
        port = None if service is None else (route.upstream_port or service.port)
        try:
            where = _Where(context.project, env, port)
            definitions[name] = context.reuse.item(_definition, route, name, where, run)
        except ValueError as error:
            violations.append(f"routes.{name}: {error}")
    violations += load_violations(definitions, problems=lambda d: context.reuse.item(_definition_problems, d))
    if violations:
        raise RenderError("tyk", violations)
    return definitions


def _names_env(options: TykOptions) -> bool:
    templates = (options.api_id, options.target_url, options.namespace, options.oauth2.scope_policy)
    return any("{env" in template for template in templates)


def _definition(route: Route, name: str, where: _Where, run: _Run) -> dict[str, Any]:
    """The API definition of one route (not yet checked against the gateway's load rules)."""
    options = run.options
    values = {"project": where.project, "env": where.env, "route": name}
    definition: dict[str, Any] = {
        "name": name,
        "slug": name,
        "api_id": _expand(options.api_id, values, "api_id"),
        "org_id": options.org_id if options.org_id is not None else where.project,
        "active": True,
        **_auth(route, options, values),
        "version_data": _version_data(route),
        "proxy": {
            "listen_path": route.path,
            "target_url": _target_url(route, where, options),
            "strip_listen_path": route.strip_path,
        },
        "global_rate_limit": _rate_limit(route),
        # Neither the config version nor the environment: a definition changes (and Tyk reloads
        # it) only when its own content does, and is the same in every environment where it is.
        "config_data": {"azconf": {"route": name}},
    }
    if route.cors is not None:
        definition["CORS"] = _cors(route)
    return definition


def _expand(template: str, values: dict[str, Any], option: str) -> str:
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as error:
        known = " ".join(f"{{{key}}}" for key in values)
        raise ValueError(f"render.tyk.{option} {template!r}: {error!r}; placeholders: {known}") from None


def _target_url(route: Route, where: _Where, options: TykOptions) -> str:
    if where.port is None:  # the model's cross-reference check normally stops this earlier
        raise ValueError(f'service "{route.service}" is not defined')
    namespace = _expand(options.namespace, {"project": where.project, "env": where.env}, "namespace")
    values = {
        "service": route.service,
        "namespace": namespace,
        "port": where.port,
        "project": where.project,
        "env": where.env,
    }
    return _expand(options.target_url, values, "target_url")


def _auth(route: Route, options: TykOptions, values: dict[str, Any]) -> dict[str, Any]:
    """The auth switches; exactly one of them is on, so the definition says what it means."""
    fields: dict[str, Any] = {
        "use_keyless": route.auth == "none",
        "use_standard_auth": route.auth == "api-key",
        "enable_jwt": route.auth in ("jwt", "oauth2"),
    }
    if route.auth == "api-key":
        fields["auth_configs"] = {"authToken": _auth_config("authToken", options)}
    elif route.auth in ("jwt", "oauth2"):
        jwt = options.jwt if route.auth == "jwt" else options.oauth2
        fields["auth_configs"] = {"jwt": _auth_config("jwt", options)}
        fields |= {
            "jwt_signing_method": jwt.signing_method,
            "jwt_source": jwt.source,
            "jwt_identity_base_field": jwt.identity_base_field,
            "jwt_policy_field_name": jwt.policy_field_name,
            "jwt_default_policies": list(jwt.default_policies),
        }
        if route.scopes:
            fields["scopes"] = {"jwt": _scope_claim(route, options.oauth2, values)}
    return fields


def _scope_claim(route: Route, oauth2: OAuth2Options, values: dict[str, Any]) -> dict[str, Any]:
    """Each scope of the route -> its Tyk policy: a token gets the policies of its scopes (Tyk's
    mapScopeToPolicies), and the policy of a scope is what grants access to the APIs needing it."""
    policies = {
        scope: _expand(oauth2.scope_policy, {**values, "scope": scope}, "oauth2.scope_policy")
        for scope in sorted(set(route.scopes))
    }
    return {"scope_claim_name": oauth2.scope_claim_name, "scope_to_policy": policies}


def _auth_config(kind: str, options: TykOptions) -> dict[str, Any]:
    # The credential comes from the header only; Tyk refuses a config with every source disabled
    # (RuleAtLeastEnableOneAuthSource), which disable_header false rules out.
    return {
        "name": kind,
        "auth_header_name": options.auth_header_name,
        "disable_header": False,
        "use_param": False,
        "use_cookie": False,
    }


def _methods(route: Route) -> list[str]:
    return sorted(set(route.methods))


def _version_data(route: Route) -> dict[str, Any]:
    white_list = [
        {"path": ALL_PATHS, "method": method, "disabled": False, "ignore_case": False}
        for method in _methods(route)
    ]
    # Hard timeouts match on the method too (URLSpec.matchesMethod), so one entry per method.
    # Tyk counts them in whole seconds: a sub-second part rounds up (the HTTPRoute keeps the exact
    # value, and the Gateway in front applies it).
    seconds = -(-route.timeout_milliseconds // 1000)
    timeouts = [
        {"path": ALL_PATHS, "method": method, "disabled": False, "timeout": seconds}
        for method in _methods(route)
    ]
    version = {
        "name": VERSION_NAME,
        "use_extended_paths": True,
        "extended_paths": {"white_list": white_list, "hard_timeouts": timeouts},
    }
    return {"not_versioned": True, "default_version": VERSION_NAME, "versions": {VERSION_NAME: version}}


def _rate_limit(route: Route) -> dict[str, int | float]:
    # A rate of 0 switches the API-wide limiter off (RateLimitForAPI.shouldEnable).
    limit = route.rate_limit
    if limit is None:
        return {"rate": 0, "per": 0}
    if limit.burst is None:
        return {"rate": limit.rate, "per": limit.per}
    # Tyk's limiter counts requests in a sliding window and has no burst setting. "rate per per,
    # at most burst at once" is the window of burst requests per burst*per/rate seconds: the same
    # long-run rate, and never more than burst requests close together.
    window = limit.burst * limit.per / limit.rate
    return {"rate": limit.burst, "per": int(window) if window.is_integer() else window}


def _cors(route: Route) -> dict[str, Any]:
    cors = route.cors
    assert cors is not None
    return {
        "enable": True,
        "allowed_origins": list(cors.origins),
        # An empty list would make Tyk's CORS library fall back to GET, POST and HEAD.
        "allowed_methods": list(cors.methods) if cors.methods else _methods(route),
        "allowed_headers": list(cors.headers),
        "exposed_headers": [],
        "allow_credentials": cors.allow_credentials,
        "max_age": cors.max_age if cors.max_age is not None else 0,
        "options_passthrough": False,  # Tyk answers preflights itself
        "debug": False,
    }


# -- the gateway's load rules --------------------------------------------------------------------------


def load_violations(
    definitions: dict[str, dict[str, Any]],
    *,
    problems: Callable[[dict[str, Any]], tuple[str, ...]] | None = None,
) -> list[str]:
    """What would make Tyk skip or silently alter an API, for every definition (route name -> definition).

    Tyk skips an API whose listen path is empty or holds a space, or whose target URL does not parse
    (``skipSpecBecauseInvalid``); it renames a second API on the same listen path (``processSpec``).
    Go's ``url.Parse`` accepts almost anything, so a target URL must also have an http(s) scheme and a
    host here. The api_id names the file and Tyk's Redis keys, so it is kept to letters, digits, - and _.
    ``problems`` finds one definition's problems (default: :func:`_definition_problems`).
    """
    violations: list[str] = []
    for name, definition in definitions.items():
        found = (problems or _definition_problems)(definition)
        violations += [f"routes.{name}: {problem}" for problem in found]
    violations += _duplicates(
        definitions,
        lambda d: str(d["proxy"]["listen_path"]),
        "listen path",
        "Tyk would move all but one of them to another listen path",
    )
    violations += _duplicates(
        definitions, lambda d: str(d["api_id"]), "api_id", "one file, and one API in Tyk, per api_id"
    )
    return violations


def _definition_problems(definition: dict[str, Any]) -> tuple[str, ...]:
    problems: list[str] = []
    listen_path: str = definition["proxy"]["listen_path"]
    if not listen_path:
        problems.append("the listen path is empty (Tyk skips such an API)")
    elif _WHITESPACE.search(listen_path):
        problems.append(f"the listen path {listen_path!r} contains whitespace (Tyk skips such an API)")
    problems += _url_problems(definition["proxy"]["target_url"])
    api_id: str = definition["api_id"]
    if not _SAFE_API_ID.fullmatch(api_id):
        problems.append(f"api_id {api_id!r} may only hold letters, digits, '-' and '_'")
    return tuple(problems)


def _url_problems(url: str) -> list[str]:
    # Whitespace first: urlsplit silently drops tabs and newlines, Go's url.Parse rejects them.
    if _WHITESPACE.search(url):
        return [f"the target URL {url!r} contains whitespace"]
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading the port validates it
    except ValueError as error:
        return [f"the target URL {url!r} does not parse: {error}"]
    if parts.scheme not in _URL_SCHEMES or not parts.hostname:
        return [f"the target URL {url!r} needs an http or https scheme and a host"]
    return []


def _duplicates(
    definitions: dict[str, dict[str, Any]], key: Callable[[dict[str, Any]], str], what: str, effect: str
) -> list[str]:
    claimed: dict[str, list[str]] = {}
    for name, definition in definitions.items():
        claimed.setdefault(key(definition), []).append(name)
    return [
        f"routes {', '.join(names)}: share the {what} {value!r} ({effect})"
        for value, names in sorted(claimed.items())
        if len(names) > 1
    ]


# -- the target ----------------------------------------------------------------------------------------


def dumps(definition: dict[str, Any]) -> str:
    """A definition as file text: sorted keys, 2-space indent, a trailing newline."""
    return dumps_pretty(definition)


class TykTarget:
    """Renders ``apps/<api_id>.json`` for every route."""

    name = "tyk"
    options_model: type[TargetOptions] = TykOptions

    def render(self, context: RenderContext) -> dict[str, str]:
        """One API definition file per route."""
        return {
            f"{APPS_FOLDER}/{definition['api_id']}.json": dumps(definition)
            for definition in api_definitions(context).values()
        }


TARGET = TykTarget()
